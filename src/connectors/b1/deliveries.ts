/**
 * B1 deliveries (`DeliveryNotes`, ODLN/DLN1) as the fulfillment sync reads them, their base
 * documents (sales orders, A/R reserve invoices) and the fulfillment write-back.
 *
 * DeliveryNotes is not among the typed entity sets (schemas.ts), so rows are read raw and checked
 * here with zod: a row of an unexpected shape fails alone, naming the field (the pipeline's fetch
 * isolates it), instead of failing the page.
 */
import { z } from 'zod';
import type { B1ClientCore } from './core';
import { stampOf } from './delta';
import { keySegment, f } from './odata-query';

/** Marketing document object types a delivery line may be based on. */
export const BASE_ORDER = 17;
export const BASE_RESERVE_INVOICE = 13;

const num = z.coerce.number();
const optStr = z.string().nullish();

export const DeliveryLineSchema = z.object({
  LineNum: num,
  ItemCode: optStr,
  Quantity: num,
  BaseType: num.nullish(),
  BaseEntry: num.nullish(),
  BaseLine: num.nullish(),
});

export const DeliverySchema = z.object({
  DocEntry: num,
  DocNum: num.nullish(),
  Cancelled: optStr,
  CancelStatus: optStr,
  TrackingNumber: optStr,
  TransportationCode: num.nullish(),
  UpdateDate: optStr,
  UpdateTime: optStr,
  U_ShopifyFulfillId: optStr,
  DocumentLines: z.array(DeliveryLineSchema).default([]),
});
export type B1Delivery = z.infer<typeof DeliverySchema>;

/** Only what the mapping reads: keeps the run's history small. */
export const DELIVERY_SELECT = [
  'DocEntry',
  'DocNum',
  'Cancelled',
  'CancelStatus',
  'TrackingNumber',
  'TransportationCode',
  'UpdateDate',
  'UpdateTime',
  'U_ShopifyFulfillId',
  'DocumentLines',
] as const;

const BaseLineSchema = z.object({
  LineNum: num,
  ItemCode: optStr,
  BaseType: num.nullish(),
  BaseEntry: num.nullish(),
  BaseLine: num.nullish(),
  U_ShopifyLineId: optStr,
});
const BaseDocSchema = z.object({
  DocEntry: num,
  DocNum: num.nullish(),
  U_ShopifyId: optStr,
  DocumentLines: z.array(BaseLineSchema).default([]),
});
export type B1BaseDocument = z.infer<typeof BaseDocSchema>;

/** One parsed row, or why it could not be read. */
export type CheckedDelivery = { ok: true; delivery: B1Delivery } | { ok: false; raw: Record<string, unknown>; error: Error };

function check(raw: Record<string, unknown>): CheckedDelivery {
  const r = DeliverySchema.safeParse(raw);
  if (r.success) return { ok: true, delivery: r.data };
  const issue = r.error.issues[0];
  return {
    ok: false,
    raw,
    error: new Error(`delivery ${String(raw.DocEntry)}: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unreadable'}`),
  };
}

export interface DeliveryPageQuery {
  filter?: string;
  /** Key-range paging: deliveries with a DocEntry above this one. */
  after?: number;
  top: number;
}

/** One key-range page of deliveries, oldest DocEntry first. */
export async function deliveriesPage(b1: B1ClientCore, q: DeliveryPageQuery): Promise<CheckedDelivery[]> {
  const filter = f.and(q.filter, q.after !== undefined ? f.gt('DocEntry', q.after) : undefined);
  const rows = await b1.listRaw(
    'DeliveryNotes',
    { ...(filter ? { filter } : {}), select: DELIVERY_SELECT, orderby: 'DocEntry asc', top: q.top },
    { maxPageSize: q.top },
  );
  return rows.map(check);
}

/** The deliveries with these DocEntries (resync, open errors). */
export async function deliveriesByEntries(b1: B1ClientCore, entries: readonly number[]): Promise<CheckedDelivery[]> {
  if (entries.length === 0) return [];
  const rows = await b1.listRaw('DeliveryNotes', { filter: f.anyOf('DocEntry', entries), select: DELIVERY_SELECT }, { maxPageSize: 100 });
  return rows.map(check);
}

/**
 * B1's newest delivery stamp in the window, read before the first page: the watermark a run may
 * claim (README, "The delta watermark"), never the newest stamp it read in DocEntry order.
 */
export async function newestDeliveryStamp(b1: B1ClientCore, filter: string | undefined): Promise<string | undefined> {
  const rows = await b1.listRaw(
    'DeliveryNotes',
    {
      ...(filter ? { filter } : {}),
      select: ['DocEntry', 'UpdateDate', 'UpdateTime'],
      orderby: ['UpdateDate desc', 'UpdateTime desc'],
      top: 1,
    },
    { maxPageSize: 1 },
  );
  const r = rows[0];
  if (!r) return undefined;
  const s = stampOf(r.UpdateDate, r.UpdateTime);
  return s.startsWith('0000') ? undefined : s;
}

const BASE_SELECT = ['DocEntry', 'DocNum', 'U_ShopifyId', 'DocumentLines'] as const;

async function baseDocs(b1: B1ClientCore, set: 'Orders' | 'Invoices', entries: readonly number[]): Promise<Map<number, B1BaseDocument>> {
  const out = new Map<number, B1BaseDocument>();
  const unique = [...new Set(entries)];
  for (let i = 0; i < unique.length; i += 50) {
    const rows = await b1.listRaw(set, { filter: f.anyOf('DocEntry', unique.slice(i, i + 50)), select: BASE_SELECT }, { maxPageSize: 50 });
    for (const raw of rows) {
      const r = BaseDocSchema.safeParse(raw);
      if (r.success) out.set(r.data.DocEntry, r.data);
    }
  }
  return out;
}

/** Sales orders by DocEntry: their Shopify order id and line item ids. */
export function baseOrders(b1: B1ClientCore, entries: readonly number[]): Promise<Map<number, B1BaseDocument>> {
  return baseDocs(b1, 'Orders', entries);
}

/** A/R reserve invoices by DocEntry: their lines lead back to the sales order lines. */
export function baseReserveInvoices(b1: B1ClientCore, entries: readonly number[]): Promise<Map<number, B1BaseDocument>> {
  return baseDocs(b1, 'Invoices', entries);
}

/**
 * Writes the Shopify fulfillment ids back to the delivery (header UDF `U_ShopifyFulfillId`, made
 * by `init --fix`). A PATCH of one field to a fixed value: repeating it is harmless.
 */
export async function writeFulfillmentIds(b1: B1ClientCore, docEntry: number, ids: string): Promise<void> {
  await b1.request('PATCH', `DeliveryNotes${keySegment(docEntry)}`, {
    body: { U_ShopifyFulfillId: ids },
    idempotent: true,
    context: { entity: 'DeliveryNotes', key: docEntry },
  });
}
