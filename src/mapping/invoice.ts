/**
 * The invoice side of order to cash (pure): the A/R (reserve) invoice based on a synced sales
 * order, the check that its total is Shopify's, and the credit memo that reverses what is left of
 * an invoice when its Shopify order is cancelled.
 *
 * An invoice is based on the sales order's lines (BaseType 17, BaseEntry, BaseLine), so B1 carries
 * prices, discounts, tax codes and warehouses from the order and closes its lines; the order's
 * freight is copied line by line (the Service Layer copies lines from a base document, not its
 * freight). Each line keeps the Shopify line item id, which is how a refund finds the line it
 * credits.
 */
import { fail, issue, ok, type MappingResult } from './errors';
import { gidNumber, parseAmount, type ShopifyTransaction } from './payment';
import type { ShopifyRefund } from './refund';
import type { B1AdditionalExpense } from './types';

/** What the order-to-cash stages read of a Shopify order besides the order itself. */
export interface ShopifyOrderMoney {
  /** `displayFulfillmentStatus` (FULFILLED, PARTIALLY_FULFILLED, UNFULFILLED, …). */
  fulfillmentStatus: string;
  /** `currentTotalPriceSet.shopMoney.amount`: the order's total after edits, in shop money. */
  currentTotal: string;
  transactions: ShopifyTransaction[];
  refunds: ShopifyRefund[];
  /** Lists longer than the hub reads: the stages refuse to book from a partial picture. */
  truncated?: string[];
}

/** The order facts every stage names or carries. */
export interface OrderFacts {
  orderGid: string;
  orderName: string;
  cancelled: boolean;
}

/** A sales order (or invoice) line as the stages read it from B1. */
export interface B1LineState {
  LineNum: number;
  ItemCode: string;
  Quantity: number;
  RemainingOpenQuantity: number;
  Open: boolean;
  ShopifyLineId?: string;
}

export interface B1SalesOrderState {
  DocEntry: number;
  CardCode: string;
  DocCurrency: string;
  DocTotal: number;
  Cancelled: boolean;
  Open: boolean;
  Lines: B1LineState[];
  Expenses: B1AdditionalExpense[];
}

export interface B1InvoiceLine {
  BaseType?: 17 | 13;
  BaseEntry?: number;
  BaseLine?: number;
  Quantity: number;
  U_ShopifyLineId?: string;
  WithoutInventoryMovement?: 'tYES' | 'tNO';
}

/** POST /Invoices body (reserve or not). */
export interface B1InvoiceCreate {
  CardCode: string;
  DocCurrency: string;
  ReserveInvoice: 'tYES' | 'tNO';
  NumAtCard: string;
  Comments: string;
  U_ShopifyId: string;
  DocumentLines: B1InvoiceLine[];
  DocumentAdditionalExpenses?: B1AdditionalExpense[];
  /** Document rounding: the difference to Shopify's total within money.totalTolerance. */
  Rounding?: 'tYES';
  RoundingDiffAmount?: number;
}

/**
 * Shopify's total less B1's: the rounding a document needs to carry Shopify's total, or a problem
 * naming both totals when the difference is beyond the tolerance. Rounding tax per line in B1 may
 * differ from Shopify's rounding by a cent; more is a wrong document.
 */
export function totalDifference(
  what: string,
  b1Total: number,
  shopifyTotal: string,
  tolerance: number,
): { ok: true; difference: number } | { ok: false; problem: string } {
  const shopify = parseAmount(shopifyTotal);
  if (shopify === undefined) return { ok: false, problem: `${what}: Shopify's total '${shopifyTotal}' is not a decimal` };
  const difference = Math.round((shopify - b1Total) * 100) / 100;
  if (Math.abs(difference) <= tolerance + 1e-9) return { ok: true, difference };
  return {
    ok: false,
    problem: `${what}: B1 total ${b1Total.toFixed(2)} differs from Shopify's ${shopify.toFixed(2)} by ${Math.abs(difference).toFixed(2)} (money.totalTolerance is ${tolerance})`,
  };
}

/**
 * The invoice based on what is still open of the sales order. `reserve`: an A/R reserve invoice
 * (stock stays committed until delivery); otherwise an A/R invoice (stock leaves with it).
 */
