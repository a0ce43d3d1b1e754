/**
 * Fulfillment orders and fulfillments as state (order-to-cash §3): what is left to ship per
 * assigned location, holds, assignment to a third-party fulfillment service, fulfillments with
 * tracking, and the inventory effect of shipping (`committed` and `on_hand` down, `available`
 * untouched: the units were already taken from `available` when the order committed them).
 *
 * Fulfillment orders are made the first time an order's fulfillment is looked at, one per location
 * its lines were committed at, with ids derived from the order (so a read never shifts the shop's
 * id sequence and older state files get the same ids). Refunds and edits that remove unfulfilled
 * units are followed on every access: remaining quantities never exceed what the line still has.
 */
import { gid } from './ids';
import type { LineItemRec, OrderRec, ShopState } from './state';

export type FulfillmentOrderStatus = 'OPEN' | 'IN_PROGRESS' | 'ON_HOLD' | 'CLOSED' | 'CANCELLED' | 'INCOMPLETE' | 'SCHEDULED';
export type FulfillmentHoldReason =
  | 'AWAITING_PAYMENT'
  | 'AWAITING_RETURN_ITEMS'
  | 'HIGH_RISK_OF_FRAUD'
  | 'INCORRECT_ADDRESS'
  | 'INVENTORY_OUT_OF_STOCK'
  | 'ONLINE_STORE_POST_PURCHASE_CROSS_SELL'
  | 'OTHER'
  | 'UNKNOWN_DELIVERY_DATE';

export interface FulfillmentOrderLineRec {
  /** Same number as the order line item's id (one fulfillment order line per line item here). */
  id: number;
  lineItemId: number;
  totalQuantity: number;
  remainingQuantity: number;
}

export interface FulfillmentHoldRec {
  id: number;
  reason: FulfillmentHoldReason;
  reasonNotes: string | null;
  handle: string | null;
  heldByApp: boolean;
}

export interface FulfillmentServiceRec {
  id: number;
  name: string;
  handle: string;
  locationId: number;
}

export interface FulfillmentOrderRec {
  id: number;
  orderId: number;
  locationId: number | null;
  /** CANCELLED is set when the order is cancelled; the other statuses follow from the lines and holds. */
  status: FulfillmentOrderStatus;
  requestStatus:
    | 'ACCEPTED'
    | 'CANCELLATION_ACCEPTED'
    | 'CANCELLATION_REJECTED'
    | 'CANCELLATION_REQUESTED'
    | 'CLOSED'
    | 'REJECTED'
    | 'SUBMITTED'
    | 'UNSUBMITTED';
  serviceId: number | null;
  holds: FulfillmentHoldRec[];
  lines: FulfillmentOrderLineRec[];
  createdAt: string;
  updatedAt: string;
}

export interface TrackingRec {
  company: string | null;
  number: string | null;
  url: string | null;
}

export interface FulfillmentRec {
  id: number;
  orderId: number;
  name: string;
  status: 'SUCCESS' | 'CANCELLED';
  locationId: number | null;
  tracking: TrackingRec[];
  notifyCustomer: boolean;
  lines: { id: number; lineItemId: number; fulfillmentOrderId: number; quantity: number }[];
  createdAt: string;
  updatedAt: string;
}

export interface FulfillmentData {
  fulfillmentOrders: Record<string, FulfillmentOrderRec>;
  fulfillments: Record<string, FulfillmentRec>;
  services: Record<string, FulfillmentServiceRec>;
  /** Order id → its fulfillment order ids and fulfillment ids (reads stay per order, not per shop). */
  byOrder: Record<string, { fulfillmentOrders: number[]; fulfillments: number[] }>;
}

export interface UserErr {
  field: string[] | null;
  message: string;
}

export function fulfillmentData(s: ShopState): FulfillmentData {
  s.data.fulfillment ??= { fulfillmentOrders: {}, fulfillments: {}, services: {}, byOrder: {} };
  return s.data.fulfillment;
}

