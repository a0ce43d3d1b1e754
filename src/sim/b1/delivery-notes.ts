/**
 * Deliveries (`DeliveryNotes`, object 15, ODLN/DLN1): SAP's rules for a delivery posted over the
 * Service Layer (reference order-to-cash §2). Lines copied from sales order lines (BaseType 17,
 * BaseEntry = order DocEntry, BaseLine = order LineNum) take the order line's item, warehouse and
 * price; the order line's open quantity drops, the line closes at 0 and the order when every line
 * is closed; InStock drops and Committed is released (through `state.deliver`). Lines without a
 * base move stock only. Cancel reverses all of it with a cancellation document, as SAP does.
 * Lines based on A/R reserve invoice lines (BaseType 13) deliver what the invoice holds
 * (delivery-reserve.ts).
 */
import { localDate, localTime } from './clock';
import { Errors } from './errors';
import type { Rec } from './model';
import type { B1SimState } from './state';
import { BASE_RESERVE_INVOICE, moveReserveInvoice, reserveInvoiceBase } from './delivery-reserve';

/** The state's journaled primitives (so a `$batch` changeset rolls a delivery back with the rest). */
export interface DocKit {
  put(set: string, key: string, rec: Rec | undefined): void;
  counter(name: string, start: number): number;
  stamp(type: string, rec: Rec, created: boolean): void;
  applyCommitted(before: Rec | undefined, after: Rec | undefined): void;
}

export const DELIVERY_SET = 'DeliveryNotes';
const BASE_ORDER = 17;

const round = (n: number, d = 6): number => Math.round(n * 10 ** d) / 10 ** d;
const linesOf = (doc: Rec | undefined): Rec[] => (doc?.DocumentLines as Rec[] | undefined) ?? [];
const row = (l: Rec): number => Number(l.LineNum ?? 0) + 1;

/** Properties a delivery line may not set differently from its base line (SAP copies them). */
const COPIED_FROM_BASE = ['ItemCode', 'WarehouseCode'] as const;

