/**
 * Units Shopify has sold that B1 does not account for yet: the unfulfilled quantities of open
 * Shopify orders that have no (uncancelled) B1 sales order, per inventory item and location.
 *
 * Shopify takes a placed order's units out of `available` into `committed` at once; B1 counts
 * them in `Committed` only once the order pipeline has created the sales order, and never for an
 * order that failed, waits for payment or is filtered out. Pushing B1's figure alone would put
 * those units back on sale; deducting them here does not.
 *
 * Only items Shopify shows `committed` units for at a mapped location can have such orders (a
 * placed, unfulfilled order always commits its units), so a shop with no open orders pays nothing.
 * For the others: one `orders(query: "status:open AND (sku:… OR …)")` read per ≤40 SKUs, then one
 * batched B1 lookup of `Orders` by `U_ShopifyId` per 20 orders.
 *
 * Read order matters (see fetch.ts): Shopify's levels first, then these orders, then B1's
 * membership, then B1's stock for items with an order B1 has, so every order is counted exactly
 * once or, in a race, twice (never zero times).
 */
import { searchValue } from '../../connectors/shopify/client';
import { INVENTORY_OPEN_ORDERS, INVENTORY_ORDER_REMAINING } from '../../connectors/shopify/documents';
import type { PipelineDeps } from '../contract';
import { orFilters } from '../customer/paging';

/** SKUs per orders query: keeps the search string short. */
const SKUS_PER_QUERY = 40;
/** Usual order: ≤2 fulfillment orders of ≤10 lines; 33 points each, 25 per call (827 points). */
const ORDERS_FIRST = 25;
const FO_FIRST = 2;
const LINES_FIRST = 10;
/** An order that did not fit is read alone with room for 10 × 90 (953 points). */
const FO_FIRST_LONG = 10;
const LINES_FIRST_LONG = 90;

type RawFulfillmentOrders = {
  nodes: { status: string; assignedLocation: { location: { id: string } | null } | null; lineItems: { nodes: { remainingQuantity: number; inventoryItemId: string | null }[]; pageInfo: { hasNextPage: boolean } } }[];
  pageInfo: { hasNextPage: boolean };
};
type RawOrder = { id: string; name: string; fulfillmentOrders: RawFulfillmentOrders };
type OrdersPage = { orders: { nodes: RawOrder[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

/** Fulfillment orders whose remaining units are no longer committed. */
const RELEASED = new Set(['CANCELLED', 'CLOSED', 'INCOMPLETE']);

/** One open Shopify order's remaining units, per `inventoryItemId|locationId`. */
export interface OpenOrderUnits {
  orderId: string;
  name: string;
  units: Map<string, number>;
}

function truncated(fo: RawFulfillmentOrders): boolean {
  return fo.pageInfo.hasNextPage || fo.nodes.some((n) => n.lineItems.pageInfo.hasNextPage);
}

function unitsOf(fo: RawFulfillmentOrders): Map<string, number> {
  const units = new Map<string, number>();
  for (const n of fo.nodes) {
    const loc = n.assignedLocation?.location?.id;
    if (!loc || RELEASED.has(n.status)) continue;
    for (const l of n.lineItems.nodes) {
      if (!l.inventoryItemId || l.remainingQuantity <= 0) continue;
      const key = `${l.inventoryItemId}|${loc}`;
      units.set(key, (units.get(key) ?? 0) + l.remainingQuantity);
    }
  }
  return units;
}

export class OpenOrderTooLargeError extends Error {
  override name = 'OpenOrderTooLargeError';
}

/** Open Shopify orders carrying any of the SKUs, with their remaining units per item and location. */
export async function openOrdersForSkus(deps: PipelineDeps, skus: readonly string[]): Promise<OpenOrderUnits[]> {
  const unique = [...new Set(skus)];
  const byId = new Map<string, OpenOrderUnits>();
  for (let i = 0; i < unique.length; i += SKUS_PER_QUERY) {
    const query = `status:open AND (${unique.slice(i, i + SKUS_PER_QUERY).map((s) => `sku:${searchValue(s)}`).join(' OR ')})`;
    let after: string | null = null;
    for (;;) {
      const res: { data: OrdersPage } = await deps.shopify.executor.call<OrdersPage>(INVENTORY_OPEN_ORDERS, { first: ORDERS_FIRST, after, query, fulfillmentOrdersFirst: FO_FIRST, linesFirst: LINES_FIRST }, { shrink: ['first'] });
      for (const o of res.data.orders.nodes) {
        if (byId.has(o.id)) continue;
        let fo = o.fulfillmentOrders;
        if (truncated(fo)) {
          const long = await deps.shopify.executor.call<{ order: RawOrder | null }>(INVENTORY_ORDER_REMAINING, { id: o.id, fulfillmentOrdersFirst: FO_FIRST_LONG, linesFirst: LINES_FIRST_LONG });
          if (!long.data.order) continue;
          fo = long.data.order.fulfillmentOrders;
          // Counting part of an order would deduct too little: refuse rather than oversell.
          if (truncated(fo)) throw new OpenOrderTooLargeError(`Shopify order ${o.name} (${o.id}) has more than ${FO_FIRST_LONG} fulfillment orders or ${LINES_FIRST_LONG} lines in one; its committed units cannot be read`);
        }
        byId.set(o.id, { orderId: o.id, name: o.name, units: unitsOf(fo) });
      }
      if (!res.data.orders.pageInfo.hasNextPage) break;
      after = res.data.orders.pageInfo.endCursor;
    }
  }
  return [...byId.values()];
}

/**
 * Which of these Shopify orders B1 accounts for: an uncancelled sales order carries the order's
 * GID in `U_ShopifyId` (open: its lines are in `Committed`; closed by a delivery: the units have
 * left `InStock`). A cancelled sales order releases its units in B1, so it does not count.
 */
export async function ordersInB1(deps: PipelineDeps, orderIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const filter of orFilters('U_ShopifyId', orderIds)) {
    const rows = (await deps.b1.list('Orders', { filter, select: ['DocEntry', 'U_ShopifyId', 'Cancelled'] })) as { U_ShopifyId?: unknown; Cancelled?: unknown }[];
    for (const r of rows) if (typeof r.U_ShopifyId === 'string' && r.Cancelled !== 'tYES') out.add(r.U_ShopifyId);
  }
  return out;
}
