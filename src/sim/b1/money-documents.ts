/**
 * A/R invoices (incl. reserve invoices) and A/R credit notes (order-to-cash reference §2).
 *
 * - Invoice lines may be based on sales order lines (BaseType 17) or, when deliveries exist, on
 *   delivery lines (BaseType 15). Copying closes the base lines by quantity.
 * - A reserve invoice (`ReserveInvoice: 'tYES'`) moves no stock: the order's commitment passes to
 *   the reserve invoice until delivery; its lines' RemainingOpenQuantity is what is not yet
 *   delivered (nor credited). A normal invoice not based on a delivery takes the stock out;
 *   its lines' RemainingOpenQuantity is what is not yet credited.
 * - A credit note's lines may be based on invoice lines (BaseType 13), never beyond what is left to
 *   credit. Stock comes back for inventory lines unless the line says `WithoutInventoryMovement`;
 *   on a reserve invoice the undelivered part only releases its commitment. A credit note based on
 *   an invoice with an open balance is reconciled with it (both PaidToDate grow), the rest stays
 *   open for a refund (VendorPayments).
 * - Totals (prices, discounts, sales tax, freight in DocumentAdditionalExpenses) are computed as for
 *   sales orders. PaidToDate and DocumentStatus follow payments: closed when fully paid (a reserve
 *   invoice also needs nothing left to deliver).
 */
import { Errors } from './errors';
import type { Rec } from './model';
import type { B1SimState } from './state';
import { MoneyErrors, cents, lines, moveStock, openBalance, round, save } from './money-common';
import { localDate } from './clock';

/** BaseType/DocObjectCode of the document sets a line can be based on. */
const BASE_SETS: Record<number, string> = { 17: 'Orders', 15: 'DeliveryNotes', 13: 'Invoices' };
/** Header fields SAP lets you change on a posted invoice or credit note; others → -1029. */
const UPDATABLE = new Set([
  'Comments',
  'NumAtCard',
  'DocDueDate',
  'SalesPersonCode',
  'TrackingNumber',
  'OpeningRemarks',
  'ClosingRemarks',
  'Reference2',
]);
const LINE_UPDATABLE = new Set(['LineNum', 'FreeText']);
/** Fields a target line takes from its base line when the request leaves them out. */
const COPIED = ['ItemCode', 'ItemDescription', 'UnitPrice', 'DiscountPercent', 'TaxCode', 'WarehouseCode'];

interface BaseRef {
  set: string;
  entry: number;
  line: number;
  qty: number;
}

/** Resolves, checks and fills the lines based on other documents; returns the quantity taken from each. */
function resolveBases(s: B1SimState, input: Rec, allowed: number[], openOf: (set: string, base: Rec, baseLine: Rec) => number): BaseRef[] {
  const refs: BaseRef[] = [];
  lines(input).forEach((l, i) => {
    const type = l.BaseType == null ? -1 : Number(l.BaseType);
    if (type === -1) return;
    if (!allowed.includes(type) || !BASE_SETS[type] || !s.findDef(BASE_SETS[type]!))
      throw MoneyErrors.notImplemented(`BaseType ${type} on this document`);
    const set = BASE_SETS[type]!;
    const base = s.get(set, String(l.BaseEntry));
    if (!base) throw Errors.notFound();
    if (base.CardCode !== input.CardCode) throw MoneyErrors.cardMismatch();
    if (base.Cancelled === 'tYES') throw MoneyErrors.cancelled();
    const bl = lines(base).find((x) => x.LineNum === Number(l.BaseLine));
    if (!bl) throw Errors.notFound();
    const open = openOf(set, base, bl);
    if (!(open > 0)) throw MoneyErrors.lineClosed(i + 1);
    if (l.ItemCode != null && l.ItemCode !== bl.ItemCode) throw MoneyErrors.cardMismatch();
    for (const f of COPIED) if (l[f] == null && bl[f] != null) l[f] = bl[f];
    l.Quantity ??= open;
    const qty = Number(l.Quantity);
    if (qty > open + 1e-9) throw MoneyErrors.overOpenQty(i + 1);
    const dup = refs.find((r) => r.set === set && r.entry === Number(base.DocEntry) && r.line === Number(bl.LineNum));
    if (dup && dup.qty + qty > open + 1e-9) throw MoneyErrors.overOpenQty(i + 1);
    refs.push({ set, entry: Number(base.DocEntry), line: Number(bl.LineNum), qty });
    l.BaseType = type;
  });
  return refs;
}

