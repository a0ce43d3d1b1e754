import { gid, parseGid } from './ids';
import type { ShopState } from './state';
import { createFulfillment, fulfillmentOrdersOf, type FulfillmentHoldReason, type TrackingInputArg } from './fulfillment-state';
import { assignToService, holdFulfillmentOrder, releaseHolds } from './fulfillment-holds';

const HOLD_REASONS = [
  'AWAITING_PAYMENT',
  'AWAITING_RETURN_ITEMS',
  'HIGH_RISK_OF_FRAUD',
  'INCORRECT_ADDRESS',
  'INVENTORY_OUT_OF_STOCK',
  'ONLINE_STORE_POST_PURCHASE_CROSS_SELL',
  'OTHER',
  'UNKNOWN_DELIVERY_DATE',
];

/**
 * Control endpoints standing for what the merchant (or a fulfillment service) does in Shopify's
 * admin, for tests and demos driving a simulator in another process:
 *   POST /_sim/fulfillment-orders/<id>/hold            { reason?, reasonNotes? }     merchant holds it
 *   POST /_sim/fulfillment-orders/<id>/release-hold                                  all holds released
 *   POST /_sim/fulfillment-orders/<id>/assign-service  { name?, accept? }           moved to a third-party service
 *   POST /_sim/orders/<id>/fulfill                     { tracking?: { company, number, url } }  "Mark as fulfilled"
 * `<id>` is a GID or a number.
 */
export function handleFulfillmentControl(
  state: ShopState,
  path: string,
  body: Record<string, unknown>,
  reply: (status: number, body: unknown) => void,
): void {
  const idOf = (raw: string, type: string): number => {
    const v = decodeURIComponent(raw);
    const n = /^\d+$/.test(v) ? Number(v) : parseGid(v, type);
    if (n == null) throw new Error(`${type} id ${v} is not valid`);
    return n;
  };
  let m = /^\/_sim\/fulfillment-orders\/([^/]+)\/(hold|release-hold|assign-service)$/.exec(path);
  if (m) {
    const id = idOf(m[1] as string, 'FulfillmentOrder');
    if (m[2] === 'assign-service') {
      const fo = assignToService(state, id, { name: typeof body.name === 'string' ? body.name : undefined, accept: body.accept === true });
      return reply(200, {
        id: gid('FulfillmentOrder', fo.id),
        status: fo.status,
        requestStatus: fo.requestStatus,
        locationId: gid('Location', fo.locationId ?? 0),
      });
    }
    const reason = (body.reason ?? 'OTHER') as FulfillmentHoldReason;
    if (!HOLD_REASONS.includes(reason)) return reply(400, { error: `unknown hold reason ${String(reason)}` });
    const r =
      m[2] === 'hold'
        ? holdFulfillmentOrder(state, id, { reason, reasonNotes: (body.reasonNotes as string | undefined) ?? null }, false)
        : releaseHolds(state, id);
    if (!r.fo) return reply(422, { error: r.userErrors[0]?.message });
    return reply(200, { id: gid('FulfillmentOrder', r.fo.id), status: r.fo.status });
  }
  m = /^\/_sim\/orders\/([^/]+)\/fulfill$/.exec(path);
  if (m) {
    const o = state.order(idOf(m[1] as string, 'Order'));
    if (!o) return reply(422, { error: 'order does not exist' });
    const open = fulfillmentOrdersOf(state, o).filter((f) => f.status === 'OPEN' || f.status === 'IN_PROGRESS');
    const created: string[] = [];
    // One fulfillment per location, as the admin's "Mark as fulfilled" does.
    for (const fo of open) {
      const r = createFulfillment(state, {
        lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: gid('FulfillmentOrder', fo.id) }],
        trackingInfo: (body.tracking as TrackingInputArg | undefined) ?? null,
      });
      if (!r.fulfillment) return reply(422, { error: r.userErrors[0]?.message, created });
      created.push(gid('Fulfillment', r.fulfillment.id));
    }
    return reply(200, { fulfillments: created, displayFulfillmentStatus: o.fulfillmentStatus });
  }
  return reply(404, { error: `unknown control endpoint ${path}` });
}
