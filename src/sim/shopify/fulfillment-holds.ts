/**
 * Holds and third-party fulfillment services on fulfillment orders (what the merchant or an app
 * does before anything ships). A held or service-assigned fulfillment order is refused by
 * fulfillmentCreate (fulfillment-state.ts).
 */
import type { ShopState } from './state';
import {
  findFulfillmentOrder,
  fulfillmentData,
  inventoryItemOf,
  refreshOrder,
  statusOf,
  type FulfillmentHoldReason,
  type FulfillmentOrderRec,
  type UserErr,
} from './fulfillment-state';

/** A hold on a whole fulfillment order (the merchant's "hold fulfillment", or an app's). */
export function holdFulfillmentOrder(
  s: ShopState,
  id: number,
  hold: { reason: FulfillmentHoldReason; reasonNotes?: string | null; handle?: string | null },
  heldByApp: boolean,
): { fo: FulfillmentOrderRec | null; userErrors: UserErr[] } {
  const hit = findFulfillmentOrder(s, id);
  if (!hit) return { fo: null, userErrors: [{ field: ['id'], message: 'Fulfillment order does not exist.' }] };
  const { o, fo } = hit;
  if (fo.status === 'CLOSED' || fo.status === 'CANCELLED')
    return {
      fo: null,
      userErrors: [{ field: ['id'], message: `Fulfillment order ${fo.id} has an unholdable status= ${fo.status.toLowerCase()}.` }],
    };
  fo.holds.push({ id: s.newId(), reason: hold.reason, reasonNotes: hold.reasonNotes ?? null, handle: hold.handle ?? null, heldByApp });
  fo.status = statusOf(fo);
  fo.updatedAt = s.now();
  refreshOrder(s, o);
  return { fo, userErrors: [] };
}

export function releaseHolds(
  s: ShopState,
  id: number,
  holdIds?: number[] | null,
): { fo: FulfillmentOrderRec | null; userErrors: UserErr[] } {
  const hit = findFulfillmentOrder(s, id);
  if (!hit) return { fo: null, userErrors: [{ field: ['id'], message: 'Fulfillment order does not exist.' }] };
  const { o, fo } = hit;
  if (fo.holds.length === 0) return { fo: null, userErrors: [{ field: ['id'], message: 'The fulfillment order is not on hold.' }] };
  fo.holds = holdIds ? fo.holds.filter((h) => !holdIds.includes(h.id)) : [];
  fo.status = statusOf(fo);
  fo.updatedAt = s.now();
  refreshOrder(s, o);
  return { fo, userErrors: [] };
}

/**
 * Assigns a fulfillment order to a third-party fulfillment service (its own location), as a
 * merchant moving it there would; `accept` stands for the service accepting the request.
 */
export function assignToService(s: ShopState, id: number, opts: { name?: string; accept?: boolean } = {}): FulfillmentOrderRec {
  const hit = findFulfillmentOrder(s, id);
  if (!hit) throw new Error(`fulfillment order ${id} does not exist`);
  const d = fulfillmentData(s);
  const name = opts.name ?? 'Third-party warehouse';
  let svc = Object.values(d.services).find((x) => x.name === name);
  if (!svc) {
    const loc = s.addLocation({ name, fulfillsOnlineOrders: true });
    svc = { id: s.newId(), name, handle: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), locationId: loc.id };
    d.services[svc.id] = svc;
  }
  // The units left to ship are committed where the fulfillment order is assigned: they move along.
  for (const x of hit.fo.lines) {
    const l = hit.o.lineItems.find((li) => li.id === x.lineItemId);
    const item = l ? inventoryItemOf(s, l) : undefined;
    if (!item || x.remainingQuantity === 0) continue;
    if (hit.fo.locationId != null) s.commit(item, hit.fo.locationId, -x.remainingQuantity);
    s.commit(item, svc.locationId, x.remainingQuantity);
  }
  hit.fo.serviceId = svc.id;
  hit.fo.locationId = svc.locationId;
  hit.fo.requestStatus = opts.accept ? 'ACCEPTED' : 'UNSUBMITTED';
  hit.fo.status = statusOf(hit.fo);
  hit.fo.updatedAt = s.now();
  refreshOrder(s, hit.o);
  return hit.fo;
}
