/**
 * Shopify refunds → B1 A/R credit memos and the outgoing payment that pays them back (pure).
 *
 * One refund, one credit memo (`U_ShopifyRefundId`), its lines based on the lines of the invoice
 * they refund (BaseType 13), so B1 checks the quantities still open to credit and carries prices,
 * tax and accounts from the invoice. Refunded shipping becomes freight, order adjustments an
 * adjustment freight line; a refund without line items (a goodwill amount) is a service credit
 * memo to a configured account. A refund's money (its successful REFUND transactions) becomes one
 * outgoing payment applied to that credit memo.
 *
 * A refund whose transactions are still pending waits: its money is not settled yet, and booking
 * the credit memo first would leave B1 owing the customer what Shopify may yet fail to pay.
 */
import { fail, issue, ok, type MappingIssue, type MappingResult } from './errors';
import { companyDate } from './order';
import {
  gidNumber,
  paymentBody,
  parseAmount,
  type B1PaymentCreate,
  type MoneyMappingContext,
  type PaymentTarget,
  type ShopifyTransaction,
} from './payment';

export type ShopifyRestockType = 'CANCEL' | 'LEGACY_RESTOCK' | 'NO_RESTOCK' | 'RETURN';

export interface ShopifyRefundLine {
  lineItemId: string;
  sku?: string | null;
  quantity: number;
  restockType: ShopifyRestockType;
  /** Net of tax, shop money. */
  subtotal: string;
}

export interface ShopifyRefund {
  id: string;
  createdAt: string;
  note?: string | null;
  lines: ShopifyRefundLine[];
  /** Refunded shipping, net of tax (`refundShippingLines.subtotalAmountSet`). */
  shipping: string[];
  /** `orderAdjustments.amountSet` (negative for a refund discrepancy or restocking fee). */
  adjustments: string[];
  transactions: ShopifyTransaction[];
}

/** A line of the invoice a refund credits, as read from B1. */
export interface InvoiceLine {
  lineNum: number;
  itemCode: string;
  /** Quantity still open to credit (invoiced less what earlier credit memos took). */
  openQuantity: number;
  /** `U_ShopifyLineId` of the line; absent on lines created before the hub stored it. */
  shopifyLineId?: string;
}

export interface CreditTarget {
  cardCode: string;
  docCurrency: string;
  orderGid: string;
  orderName: string;
  /**
   * The invoice (or reserve invoice) credited; absent in salesOrder mode (nothing was invoiced).
   * `stockMoved`: the invoiced goods left stock (an invoice, or a delivered reserve invoice).
   */
  invoice?: { docEntry: number; lines: InvoiceLine[]; stockMoved: boolean };
}

export interface B1CreditNoteLine {
  BaseType?: 13;
  BaseEntry?: number;
  BaseLine?: number;
  Quantity?: number;
  /** NO_RESTOCK: the goods stay with the customer (or were never shipped): no stock comes back. */
  WithoutInventoryMovement?: 'tYES' | 'tNO';
  AccountCode?: string;
  LineTotal?: number;
  ItemDescription?: string;
}

/** POST /CreditNotes body. */
export interface B1CreditNoteCreate {
  CardCode: string;
  DocDate: string;
  DocCurrency: string;
  DocType: 'dDocument_Items' | 'dDocument_Service';
  NumAtCard: string;
  Comments: string;
  U_ShopifyId: string;
  U_ShopifyRefundId: string;
  DocumentLines: B1CreditNoteLine[];
  DocumentAdditionalExpenses?: { ExpenseCode: number; LineTotal: number; Remarks?: string }[];
}

export interface RefundMappingContext extends MoneyMappingContext {
  /** order.freightExpenseCode: refunded shipping goes back to the freight it was booked on. */
  freightExpenseCode: number;
}

/** Why a refund is not booked yet; `undefined` = book it. */
export function refundWaitReason(r: ShopifyRefund): string | undefined {
  const pending = r.transactions.filter((t) => t.kind === 'REFUND' && (t.status === 'PENDING' || t.status === 'AWAITING_RESPONSE'));
  if (pending.length) return `refund transaction ${pending.map((t) => t.id).join(', ')} is still pending`;
  return undefined;
}