/** POST /DeliveryNotes. `input` is the body already validated against $metadata. */
export function createDelivery(state: B1SimState, kit: DocKit, input: Rec): { key: string; rec: Rec; set: string } {
  return state.transaction(() => {
    const rec: Rec = { ...input };
    const lines = linesOf(input).map((l) => ({ ...l }));
    if (lines.length === 0) throw Errors.rule('Document must have at least one row');
    // Base orders named by the lines, checked before anything moves.
    const perOrder = new Map<number, { LineNum: number; Quantity: number }[]>();
    const perInvoice = new Map<number, Map<number, number>>();
    const copied: Rec[] = [];
    lines.forEach((l, i) => {
      l.LineNum = i;
      const baseType = l.BaseType == null ? -1 : Number(l.BaseType);
      const qty = Number(l.Quantity ?? 0);
      if (!(qty > 0)) throw Errors.rule(`Quantity must be positive in row ${i + 1}`);
      l.Quantity = qty;
      if (baseType === -1) {
        copied.push(standaloneLine(state, l, i));
        return;
      }
      if (baseType === BASE_RESERVE_INVOICE) {
        const drawn = (perInvoice.get(Number(l.BaseEntry)) ?? new Map<number, number>()).get(Number(l.BaseLine)) ?? 0;
        const { invoice, base } = reserveInvoiceBase(state, l, i, rec.CardCode, drawn);
        rec.CardCode ??= invoice.CardCode;
        const m = perInvoice.get(invoice.DocEntry as number) ?? new Map<number, number>();
        m.set(base.LineNum as number, drawn + qty);
        perInvoice.set(invoice.DocEntry as number, m);
        copied.push({
          ItemCode: base.ItemCode,
          ItemDescription: base.ItemDescription,
          WarehouseCode: base.WarehouseCode,
          UnitPrice: base.UnitPrice,
          DiscountPercent: base.DiscountPercent,
          TaxCode: base.TaxCode,
          Currency: base.Currency,
          ...l,
          BaseType: BASE_RESERVE_INVOICE,
          BaseEntry: invoice.DocEntry,
          BaseLine: base.LineNum,
        });
        return;
      }
      if (baseType !== BASE_ORDER) throw Errors.rule(`Row ${i + 1}: base document type ${baseType} cannot be copied to a delivery`);
      if (typeof l.BaseEntry !== 'number' || typeof l.BaseLine !== 'number')
        throw Errors.rule(`Row ${i + 1}: enter the base document and base line`);
      const order = state.get('Orders', String(l.BaseEntry));
      if (!order) throw Errors.notFound();
      if (rec.CardCode != null && rec.CardCode !== order.CardCode)
        throw Errors.rule('Base document card and target document card do not match');
      rec.CardCode ??= order.CardCode;
      if (order.Cancelled === 'tYES' || order.DocumentStatus !== 'bost_Open')
        throw Errors.rule(`Row ${i + 1}: base document ${String(order.DocNum)} is closed`);
      const base = linesOf(order).find((b) => b.LineNum === l.BaseLine);
      if (!base) throw Errors.notFound();
      if (base.LineStatus !== 'bost_Open') throw Errors.rule(`Row ${i + 1}: base document line ${row(base)} is closed`);
      for (const p of COPIED_FROM_BASE) {
        if (l[p] != null && l[p] !== base[p])
          throw Errors.rule(
            `Row ${i + 1}: ${p} differs from the base document line; the simulator delivers from the base line's ${p} only`,
          );
      }
      const wanted =
        (perOrder.get(order.DocEntry as number) ?? []).filter((x) => x.LineNum === base.LineNum).reduce((s, x) => s + x.Quantity, 0) + qty;
      if (wanted > Number(base.RemainingOpenQuantity ?? 0) + 1e-9)
        throw Errors.rule(`Quantity exceeds the open quantity in base document row ${row(base)}`);
      const list = perOrder.get(order.DocEntry as number) ?? [];
      list.push({ LineNum: base.LineNum as number, Quantity: qty });
      perOrder.set(order.DocEntry as number, list);
      copied.push({
        ItemCode: base.ItemCode,
        ItemDescription: base.ItemDescription,
        WarehouseCode: base.WarehouseCode,
        UnitPrice: base.UnitPrice,
        DiscountPercent: base.DiscountPercent,
        TaxCode: base.TaxCode,
        Currency: base.Currency,
        ...l,
        BaseType: BASE_ORDER,
        BaseEntry: order.DocEntry,
        BaseLine: base.LineNum,
      });
    });
    if (typeof rec.CardCode !== 'string' || rec.CardCode === '') throw Errors.business('Enter BP code');
    const bp = state.get('BusinessPartners', rec.CardCode);
    if (!bp) throw Errors.notFound();
    // Header defaults follow the first base order, as copying in SAP does.
    const firstBase = [...perOrder.keys()][0];
    const order = firstBase != null ? state.get('Orders', String(firstBase)) : undefined;
    const now = state.clock.now();
    const entry = kit.counter('DeliveryNotes.DocEntry', 1);
    Object.assign(rec, {
      DocEntry: entry,
      DocNum: kit.counter('DeliveryNotes.DocNum', 1),
      DocType: rec.DocType ?? 'dDocument_Items',
      DocObjectCode: 'oDeliveryNotes',
      DocumentStatus: 'bost_Open',
      Cancelled: 'tNO',
      CancelStatus: 'csNo',
      DocDate: rec.DocDate ?? localDate(now),
      DocDueDate: rec.DocDueDate ?? rec.DocDate ?? localDate(now),
      DocTime: localTime(now).slice(0, 5) + ':00',
      CardName: rec.CardName ?? bp.CardName ?? null,
      DocCurrency: rec.DocCurrency ?? order?.DocCurrency ?? state.localCurrency,
      DocRate: rec.DocRate ?? 1,
      NumAtCard: rec.NumAtCard ?? order?.NumAtCard ?? null,
      ShipToCode: rec.ShipToCode ?? order?.ShipToCode ?? null,
      Series: rec.Series ?? 1,
    });
    rec.TaxDate ??= rec.DocDate;
    rec.DocumentLines = priced(state, copied, entry);
    totals(rec);
    kit.stamp('Document', rec, true);
    kit.put(DELIVERY_SET, String(entry), rec);
    for (const [docEntry, ls] of perOrder) {
      // Several delivery rows may draw on one order line: the order sees their sum.
      const sum = new Map<number, number>();
      for (const x of ls) sum.set(x.LineNum, (sum.get(x.LineNum) ?? 0) + x.Quantity);
      state.deliver(
        docEntry,
        [...sum].map(([LineNum, Quantity]) => ({ LineNum, Quantity })),
      );
    }
    for (const [docEntry, m] of perInvoice) moveReserveInvoice(state, docEntry, m, 1);
    for (const l of linesOf(rec))
      if (Number(l.BaseType) === -1) moveStock(state, kit, String(l.ItemCode), String(l.WarehouseCode), -Number(l.Quantity));
    return { key: String(entry), rec, set: DELIVERY_SET };
  });
}

