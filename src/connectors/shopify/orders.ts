/**
 * Order reads, sized by Shopify's calculated query cost.
 *
 * Shopify runs a query only when its *requested* cost (static: objects 1, connections
 * 2 + first × node cost) is in the bucket, and then charges the *actual* cost of what came back.
 * One OrdersPage call therefore asks for the usual order (a few lines, one shipping line, up to two
 * fulfillment orders for the line locations) and as many orders as fit both the 1000-point query
 * limit and the points the bucket holds right now; the rare longer order has its remaining lines,
 * shipping lines or fulfillment orders read on their own afterwards, so no call reserves points
 * for ten lines on every order.
 */
import { ORDERS_BY_IDS, ORDERS_PAGE, ORDER_LINE_ITEMS_PAGE, ORDER_LINE_LOCATIONS, ORDER_SHIPPING_LINES_PAGE } from './documents';
import type { ShopifyExecutor } from './executor';
import { isNodeOf, lineLocationsOf, mapOrder, type RawLineItem, type RawOrder, type RawShippingLine } from './mappers';
import { MAX_PAGE_SIZE_ORDERS, orderRequestCost, ordersPerCall, type OrderReadSizes } from './order-cost';
import type { Page, ShopifyOrder } from './types';

type PageInfo = { hasNextPage: boolean; endCursor: string | null };

/** Page size of the follow-up reads of a long order (its rest, not the usual order). */
const FOLLOW_UP_LINES = 50;
const FOLLOW_UP_SHIPPING_LINES = 10;
const MAX_QUERY_COST = 1000;

function sizeVars(s: OrderReadSizes): { lineItemsFirst: number; shippingLinesFirst: number; fulfillmentOrdersFirst: number } {
  return { lineItemsFirst: s.lineItemsFirst, shippingLinesFirst: s.shippingLinesFirst, fulfillmentOrdersFirst: s.fulfillmentOrdersFirst };
}

async function restOfLines(exec: ShopifyExecutor, o: RawOrder): Promise<RawLineItem[]> {
  const items = [...o.lineItems.nodes];
  let info: PageInfo = { hasNextPage: o.lineItems.pageInfo.hasNextPage, endCursor: o.lineItems.pageInfo.endCursor ?? null };
  while (info.hasNextPage) {
    const { data } = await exec.call(
      ORDER_LINE_ITEMS_PAGE,
      { id: o.id, first: FOLLOW_UP_LINES, after: info.endCursor },
      { shrink: ['first'] },
    );
    if (!data.order) break;
    items.push(...data.order.lineItems.nodes);
    info = data.order.lineItems.pageInfo;
  }
  return items;
}

async function restOfShippingLines(exec: ShopifyExecutor, o: RawOrder): Promise<RawShippingLine[]> {
  const lines = [...o.shippingLines.nodes];
  let info: PageInfo = { hasNextPage: o.shippingLines.pageInfo.hasNextPage, endCursor: o.shippingLines.pageInfo.endCursor ?? null };
  while (info.hasNextPage) {
    const { data } = await exec.call(
      ORDER_SHIPPING_LINES_PAGE,
      { id: o.id, first: FOLLOW_UP_SHIPPING_LINES, after: info.endCursor },
      { shrink: ['first'] },
    );
    if (!data.order) break;
    lines.push(...data.order.shippingLines.nodes);
    info = data.order.shippingLines.pageInfo;
  }
  return lines;
}

/**
 * Line item id → location for orders whose fulfillment orders did not fit the first read.
 * Page sizes follow each order's line count, and orders are batched to stay under the query
 * cost limit. An order with so many lines that even one fulfillment order fills a query reads
 * only its first fulfillment order; lines left unassigned get locationId null.
 */