export function inventoryItemOf(s: ShopState, l: LineItemRec) {
  return l.variantId != null ? s.inventoryItem(s.variant(l.variantId)?.inventoryItemId ?? -1) : undefined;
}

/** Units of a line item shipped by fulfillments that are not cancelled. */
export function fulfilledUnits(s: ShopState, orderId: number, lineItemId: number): number {
  const d = fulfillmentData(s);
  let n = 0;
  for (const fid of d.byOrder[orderId]?.fulfillments ?? []) {
    const f = d.fulfillments[fid];
    if (f?.status === 'SUCCESS') for (const l of f.lines) if (l.lineItemId === lineItemId) n += l.quantity;
  }
  return n;
}

/** The order's fulfillment orders, made on first use and brought in line with the order. */
export function fulfillmentOrdersOf(s: ShopState, o: OrderRec): FulfillmentOrderRec[] {
  const d = fulfillmentData(s);
  let idx = d.byOrder[o.id];
  if (!idx) {
    idx = { fulfillmentOrders: [], fulfillments: [] };
    const groups = new Map<number | null, LineItemRec[]>();
    for (const l of o.lineItems) {
      if (!l.requiresShipping) continue;
      groups.set(l.locationId, [...(groups.get(l.locationId) ?? []), l]);
    }
    let i = 0;
    for (const [locationId, lines] of groups) {
      const fo: FulfillmentOrderRec = {
        id: o.id * 100 + ++i,
        orderId: o.id,
        locationId,
        status: 'OPEN',
        requestStatus: 'UNSUBMITTED',
        serviceId: null,
        holds: [],
        lines: lines.map((l) => ({ id: l.id, lineItemId: l.id, totalQuantity: l.currentQuantity, remainingQuantity: l.currentQuantity })),
        createdAt: o.createdAt,
        updatedAt: o.createdAt,
      };
      d.fulfillmentOrders[fo.id] = fo;
      idx.fulfillmentOrders.push(fo.id);
    }
    d.byOrder[o.id] = idx;
  }
  const fos = idx.fulfillmentOrders.map((id) => d.fulfillmentOrders[id]).filter((f): f is FulfillmentOrderRec => !!f);
  reconcile(s, o, fos);
  return fos;
}

/** Removed units (refunds, edits) come off what is left to ship; a cancelled order ships nothing. */
function reconcile(s: ShopState, o: OrderRec, fos: FulfillmentOrderRec[]): void {
  let cutAny = false;
  for (const l of o.lineItems) {
    let excess =
      fos.reduce((n, f) => n + f.lines.filter((x) => x.lineItemId === l.id).reduce((m, x) => m + x.remainingQuantity, 0), 0) -
      Math.max(0, l.currentQuantity - fulfilledUnits(s, o.id, l.id));
    for (let i = fos.length - 1; i >= 0 && excess > 0; i--) {
      for (const x of fos[i]!.lines) {
        if (x.lineItemId !== l.id || excess <= 0) continue;
        const cut = Math.min(excess, x.remainingQuantity);
        x.remainingQuantity -= cut;
        x.totalQuantity -= cut;
        excess -= cut;
        cutAny ||= cut > 0;
      }
    }
  }
  for (const f of fos) {
    if (o.cancelledAt && f.status !== 'CLOSED') {
      f.status = 'CANCELLED';
      for (const x of f.lines) x.remainingQuantity = 0;
    }
    if (f.status !== 'CANCELLED') f.status = statusOf(f);
  }
  // Refunding the last unshipped units of a partly shipped order leaves it fulfilled; the refund
  // itself bumped updatedAt and sent its events.
  if (cutAny && !o.cancelledAt) o.fulfillmentStatus = displayStatusOf(s, o, fos);
}

function displayStatusOf(s: ShopState, o: OrderRec, fos: FulfillmentOrderRec[]): OrderRec['fulfillmentStatus'] {
  const shipped = o.lineItems.some((l) => fulfilledUnits(s, o.id, l.id) > 0);
  const left = fos.some((f) => f.lines.some((x) => x.remainingQuantity > 0));
  const open = fos.filter((f) => f.status !== 'CLOSED' && f.status !== 'CANCELLED');
  return shipped
    ? left
      ? 'PARTIALLY_FULFILLED'
      : 'FULFILLED'
    : open.length > 0 && open.every((f) => f.status === 'ON_HOLD')
      ? 'ON_HOLD'
      : 'UNFULFILLED';
}

