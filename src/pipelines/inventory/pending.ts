/**
 * Units Shopify has sold that B1 does not account for, per inventory item and location: for each
 * open Shopify order, its unfulfilled units less what B1 holds for it in `Committed` (open lines
 * of its uncancelled sales orders) and less what B1 has already delivered beyond Shopify's own
 * fulfilments (gone from `InStock`): `uncoveredUnits` in mapping/inventory.ts. An order B1 has no
 * sales order for deducts all its unfulfilled units; one B1 has in full deducts nothing; one whose
 * quantity was raised in Shopify, or whose line or order was closed or removed by hand in B1,
 * deducts the difference.
 *
 * Only items Shopify shows `committed` units for at a mapped location can have such orders (a
 * placed, unfulfilled order always commits its units), so a shop with no open orders pays nothing.
 * For the others: the open orders come from one bulk export per multi-page run (no rate-limit
 * points) where it agrees with the levels read, else from one `orders(query: "status:open AND
 * (sku:… OR …)")` read per ≤40 SKUs; then B1's sales orders with their lines, one call per 50
 * orders (fetch.ts reads them twice, around the stock re-read).
 *
 * The export and the levels are not read at one instant. Shopify's `committed` at a location is the
 * sum of the remaining units of the open orders there, so it serves as a checksum: an item whose
 * committed units equal the export's sum for it at every mapped location sees the same orders in
 * both reads; any other item (an order placed, cancelled or fulfilled between the reads) has its
 * orders queried afresh, after its levels were read. The search can miss an open order (index
 * lag, a line sold under an older SKU, an archived or old unfulfilled order): fetch.ts deducts the
 * part of `committed` the orders read do not explain, per item and location.
 */
import type { ShopifyClient } from '../../connectors/shopify/client';
import { searchValue } from '../../connectors/shopify/client';
import { reassembleBulk, type BulkExportState } from '../../connectors/shopify/bulk';
import {
  loadOpenOrdersExport,
  openOrderRemaining,
  openOrdersPage,
  startOpenOrdersExport as startExport,
  type OpenFulfillmentOrders,
} from '../../connectors/shopify/open-orders';
import type { B1OrderLineFacts } from '../../mapping/inventory';
import type { PipelineDeps } from '../contract';
import { orFilters } from '../kit/paging';

/** SKUs per orders query: keeps the search string short. */
const SKUS_PER_QUERY = 40;
/** Usual order: ≤2 fulfillment orders of ≤10 lines; 33 points each, 25 per call (827 points). */
const ORDERS_FIRST = 25;
const FO_FIRST = 2;
const LINES_FIRST = 10;
/** An order that did not fit is read alone with room for 10 × 90 (953 points). */
const FO_FIRST_LONG = 10;
const LINES_FIRST_LONG = 90;

type RawFulfillmentOrders = OpenFulfillmentOrders;

/** Order GIDs per B1 lookup: an OR of 50 keeps the URL well under the Service Layer's limits. */
const ORDERS_PER_B1_CALL = 50;

/** Fulfillment orders whose remaining units are no longer committed. */
const RELEASED: ReadonlySet<string> = new Set(['CANCELLED', 'CLOSED', 'INCOMPLETE']);

/** One open Shopify order's remaining units, per `inventoryItemId|locationId`. */
export interface OpenOrderUnits {
  orderId: string;
  name: string;
  units: Map<string, number>;
  /**
   * Units Shopify has fulfilled, per `inventoryItemId|locationId` (`totalQuantity − remainingQuantity`
   * over the order's fulfillment orders there, closed ones included): B1 deliveries up to this
   * many are already reflected in Shopify. Absent when not read: taken as 0 (never too little deducted
   * for an order B1 has not delivered; see uncoveredUnits).
   */
  fulfilled?: Map<string, number>;
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

/** Fulfilled units per `inventoryItemId|locationId`, from every fulfillment order of the order. */
function fulfilledOf(fo: RawFulfillmentOrders): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of fo.nodes) {
    const loc = n.assignedLocation?.location?.id;
    if (!loc) continue;
    for (const l of n.lineItems.nodes) {
      const done = typeof l.totalQuantity === 'number' ? l.totalQuantity - l.remainingQuantity : 0;
      if (!l.inventoryItemId || done <= 0) continue;
      const key = `${l.inventoryItemId}|${loc}`;
      out.set(key, (out.get(key) ?? 0) + done);
    }
  }
  return out;
}

/**
 * Open Shopify orders carrying any of the SKUs, with their remaining units per item and location.
 * `uncertain`: SKUs queried together with an order too large to read whole (more than 10
 * fulfillment orders, or 90 lines in one); the caller deducts all of Shopify's committed units for
 * them (an undersell at worst) rather than part of that order.
 */
