/**
 * Reads one page of the `delivery` run: B1 deliveries changed since the watermark (or all in a
 * full run, or the requested DocEntries), kept only when their lines lead to a sales order that
 * carries a Shopify order id (directly, BaseType 17, or through an A/R reserve invoice line,
 * BaseType 13). Each record carries the Shopify line item id of every line's base order line.
 *
 * Watermark (README, "The delta watermark"): the newest UpdateDate/UpdateTime of the window read
 * before the first page (B1's own clock), never the newest stamp read: pages are in DocEntry
 * order, so a delivery edited during the run behind the read position (a tracking number added)
 * is read again by the next delta. The 2-minute overlap covers writes racing the read.
 */
import {
  BASE_ORDER,
  BASE_RESERVE_INVOICE,
  baseOrders,
  baseReserveInvoices,
  deliveriesByEntries,
  deliveriesPage,
  newestDeliveryStamp,
  type B1Delivery,
  type CheckedDelivery,
} from '../../connectors/b1/deliveries';
import { deltaFilter } from '../../connectors/b1/delta';
import type { DeliveryLine } from '../../mapping/fulfillment';
import type { FetchPageInput, FetchPageResult, PipelineDeps, SourceRecord } from '../contract';
import { eachRecordIsolated } from '../kit/fetch-poison';
import { decodeCursor, encodeCursor, type DeliveryRecord } from './types';

/** Minutes re-read before the watermark: B1 compares times at minute precision. */
export const B1_OVERLAP_MINUTES = 2;

const later = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a > b ? a : b;

function sinceFilter(since: string | undefined): string | undefined {
  // A watermark of the other direction (`shopify:…`, before the shop switched) is no B1 stamp.
  const m = since && !since.startsWith('shopify:') ? /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)/.exec(since) : null;
  return m ? deltaFilter({ date: m[1]!, time: m[2]! }, B1_OVERLAP_MINUTES) : undefined;
}

/** `days` before a B1 stamp (both B1-local, no zone involved); undefined = nothing to read yet. */
export function firstRunStart(newest: string | undefined, days: number): string {
  if (!newest) return '9999-12-31T00:00:00';
  const t = Date.parse(`${newest}Z`) - days * 86_400_000;
  return new Date(t).toISOString().slice(0, 19);
}

interface OrderLineRef {
  orderId: string;
  shopifyLineId?: string;
}

/** Each delivery line's base sales order line (Shopify order id, line item id), read in two or three calls per page. */
async function baseLinesOf(
  deps: PipelineDeps,
  ds: readonly B1Delivery[],
): Promise<(d: B1Delivery, lineNum: number) => OrderLineRef | undefined> {
  const lines = ds.flatMap((d) => d.DocumentLines);
  const invoices = await baseReserveInvoices(
    deps.b1,
    lines.filter((l) => l.BaseType === BASE_RESERVE_INVOICE && l.BaseEntry != null).map((l) => l.BaseEntry!),
  );
  const orderOf = (l: { BaseType?: number | null; BaseEntry?: number | null; BaseLine?: number | null }): [number, number] | undefined => {
    if (l.BaseEntry == null || l.BaseLine == null) return undefined;
    if (l.BaseType === BASE_ORDER) return [l.BaseEntry, l.BaseLine];
    if (l.BaseType !== BASE_RESERVE_INVOICE) return undefined;
    const il = invoices.get(l.BaseEntry)?.DocumentLines.find((x) => x.LineNum === l.BaseLine);
    return il && il.BaseType === BASE_ORDER && il.BaseEntry != null && il.BaseLine != null ? [il.BaseEntry, il.BaseLine] : undefined;
  };
  const orders = await baseOrders(
    deps.b1,
    lines.map(orderOf).flatMap((x) => (x ? [x[0]] : [])),
  );
  return (d, lineNum) => {
    const l = d.DocumentLines.find((x) => x.LineNum === lineNum);
    const ref = l && orderOf(l);
    const order = ref && orders.get(ref[0]);
    if (!ref || !order?.U_ShopifyId) return undefined;
    const baseLine = ref[1];
    const ol = order.DocumentLines.find((x) => x.LineNum === baseLine);
    return { orderId: order.U_ShopifyId, ...(ol?.U_ShopifyLineId ? { shopifyLineId: ol.U_ShopifyLineId } : {}) };
  };
}

const refOf = (c: CheckedDelivery): { id: string; label: string } => {
  const r: Record<string, unknown> = c.ok ? c.delivery : c.raw;
  return { id: String(r.DocEntry), label: `delivery ${String(r.DocNum ?? r.DocEntry)}` };
};