export function mapInvoiceFromOrder(
  so: B1SalesOrderState,
  facts: OrderFacts,
  reserve: boolean,
  roundingDiff = 0,
): MappingResult<B1InvoiceCreate> {
  const lines: B1InvoiceLine[] = so.Lines.filter((l) => l.Open && l.RemainingOpenQuantity > 0).map((l) => ({
    BaseType: 17,
    BaseEntry: so.DocEntry,
    BaseLine: l.LineNum,
    Quantity: l.RemainingOpenQuantity,
    ...(l.ShopifyLineId ? { U_ShopifyLineId: l.ShopifyLineId } : {}),
  }));
  if (lines.length === 0)
    return fail([issue('lineItems', `${facts.orderName}: sales order ${so.DocEntry} has no open line left to invoice`)]);
  const expenses = so.Expenses.filter((e) => e.LineTotal !== 0).map((e) => {
    const copy: B1AdditionalExpense = { ExpenseCode: e.ExpenseCode, LineTotal: e.LineTotal };
    if (e.TaxCode) copy.TaxCode = e.TaxCode;
    if (e.VatGroup) copy.VatGroup = e.VatGroup;
    if (e.Remarks) copy.Remarks = e.Remarks;
    return copy;
  });
  return ok({
    CardCode: so.CardCode,
    DocCurrency: so.DocCurrency,
    ReserveInvoice: reserve ? 'tYES' : 'tNO',
    NumAtCard: facts.orderName.slice(0, 100),
    Comments: `Shopify ${facts.orderName}, sales order ${so.DocEntry}`.slice(0, 254),
    U_ShopifyId: facts.orderGid,
    DocumentLines: lines,
    ...(expenses.length ? { DocumentAdditionalExpenses: expenses } : {}),
    ...(roundingDiff !== 0 ? { Rounding: 'tYES' as const, RoundingDiffAmount: roundingDiff } : {}),
  });
}

/** An invoice line with what earlier credit memos already took from it. */
export interface CreditableLine {
  LineNum: number;
  Quantity: number;
  Credited: number;
}

/** The key (and `U_ShopifyRefundId`) of the credit memo that reverses a cancelled order's invoice. */
export function cancellationKey(orderGid: string): string {
  return `${orderGid}#cancel`;
}

/**
 * The credit memo reversing what is left of an invoice when its Shopify order is cancelled:
 * every quantity not credited yet and the freight not refunded yet. No stock comes back by this
 * memo: goods never delivered only give back their commitment (B1 does that for a reserve
 * invoice's undelivered quantity); goods that were delivered come back through a return (a
 * Shopify refund with restock) if they come back at all.
 */
export function mapCancellationCreditNote(
  invoice: {
    DocEntry: number;
    CardCode: string;
    DocCurrency: string;
    Lines: CreditableLine[];
    freightLeft: B1AdditionalExpense[];
    /** The invoice's own rounding: a memo reversing all of it reverses that too. */
    roundingDiff: number;
  },
  facts: OrderFacts,
): MappingResult<Record<string, unknown> | null> {
  const lines = invoice.Lines.filter((l) => l.Quantity - l.Credited > 1e-9).map((l) => ({
    BaseType: 13,
    BaseEntry: invoice.DocEntry,
    BaseLine: l.LineNum,
    Quantity: Math.round((l.Quantity - l.Credited) * 1e6) / 1e6,
    WithoutInventoryMovement: 'tYES',
  }));
  const freight = invoice.freightLeft.filter((e) => e.LineTotal > 0);
  // Everything was credited already (the cancellation refunded every line): nothing is left.
  if (lines.length === 0) return ok(null);
  const key = cancellationKey(facts.orderGid);
  const whole = invoice.Lines.every((l) => l.Credited === 0);
  return ok({
    CardCode: invoice.CardCode,
    DocCurrency: invoice.DocCurrency,
    DocType: 'dDocument_Items',
    NumAtCard: facts.orderName.slice(0, 100),
    Comments: `Shopify ${facts.orderName} cancelled: reverses invoice ${invoice.DocEntry} (${gidNumber(facts.orderGid)})`.slice(0, 254),
    U_ShopifyId: facts.orderGid,
    U_ShopifyRefundId: key,
    DocumentLines: lines,
    ...(freight.length ? { DocumentAdditionalExpenses: freight } : {}),
    ...(whole && invoice.roundingDiff !== 0 ? { Rounding: 'tYES', RoundingDiffAmount: invoice.roundingDiff } : {}),
  });
}