export async function lineLocations(exec: ShopifyExecutor, orders: { id: string; lineCount: number }[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const budget = 950;
  const sized = orders.map((o) => {
    const linesFirst = Math.max(1, Math.min(MAX_PAGE_SIZE_ORDERS, o.lineCount));
    // Per fulfillment order: itself, assignedLocation, location, and the line connection.
    const perFo = 5 + 2 * linesFirst;
    const foFirst = Math.max(1, Math.min(5, o.lineCount, Math.floor((budget - 3) / perFo)));
    return { id: o.id, linesFirst, foFirst };
  });
  while (sized.length) {
    const batch = [sized.shift() as (typeof sized)[number]];
    while (sized.length && batch.length < 25) {
      const next = sized[0] as (typeof sized)[number];
      const linesFirst = Math.max(...batch.map((b) => b.linesFirst), next.linesFirst);
      const foFirst = Math.max(...batch.map((b) => b.foFirst), next.foFirst);
      if ((batch.length + 1) * (3 + foFirst * (5 + 2 * linesFirst)) > budget) break;
      batch.push(sized.shift() as (typeof sized)[number]);
    }
    const linesFirst = Math.max(...batch.map((b) => b.linesFirst));
    const foFirst = Math.max(...batch.map((b) => b.foFirst));
    const { data } = await exec.call(
      ORDER_LINE_LOCATIONS,
      { ids: batch.map((b) => b.id), fulfillmentOrdersFirst: foFirst, linesFirst },
      { shrink: ['fulfillmentOrdersFirst'] },
    );
    for (const o of data.nodes) {
      if (!o || !('fulfillmentOrders' in o)) continue;
      for (const fo of o.fulfillmentOrders.nodes) {
        const loc = fo.assignedLocation.location?.id;
        if (loc) for (const li of fo.lineItems.nodes) out.set(li.lineItem.id, loc);
      }
    }
  }
  return out;
}

/** Completes each order (the rest of its lines, shipping lines and line locations), concurrently. */
export async function completeOrders(exec: ShopifyExecutor, raw: RawOrder[]): Promise<ShopifyOrder[]> {
  const done = await Promise.all(
    raw.map(async (o) => {
      const [lines, shipping] = await Promise.all([restOfLines(exec, o), restOfShippingLines(exec, o)]);
      return { o, lines, shipping, locations: lineLocationsOf(o.fulfillmentOrders) };
    }),
  );
  const incomplete = done.filter((d) => d.locations === false);
  const more = incomplete.length
    ? await lineLocations(
        exec,
        incomplete.map((d) => ({ id: d.o.id, lineCount: d.lines.length })),
      )
    : new Map<string, string>();
  return done.map((d) => mapOrder(d.o, d.lines, d.shipping, d.locations === false ? more : d.locations));
}

export interface OrdersPageArgs {
  after: string | null;
  query: string | null;
  /** At most this many orders (fewer when the cost limit or the bucket says so). */
  first: number;
  sizes: OrderReadSizes;
}

/** One orders page: as many orders as fit the query limit and the bucket's current points. */
export async function readOrdersPage(exec: ShopifyExecutor, args: OrdersPageArgs): Promise<Page<ShopifyOrder>> {
  const first = ordersPerCall(args.sizes, args.first, exec.bucket.available());
  const res = await exec.call(
    ORDERS_PAGE,
    { first, after: args.after, query: args.query, ...sizeVars(args.sizes) },
    { shrink: ['first', 'lineItemsFirst'], estimatedCost: 2 + first * orderRequestCost(args.sizes) },
  );
  const items = await completeOrders(exec, res.data.orders.nodes);
  return {
    items,
    hasNextPage: res.data.orders.pageInfo.hasNextPage,
    endCursor: res.data.orders.pageInfo.endCursor,
    pageSize: res.variables.first as number,
  };
}

/** Orders by id (deleted or foreign ids are left out), as many per call as the query limit allows. */
export async function readOrdersByIds(exec: ShopifyExecutor, ids: string[], sizes: OrderReadSizes): Promise<ShopifyOrder[]> {
  const per = orderRequestCost(sizes);
  const batchSize = Math.max(1, Math.min(MAX_PAGE_SIZE_ORDERS, Math.floor(MAX_QUERY_COST / per)));
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += batchSize) batches.push(ids.slice(i, i + batchSize));
  const pages = await Promise.all(
    batches.map(async (batch) => {
      const { data } = await exec.call(ORDERS_BY_IDS, { ids: batch, ...sizeVars(sizes) }, { estimatedCost: batch.length * per });
      return completeOrders(exec, data.nodes.filter(isNodeOf));
    }),
  );
  return pages.flat();
}
