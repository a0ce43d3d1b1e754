/**
 * Shopify → B1 deliveries (`mapping.fulfillment.direction: 'shopifyToB1'`, off by default; a shop
 * goes one way only, so the hub never turns its own fulfillments back into deliveries): each
 * fulfillment of a synced order becomes one B1 delivery based on the sales order lines, carrying
 * the tracking number and the fulfillment GID (`U_ShopifyFulfillId`).
 *
 * Records are orders changed since the watermark (`shopify:<updatedAt>`, Shopify's clock: the
 * newest order updatedAt Shopify shows before the first page, 5-minute overlap) that Shopify shows
 * fulfilled or partly fulfilled; ids runs take order GIDs. Exactly once per fulfillment through the
 * create-once kit: reservation `@B1H_FUL_RES` keyed by the fulfillment GID, lookup by the UDF.
 */
import { FULFILLMENT_RESERVATIONS } from '../../connectors/b1/reservations';
import { f } from '../../connectors/b1/odata-query';
import { fulfillmentsOfFulfillmentOrder, orderFulfillmentState, type ShopifyFulfillment } from '../../connectors/shopify/fulfillment';
import { ordersUpdatedSince } from '../../connectors/shopify/fulfillment-orders';
import { deliveryFromFulfillment } from '../../mapping/delivery';
import { formatIssues } from '../../mapping/errors';
import { created, failed, skipped, unchanged, type RecordOutcome } from '../../mapping/outcome';
import type { FetchPageInput, FetchPageResult, PipelineDeps } from '../contract';
import { createOnce } from '../kit/create-once';

export const SHOPIFY_WATERMARK = 'shopify:';
const SHIPPED = new Set(['FULFILLED', 'PARTIALLY_FULFILLED']);

export interface ShopifyOrderRecord {
  shopifyOrder: { id: string; name: string };
}

type Cursor = { after?: string; from?: string };