/** Lowers the open quantity of base lines (closing them at 0, the document when all are closed). */
function closeBaseLines(s: B1SimState, refs: BaseRef[], set: string): void {
  for (const entry of new Set(refs.filter((r) => r.set === set).map((r) => r.entry))) {
    const prev = s.get(set, String(entry))!;
    const docLines = lines(prev).map((l) => {
      const q = refs.filter((r) => r.set === set && r.entry === entry && r.line === l.LineNum).reduce((a, r) => a + r.qty, 0);
      if (q === 0) return { ...l };
      const left = round(Number(l.RemainingOpenQuantity ?? 0) - q);
      return { ...l, RemainingOpenQuantity: left, LineStatus: left > 0 ? 'bost_Open' : 'bost_Close' };
    });
    const next: Rec = { ...prev, DocumentLines: docLines };
    if (docLines.every((l) => l.LineStatus !== 'bost_Open'))
      Object.assign(next, { DocumentStatus: 'bost_Close', ClosingDate: localDate(s.clock.now()) });
    save(s, set, next);
    if (set === 'Orders') s.docOps.applyCommitted(prev, next);
  }
}

/** Quantity of an invoice line already credited by credit notes that are not cancelled. */
function creditedQty(s: B1SimState, invoiceEntry: number, lineNum: number): number {
  let q = 0;
  for (const cn of s.store('CreditNotes').values()) {
    if (cn.Cancelled === 'tYES') continue;
    for (const l of lines(cn))
      if (l.BaseType === 13 && l.BaseEntry === invoiceEntry && l.BaseLine === lineNum) q += Number(l.Quantity ?? 0);
  }
  return round(q);
}

/** Closed when fully paid; a reserve invoice also needs nothing left to deliver. */
export function settleStatus(s: B1SimState, doc: Rec): Rec {
  const paid = cents(Number(doc.PaidToDate ?? 0)) >= cents(Number(doc.DocTotal ?? 0));
  const toDeliver = doc.ReserveInvoice === 'tYES' && lines(doc).some((l) => l.LineStatus === 'bost_Open');
  const closed = doc.Cancelled === 'tYES' || (paid && !toDeliver);
  if (closed && doc.DocumentStatus !== 'bost_Close') return { ...doc, DocumentStatus: 'bost_Close', ClosingDate: localDate(s.clock.now()) };
  if (!closed && doc.DocumentStatus === 'bost_Close') return { ...doc, DocumentStatus: 'bost_Open', ClosingDate: null };
  return doc;
}

/** PaidToDate of an invoice or credit note grows (or, on a cancelled payment, shrinks) by `amount`. */
export function applyPaid(s: B1SimState, set: string, entry: number, amount: number): void {
  const doc = s.get(set, String(entry))!;
  const paid = round(Number(doc.PaidToDate ?? 0) + amount, 2);
  const next = settleStatus(s, { ...doc, PaidToDate: paid, PaidToDateSys: paid });
  save(s, set, next);
}

/** An order or delivery line can be copied on as far as it is open. */
const copyableQty = (_set: string, _base: Rec, bl: Rec): number =>
  bl.LineStatus === 'bost_Open' ? Number(bl.RemainingOpenQuantity ?? 0) : 0;

export function createInvoice(s: B1SimState, input: Rec): { key: string; rec: Rec } {
  const reserve = input.ReserveInvoice === 'tYES';
  const refs = resolveBases(s, input, [17, 15], copyableQty);
  if (reserve && refs.some((r) => r.set === 'DeliveryNotes')) throw Errors.rule('A reserve invoice cannot be based on a delivery');
  const doc = s.docOps.prepareDocument(input, { objectCode: 'oInvoices', counters: 'Invoices.' });
  doc.DocDueDate ??= doc.DocDate;
  doc.ReserveInvoice = reserve ? 'tYES' : 'tNO';
  doc.PaidToDate = 0;
  doc.PaidToDateSys = 0;
  const key = String(doc.DocEntry);
  s.docOps.stamp('Document', doc, true);
  s.docOps.put('Invoices', key, settleStatus(s, doc));
  closeBaseLines(s, refs, 'Orders');
  closeBaseLines(s, refs, 'DeliveryNotes');
  for (const l of lines(doc)) {
    // A line based on a delivery was shipped by it; a reserve invoice keeps its quantity committed.
    if (l.BaseType === 15) continue;
    moveStock(
      s,
      String(l.ItemCode),
      String(l.WarehouseCode),
      reserve ? { Committed: Number(l.Quantity) } : { InStock: -Number(l.Quantity) },
    );
  }
  return { key, rec: s.get('Invoices', key)! };
}

