/**
 * The requested (static) query cost of one order in OrdersPage / OrdersByIds, by Shopify's
 * documented rules: scalars and enums 0, every object 1, a connection 2 + first × the cost of
 * one node, lists of objects without `first` counted once. The client sizes its calls with it
 * (the executor pre-waits for exactly this much), so it must match what Shopify computes;
 * test/shopify/order-reads.test.ts compares it with the simulator's requestedQueryCost.
 */
export interface OrderReadSizes {
  lineItemsFirst: number;
  shippingLinesFirst: number;
  fulfillmentOrdersFirst: number;
}

/**
 * The usual order: a few lines, one shipping line, at most two fulfillment orders (locations).
 * Longer orders are completed by follow-up reads (see orders.ts).
 */
export const DEFAULT_ORDER_READ_SIZES: OrderReadSizes = { lineItemsFirst: 5, shippingLinesFirst: 1, fulfillmentOrdersFirst: 2 };

export const MAX_PAGE_SIZE_ORDERS = 250;
const MAX_QUERY_COST = 1000;
/** Below this many orders per call the round trips cost more than the points wait saves. */
const MIN_ORDERS_PER_CALL = 4;

const MONEY_BAG = 2; // MoneyBag + shopMoney (MoneyV2)
const TAX_LINE = 1 + MONEY_BAG; // TaxLine + priceSet
const LINE_ITEM = 1 + MONEY_BAG + MONEY_BAG + TAX_LINE; // originalUnitPriceSet, discountedUnitPriceAfterAllDiscountsSet, taxLines
const SHIPPING_LINE = 1 + MONEY_BAG + TAX_LINE; // currentDiscountedPriceSet, taxLines
// Order itself + customer, retailLocation, currentTotalTaxSet (2), shippingAddress, billingAddress.
const ORDER_OBJECTS = 1 + 1 + 1 + MONEY_BAG + 1 + 1;

export function orderRequestCost(s: OrderReadSizes): number {
  const lines = 2 + s.lineItemsFirst * LINE_ITEM;
  const shipping = 2 + s.shippingLinesFirst * SHIPPING_LINE;
  // FulfillmentOrder, assignedLocation, location, and its lines connection of { lineItem { id } }.
  const fulfillment = 2 + s.fulfillmentOrdersFirst * (3 + 2 + s.lineItemsFirst * 2);
  return ORDER_OBJECTS + lines + shipping + fulfillment;
}

/**
 * Orders to ask for in one OrdersPage call: at most `wanted`, within the single-query limit, and
 * within the points the bucket holds now (`available`, Infinity when unknown) so the call does
 * not wait for a reservation it would mostly get refunded; never below a few orders per call.
 */
export function ordersPerCall(s: OrderReadSizes, wanted: number, available: number): number {
  const per = orderRequestCost(s);
  const byLimit = Math.max(1, Math.floor((MAX_QUERY_COST - 2) / per));
  const byBucket = Number.isFinite(available) ? Math.floor((available - 2) / per) : Number.POSITIVE_INFINITY;
  return Math.max(1, Math.min(wanted, MAX_PAGE_SIZE_ORDERS, byLimit, Math.max(MIN_ORDERS_PER_CALL, byBucket)));
}
