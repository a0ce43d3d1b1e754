/**
 * Orders from one bulk export (bulkOperationRunQuery): for runs with many pages. A bulk query
 * costs its 10-point mutation and a status poll now and then instead of ~50 query points per
 * order, and has no page sizes, so long orders come complete. The result file is read once per
 * client and kept for the run's next pages (a small per-client cache keyed by operation id).
 */
import { BULK_EXPORT_ORDERS } from './documents';
import {
  awaitBulkExport,
  bulkQueryWithSearch,
  latestById,
  loadBulkExport,
  reassembleBulk,
  rememberBounded,
  rowOf,
  tryStartBulkQuery,
  type BulkNode,
  type EdgeNode,
} from './bulk';
import type { ShopifyExecutor } from './executor';
import type { GqlDocument, ResultOf } from './gql';
import type { ShopifyOrder } from './types';

/** BulkExportOrders with a search filter. */
export function bulkOrdersQuery(search: string | null): GqlDocument<ResultOf<typeof BULK_EXPORT_ORDERS>> {
  return bulkQueryWithSearch(BULK_EXPORT_ORDERS, 'orders', search);
}

function children(n: BulkNode, type: string): BulkNode[] {
  return n.__children[type] ?? [];
}

type BulkOrder = EdgeNode<ResultOf<typeof BULK_EXPORT_ORDERS>['orders']>;
type BulkFulfillmentOrder = EdgeNode<BulkOrder['fulfillmentOrders']>;

/** A reassembled bulk order → the shape OrdersPage produces (lines carry their location). */
export function orderFromBulk(n: BulkNode): ShopifyOrder {
  const locations = new Map<string, string>();
  for (const fo of children(n, 'FulfillmentOrder')) {
    const loc = rowOf<BulkFulfillmentOrder>(fo).assignedLocation?.location?.id;
    if (loc)
      for (const li of children(fo, 'FulfillmentOrderLineItem'))
        locations.set(rowOf<EdgeNode<BulkFulfillmentOrder['lineItems']>>(li).lineItem.id, loc);
  }
  const lineItems = children(n, 'LineItem').map((l) => {
    const line = rowOf<EdgeNode<BulkOrder['lineItems']>>(l);
    return { ...line, locationId: locations.get(line.id) ?? null };
  });
  // A shipping line's id is nullable: without one its lines cannot be typed by GID.
  const shippingLines = [...children(n, 'ShippingLine'), ...children(n, '_')].map((s) => {
    const { id: _id, ...line } = rowOf<EdgeNode<BulkOrder['shippingLines']>>(s);
    return line;
  });
  return { ...rowOf<BulkOrder>(n), lineItems, shippingLines };
}

/** `createdAt`: when Shopify started the export, on Shopify's clock. */
export type OrdersExport =
  { kind: 'ready'; orders: ShopifyOrder[]; createdAt: string } | { kind: 'pending' } | { kind: 'gone'; status: string };

function byUpdatedAtThenId(a: ShopifyOrder, b: ShopifyOrder): number {
  return a.updatedAt === b.updatedAt ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.updatedAt < b.updatedAt ? -1 : 1;
}

/** One client's order exports: started, and each read once (the last two kept). */
export class OrderExports {
  private readonly cache = new Map<string, { orders: ShopifyOrder[]; createdAt: string }>();
  private static readonly LIMIT = 2;

  constructor(private readonly exec: ShopifyExecutor) {}

  /** Starts the export; null when Shopify refuses one now (e.g. its bulk query limit is reached). */
  start(search: string | null): Promise<string | null> {
    return tryStartBulkQuery(this.exec, bulkOrdersQuery(search));
  }

  /** The export's orders in (updatedAt, id) order once it is complete. */
  async load(operationId: string): Promise<OrdersExport> {
    const hit = this.cache.get(operationId);
    if (hit) return { kind: 'ready', ...hit };
    const state = await loadBulkExport(this.exec, operationId, (lines, op) => ({
      orders: latestById(reassembleBulk(lines).map(orderFromBulk)).sort(byUpdatedAtThenId),
      createdAt: op.createdAt,
    }));
    if (state.kind !== 'ready') return state;
    rememberBounded(this.cache, operationId, state.result, OrderExports.LIMIT);
    return { kind: 'ready', ...state.result };
  }

  /** Polls until the export is complete or gone, at most `maxWaitMs` (then: pending). */
  await(operationId: string, maxWaitMs: number): Promise<OrdersExport> {
    return awaitBulkExport(() => this.load(operationId), maxWaitMs);
  }
}