function standaloneLine(state: B1SimState, l: Rec, i: number): Rec {
  if (typeof l.ItemCode !== 'string') throw Errors.business('Enter item code');
  const item = state.get('Items', l.ItemCode);
  if (!item) throw Errors.notFound();
  if (item.SalesItem === 'tNO') throw Errors.business(`Item '${l.ItemCode}' is not a sales item`);
  const whs = l.WarehouseCode ?? item.DefaultWarehouse ?? '01';
  if (!state.get('Warehouses', String(whs))) throw Errors.notFound();
  const price = l.UnitPrice ?? ((item.ItemPrices as Rec[] | undefined) ?? []).find((p) => p.PriceList === 1)?.Price ?? 0;
  return {
    ...l,
    LineNum: i,
    BaseType: -1,
    WarehouseCode: whs,
    ItemDescription: l.ItemDescription ?? item.ItemName ?? null,
    UnitPrice: price,
  };
}

/** Line prices, totals and tax as on the order (US sales tax codes). */
function priced(state: B1SimState, lines: Rec[], entry: number): Rec[] {
  return lines.map((l) => {
    const rate = rateOf(state, l.TaxCode);
    const disc = Number(l.DiscountPercent ?? 0);
    const price = round(Number(l.UnitPrice ?? 0) * (1 - disc / 100));
    const lineTotal = round(price * Number(l.Quantity), 2);
    return {
      ...l,
      DocEntry: entry,
      DiscountPercent: disc,
      Price: price,
      LineTotal: lineTotal,
      TaxPercentagePerRow: rate,
      TaxTotal: round((lineTotal * rate) / 100, 2),
      PriceAfterVAT: round(price * (1 + rate / 100)),
      LineStatus: 'bost_Open',
      // What is still open on the delivery itself (for an invoice or a return based on it).
      RemainingOpenQuantity: l.Quantity,
    };
  });
}

function rateOf(state: B1SimState, code: unknown): number {
  if (code == null || code === '') return 0;
  const tc = state.get('SalesTaxCodes', String(code));
  if (!tc) throw Errors.notFound();
  return Number(tc.Rate ?? 0);
}

function totals(rec: Rec): void {
  let total = 0;
  let tax = 0;
  for (const l of linesOf(rec)) {
    total += Number(l.LineTotal);
    tax += Number(l.TaxTotal);
  }
  const hdrDisc = Number(rec.DiscountPercent ?? 0);
  rec.DiscountPercent = hdrDisc;
  rec.TotalDiscount = round((total * hdrDisc) / 100, 2);
  rec.VatSum = round(tax - (tax * hdrDisc) / 100, 2);
  rec.DocTotal = round(total - Number(rec.TotalDiscount) + Number(rec.VatSum), 2);
}

function moveStock(state: B1SimState, kit: DocKit, itemCode: string, whs: string, delta: number): void {
  const item = state.get('Items', itemCode);
  if (!item || item.InventoryItem === 'tNO' || delta === 0) return;
  const rows = ((item.ItemWarehouseInfoCollection as Rec[] | undefined) ?? []).map((w) =>
    w.WarehouseCode === whs ? { ...w, InStock: round(Number(w.InStock ?? 0) + delta) } : w,
  );
  kit.put('Items', itemCode, { ...item, ItemWarehouseInfoCollection: rows });
}

/**
 * POST /DeliveryNotes(n)/Cancel or /Close. Cancel posts a cancellation document (CancelStatus
 * csCancellation) and marks the delivery csCancelled: stock comes back, base order lines get their
 * quantity back as open (and Committed), a base order closed by the delivery reopens. An order
 * closed or cancelled by hand since then cannot take the quantity back.
 */