export function statusOf(f: FulfillmentOrderRec): FulfillmentOrderStatus {
  if (f.lines.every((x) => x.remainingQuantity === 0)) return 'CLOSED';
  if (f.holds.length > 0) return 'ON_HOLD';
  if (f.lines.some((x) => x.remainingQuantity < x.totalQuantity) || f.requestStatus === 'ACCEPTED') return 'IN_PROGRESS';
  return 'OPEN';
}

export function fulfillmentsOf(s: ShopState, o: OrderRec): FulfillmentRec[] {
  fulfillmentOrdersOf(s, o);
  const d = fulfillmentData(s);
  return (d.byOrder[o.id]?.fulfillments ?? []).map((id) => d.fulfillments[id]).filter((f): f is FulfillmentRec => !!f);
}

export function findFulfillmentOrder(s: ShopState, id: number): { o: OrderRec; fo: FulfillmentOrderRec } | null {
  const o = s.order(Math.floor(id / 100));
  if (!o) return null;
  const fo = fulfillmentOrdersOf(s, o).find((f) => f.id === id);
  return fo ? { o, fo } : null;
}

export function findFulfillment(s: ShopState, id: number): { o: OrderRec; f: FulfillmentRec } | null {
  const f = fulfillmentData(s).fulfillments[id];
  const o = f ? s.order(f.orderId) : undefined;
  return f && o ? { o, f } : null;
}

/** displayFulfillmentStatus from what has shipped and what is left (cancelled orders keep theirs). */
export function refreshOrder(s: ShopState, o: OrderRec): void {
  const fos = fulfillmentOrdersOf(s, o);
  if (!o.cancelledAt) {
    const before = o.fulfillmentStatus;
    o.fulfillmentStatus = displayStatusOf(s, o, fos);
    if (before !== o.fulfillmentStatus && o.fulfillmentStatus === 'FULFILLED') s.emit('orders/fulfilled', gid('Order', o.id));
    if (before !== o.fulfillmentStatus && o.fulfillmentStatus === 'PARTIALLY_FULFILLED')
      s.emit('orders/partially_fulfilled', gid('Order', o.id));
  }
  o.updatedAt = s.now();
  s.emit('orders/updated', gid('Order', o.id));
}

/** Ships (`sign` −1) or takes back (`sign` +1) units at a location: committed and on_hand move together. */
function moveShipped(s: ShopState, o: OrderRec, locationId: number | null, lineItemId: number, qty: number, sign: 1 | -1): void {
  const l = o.lineItems.find((x) => x.id === lineItemId);
  const item = l ? inventoryItemOf(s, l) : undefined;
  const level = item && locationId != null ? item.levels[locationId] : undefined;
  if (!item || !level || !item.tracked) return;
  const now = s.now();
  level.quantities.committed = (level.quantities.committed ?? 0) + sign * qty;
  level.quantities.on_hand = (level.quantities.on_hand ?? 0) + sign * qty;
  level.quantityUpdatedAt.committed = now;
  level.quantityUpdatedAt.on_hand = now;
  level.updatedAt = now;
  item.updatedAt = now;
}

export interface FulfillmentInputArg {
  lineItemsByFulfillmentOrder: { fulfillmentOrderId: string; fulfillmentOrderLineItems?: { id: string; quantity: number }[] | null }[];
  notifyCustomer?: boolean | null;
  trackingInfo?: TrackingInputArg | null;
  originAddress?: unknown;
}

export interface TrackingInputArg {
  company?: string | null;
  number?: string | null;
  numbers?: string[] | null;
  url?: string | null;
  urls?: string[] | null;
}