export async function openOrdersForSkus(
  deps: PipelineDeps,
  skus: readonly string[],
): Promise<{ orders: OpenOrderUnits[]; uncertain: Set<string> }> {
  const unique = [...new Set(skus)];
  const byId = new Map<string, OpenOrderUnits>();
  const uncertain = new Set<string>();
  for (let i = 0; i < unique.length; i += SKUS_PER_QUERY) {
    const batch = unique.slice(i, i + SKUS_PER_QUERY);
    const query = `status:open AND (${batch.map((s) => `sku:${searchValue(s)}`).join(' OR ')})`;
    let after: string | null = null;
    for (;;) {
      const page = await openOrdersPage(deps.shopify, {
        first: ORDERS_FIRST,
        after,
        query,
        fulfillmentOrdersFirst: FO_FIRST,
        linesFirst: LINES_FIRST,
      });
      for (const o of page.orders) {
        if (byId.has(o.id)) continue;
        let fo = o.fulfillmentOrders;
        if (truncated(fo)) {
          const long = await openOrderRemaining(deps.shopify, o.id, {
            fulfillmentOrdersFirst: FO_FIRST_LONG,
            linesFirst: LINES_FIRST_LONG,
          });
          if (!long) continue;
          fo = long.fulfillmentOrders;
          // Counting part of an order would deduct too little: its SKUs deduct all committed units.
          if (truncated(fo)) for (const sku of batch) uncertain.add(sku);
        }
        byId.set(o.id, { orderId: o.id, name: o.name, units: unitsOf(fo), fulfilled: fulfilledOf(fo) });
      }
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
  }
  return { orders: [...byId.values()], uncertain };
}

/** A B1 sales order as the rule reads it (uncoveredUnits in mapping/inventory.ts). */
export interface B1SalesOrderFacts {
  DocEntry?: unknown;
  U_ShopifyId?: unknown;
  Cancelled?: unknown;
  DocumentStatus?: unknown;
  DocumentLines?: B1OrderLineFacts[] | null;
}

/**
 * The B1 sales orders carrying these Shopify order GIDs in `U_ShopifyId` (every one, cancelled
 * ones included: the rule skips them), by GID, with their lines: one call per 50 orders.
 * `DocumentLines` cannot be narrowed by `$select` (the Service Layer selects a collection whole).
 */
export async function b1SalesOrders(deps: PipelineDeps, orderIds: readonly string[]): Promise<Map<string, B1SalesOrderFacts[]>> {
  const out = new Map<string, B1SalesOrderFacts[]>();
  for (const filter of orFilters('U_ShopifyId', orderIds, ORDERS_PER_B1_CALL)) {
    const rows = (await deps.b1.list('Orders', {
      filter,
      select: ['DocEntry', 'U_ShopifyId', 'Cancelled', 'DocumentStatus', 'DocumentLines'],
    })) as B1SalesOrderFacts[];
    for (const r of rows) {
      if (typeof r.U_ShopifyId !== 'string') continue;
      out.set(r.U_ShopifyId, [...(out.get(r.U_ShopifyId) ?? []), r]);
    }
  }
  return out;
}

/** Open orders by id, from a bulk export (see BULK_EXPORT_OPEN_ORDERS). */
export type OpenOrdersExport = Map<string, OpenOrderUnits>;

/** Starts the export; null when Shopify refuses (pages then query orders per request). */
export function startOpenOrdersExport(shopify: ShopifyClient): Promise<string | null> {
  return startExport(shopify);
}

export function openOrdersFromLines(lines: Record<string, unknown>[]): OpenOrdersExport {
  const out: OpenOrdersExport = new Map();
  for (const o of reassembleBulk(lines)) {
    if (typeof o.id !== 'string') continue;
    const fo: RawFulfillmentOrders = {
      pageInfo: { hasNextPage: false },
      nodes: (o.__children.FulfillmentOrder ?? []).map((n) => ({
        status: String(n.status),
        assignedLocation: (n.assignedLocation as RawFulfillmentOrders['nodes'][number]['assignedLocation']) ?? null,
        lineItems: {
          pageInfo: { hasNextPage: false },
          nodes: (n.__children.FulfillmentOrderLineItem ?? []).map((l) => ({
            remainingQuantity: Number(l.remainingQuantity ?? 0),
            totalQuantity: typeof l.totalQuantity === 'number' ? l.totalQuantity : null,
            inventoryItemId: typeof l.inventoryItemId === 'string' ? l.inventoryItemId : null,
          })),
        },
      })),
    };
    out.set(o.id, { orderId: o.id, name: String(o.name ?? o.id), units: unitsOf(fo), fulfilled: fulfilledOf(fo) });
  }
  return out;
}

/** The export's state; once complete, read from this client's memory by the run's later pages. */
export function loadOpenOrders(shopify: ShopifyClient, operationId: string): Promise<BulkExportState<OpenOrdersExport>> {
  return shopify.bulkExports.inventory.openOrders(operationId, () => loadOpenOrdersExport(shopify, operationId, openOrdersFromLines));
}

/**
 * Splits items (inventoryItemId → Shopify's committed per mapped location) into those the export's
 * orders account for exactly (their orders, from the export) and those whose orders must be
 * queried afresh.
 */
export function ordersFromExport(
  exported: OpenOrdersExport,
  committed: ReadonlyMap<string, Record<string, number>>,
  locationIds: ReadonlySet<string>,
): { orders: OpenOrderUnits[]; unresolved: Set<string> } {
  const sums = new Map<string, number>();
  const touching = new Map<string, OpenOrderUnits[]>();
  for (const o of exported.values()) {
    for (const [key, qty] of o.units) {
      sums.set(key, (sums.get(key) ?? 0) + qty);
      const item = key.slice(0, key.indexOf('|'));
      const list = touching.get(item) ?? [];
      if (list[list.length - 1] !== o) list.push(o);
      touching.set(item, list);
    }
  }
  const unresolved = new Set<string>();
  const orders = new Map<string, OpenOrderUnits>();
  for (const [item, byLoc] of committed) {
    const agrees = [...locationIds].every((loc) => (byLoc[loc] ?? 0) === (sums.get(`${item}|${loc}`) ?? 0));
    if (!agrees) {
      unresolved.add(item);
      continue;
    }
    for (const o of touching.get(item) ?? []) orders.set(o.orderId, o);
  }
  return { orders: [...orders.values()], unresolved };
}
