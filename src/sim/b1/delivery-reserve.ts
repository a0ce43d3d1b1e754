/**
 * Deliveries based on A/R reserve invoice lines (BaseType 13): the Integration Hub's chain Sales
 * Order → Reserve Invoice → Delivery (reference order-to-cash §1–2). The reserve invoice holds the
 * commitment the order passed on to it (money-documents.ts); delivering its lines takes the goods
 * out (InStock down) and releases that commitment, lowers the lines' RemainingOpenQuantity (what
 * is left to deliver), closes them at 0, and closes the invoice once it is also fully paid.
 * Cancelling the delivery gives all of it back.
 */
import { Errors } from './errors';
import type { Rec } from './model';
import type { B1SimState } from './state';
import { lines, moveStock, round, save } from './money-common';
import { settleStatus } from './money-documents';

export const BASE_RESERVE_INVOICE = 13;

const row = (l: Rec): number => Number(l.LineNum ?? 0) + 1;

/** Checks one delivery row based on a reserve invoice line; returns the invoice and its line. */
export function reserveInvoiceBase(
  state: B1SimState,
  l: Rec,
  i: number,
  cardCode: unknown,
  alreadyDrawn: number,
): { invoice: Rec; base: Rec } {
  if (typeof l.BaseEntry !== 'number' || typeof l.BaseLine !== 'number')
    throw Errors.rule(`Row ${i + 1}: enter the base document and base line`);
  const invoice = state.get('Invoices', String(l.BaseEntry));
  if (!invoice) throw Errors.notFound();
  // A normal invoice moved its goods already: only a reserve invoice is delivered from.
  if (invoice.ReserveInvoice !== 'tYES')
    throw Errors.rule(`Row ${i + 1}: base document ${String(invoice.DocNum)} is not a reserve invoice`);
  if (cardCode != null && cardCode !== invoice.CardCode) throw Errors.rule('Base document card and target document card do not match');
  if (invoice.Cancelled === 'tYES') throw Errors.rule(`Row ${i + 1}: base document ${String(invoice.DocNum)} is closed`);
  const base = lines(invoice).find((b) => b.LineNum === l.BaseLine);
  if (!base) throw Errors.notFound();
  if (base.LineStatus !== 'bost_Open') throw Errors.rule(`Row ${i + 1}: base document line ${row(base)} is closed`);
  if (l.ItemCode != null && l.ItemCode !== base.ItemCode) throw Errors.rule(`Row ${i + 1}: ItemCode differs from the base document line`);
  if (alreadyDrawn + Number(l.Quantity) > Number(base.RemainingOpenQuantity ?? 0) + 1e-9)
    throw Errors.rule(`Quantity exceeds the open quantity in base document row ${row(base)}`);
  return { invoice, base };
}

/** Delivered (`sign` 1) or given back by a cancellation (`sign` -1): quantities per invoice line. */
export function moveReserveInvoice(state: B1SimState, docEntry: number, qtyByLine: Map<number, number>, sign: 1 | -1): void {
  const inv = state.get('Invoices', String(docEntry));
  if (!inv) return;
  const next = lines(inv).map((l) => {
    const q = qtyByLine.get(Number(l.LineNum));
    if (!q) return l;
    moveStock(state, String(l.ItemCode), String(l.WarehouseCode), { InStock: -sign * q, Committed: -sign * q });
    const left = round(Number(l.RemainingOpenQuantity ?? 0) - sign * q);
    return { ...l, RemainingOpenQuantity: left, LineStatus: left > 0 ? 'bost_Open' : 'bost_Close' };
  });
  save(state, 'Invoices', settleStatus(state, { ...inv, DocumentLines: next }));
}