export async function fetchFulfilledOrders(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<ShopifyOrderRecord>> {
  if (input.mode === 'ids') {
    const ids = [...new Set(input.ids ?? [])];
    return { records: ids.map((id) => ({ id, label: id, data: { shopifyOrder: { id, name: id } } })) };
  }
  const c: Cursor = input.cursor ? (JSON.parse(input.cursor) as Cursor) : {};
  const own = input.since?.startsWith(SHOPIFY_WATERMARK) ? input.since.slice(SHOPIFY_WATERMARK.length) : undefined;
  // No watermark of this direction yet: the last firstRunDays days, not the shop's history.
  const since =
    input.mode === 'full' ? null : (own ?? new Date(Date.now() - deps.mapping.fulfillment.firstRunDays * 86_400_000).toISOString());
  const from = c.after === undefined ? await deps.shopify.newestOrderUpdatedAt() : c.from;
  const page = await ordersUpdatedSince(deps.shopify.executor, { first: 50, after: c.after ?? null, since });
  const records = page.orders
    .filter((o) => o.displayFulfillmentStatus !== null && SHIPPED.has(o.displayFulfillmentStatus))
    .map((o) => ({ id: o.id, label: o.name, data: { shopifyOrder: { id: o.id, name: o.name } } }));
  const claim = own === undefined ? from : from === undefined || own > from ? own : from;
  return {
    records,
    ...(page.hasNextPage && page.endCursor ? { nextCursor: JSON.stringify({ after: page.endCursor, ...(from ? { from } : {}) }) } : {}),
    ...(claim ? { watermark: `${SHOPIFY_WATERMARK}${claim}` } : {}),
  };
}

/** The order's standing fulfillments and the SKU of every line item on its fulfillment orders. */
async function fulfillmentsOf(
  deps: PipelineDeps,
  orderId: string,
): Promise<{ list: ShopifyFulfillment[]; sku: Map<string, string | null> } | null> {
  const state = await orderFulfillmentState(deps.shopify.executor, orderId);
  if (!state) return null;
  const seen = new Map<string, ShopifyFulfillment>();
  const sku = new Map<string, string | null>();
  for (const fo of state.fulfillmentOrders) {
    for (const l of fo.lines) sku.set(l.lineItemId, l.sku);
    for (const x of await fulfillmentsOfFulfillmentOrder(deps.shopify.executor, fo.id)) if (x.status === 'SUCCESS') seen.set(x.id, x);
  }
  // Oldest first (ids grow with time), so partial shipments are delivered in the order they were made.
  const list = [...seen.values()].sort((a, b) => Number(a.id.split('/').pop()) - Number(b.id.split('/').pop()));
  return { list, sku };
}

type Doc = { DocEntry: number; Cancelled?: string };

export async function postShopifyOrder(deps: PipelineDeps, rec: { id: string; payload: ShopifyOrderRecord }): Promise<RecordOutcome> {
  const orderId = rec.payload.shopifyOrder.id;
  const shipped = await fulfillmentsOf(deps, orderId);
  if (!shipped) return failed('delivery', rec.id, `Shopify has no order ${orderId}`);
  if (shipped.list.length === 0) return skipped('delivery', rec.id, 'no-fulfillment');
  const made: number[] = [];
  const found: number[] = [];
  for (const ful of shipped.list) {
    const find = async (): Promise<Doc[]> =>
      (await deps.b1.listRaw('DeliveryNotes', { filter: f.eq('U_ShopifyFulfillId', ful.id), select: ['DocEntry', 'Cancelled'] })).map(
        (r) => ({
          DocEntry: Number(r.DocEntry),
          Cancelled: String(r.Cancelled ?? 'tNO'),
        }),
      );
    const existing = (await find()).filter((d) => d.Cancelled !== 'tYES');
    if (existing.length) {
      found.push(existing[0]!.DocEntry);
      continue;
    }
    // The sales order as it is now (earlier deliveries of this order closed some of its quantity).
    const orders = (
      await deps.b1.listRaw('Orders', {
        filter: f.eq('U_ShopifyId', orderId),
        select: ['DocEntry', 'CardCode', 'Cancelled', 'DocumentLines'],
      })
    ).filter((o) => o.Cancelled !== 'tYES');
    const so = orders[0];
    if (!so) return failed('delivery', rec.id, `no B1 sales order for ${orderId} yet: the order run creates it first`, 'U_ShopifyId');
    const rawLines = (so.DocumentLines as Array<Record<string, unknown>> | undefined) ?? [];
    const mapped = deliveryFromFulfillment(
      ful,
      {
        DocEntry: Number(so.DocEntry),
        CardCode: String(so.CardCode ?? ''),
        lines: rawLines.map((l) => ({
          LineNum: Number(l.LineNum),
          ItemCode: typeof l.ItemCode === 'string' ? l.ItemCode : null,
          open: l.LineStatus === 'bost_Close' ? 0 : Number(l.RemainingOpenQuantity ?? 0),
          ...(typeof l.U_ShopifyLineId === 'string' && l.U_ShopifyLineId ? { shopifyLineId: l.U_ShopifyLineId } : {}),
        })),
      },
      (id) => shipped.sku.get(id) ?? null,
    );
    if (!mapped.ok) return failed('delivery', rec.id, formatIssues(`fulfillment ${ful.id}`, mapped.issues), mapped.issues[0]?.field);
    const r = await createOnce<Doc>(deps.b1.reservations, {
      table: FULFILLMENT_RESERVATIONS,
      key: ful.id,
      label: `delivery for fulfillment ${ful.id} of ${rec.payload.shopifyOrder.name}`,
      find,
      entryOf: (d) => d.DocEntry,
      standing: (d) => d.Cancelled !== 'tYES',
      post: async () => {
        const res = await deps.b1.request('POST', 'DeliveryNotes', { body: mapped.body, context: { entity: 'DeliveryNotes' } });
        return Number((JSON.parse(res.body) as { DocEntry: number }).DocEntry);
      },
    });
    if (r.kind === 'created') made.push(r.docEntry);
    else if (r.kind === 'found') found.push(r.docEntry);
    else if (r.kind === 'refused') return failed('delivery', rec.id, r.message, r.field);
    else if (r.kind === 'in-doubt' || r.kind === 'duplicates') return failed('delivery', rec.id, r.message, 'U_ShopifyFulfillId');
  }
  const all = [...made, ...found].join(',');
  return made.length ? created('delivery', rec.id, all) : unchanged('delivery', rec.id, all);
}
