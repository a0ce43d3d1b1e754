/**
 * The money documents of order to cash in the Service Layer: A/R (reserve) invoices, incoming
 * payments, A/R credit memos, outgoing payments to customers, and the credit card definitions
 * payments refer to (reference order-to-cash.md §2).
 *
 * Every document carries the Shopify id it stands for in a user-defined field (udf.ts): the order
 * GID on invoices and credit memos (`U_ShopifyId`), the transaction GID on incoming payments
 * (`U_ShopifyTxnId`), the refund GID on credit memos and outgoing payments (`U_ShopifyRefundId`).
 * Lookups by those fields are how every run knows what exists; creation goes through the
 * pipelines' exactly-once kit, so these POSTs are never repeated blindly.
 */
import type { B1ClientCore } from './core';
import { keyFromLocation } from './core';
import { B1ProtocolError } from './errors';
import { f, keySegment } from './odata-query';
import type { B1AdditionalExpense } from '../../mapping/types';
import type { B1SalesOrderState } from '../../mapping/invoice';

type Row = Record<string, unknown>;

export type MoneySet = 'Invoices' | 'CreditNotes' | 'IncomingPayments' | 'VendorPayments';

/** What the pipelines read of a (reserve) invoice or credit memo. */
export interface MoneyDocument {
  DocEntry: number;
  CardCode: string;
  DocCurrency: string;
  DocTotal: number;
  PaidToDate: number;
  Cancelled: boolean;
  Open: boolean;
  ReserveInvoice: boolean;
  /** `U_ShopifyRefundId` of a credit memo: the refund (or `<order GID>#cancel`) it books. */
  ShopifyRefundId?: string;
  /** Document rounding carried in DocTotal (0 without). */
  RoundingDiff: number;
  /** Freight (DocumentAdditionalExpenses) with a non-zero total. */
  Expenses: B1AdditionalExpense[];
  Lines: Array<{
    LineNum: number;
    ItemCode: string;
    Quantity: number;
    RemainingOpenQuantity: number;
    LineOpen: boolean;
    WarehouseCode?: string;
    ShopifyLineId?: string;
    BaseType?: number;
    BaseEntry?: number;
    BaseLine?: number;
  }>;
}

/** What the pipelines read of a payment (incoming or outgoing). */
export interface PaymentDocument {
  DocEntry: number;
  Cancelled: boolean;
  CardCode: string;
  DocCurrency?: string;
}

const DOC_SELECT = [
  'DocEntry',
  'CardCode',
  'DocCurrency',
  'DocTotal',
  'PaidToDate',
  'Cancelled',
  'DocumentStatus',
  'ReserveInvoice',
  'DocumentLines',
  'DocumentAdditionalExpenses',
  'U_ShopifyRefundId',
  'Rounding',
  'RoundingDiffAmount',
] as const;
const PAYMENT_SELECT = ['DocEntry', 'Cancelled', 'CardCode', 'DocCurrency'] as const;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const yes = (v: unknown): boolean => v === 'tYES' || v === 'Y';

