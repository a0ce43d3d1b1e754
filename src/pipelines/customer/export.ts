/**
 * Customers from one bulk export (bulkOperationRunQuery), for runs of many pages: reading them
 * per request costs ~6 query points a customer, which binds a large run to the plan's restore
 * rate (Standard: ~16 customers/s); an export costs its 10-point start and a status poll now and
 * then. The result file is pre-signed (no credentials, no rate-limit cost); it is read once per
 * process and kept for the run's next pages, and a worker without it in memory downloads it
 * again from the operation id.
 */
import type { ShopifyClient } from '../../connectors/shopify/client';
import { bulkQueryWithSearch, latestById, loadBulkExport, reassembleBulk, rememberBounded, tryStartBulkQuery, type BulkNode } from '../../connectors/shopify/bulk';
import type { GqlDocument } from '../../connectors/shopify/gql';
import { mapCustomer, type RawCustomer } from '../../connectors/shopify/mappers';
import type { ShopifyMailingAddress } from '../../connectors/shopify/types';
import type { ShopifyCustomer } from '../../mapping/types';
import { BULK_EXPORT_CUSTOMERS } from '../../connectors/shopify/customers-bulk';
import { trimCustomer } from './trim';

/** BulkExportCustomers with a search filter. */
export function bulkCustomersQuery(search: string | null): GqlDocument {
  return bulkQueryWithSearch(BULK_EXPORT_CUSTOMERS, 'customers', search);
}

/** Starts the export; null when Shopify refuses one now (e.g. its bulk query limit is reached). */
export function startCustomersExport(shopify: ShopifyClient, search: string | null): Promise<string | null> {
  return tryStartBulkQuery(shopify.executor, bulkCustomersQuery(search));
}

/**
 * A reassembled bulk customer → the ShopifyCustomer CustomersPage gives for `addressesFirst`
 * addresses (an export has no page sizes: it holds every address, in the same order).
 */
export function customerFromBulk(n: BulkNode, addressesFirst: number): ShopifyCustomer {
  const { __children, ...fields } = n;
  // The only nested connection is addressesV2 (its ids are MailingAddress GIDs).
  const addresses = Object.values(__children)
    .flat()
    .map(({ __children: _c, ...a }) => a as unknown as ShopifyMailingAddress);
  return mapCustomer({ ...(fields as unknown as Omit<RawCustomer, 'addressesV2'>), addressesV2: { nodes: addresses.slice(0, addressesFirst) } });
}

export type CustomersExport = { kind: 'ready'; customers: ShopifyCustomer[] } | { kind: 'pending' } | { kind: 'gone'; status: string };

/** Exports by operation id and address count: trimmed customers in (updatedAt, id) order. */
const cache = new Map<string, ShopifyCustomer[]>();
const CACHE_LIMIT = 2;

function byUpdatedAtThenId(a: ShopifyCustomer, b: ShopifyCustomer): number {
  const ta = Date.parse(a.updatedAt ?? '');
  const tb = Date.parse(b.updatedAt ?? '');
  if (ta !== tb) return (Number.isNaN(ta) ? 0 : ta) - (Number.isNaN(tb) ? 0 : tb);
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The export's customers once it is complete, trimmed to what the mapping reads (a large shop's
 * export is held in memory for the run's pages).
 */
export async function loadCustomersExport(shopify: ShopifyClient, operationId: string, maxAddresses: number): Promise<CustomersExport> {
  const key = `${operationId}|${maxAddresses}`;
  const hit = cache.get(key);
  if (hit) return { kind: 'ready', customers: hit };
  const state = await loadBulkExport(shopify.executor, operationId, (lines) =>
    latestById(reassembleBulk(lines).map((n) => trimCustomer(customerFromBulk(n, maxAddresses), maxAddresses))).sort(byUpdatedAtThenId),
  );
  if (state.kind !== 'ready') return state;
  const customers = state.result;
  rememberBounded(cache, key, customers, CACHE_LIMIT);
  return { kind: 'ready', customers };
}