export function createCreditNote(s: B1SimState, input: Rec): { key: string; rec: Rec } {
  // What is left to credit on an invoice line: a normal invoice tracks it in RemainingOpenQuantity;
  // a reserve invoice's open quantity is what is not delivered, so count its credit notes instead.
  const refs = resolveBases(s, input, [13], (_set, inv, bl) =>
    inv.ReserveInvoice === 'tYES'
      ? round(Number(bl.Quantity ?? 0) - creditedQty(s, Number(inv.DocEntry), Number(bl.LineNum)))
      : bl.LineStatus === 'bost_Open'
        ? Number(bl.RemainingOpenQuantity ?? 0)
        : 0,
  );
  const doc = s.docOps.prepareDocument(input, { objectCode: 'oCreditNotes', counters: 'CreditNotes.' });
  doc.DocDueDate ??= doc.DocDate;
  doc.PaidToDate = 0;
  doc.PaidToDateSys = 0;
  // A credit note's lines are not copied on to anything in this simulator: they are closed.
  doc.DocumentLines = lines(doc).map((l) => ({ ...l, RemainingOpenQuantity: 0, LineStatus: 'bost_Close' }));
  const key = String(doc.DocEntry);
  s.docOps.stamp('Document', doc, true);
  s.docOps.put('CreditNotes', key, doc);
  // Effects on the invoices: credited quantities, stock back, reconciliation of open balances.
  const invoices = [...new Set(refs.map((r) => r.entry))];
  for (const l of lines(doc)) {
    const q = Number(l.Quantity);
    const inv = l.BaseType === 13 ? s.get('Invoices', String(l.BaseEntry)) : undefined;
    const bl = inv ? lines(inv).find((x) => x.LineNum === l.BaseLine) : undefined;
    let undelivered = 0;
    if (inv && bl) {
      const open = Number(bl.RemainingOpenQuantity ?? 0);
      const take = inv.ReserveInvoice === 'tYES' ? Math.min(q, bl.LineStatus === 'bost_Open' ? open : 0) : q;
      if (inv.ReserveInvoice === 'tYES') undelivered = take;
      const left = round(open - take);
      const docLines = lines(inv).map((x) =>
        x.LineNum === bl.LineNum
          ? { ...x, RemainingOpenQuantity: left, LineStatus: left > 0 && x.LineStatus === 'bost_Open' ? 'bost_Open' : 'bost_Close' }
          : x,
      );
      save(s, 'Invoices', settleStatus(s, { ...inv, DocumentLines: docLines }));
    }
    if (l.WithoutInventoryMovement === 'tYES' && undelivered === 0) continue;
    const back = l.WithoutInventoryMovement === 'tYES' ? 0 : round(q - undelivered);
    moveStock(s, String(l.ItemCode), String(l.WarehouseCode), { InStock: back, Committed: -undelivered });
  }
  let left = Number(doc.DocTotal ?? 0);
  for (const entry of invoices) {
    const inv = s.get('Invoices', String(entry))!;
    const applied = round(Math.min(left, Math.max(0, openBalance(inv))), 2);
    if (applied <= 0) continue;
    applyPaid(s, 'Invoices', entry, applied);
    applyPaid(s, 'CreditNotes', Number(key), applied);
    left = round(left - applied, 2);
  }
  return { key, rec: s.get('CreditNotes', key)! };
}