function toDocument(r: Row): MoneyDocument {
  const lines = Array.isArray(r.DocumentLines) ? (r.DocumentLines as Row[]) : [];
  return {
    DocEntry: num(r.DocEntry),
    CardCode: String(r.CardCode ?? ''),
    DocCurrency: String(r.DocCurrency ?? ''),
    DocTotal: num(r.DocTotal),
    PaidToDate: num(r.PaidToDate),
    Cancelled: yes(r.Cancelled),
    Open: r.DocumentStatus === 'bost_Open',
    ReserveInvoice: yes(r.ReserveInvoice),
    Expenses: expensesOf(r),
    RoundingDiff: yes(r.Rounding) ? num(r.RoundingDiffAmount) : 0,
    ...(typeof r.U_ShopifyRefundId === 'string' && r.U_ShopifyRefundId ? { ShopifyRefundId: r.U_ShopifyRefundId } : {}),
    Lines: lines.map((l) => ({
      LineNum: num(l.LineNum),
      ItemCode: String(l.ItemCode ?? ''),
      Quantity: num(l.Quantity),
      RemainingOpenQuantity: num(l.RemainingOpenQuantity),
      LineOpen: l.LineStatus === undefined || l.LineStatus === 'bost_Open',
      ...(typeof l.WarehouseCode === 'string' ? { WarehouseCode: l.WarehouseCode } : {}),
      ...(typeof l.U_ShopifyLineId === 'string' && l.U_ShopifyLineId !== '' ? { ShopifyLineId: l.U_ShopifyLineId } : {}),
      ...(l.BaseType != null && num(l.BaseType) !== -1
        ? { BaseType: num(l.BaseType), BaseEntry: num(l.BaseEntry), BaseLine: num(l.BaseLine) }
        : {}),
    })),
  };
}

function expensesOf(r: Row): B1AdditionalExpense[] {
  const rows = Array.isArray(r.DocumentAdditionalExpenses) ? (r.DocumentAdditionalExpenses as Row[]) : [];
  return rows
    .filter((e) => num(e.LineTotal) !== 0)
    .map((e) => ({
      ExpenseCode: num(e.ExpenseCode),
      LineTotal: num(e.LineTotal),
      ...(typeof e.TaxCode === 'string' && e.TaxCode ? { TaxCode: e.TaxCode } : {}),
      ...(typeof e.VatGroup === 'string' && e.VatGroup ? { VatGroup: e.VatGroup } : {}),
      ...(typeof e.Remarks === 'string' && e.Remarks ? { Remarks: e.Remarks } : {}),
    }));
}

function toPayment(r: Row): PaymentDocument {
  return {
    DocEntry: num(r.DocEntry),
    Cancelled: yes(r.Cancelled),
    CardCode: String(r.CardCode ?? ''),
    ...(typeof r.DocCurrency === 'string' ? { DocCurrency: r.DocCurrency } : {}),
  };
}

export class MoneyDocuments {
  constructor(private readonly client: B1ClientCore) {}

  /** Invoices and reserve invoices of a Shopify order, oldest first. */
  async invoicesForOrder(orderGid: string): Promise<MoneyDocument[]> {
    return this.documents('Invoices', f.eq('U_ShopifyId', orderGid));
  }

  /** Credit memos of a Shopify order (refunds and the cancellation), oldest first. */
  async creditNotesForOrder(orderGid: string): Promise<MoneyDocument[]> {
    return this.documents('CreditNotes', f.eq('U_ShopifyId', orderGid));
  }

  /** The sales order as the money stages need it: partner, currency, total, lines, freight. */
  async salesOrder(docEntry: number): Promise<B1SalesOrderState | undefined> {
    const r = await this.client.tryGetRaw('Orders', docEntry, [
      'DocEntry',
      'CardCode',
      'DocCurrency',
      'DocTotal',
      'Cancelled',
      'DocumentStatus',
      'DocumentLines',
      'DocumentAdditionalExpenses',
    ]);
    if (!r) return undefined;
    const d = toDocument(r);
    return {
      DocEntry: d.DocEntry,
      CardCode: d.CardCode,
      DocCurrency: d.DocCurrency,
      DocTotal: d.DocTotal,
      Cancelled: d.Cancelled,
      Open: d.Open,
      Expenses: d.Expenses,
      Lines: d.Lines.map((l) => ({
        LineNum: l.LineNum,
        ItemCode: l.ItemCode,
        Quantity: l.Quantity,
        RemainingOpenQuantity: l.RemainingOpenQuantity,
        Open: l.LineOpen,
        ...(l.ShopifyLineId ? { ShopifyLineId: l.ShopifyLineId } : {}),
      })),
    };
  }

  async creditNotesForRefund(refundGid: string): Promise<MoneyDocument[]> {
    return this.documents('CreditNotes', f.eq('U_ShopifyRefundId', refundGid));
  }

