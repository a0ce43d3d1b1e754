/**
 * Shopify's current stock for a page of SKUs. The query and its parsing belong to the Shopify
 * connector (connectors/shopify/stock.ts); this keeps the pipeline's vocabulary.
 */
import type { ShopifyClient } from '../../connectors/shopify/client';
import type { ShopifyStockMatch } from './types';

/** SKU → the inventory items carrying it (exact SKU match), with `available` per location id. */
export function stockBySku(
  shopify: ShopifyClient,
  skus: readonly string[],
  locationIds: readonly string[],
): Promise<Map<string, ShopifyStockMatch[]>> {
  return shopify.stockBySku(skus, locationIds);
}
