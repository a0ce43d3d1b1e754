/**
 * Pieces shared by the money documents (money-documents.ts) and payments (money-payments.ts):
 * the journaled write primitives the state lends them, stock moves, open balances and the
 * error texts. SAP's exact wording for these rejections is not in the reference; the codes follow
 * its table (§3: -5002 business rule, -2028 missing master record, -1029 field not updatable).
 */
import { Errors, SlError } from './errors';
import type { Rec } from './model';
import type { B1SimState } from './state';

/** What B1SimState lends the money modules (every write journaled for $batch rollback). */
export interface DocOps {
  put(set: string, key: string, rec: Rec | undefined): void;
  counter(name: string, start: number): number;
  stamp(type: string, rec: Rec, created: boolean): void;
  /** Header defaults, line prices, tax, freight and totals, computed as for sales orders. */
  prepareDocument(rec: Rec, o: { objectCode: string; counters: string }): Rec;
  /** Moves an order's Committed quantities from its previous open lines to its new open lines. */
  applyCommitted(before: Rec | undefined, after: Rec | undefined): void;
}

export const round = (n: number, d = 6): number => Math.round(n * 10 ** d) / 10 ** d;
/** Money compares at the cent: SAP rounds amounts to the currency's two decimals. */
export const cents = (n: number): number => Math.round(n * 100);

export const lines = (doc: Rec | undefined): Rec[] => (doc?.DocumentLines as Rec[] | undefined) ?? [];

/** Open balance of an invoice or credit note: what payments (or reconciliation) have not covered. */
export function openBalance(doc: Rec): number {
  return round(Number(doc.DocTotal ?? 0) - Number(doc.PaidToDate ?? 0), 2);
}

/** Adds to InStock/Committed of one item in one warehouse; non-inventory items keep no stock. */
export function moveStock(s: B1SimState, itemCode: string, whs: string, delta: { InStock?: number; Committed?: number }): void {
  const item = s.get('Items', itemCode);
  if (!item || item.InventoryItem === 'tNO') return;
  const rows = ((item.ItemWarehouseInfoCollection as Rec[] | undefined) ?? []).map((w) =>
    w.WarehouseCode === whs
      ? {
          ...w,
          InStock: round(Number(w.InStock ?? 0) + (delta.InStock ?? 0)),
          Committed: round(Number(w.Committed ?? 0) + (delta.Committed ?? 0)),
        }
      : w,
  );
  s.docOps.put('Items', itemCode, { ...item, ItemWarehouseInfoCollection: rows });
}

/** Writes a changed document (stamped) back to its set. */
export function save(s: B1SimState, set: string, next: Rec, type = 'Document'): void {
  s.docOps.stamp(type, next, false);
  s.docOps.put(set, String(next.DocEntry), next);
}

export const MoneyErrors = {
  cardMismatch: () => Errors.rule('Base document card and target document card do not match.'),
  closed: () => Errors.rule('Document is already closed'),
  cancelled: () => Errors.rule('Document is already cancelled'),
  lineClosed: (row: number) => Errors.rule(`Base document line is already closed [DocumentLines.BaseLine][line: ${row}]`),
  overOpenQty: (row: number) => Errors.rule(`Quantity exceeds the open quantity in base document row ${row}`),
  invoiceClosed: () => Errors.rule('Invoice is already closed or blocked'),
  overBalance: (row: number) => Errors.rule(`Amount applied exceeds the balance due [PaymentInvoices.SumApplied][line: ${row}]`),
  currency: (what: string) => Errors.rule(`Currency of ${what} does not match the payment currency`),
  meansBelowApplied: () => Errors.rule('Total of the payment means is less than the total amount applied'),
  zeroPayment: () => Errors.rule('Payment amount cannot be zero'),
  notUpdatable: (field: string) => new SlError(400, -1029, `Field cannot be updated (ODBC -1029) [${field}]`),
  notImplemented: (what: string) => Errors.malformed(`${what} is not implemented by this simulator`),
} as const;
