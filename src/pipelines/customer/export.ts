/**
 * Customers from one bulk export (bulkOperationRunQuery), for runs of many pages: reading them
 * per request costs ~6 query points a customer, which binds a large run to the plan's restore
 * rate (Standard: ~16 customers/s); an export costs its 10-point start and a status poll now and
 * then. The result file is pre-signed (no credentials, no rate-limit cost); it is read once per
 * process and kept for the run's next pages, and a worker without it in memory downloads it
 * again from the operation id.
 */
import type { ShopifyClient } from '../../connectors/shopify/client';
import { BULK_OPERATION_STATUS } from '../../connectors/shopify/documents';
import { downloadJsonlOrNull, latestById, reassembleBulk, startBulkQuery, type BulkNode, type BulkOperation } from '../../connectors/shopify/bulk';
import type { GqlDocument } from '../../connectors/shopify/gql';
import { mapCustomer, type RawCustomer } from '../../connectors/shopify/mappers';
import type { ShopifyMailingAddress } from '../../connectors/shopify/types';
import type { ShopifyCustomer } from '../../mapping/types';
import { BULK_EXPORT_CUSTOMERS } from './documents';
import { trimCustomer } from './trim';

/** BulkExportCustomers with a search filter (bulk queries take no variables: a quoted literal). */
export function bulkCustomersQuery(search: string | null): GqlDocument {
  if (!search) return BULK_EXPORT_CUSTOMERS;
  const marker = 'customers(sortKey: UPDATED_AT)';
  if (!BULK_EXPORT_CUSTOMERS.text.includes(marker)) throw new Error('BulkExportCustomers: customers( arguments changed');
  // A JSON string is a valid GraphQL string literal (same escapes).
  return { ...BULK_EXPORT_CUSTOMERS, text: BULK_EXPORT_CUSTOMERS.text.replace(marker, `customers(sortKey: UPDATED_AT, query: ${JSON.stringify(search)})`) };
}

/** Starts the export; null when Shopify refuses one now (e.g. its bulk query limit is reached). */
export async function startCustomersExport(shopify: ShopifyClient, search: string | null): Promise<string | null> {
  try {
    return (await startBulkQuery(shopify.executor, bulkCustomersQuery(search))).id;
  } catch {
    return null;
  }
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
  const { data } = await shopify.executor.call<{ bulkOperation: BulkOperation | null }>(BULK_OPERATION_STATUS, { id: operationId });
  const op = data.bulkOperation;
  if (!op) return { kind: 'gone', status: 'NOT_FOUND' };
  if (op.status !== 'COMPLETED') return op.status === 'CREATED' || op.status === 'RUNNING' ? { kind: 'pending' } : { kind: 'gone', status: op.status };
  const lines = await downloadJsonlOrNull(op.url);
  if (!lines) return { kind: 'gone', status: 'DOWNLOAD_FAILED' };
  const customers = latestById(reassembleBulk(lines).map((n) => trimCustomer(customerFromBulk(n, maxAddresses), maxAddresses)));
  customers.sort(byUpdatedAtThenId);
  cache.set(key, customers);
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return { kind: 'ready', customers };
}
