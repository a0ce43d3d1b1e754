/**
 * Orders, Shopify → B1 sales orders.
 *
 * Ownership: Shopify owns the order (what was bought, at what price, where it ships); B1 owns
 * everything after posting (delivery, invoicing, line closing). So the hub creates the sales
 * order once, and afterwards only mirrors cancellations and quantity edits while the B1 order is
 * still open; anything B1 has already acted on is reported, never forced.
 *
 * An order that cannot be mapped completely fails as a whole (never half-posted), with every
 * problem named: the line, the SKU, the setting.
 */
import { DateTime } from 'luxon';
import type { MappingConfig } from './config';
import { IssueCollector, fail, ok, type MappingResult } from './errors';
import { mapAddress } from './order-address';
import { orderExpenses } from './order-charges';
import { mapLine, type LineContext, type OrderMappingContext } from './order-lines';
import { TaxCodes } from './order-tax';
import type { B1AddressExtension, B1DocumentLineCreate, B1OrderCreate, ShopifyOrder } from './types';
import { clean, tooLong } from './validate';

export type { OrderMappingContext } from './order-lines';
export { decideOrderUpdate, type B1DocumentLinePatch, type OrderUpdateDecision } from './order-update';

// ───────────────────────────── filter ─────────────────────────────

export type FilterDecision = { pass: true } | { pass: false; rule: string };

/**
 * Whether a Shopify order that is not yet in B1 should be created. (Orders already in B1 go to
 * decideOrderUpdate whatever their status, so a later cancellation still reaches B1.)
 */
export function orderFilter(order: ShopifyOrder, config: MappingConfig): FilterDecision {
  if (order.test && !config.order.includeTestOrders) return { pass: false, rule: 'test-order' };
  if (order.cancelledAt) return { pass: false, rule: 'cancelled' };
  const status = order.displayFinancialStatus ?? null;
  if (status === null || !config.order.financialStatuses.includes(status)) {
    return { pass: false, rule: `financial-status:${status ?? 'NONE'}` };
  }
  if (!order.lineItems.some((l) => l.currentQuantity > 0)) return { pass: false, rule: 'no-open-lines' };
  return { pass: true };
}

/** Partner for the order: the customer's cross-referenced partner, else the guest partner. */
export function orderCardCode(order: ShopifyOrder, customerCardCode: string | undefined, config: MappingConfig): string {
  return order.customer && customerCardCode ? customerCardCode : config.customer.guestCardCode;
}

// ───────────────────────────── dates ─────────────────────────────

/**
 * The company-local calendar date (YYYY-MM-DD) of an instant. processedAt is UTC (or carries an
 * offset); B1 document dates are plain dates in the company's time zone, so an order placed at
 * 23:30 in New York on 8 March must be dated 8 March, not 9 March (UTC), across DST changes too.
 */
export function companyDate(instant: string, timeZone: string): string | undefined {
  const dt = DateTime.fromISO(instant, { setZone: true });
  if (!dt.isValid) return undefined;
  const local = dt.setZone(timeZone);
  return local.isValid ? (local.toISODate() ?? undefined) : undefined;
}

function plusDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() ?? date;
}

// ───────────────────────────── create ─────────────────────────────

/** Shopify order → POST /Orders body. */
export function mapOrderToSalesOrder(order: ShopifyOrder, config: MappingConfig, ctx: OrderMappingContext): MappingResult<B1OrderCreate> {
  const issues = new IssueCollector();
  const tz = config.order.timeZone;

  const numAtCard = clean(order.name);
  if (numAtCard === undefined) issues.add('name', 'order has no name for NumAtCard');
  else {
    const long = tooLong('NumAtCard', numAtCard);
    if (long) issues.add('name', long);
  }
  const long = tooLong('U_ShopifyId', order.id);
  if (long) issues.add('id', long);

  const docDate = companyDate(order.processedAt, tz);
  if (docDate === undefined) issues.add('processedAt', `processedAt '${order.processedAt}' is not an ISO 8601 date-time`);

  const tax = new TaxCodes(order, config, issues);
  const lineCtx: LineContext = { order, config, itemCodeBySku: ctx.itemCodeBySku, issues, tax };
  const lines: B1DocumentLineCreate[] = [];
  order.lineItems.forEach((line, i) => {
    // Lines removed by edits or refunds keep existing in Shopify with currentQuantity 0.
    if (line.currentQuantity <= 0) return;
    const l = mapLine(line, i, lineCtx);
    if (l) lines.push(l);
  });
  if (!order.lineItems.some((l) => l.currentQuantity > 0)) issues.add('lineItems', 'order has no line with currentQuantity > 0');

  const expenses = orderExpenses(order, config, tax, issues);

  let ext: B1AddressExtension | undefined;
  if (order.shippingAddress || order.billingAddress) {
    ext = {
      ...(order.shippingAddress ? mapAddress(order.shippingAddress, 'ShipTo', 'shippingAddress', issues) : {}),
      ...(order.billingAddress ? mapAddress(order.billingAddress, 'BillTo', 'billingAddress', issues) : {}),
    };
  }

  if (!issues.ok || docDate === undefined || numAtCard === undefined) return fail(issues.issues);
  const doc: B1OrderCreate = {
    CardCode: ctx.cardCode,
    DocDate: docDate,
    DocDueDate: plusDays(docDate, config.order.dueDays),
    TaxDate: docDate,
    NumAtCard: numAtCard,
    DocCurrency: config.order.currencyCodes[order.currencyCode] ?? order.currencyCode,
    U_ShopifyId: order.id,
    DocumentLines: lines,
  };
  if (expenses.length > 0) doc.DocumentAdditionalExpenses = expenses;
  if (ext && Object.keys(ext).length > 0) doc.AddressExtension = ext;
  return ok(doc);
}