/** The refund's money actually paid back: successful REFUND transactions. */
export function settledRefundTransactions(r: ShopifyRefund): ShopifyTransaction[] {
  return r.transactions.filter((t) => t.kind === 'REFUND' && t.status === 'SUCCESS');
}

/**
 * The invoice line a refund line credits: by the Shopify line item id stored on the B1 line,
 * else (documents from before the id was stored) the only open line of that SKU.
 */
function baseLineFor(line: ShopifyRefundLine, lines: readonly InvoiceLine[]): InvoiceLine | string {
  const byId = lines.find((l) => l.shopifyLineId === line.lineItemId);
  if (byId) return byId;
  const legacy = lines.filter((l) => l.shopifyLineId === undefined && line.sku && l.itemCode === line.sku);
  if (legacy.length === 1) return legacy[0]!;
  if (legacy.length > 1)
    return `SKU '${line.sku}' is on ${legacy.length} invoice lines without a Shopify line id; cannot tell which one it refunds`;
  return `line item ${line.lineItemId}${line.sku ? ` (SKU '${line.sku}')` : ''} is on no line of the invoice`;
}

export function mapCreditNote(
  r: ShopifyRefund,
  target: CreditTarget,
  ctx: RefundMappingContext,
  field = 'refund',
): MappingResult<B1CreditNoteCreate> {
  const problems: MappingIssue[] = [];
  const date = companyDate(r.createdAt, ctx.timeZone);
  if (!date) problems.push(issue(`${field}.createdAt`, `refund ${r.id} has no valid createdAt ('${r.createdAt}')`));
  const header = {
    CardCode: target.cardCode,
    DocDate: date ?? '',
    DocCurrency: target.docCurrency,
    NumAtCard: target.orderName.slice(0, 100),
    // ORIN.Comments: 254 characters.
    Comments: `Shopify refund ${gidNumber(r.id)} of ${target.orderName}${r.note ? `: ${r.note}` : ''}`.slice(0, 254),
    U_ShopifyId: target.orderGid,
    U_ShopifyRefundId: r.id,
  };
  const expenses: { ExpenseCode: number; LineTotal: number; Remarks?: string }[] = [];
  r.shipping.forEach((s, i) => {
    const amount = parseAmount(s);
    if (amount === undefined)
      problems.push(
        issue(`${field}.refundShippingLines[${i}].subtotalAmountSet`, `refund ${r.id} has shipping amount '${s}', not a decimal`),
      );
    else if (amount !== 0) expenses.push({ ExpenseCode: ctx.freightExpenseCode, LineTotal: amount, Remarks: 'Refunded shipping' });
  });
  r.adjustments.forEach((a, i) => {
    const amount = parseAmount(a);
    if (amount === undefined)
      problems.push(issue(`${field}.orderAdjustments[${i}].amountSet`, `refund ${r.id} has adjustment '${a}', not a decimal`));
    else if (amount !== 0) {
      const code = ctx.money.refunds.adjustmentExpenseCode;
      if (code === undefined)
        problems.push(
          issue(
            `${field}.orderAdjustments[${i}]`,
            `refund ${r.id} has an order adjustment of ${a}: set money.refunds.adjustmentExpenseCode to book it`,
          ),
        );
      else expenses.push({ ExpenseCode: code, LineTotal: amount, Remarks: 'Shopify order adjustment' });
    }
  });

  if (r.lines.length === 0) {
    // A goodwill amount: no goods, no base document line to credit.
    const account = ctx.money.refunds.goodwillAccount;
    const amount = settledRefundTransactions(r).reduce((sum, t) => sum + (parseAmount(t.amount) ?? 0), 0);
    if (account === undefined)
      problems.push(
        issue(
          `${field}.refundLineItems`,
          `refund ${r.id} refunds an amount without line items: set money.refunds.goodwillAccount to book it`,
        ),
      );
    if (amount <= 0 && expenses.length === 0)
      problems.push(issue(`${field}.transactions`, `refund ${r.id} has no line items and no settled amount: nothing to credit`));
    if (problems.length || account === undefined) return fail(problems);
    const lines: B1CreditNoteLine[] =
      amount > 0
        ? [
            {
              AccountCode: account,
              LineTotal: Math.round(amount * 100) / 100,
              ItemDescription: `Shopify refund ${gidNumber(r.id)}`.slice(0, 100),
            },
          ]
        : [];
    // Shipping or an adjustment alone still needs one line in B1: a zero service line carries them.
    if (lines.length === 0) lines.push({ AccountCode: account, LineTotal: 0, ItemDescription: `Shopify refund ${gidNumber(r.id)}` });
    return ok({
      ...header,
      DocType: 'dDocument_Service',
      DocumentLines: lines,
      ...(expenses.length ? { DocumentAdditionalExpenses: expenses } : {}),
    });
  }

  if (!target.invoice) {
    problems.push(
      issue(`${field}.refundLineItems`, `refund ${r.id} credits goods of ${target.orderName}, which has no B1 invoice to credit`),
    );
    return fail(problems);
  }
  const invoice = target.invoice;
  // Two refund lines of one Shopify line (e.g. partly restocked) draw on the same open quantity.
  const drawn = new Map<number, number>();
  const lines: B1CreditNoteLine[] = [];
  r.lines.forEach((line, i) => {
    const at = `${field}.refundLineItems[${i}]`;
    if (!Number.isInteger(line.quantity) || line.quantity <= 0) {
      problems.push(issue(`${at}.quantity`, `refund ${r.id} line ${line.lineItemId} has quantity ${line.quantity}`));
      return;
    }
    const base = baseLineFor(line, invoice.lines);
    if (typeof base === 'string') {
      problems.push(issue(`${at}.lineItem`, `refund ${r.id}: ${base}`));
      return;
    }
    const open = base.openQuantity - (drawn.get(base.lineNum) ?? 0);
    if (line.quantity > open) {
      problems.push(
        issue(
          `${at}.quantity`,
          `refund ${r.id} credits ${line.quantity} of invoice line ${base.lineNum} (${base.itemCode}), which has ${open} left to credit`,
        ),
      );
      return;
    }
    drawn.set(base.lineNum, (drawn.get(base.lineNum) ?? 0) + line.quantity);
    // Stock comes back only for goods that left stock (an invoice moved them; a reserve invoice
    // only once delivered), and a line refunded without restock stays with the customer.
    const restock =
      invoice.stockMoved && (line.restockType === 'RETURN' || line.restockType === 'LEGACY_RESTOCK' || line.restockType === 'CANCEL');
    lines.push({
      BaseType: 13,
      BaseEntry: invoice.docEntry,
      BaseLine: base.lineNum,
      Quantity: line.quantity,
      WithoutInventoryMovement: restock ? 'tNO' : 'tYES',
    });
  });
  if (problems.length) return fail(problems);
  return ok({
    ...header,
    DocType: 'dDocument_Items',
    DocumentLines: lines,
    ...(expenses.length ? { DocumentAdditionalExpenses: expenses } : {}),
  });
}

/**
 * The refund's settled money → one B1 outgoing payment (VendorPayments with DocType rCustomer:
 * money paid back to a customer), applied to the refund's credit memo up to its open amount.
 */
export function mapRefundPayment(
  r: ShopifyRefund,
  target: PaymentTarget & { creditNote?: { docEntry: number; openBalance: number } },
  ctx: MoneyMappingContext,
  field = 'refund.transactions',
): MappingResult<B1PaymentCreate> {
  const settled = settledRefundTransactions(r);
  if (settled.length === 0) return fail([issue(field, `refund ${r.id} has no successful refund transaction: no money went back`)]);
  const mapped = paymentBody(settled, target, ctx, field);
  if (!mapped.ok) return mapped;
  const { body, amount } = mapped.value;
  body.U_ShopifyRefundId = r.id;
  if (target.creditNote && target.creditNote.openBalance > 0) {
    body.PaymentInvoices = [
      { DocEntry: target.creditNote.docEntry, SumApplied: Math.min(amount, target.creditNote.openBalance), InvoiceType: 'it_CredItnote' },
    ];
  }
  return ok(body);
}