export function trackingOf(t: TrackingInputArg | null | undefined): TrackingRec[] {
  if (!t) return [];
  const numbers = t.numbers ?? (t.number != null ? [t.number] : []);
  const urls = t.urls ?? (t.url != null ? [t.url] : []);
  if (numbers.length === 0) return urls.length || t.company ? [{ company: t.company ?? null, number: null, url: urls[0] ?? null }] : [];
  return numbers.map((n, i) => ({ company: t.company ?? null, number: n, url: urls[i] ?? null }));
}

const parseNum = (value: string, type: string): number | null => {
  const m = new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(value);
  return m ? Number(m[1]) : null;
};

/**
 * fulfillmentCreate with Shopify's checks: every fulfillment order exists, belongs to one order
 * and one location, can be fulfilled by this app (not closed, on hold, cancelled or assigned to a
 * fulfillment service), and no line asks for more than its remaining quantity. Nothing changes on
 * an error. Messages follow those Shopify is reported to send; the service one is unconfirmed.
 */
export function createFulfillment(s: ShopState, input: FulfillmentInputArg): { fulfillment: FulfillmentRec | null; userErrors: UserErr[] } {
  const fail = (message: string, field: string[] = ['fulfillment']): { fulfillment: null; userErrors: UserErr[] } => ({
    fulfillment: null,
    userErrors: [{ field, message }],
  });
  const groups = input.lineItemsByFulfillmentOrder;
  if (groups.length === 0)
    return fail('Line items by fulfillment order must contain at least one fulfillment order.', [
      'fulfillment',
      'lineItemsByFulfillmentOrder',
    ]);
  const plan: { fo: FulfillmentOrderRec; line: FulfillmentOrderLineRec; qty: number }[] = [];
  let order: OrderRec | null = null;
  let locationId: number | null | undefined;
  for (const [gi, g] of groups.entries()) {
    const field = ['fulfillment', 'lineItemsByFulfillmentOrder', String(gi), 'fulfillmentOrderId'];
    const hit = findFulfillmentOrder(s, parseNum(g.fulfillmentOrderId, 'FulfillmentOrder') ?? -1);
    if (!hit) return fail('Fulfillment order does not exist.', field);
    const { o, fo } = hit;
    if (order && order.id !== o.id) return fail('All fulfillment orders must belong to the same order.', field);
    if (locationId !== undefined && locationId !== fo.locationId)
      return fail('All fulfillment orders must be assigned to the same location.', field);
    order = o;
    locationId = fo.locationId;
    if (
      fo.status === 'CLOSED' ||
      fo.status === 'CANCELLED' ||
      fo.status === 'ON_HOLD' ||
      fo.status === 'INCOMPLETE' ||
      fo.status === 'SCHEDULED'
    ) {
      return fail(`Fulfillment order ${fo.id} has an unfulfillable status= ${fo.status.toLowerCase()}.`, field);
    }
    if (fo.serviceId != null && fo.requestStatus !== 'ACCEPTED') {
      const svc = fulfillmentData(s).services[fo.serviceId];
      return fail(
        `Fulfillment order ${fo.id} is assigned to the fulfillment service '${svc?.name ?? 'unknown'}' and cannot be fulfilled by this app.`,
        field,
      );
    }
    const wanted =
      g.fulfillmentOrderLineItems ??
      fo.lines
        .filter((x) => x.remainingQuantity > 0)
        .map((x) => ({ id: gid('FulfillmentOrderLineItem', x.id), quantity: x.remainingQuantity }));
    for (const [li, w] of wanted.entries()) {
      const line = fo.lines.find((x) => x.id === parseNum(w.id, 'FulfillmentOrderLineItem'));
      const lineField = ['fulfillment', 'lineItemsByFulfillmentOrder', String(gi), 'fulfillmentOrderLineItems', String(li)];
      if (!line) return fail('Fulfillment order line item does not exist.', [...lineField, 'id']);
      const already = plan.filter((p) => p.line === line).reduce((n, p) => n + p.qty, 0);
      if (w.quantity <= 0 || w.quantity + already > line.remainingQuantity)
        return fail('Invalid fulfillment order line item quantity requested.', [...lineField, 'quantity']);
      plan.push({ fo, line, qty: w.quantity });
    }
  }
  if (!order || plan.length === 0) return fail('Invalid fulfillment order line item quantity requested.');
  const o = order;
  const d = fulfillmentData(s);
  const now = s.now();
  const count = d.byOrder[o.id]!.fulfillments.length;
  const f: FulfillmentRec = {
    id: s.newId(),
    orderId: o.id,
    name: `${o.name}.${count + 1}`,
    status: 'SUCCESS',
    locationId: locationId ?? null,
    tracking: trackingOf(input.trackingInfo),
    notifyCustomer: input.notifyCustomer ?? false,
    lines: [],
    createdAt: now,
    updatedAt: now,
  };
  for (const p of plan) {
    p.line.remainingQuantity -= p.qty;
    p.fo.updatedAt = now;
    f.lines.push({ id: s.newId(), lineItemId: p.line.lineItemId, fulfillmentOrderId: p.fo.id, quantity: p.qty });
    moveShipped(s, o, p.fo.locationId, p.line.lineItemId, p.qty, -1);
  }
  d.fulfillments[f.id] = f;
  d.byOrder[o.id]!.fulfillments.push(f.id);
  for (const fo of new Set(plan.map((p) => p.fo))) fo.status = statusOf(fo);
  s.emit('fulfillments/create', gid('Fulfillment', f.id));
  refreshOrder(s, o);
  return { fulfillment: f, userErrors: [] };
}

