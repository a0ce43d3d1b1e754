/**
 * Customers from one bulk export, for runs of many pages (the export and its reading belong to
 * the Shopify connector, connectors/shopify/customers-bulk.ts): here only trimmed to what the
 * mapping reads.
 */
import type { ShopifyClient } from '../../connectors/shopify/client';
import type { CustomersExport } from '../../connectors/shopify/customers-bulk';
import type { ShopifyCustomer } from '../../mapping/types';
import { trimCustomer } from './trim';

export type { CustomersExport } from '../../connectors/shopify/customers-bulk';

/** Starts the export; null when Shopify refuses one now (e.g. its bulk query limit is reached). */
export function startCustomersExport(shopify: ShopifyClient, search: string | null): Promise<string | null> {
  return shopify.bulkExports.customers.start(search);
}

/** The export's customers once it is complete, trimmed, in (updatedAt, id) order. */
export function loadCustomersExport(
  shopify: ShopifyClient,
  operationId: string,
  maxAddresses: number,
): Promise<CustomersExport<ShopifyCustomer>> {
  return shopify.bulkExports.customers.load(operationId, maxAddresses, (c) => trimCustomer(c, maxAddresses));
}
