/**
 * Shopify's product state from one bulk export, for full runs of several pages. The export, its
 * parsing and the per-client cache belong to the Shopify connector (products-bulk.ts).
 */
import type { ShopifyClient } from '../../connectors/shopify/client';
import type { SnapshotState } from '../../connectors/shopify/products-bulk';

export type { ProductSnapshot, SnapshotProduct, SnapshotState, SnapshotVariant } from '../../connectors/shopify/products-bulk';

/** Starts the export; null when Shopify refuses it: pages then read per request. */
export function startProductSnapshot(shopify: ShopifyClient): Promise<string | null> {
  return shopify.bulkExports.products.start();
}

/** Waits up to `maxWaitMs` for the export to complete (polling with back-off to 2 s). */
export function awaitProductSnapshot(shopify: ShopifyClient, operationId: string, maxWaitMs: number): Promise<SnapshotState> {
  return shopify.bulkExports.products.await(operationId, maxWaitMs);
}
