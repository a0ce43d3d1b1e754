/** Helpers of the delivery tests: imported orders, deliveries through the Service Layer, fulfillments through the Admin API. */
import assert from 'node:assert/strict';
import { orderFulfillmentState, fulfillmentsOfFulfillmentOrder } from '../../src/connectors/shopify/fulfillment';
import type { HubFixture } from '../support/hub-fixture';
import { salesOrders } from '../pipelines/support-shopify-to-b1';

type Rec = Record<string, unknown>;
type Line = { LineNum: number; ItemCode: string; Quantity: number; RemainingOpenQuantity: number; U_ShopifyLineId?: string };

/** A Shopify order the order run imported, with at least two lines of which one has 2+ units. */
export function importedOrder(
  fx: HubFixture,
  min = 2,
  skip: ReadonlySet<number> = new Set(),
): Rec & { DocEntry: number; U_ShopifyId: string; DocumentLines: Line[] } {
  const so = salesOrders(fx).find(
    (o) =>
      typeof o.U_ShopifyId === 'string' &&
      !skip.has(Number(o.DocEntry)) &&
      o.DocumentStatus === 'bost_Open' &&
      (o.DocumentLines as Line[]).length >= min &&
      (o.DocumentLines as Line[]).every((l) => l.RemainingOpenQuantity === l.Quantity && l.U_ShopifyLineId),
  );
  assert.ok(so, 'an imported open sales order with several lines');
  return so as Rec & { DocEntry: number; U_ShopifyId: string; DocumentLines: Line[] };
}

export async function deliver(
  fx: HubFixture,
  orderEntry: number,
  lines: { line: number; qty: number }[],
  header: Rec = {},
): Promise<number> {
  const so = fx.b1Sim.state.get('Orders', String(orderEntry))!;
  const res = await fx.deps.b1.request('POST', 'DeliveryNotes', {
    body: {
      CardCode: so.CardCode,
      ...header,
      DocumentLines: lines.map((l) => ({ BaseType: 17, BaseEntry: orderEntry, BaseLine: l.line, Quantity: l.qty })),
    },
    context: { entity: 'DeliveryNotes' },
  });
  return Number((JSON.parse(res.body) as Rec).DocEntry);
}

/** Every standing fulfillment of the order, through the Admin API. */
export async function fulfillmentsOf(
  fx: HubFixture,
  orderId: string,
): Promise<{ id: string; trackingNumber: string | null; lines: Record<string, number> }[]> {
  const st = (await orderFulfillmentState(fx.deps.shopify.executor, orderId))!;
  const seen = new Map<string, { id: string; trackingNumber: string | null; lines: Record<string, number> }>();
  for (const fo of st.fulfillmentOrders)
    for (const f of await fulfillmentsOfFulfillmentOrder(fx.deps.shopify.executor, fo.id)) if (f.status === 'SUCCESS') seen.set(f.id, f);
  return [...seen.values()];
}

export async function statusOf(fx: HubFixture, orderId: string): Promise<string | null> {
  return (await orderFulfillmentState(fx.deps.shopify.executor, orderId))!.displayFulfillmentStatus;
}