export function updateTracking(
  s: ShopState,
  fulfillmentId: string,
  t: TrackingInputArg,
  notifyCustomer: boolean | null | undefined,
): { fulfillment: FulfillmentRec | null; userErrors: UserErr[] } {
  const hit = findFulfillment(s, parseNum(fulfillmentId, 'Fulfillment') ?? -1);
  if (!hit) return { fulfillment: null, userErrors: [{ field: ['fulfillmentId'], message: 'Fulfillment does not exist.' }] };
  if (hit.f.status === 'CANCELLED')
    return {
      fulfillment: null,
      userErrors: [{ field: ['fulfillmentId'], message: 'Tracking information cannot be updated on a cancelled fulfillment.' }],
    };
  hit.f.tracking = trackingOf(t);
  if (notifyCustomer != null) hit.f.notifyCustomer = notifyCustomer;
  hit.f.updatedAt = s.now();
  s.emit('fulfillments/update', gid('Fulfillment', hit.f.id));
  refreshOrder(s, hit.o);
  return { fulfillment: hit.f, userErrors: [] };
}

/** fulfillmentCancel: the units go back to their fulfillment orders (and to committed/on_hand). */
export function cancelFulfillment(s: ShopState, id: string): { fulfillment: FulfillmentRec | null; userErrors: UserErr[] } {
  const hit = findFulfillment(s, parseNum(id, 'Fulfillment') ?? -1);
  if (!hit) return { fulfillment: null, userErrors: [{ field: ['id'], message: 'Fulfillment does not exist.' }] };
  const { o, f } = hit;
  if (f.status === 'CANCELLED') return { fulfillment: null, userErrors: [{ field: ['id'], message: 'Fulfillment is already cancelled.' }] };
  if (o.cancelledAt)
    return { fulfillment: null, userErrors: [{ field: ['id'], message: 'Fulfillment cannot be cancelled: the order is cancelled.' }] };
  const d = fulfillmentData(s);
  const now = s.now();
  for (const l of f.lines) {
    const fo = d.fulfillmentOrders[l.fulfillmentOrderId];
    const line = fo?.lines.find((x) => x.lineItemId === l.lineItemId);
    if (!fo || !line) continue;
    line.remainingQuantity += l.quantity;
    fo.updatedAt = now;
    fo.status = statusOf(fo);
    moveShipped(s, o, fo.locationId, l.lineItemId, l.quantity, 1);
  }
  f.status = 'CANCELLED';
  f.updatedAt = now;
  s.emit('fulfillments/update', gid('Fulfillment', f.id));
  refreshOrder(s, o);
  return { fulfillment: f, userErrors: [] };
}
