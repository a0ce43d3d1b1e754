/**
 * Orders from one bulk export (bulkOperationRunQuery): for runs with many pages. A bulk query
 * costs its 10-point mutation and a status poll now and then instead of ~50 query points per
 * order, and has no page sizes, so long orders come complete. The result file is read once per
 * process and kept for the run's next pages (a small cache keyed by operation id).
 */
import { BULK_EXPORT_ORDERS, BULK_OPERATION_STATUS } from './documents';
import { downloadJsonlOrNull, latestById, reassembleBulk, startBulkQuery, type BulkNode, type BulkOperation } from './bulk';
import type { ShopifyExecutor } from './executor';
import type { GqlDocument } from './gql';
import type { ShopifyLineItem, ShopifyOrder, ShopifyShippingLine } from './types';

const cache = new Map<string, ShopifyOrder[]>();
const CACHE_LIMIT = 2;

/** BulkExportOrders with a search filter (bulk queries take no variables, so it is a quoted literal). */
export function bulkOrdersQuery(search: string | null): GqlDocument {
  if (!search) return BULK_EXPORT_ORDERS;
  const marker = 'orders(sortKey: UPDATED_AT)';
  if (!BULK_EXPORT_ORDERS.text.includes(marker)) throw new Error('BulkExportOrders: orders( arguments changed');
  // A JSON string is a valid GraphQL string literal (same escapes).
  return { ...BULK_EXPORT_ORDERS, text: BULK_EXPORT_ORDERS.text.replace(marker, `orders(sortKey: UPDATED_AT, query: ${JSON.stringify(search)})`) };
}

/** Starts the export; null when Shopify refuses one now (e.g. its bulk query limit is reached). */
export async function startOrdersExport(exec: ShopifyExecutor, search: string | null): Promise<string | null> {
  try {
    return (await startBulkQuery(exec, bulkOrdersQuery(search))).id;
  } catch {
    return null;
  }
}

function children(n: BulkNode, type: string): BulkNode[] {
  return n.__children[type] ?? [];
}

/** A reassembled bulk order → the shape OrdersPage produces (lines carry their location). */
export function orderFromBulk(n: BulkNode): ShopifyOrder {
  const { __children: _c, ...fields } = n;
  const locations = new Map<string, string>();
  for (const fo of children(n, 'FulfillmentOrder')) {
    const loc = (fo.assignedLocation as { location: { id: string } | null } | undefined)?.location?.id;
    if (loc) for (const li of children(fo, 'FulfillmentOrderLineItem')) locations.set((li.lineItem as { id: string }).id, loc);
  }
  const lineItems = children(n, 'LineItem').map(({ __children: _l, ...l }) => ({ ...(l as unknown as Omit<ShopifyLineItem, 'locationId'>), locationId: locations.get(l.id as string) ?? null }));
  // A shipping line's id is nullable: without one its lines cannot be typed by GID.
  const shippingLines = [...children(n, 'ShippingLine'), ...children(n, '_')].map(({ __children: _s, id: _id, ...s }) => s as unknown as ShopifyShippingLine);
  return { ...(fields as unknown as Omit<ShopifyOrder, 'lineItems' | 'shippingLines'>), lineItems, shippingLines };
}

export type OrdersExport = { kind: 'ready'; orders: ShopifyOrder[] } | { kind: 'pending' } | { kind: 'gone'; status: string };

/** The export's orders in (updatedAt, id) order once it is complete. */
export async function loadOrdersExport(exec: ShopifyExecutor, operationId: string): Promise<OrdersExport> {
  const hit = cache.get(operationId);
  if (hit) return { kind: 'ready', orders: hit };
  const { data } = await exec.call<{ bulkOperation: BulkOperation | null }>(BULK_OPERATION_STATUS, { id: operationId });
  const op = data.bulkOperation;
  if (!op) return { kind: 'gone', status: 'NOT_FOUND' };
  if (op.status !== 'COMPLETED') return ['CREATED', 'RUNNING'].includes(op.status) ? { kind: 'pending' } : { kind: 'gone', status: op.status };
  const lines = await downloadJsonlOrNull(op.url);
  if (!lines) return { kind: 'gone', status: 'DOWNLOAD_FAILED' };
  const orders = latestById(reassembleBulk(lines).map(orderFromBulk));
  orders.sort((a, b) => (a.updatedAt === b.updatedAt ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.updatedAt < b.updatedAt ? -1 : 1));
  cache.set(operationId, orders);
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return { kind: 'ready', orders };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until the export is complete or gone, at most `maxWaitMs` (then: pending). */
export async function awaitOrdersExport(exec: ShopifyExecutor, operationId: string, maxWaitMs: number): Promise<OrdersExport> {
  const deadline = Date.now() + maxWaitMs;
  let interval = 100;
  for (;;) {
    const state = await loadOrdersExport(exec, operationId);
    if (state.kind !== 'pending' || Date.now() >= deadline) return state;
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    interval = Math.min(2000, interval * 2);
  }
}