/** The page's records: deliveries of Shopify orders only; a row that cannot be read fails alone. */
async function toRecords(deps: PipelineDeps, rows: readonly CheckedDelivery[]): Promise<SourceRecord<DeliveryRecord>[]> {
  const ok = rows.flatMap((r) => (r.ok ? [r.delivery] : []));
  const base = await baseLinesOf(deps, ok);
  const out: SourceRecord<DeliveryRecord>[] = [];
  const built = eachRecordIsolated('delivery', rows, refOf, (row): SourceRecord<DeliveryRecord | null> => {
    if (!row.ok) throw row.error;
    const d = row.delivery;
    const ref = refOf(row);
    // A cancelled delivery and its cancellation document ship nothing.
    if ((d.Cancelled && d.Cancelled !== 'tNO') || (d.CancelStatus && d.CancelStatus !== 'csNo')) return { ...ref, data: null };
    const refs = d.DocumentLines.map((l) => ({ l, ref: base(d, l.LineNum) }));
    const orderIds = [...new Set(refs.flatMap((x) => (x.ref ? [x.ref.orderId] : [])))];
    if (orderIds.length === 0) return { ...ref, data: null };
    if (orderIds.length > 1)
      throw new Error(
        `delivery ${String(d.DocNum ?? d.DocEntry)} is based on several Shopify orders (${orderIds.join(', ')}); deliver each order on its own`,
      );
    // Lines not based on the Shopify order (added by hand in B1) have nothing to fulfil in Shopify.
    const lines: DeliveryLine[] = refs.flatMap(({ l, ref: r }) =>
      r
        ? [
            {
              lineNum: l.LineNum,
              itemCode: l.ItemCode ?? null,
              quantity: l.Quantity,
              ...(r.shopifyLineId ? { shopifyLineId: r.shopifyLineId } : {}),
            },
          ]
        : [],
    );
    const data: DeliveryRecord = {
      orderId: orderIds[0]!,
      delivery: {
        docEntry: d.DocEntry,
        ...(d.DocNum != null ? { docNum: d.DocNum } : {}),
        ...(d.TrackingNumber ? { trackingNumber: d.TrackingNumber } : {}),
        ...(d.TransportationCode != null && d.TransportationCode >= 0 ? { shippingType: d.TransportationCode } : {}),
        lines,
      },
      ...(d.U_ShopifyFulfillId ? { fulfillIds: d.U_ShopifyFulfillId } : {}),
    };
    return { ...ref, data };
  });
  for (const r of built) if (r.data !== null) out.push(r as SourceRecord<DeliveryRecord>);
  return out;
}

export async function fetchDeliveryPage(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<DeliveryRecord>> {
  const size = deps.pageSizes.delivery;
  const ids = [...new Set(input.ids ?? [])];
  const c = decodeCursor(input.cursor, input.mode, ids.length > 0);
  if (c.phase === 'ids') {
    const slice = ids.slice(c.offset, c.offset + size);
    const entries = slice.map(Number).filter((n) => Number.isInteger(n) && n > 0);
    const rows = await deliveriesByEntries(deps.b1, entries);
    const found = new Set(rows.map((r) => refOf(r).id));
    const next = c.offset + size;
    const nextCursor =
      next < ids.length ? encodeCursor({ phase: 'ids', offset: next }) : input.mode === 'ids' ? undefined : encodeCursor({ phase: 'scan' });
    const missingIds = slice.filter((id) => !found.has(id));
    return { records: await toRecords(deps, rows), ...(nextCursor ? { nextCursor } : {}), ...(missingIds.length ? { missingIds } : {}) };
  }
  let filter = input.mode === 'delta' ? sinceFilter(input.since) : undefined;
  // First page: the read start, before any delivery is read; later pages carry it in the cursor.
  const from = c.after === undefined ? await newestDeliveryStamp(deps.b1, filter) : c.from;
  // A first delta (no watermark) starts a few days before B1's newest delivery, on B1's clock.
  if (input.mode === 'delta' && !filter) filter = sinceFilter(firstRunStart(from, deps.mapping.fulfillment.firstRunDays));
  const rows = await deliveriesPage(deps.b1, {
    ...(filter ? { filter } : {}),
    ...(c.after !== undefined ? { after: c.after } : {}),
    top: size,
  });
  const last = rows.length ? Number(refOf(rows[rows.length - 1]!).id) : undefined;
  const more = rows.length === size && last !== undefined && Number.isFinite(last);
  const watermark = later(input.since?.startsWith('shopify:') ? undefined : input.since, from);
  return {
    records: await toRecords(deps, rows),
    ...(more ? { nextCursor: encodeCursor({ phase: 'scan', after: last, ...(from ? { from } : {}) }) } : {}),
    ...(watermark ? { watermark } : {}),
  };
}