export function deliveryAction(state: B1SimState, kit: DocKit, key: string, action: string): void {
  const prev = state.get(DELIVERY_SET, key);
  if (!prev) throw Errors.notFound();
  state.transaction(() => {
    if (action === 'Close') {
      if (prev.DocumentStatus !== 'bost_Open') throw Errors.rule('Document is already closed');
      const next: Rec = {
        ...prev,
        DocumentStatus: 'bost_Close',
        ClosingDate: localDate(state.clock.now()),
        DocumentLines: linesOf(prev).map((l) => ({ ...l, LineStatus: 'bost_Close' })),
      };
      kit.stamp('Document', next, false);
      kit.put(DELIVERY_SET, key, next);
      return;
    }
    if (action !== 'Cancel') throw Errors.notSupported();
    if (prev.Cancelled === 'tYES' || prev.CancelStatus === 'csCancellation') throw Errors.rule('Document is already cancelled');
    if (prev.DocumentStatus !== 'bost_Open') throw Errors.rule('Cannot cancel a closed document');
    const back = new Map<number, Map<number, number>>();
    const backToInvoice = new Map<number, Map<number, number>>();
    for (const l of linesOf(prev)) {
      const into = Number(l.BaseType) === BASE_ORDER ? back : Number(l.BaseType) === BASE_RESERVE_INVOICE ? backToInvoice : undefined;
      if (into) {
        const m = into.get(Number(l.BaseEntry)) ?? new Map<number, number>();
        m.set(Number(l.BaseLine), (m.get(Number(l.BaseLine)) ?? 0) + Number(l.Quantity));
        into.set(Number(l.BaseEntry), m);
      }
      // A reserve invoice takes its goods back with their commitment (moveReserveInvoice).
      if (Number(l.BaseType) !== BASE_RESERVE_INVOICE)
        moveStock(state, kit, String(l.ItemCode), String(l.WarehouseCode), Number(l.Quantity));
    }
    for (const [docEntry, m] of back) reopenBase(state, kit, docEntry, m);
    for (const [docEntry, m] of backToInvoice) moveReserveInvoice(state, docEntry, m, -1);
    const today = localDate(state.clock.now());
    const closedLines: Rec[] = linesOf(prev).map((l) => ({ ...l, LineStatus: 'bost_Close' }));
    const next: Rec = {
      ...prev,
      Cancelled: 'tYES',
      CancelStatus: 'csCancelled',
      DocumentStatus: 'bost_Close',
      CancelDate: today,
      DocumentLines: closedLines,
    };
    kit.stamp('Document', next, false);
    kit.put(DELIVERY_SET, key, next);
    const entry = kit.counter('DeliveryNotes.DocEntry', 1);
    const cancellation: Rec = {
      ...prev,
      DocEntry: entry,
      DocNum: kit.counter('DeliveryNotes.DocNum', 1),
      Cancelled: 'tNO',
      CancelStatus: 'csCancellation',
      DocumentStatus: 'bost_Close',
      DocDate: today,
      DocumentLines: closedLines.map((l) => ({ ...l, DocEntry: entry, BaseType: 15, BaseEntry: prev.DocEntry, BaseLine: l.LineNum })),
    };
    kit.stamp('Document', cancellation, true);
    kit.put(DELIVERY_SET, String(entry), cancellation);
  });
}

function reopenBase(state: B1SimState, kit: DocKit, docEntry: number, qtyByLine: Map<number, number>): void {
  const order = state.get('Orders', String(docEntry));
  if (!order) return;
  const closedByHand =
    order.Cancelled === 'tYES' ||
    (order.DocumentStatus !== 'bost_Open' && linesOf(order).some((l) => Number(l.RemainingOpenQuantity ?? 0) > 0));
  if (closedByHand) throw Errors.rule(`Base document ${String(order.DocNum)} is closed; cannot cancel the delivery`);
  const lines = linesOf(order).map((l) => {
    const q = qtyByLine.get(Number(l.LineNum));
    if (!q) return { ...l };
    return { ...l, RemainingOpenQuantity: round(Number(l.RemainingOpenQuantity ?? 0) + q), LineStatus: 'bost_Open' };
  });
  const next: Rec = { ...order, DocumentLines: lines, DocumentStatus: 'bost_Open' };
  delete next.ClosingDate;
  kit.stamp('Document', next, false);
  kit.put('Orders', String(docEntry), next);
  kit.applyCommitted(order, next);
}

/** PATCH of a delivery: header fields (TrackingNumber, Comments, UDFs) only, quantities are posted. */
export function checkDeliveryPatch(input: Rec): void {
  for (const l of (input.DocumentLines as Rec[] | undefined) ?? []) {
    for (const k of [
      'ItemCode',
      'Quantity',
      'WarehouseCode',
      'BaseType',
      'BaseEntry',
      'BaseLine',
      'UnitPrice',
      'Price',
      'DiscountPercent',
      'TaxCode',
    ]) {
      if (k in l) throw Errors.rule(`Cannot change ${k} of a posted delivery (row ${row(l)})`);
    }
  }
}