/** PATCH on a posted invoice or credit note: only a few header fields, UDFs and line UDFs/free text. */
export function checkDocumentPatch(input: Rec): void {
  for (const [k, v] of Object.entries(input)) {
    if (k.startsWith('U_') || UPDATABLE.has(k)) continue;
    if (k === 'DocumentLines' && Array.isArray(v)) {
      for (const row of v as Rec[]) {
        if (typeof row.LineNum !== 'number') throw MoneyErrors.notUpdatable('DocumentLines');
        for (const f of Object.keys(row))
          if (!f.startsWith('U_') && !LINE_UPDATABLE.has(f)) throw MoneyErrors.notUpdatable(`DocumentLines.${f}`);
      }
      continue;
    }
    throw MoneyErrors.notUpdatable(k);
  }
}

/**
 * Invoices(n)/Cancel: an invoice nothing was paid on or credited against is reversed: stock back
 * (or the reserve commitment released), base order lines reopened. Invoices(n)/Close: a reserve
 * invoice gives up delivering what is left (its commitment is released).
 * Not modelled: the cancellation credit memo SAP writes alongside.
 */
export function invoiceAction(s: B1SimState, key: string, action: string): void {
  const inv = s.get('Invoices', key);
  if (!inv) throw Errors.notFound();
  const reserve = inv.ReserveInvoice === 'tYES';
  if (action === 'Close') {
    if (!reserve) throw Errors.notSupported();
    if (inv.Cancelled === 'tYES') throw MoneyErrors.cancelled();
    if (!lines(inv).some((l) => l.LineStatus === 'bost_Open')) throw MoneyErrors.closed();
    for (const l of lines(inv))
      if (l.LineStatus === 'bost_Open')
        moveStock(s, String(l.ItemCode), String(l.WarehouseCode), { Committed: -Number(l.RemainingOpenQuantity ?? 0) });
    const next: Rec = { ...inv, DocumentLines: lines(inv).map((l) => ({ ...l, LineStatus: 'bost_Close' })) };
    save(s, 'Invoices', settleStatus(s, next));
    return;
  }
  if (action !== 'Cancel') throw Errors.notSupported();
  if (inv.Cancelled === 'tYES') throw MoneyErrors.cancelled();
  if (Number(inv.PaidToDate ?? 0) > 0)
    throw Errors.rule('Cannot cancel a document that has payments or credit notes linked to it; cancel them first');
  if (lines(inv).some((l) => creditedQty(s, Number(inv.DocEntry), Number(l.LineNum)) > 0))
    throw Errors.rule('Cannot cancel a document that has payments or credit notes linked to it; cancel them first');
  for (const l of lines(inv)) {
    if (l.BaseType === 15) continue;
    if (reserve)
      moveStock(s, String(l.ItemCode), String(l.WarehouseCode), {
        Committed: l.LineStatus === 'bost_Open' ? -Number(l.RemainingOpenQuantity ?? 0) : 0,
      });
    else moveStock(s, String(l.ItemCode), String(l.WarehouseCode), { InStock: Number(l.Quantity) });
  }
  // Base lines get their quantity back and reopen (an order that was closed by the copy reopens).
  for (const set of ['Orders', 'DeliveryNotes']) {
    const type = set === 'Orders' ? 17 : 15;
    for (const entry of new Set(
      lines(inv)
        .filter((l) => l.BaseType === type)
        .map((l) => Number(l.BaseEntry)),
    )) {
      const prev = s.get(set, String(entry));
      if (!prev || prev.Cancelled === 'tYES') continue;
      const docLines = lines(prev).map((bl) => {
        const q = lines(inv)
          .filter((l) => l.BaseType === type && l.BaseEntry === entry && l.BaseLine === bl.LineNum)
          .reduce((a, l) => a + Number(l.Quantity), 0);
        return q === 0 ? bl : { ...bl, RemainingOpenQuantity: round(Number(bl.RemainingOpenQuantity ?? 0) + q), LineStatus: 'bost_Open' };
      });
      const next: Rec = { ...prev, DocumentLines: docLines, DocumentStatus: 'bost_Open' };
      save(s, set, next);
      if (set === 'Orders') s.docOps.applyCommitted(prev, next);
    }
  }
  const next: Rec = {
    ...inv,
    Cancelled: 'tYES',
    CancelStatus: 'csYes',
    CancelDate: localDate(s.clock.now()),
    DocumentLines: lines(inv).map((l) => ({ ...l, LineStatus: 'bost_Close' })),
  };
  save(s, 'Invoices', settleStatus(s, next));
}