  async getInvoice(docEntry: number): Promise<MoneyDocument> {
    return this.getDocument('Invoices', docEntry);
  }

  async getDocument(set: 'Invoices' | 'CreditNotes', docEntry: number): Promise<MoneyDocument> {
    const row = await this.client.tryGetRaw(set, docEntry, DOC_SELECT);
    if (!row) throw new B1ProtocolError(`${set}(${docEntry}) was not found`, { context: { entity: set, key: docEntry } });
    return toDocument(row);
  }

  async incomingPaymentsForTransaction(txnGid: string): Promise<PaymentDocument[]> {
    return this.payments('IncomingPayments', f.eq('U_ShopifyTxnId', txnGid));
  }

  async refundPaymentsForRefund(refundGid: string): Promise<PaymentDocument[]> {
    return this.payments('VendorPayments', f.eq('U_ShopifyRefundId', refundGid));
  }

  /** POSTs a document once (never repeated by the client: a lost answer is settled by a lookup). */
  async create(set: MoneySet, body: Record<string, unknown>): Promise<number> {
    const ctx = { entity: set };
    const res = await this.client.request('POST', set, { body, headers: { Prefer: 'return-no-content' }, context: ctx });
    const loc = res.headers.location;
    const location = Array.isArray(loc) ? loc[0] : loc;
    if (res.status === 201) {
      const entry = Number((JSON.parse(res.body) as Row).DocEntry);
      if (Number.isInteger(entry)) return entry;
    }
    const key = res.status === 204 && location ? keyFromLocation(location) : undefined;
    if (typeof key !== 'number')
      throw new B1ProtocolError(`expected 201 with a DocEntry or 204 with a ${set}(n) Location, got ${res.status}`, {
        status: res.status,
        context: ctx,
      });
    return key;
  }

  /** Cancel (payments, invoices): B1 refuses documents it already acted on with a business error. */
  async cancel(set: MoneySet, docEntry: number): Promise<void> {
    await this.client.request('POST', `${set}${keySegment(docEntry)}/Cancel`, { context: { entity: set, key: docEntry } });
  }

  /**
   * The standing (not cancelled) documents of a set whose `field` holds one of `values`, by value:
   * one request per 20 values, for a page's hints (the create path looks each key up again).
   */
  async standingByKey(set: MoneySet, field: string, values: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    const uniq = [...new Set(values)];
    for (let i = 0; i < uniq.length; i += 20) {
      const rows = await this.client.listRaw(set, {
        filter: f.anyOf(field, uniq.slice(i, i + 20)),
        select: ['DocEntry', 'Cancelled', field],
      });
      for (const r of rows) {
        const k = r[field];
        if (typeof k !== 'string' || yes(r.Cancelled)) continue;
        out.set(
          k,
          [...(out.get(k) ?? []), num(r.DocEntry)].sort((a, b) => a - b),
        );
      }
    }
    return out;
  }

  /** CreditCards codes (for the configuration summary: every mapped gateway's card must exist). */
  async creditCardCodes(): Promise<Map<number, string>> {
    const rows = await this.client.listRaw('CreditCards', { select: ['CreditCardCode', 'CreditCardName'] });
    return new Map(rows.map((r) => [num(r.CreditCardCode), String(r.CreditCardName ?? '')]));
  }

  private async documents(set: 'Invoices' | 'CreditNotes', filter: string): Promise<MoneyDocument[]> {
    const rows = await this.client.listRaw(set, { filter, select: DOC_SELECT, orderby: 'DocEntry' });
    return rows.map(toDocument);
  }

  private async payments(set: 'IncomingPayments' | 'VendorPayments', filter: string): Promise<PaymentDocument[]> {
    const rows = await this.client.listRaw(set, { filter, select: PAYMENT_SELECT, orderby: 'DocEntry' });
    return rows.map(toPayment);
  }
}
