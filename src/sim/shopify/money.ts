import { GraphQLError } from 'graphql';
import { gid, parseGid } from './ids';
import { orderTotals, type LineItemRec, type OrderRec, type RefundRec, type ShopState } from './state';
import { EPS, addTx, financialStatusOf, fmt, gatewayOf, ledgerSums, refundableOf, txs, type TransactionRec } from './money-ledger';
import type { UserErr } from './mutations';

/**
 * Money events on orders (refunds, mark as paid, capture, cancel), shared by the GraphQL
 * mutations and the simulator's test helpers so both write the same records.
 */

export type RestockType = 'CANCEL' | 'NO_RESTOCK' | 'RETURN';

export interface RefundInputArg {
  orderId: string;
  note?: string | null;
  notify?: boolean | null;
  processedAt?: string | null;
  currency?: string | null;
  allowOverRefunding?: boolean | null;
  discrepancyReason?: string | null;
  refundLineItems?: { lineItemId: string; quantity: number; restockType?: string | null; locationId?: string | null }[] | null;
  shipping?: { amount?: string | null; fullRefund?: boolean | null } | null;
  transactions?: { amount: string; gateway: string; kind: string; orderId: string; parentId?: string | null }[] | null;
  refundDuties?: unknown[] | null;
  refundMethods?: unknown[] | null;
}

const r2 = (n: number): number => Math.round(n * 100) / 100;

export function unitNet(l: LineItemRec): number {
  return l.quantity ? (Number(l.unitPrice) * l.quantity - Number(l.discount)) / l.quantity : 0;
}

export function unitTax(l: LineItemRec): number {
  return l.quantity ? l.taxLines.reduce((s, t) => s + Number(t.amount), 0) / l.quantity : 0;
}

function itemOf(state: ShopState, l: LineItemRec) {
  return l.variantId != null ? state.inventoryItem(state.variant(l.variantId)?.inventoryItemId ?? -1) : undefined;
}

/** Shipping subtotal (and its tax) refunded so far, per shipping line. */
function shippingRefunded(o: OrderRec): Map<number, { subtotal: number; tax: number }> {
  const m = new Map<number, { subtotal: number; tax: number }>();
  for (const r of o.refunds) {
    for (const s of r.shipping ?? []) {
      const hit = m.get(s.shippingLineId) ?? { subtotal: 0, tax: 0 };
      hit.subtotal += Number(s.subtotal);
      hit.tax += Number(s.tax);
      m.set(s.shippingLineId, hit);
    }
  }
  return m;
}

/** Every money figure of an order, derived from lines, refunds and the ledger. */
export function orderMoney(o: OrderRec, nowIso: string) {
  const t = orderTotals(o);
  const sums = ledgerSums(o, nowIso);
  let shipSub = 0;
  let shipTax = 0;
  for (const v of shippingRefunded(o).values()) {
    shipSub += v.subtotal;
    shipTax += v.tax;
  }
  const cancelled = o.cancelledAt != null;
  const currentShipping = cancelled ? 0 : t.current.shipping - shipSub;
  const currentTotal = cancelled ? t.current.total : t.current.total - shipSub - (o.taxesIncluded ? 0 : shipTax);
  const adjustments = o.refunds.reduce((s, r) => s + (r.adjustments ?? []).reduce((a, x) => a + Number(x.amount), 0), 0);
  const net = sums.received - sums.refunded;
  return {
    total: t.original.total,
    currentTotal: r2(currentTotal),
    currentShipping: r2(currentShipping),
    refundedShipping: r2(shipSub),
    received: sums.received,
    refunded: sums.refunded,
    refundPending: sums.refundPending,
    capturable: sums.capturable,
    net: r2(net),
    adjustments: r2(adjustments),
    outstanding: r2(currentTotal - net + adjustments),
  };
}

/** After a money event: the status follows the ledger and updatedAt moves (the order delta depends on it). */
export function settle(state: ShopState, o: OrderRec, cancelled = o.cancelledAt != null): void {
  const before = o.financialStatus;
  o.financialStatus = financialStatusOf(o, orderTotals(o).original.total, state.now(), cancelled);
  o.updatedAt = state.now();
  if (o.financialStatus === 'PAID' && before !== 'PAID') state.emit('orders/paid', gid('Order', o.id));
}

export function orderByGid(state: ShopState, value: string): OrderRec | undefined {
  return state.order(parseGid(value, 'Order') ?? -1);
}

export interface LinePlan {
  line: LineItemRec;
  quantity: number;
  restockType: RestockType;
  locationId: number | null;
  subtotal: number;
  tax: number;
}

export interface ShipPlan {
  shippingLineId: number;
  subtotal: number;
  tax: number;
}

/** Refund lines: quantities within what is still refundable, restock locations that stock the item. */
export function planLines(
  state: ShopState,
  o: OrderRec,
  input: RefundInputArg['refundLineItems'],
  errors: UserErr[],
  path = 'refundLineItems',
): LinePlan[] {
  const plans: LinePlan[] = [];
  const taken = new Map<number, number>();
  (input ?? []).forEach((x, i) => {
    const f = (k: string) => [path, String(i), k];
    const line = o.lineItems.find((l) => l.id === parseGid(x.lineItemId, 'LineItem'));
    if (!line) return errors.push({ field: f('lineItemId'), message: 'Line item does not exist on this order.' });
    if (x.quantity < 1) return errors.push({ field: f('quantity'), message: 'Quantity must be greater than 0.' });
    const used = (taken.get(line.id) ?? 0) + x.quantity;
    taken.set(line.id, used);
    if (used > line.currentQuantity)
      return errors.push({
        field: f('quantity'),
        message: `Quantity cannot refund more items than were purchased (${line.currentQuantity} refundable).`,
      });
    const restockType = (x.restockType ?? 'NO_RESTOCK') as RestockType | 'LEGACY_RESTOCK';
    if (restockType === 'LEGACY_RESTOCK')
      return errors.push({ field: f('restockType'), message: 'Restock type LEGACY_RESTOCK is not accepted when creating new refunds.' });
    let locationId: number | null = null;
    if (restockType !== 'NO_RESTOCK') {
      locationId = x.locationId ? parseGid(x.locationId, 'Location') : line.locationId;
      const loc = locationId != null ? state.location(locationId) : undefined;
      const item = itemOf(state, line);
      if (!loc) return errors.push({ field: f('locationId'), message: 'Location does not exist.' });
      if (!loc.isActive) return errors.push({ field: f('locationId'), message: 'Location is not active.' });
      if (!item) return errors.push({ field: f('restockType'), message: 'Line item cannot be restocked: it has no inventory item.' });
      if (!item.levels[loc.id]) return errors.push({ field: f('locationId'), message: 'The item is not stocked at the location.' });
    }
    plans.push({
      line,
      quantity: x.quantity,
      restockType,
      locationId,
      subtotal: unitNet(line) * x.quantity,
      tax: unitTax(line) * x.quantity,
    });
  });
  return plans;
}

/** Refund shipping: the full remainder, or an amount allocated over the shipping lines in order. */
export function planShipping(o: OrderRec, full: boolean, amount: number | null, errors: UserErr[], field: string[]): ShipPlan[] {
  const done = shippingRefunded(o);
  const rows = o.shippingLines.map((s) => {
    const price = Number(s.discountedPrice);
    const tax = s.taxLines.reduce((a, t) => a + Number(t.amount), 0);
    const left = Math.max(0, price - (done.get(s.id)?.subtotal ?? 0));
    return { s, price, tax, left };
  });
  const refundable = r2(rows.reduce((a, x) => a + x.left, 0));
  let want = full ? refundable : (amount ?? 0);
  if (want <= 0) return [];
  if (want > refundable + EPS) {
    errors.push({ field, message: `Shipping refund amount ${fmt(want)} exceeds the refundable shipping amount ${fmt(refundable)}.` });
    return [];
  }
  const out: ShipPlan[] = [];
  for (const x of rows) {
    const take = Math.min(x.left, want);
    if (take <= 0) continue;
    out.push({ shippingLineId: x.s.id, subtotal: take, tax: x.price ? (x.tax * take) / x.price : 0 });
    want -= take;
  }
  return out;
}

/** Money a line and shipping plan is worth to the customer (tax on top unless prices include it). */
export function planValue(
  o: OrderRec,
  lines: LinePlan[],
  ship: ShipPlan[],
): { subtotal: number; tax: number; shipping: number; shippingTax: number; amount: number } {
  const subtotal = lines.reduce((a, l) => a + l.subtotal, 0);
  const tax = lines.reduce((a, l) => a + l.tax, 0);
  const shipping = ship.reduce((a, s) => a + s.subtotal, 0);
  const shippingTax = ship.reduce((a, s) => a + s.tax, 0);
  const amount = subtotal + shipping + (o.taxesIncluded ? 0 : tax + shippingTax);
  return { subtotal: r2(subtotal), tax: r2(tax), shipping: r2(shipping), shippingTax: r2(shippingTax), amount: r2(amount) };
}

/** How a refund amount is spread over the payments received: in payment order, each up to what it can still give back. */
export function allocate(o: OrderRec, amount: number): { parent: TransactionRec; amount: number }[] {
  const out: { parent: TransactionRec; amount: number }[] = [];
  let left = r2(amount);
  for (const p of txs(o)) {
    if (left <= 0) break;
    const can = refundableOf(o, p);
    if (can <= 0) continue;
    const take = Math.min(can, left);
    out.push({ parent: p, amount: r2(take) });
    left = r2(left - take);
  }
  return out;
}

/**
 * refundCreate: validates everything first (a failed call changes nothing), then records the
 * refund, its REFUND transactions, restocks and the order's new figures. Without `transactions`
 * no money moves, exactly as on Shopify (suggestedRefund tells what to pass).
 */
export function createRefund(
  state: ShopState,
  input: RefundInputArg,
): { refund: RefundRec | null; order: OrderRec | null; userErrors: UserErr[] } {
  if (input.refundDuties?.length) throw notImplemented('RefundInput.refundDuties (duties are not modelled)');
  if (input.refundMethods?.length) throw notImplemented('RefundInput.refundMethods (store credit refunds)');
  const o = orderByGid(state, input.orderId);
  if (!o) return { refund: null, order: null, userErrors: [{ field: ['orderId'], message: 'Order does not exist.' }] };
  const errors: UserErr[] = [];
  if (input.currency && input.currency !== o.currencyCode)
    errors.push({
      field: ['currency'],
      message: `Currency must be the order's currency ${o.currencyCode} (the simulator has no presentment currencies).`,
    });
  const lines = planLines(state, o, input.refundLineItems, errors);
  const ship = input.shipping
    ? planShipping(o, !!input.shipping.fullRefund, input.shipping.amount != null ? Number(input.shipping.amount) : null, errors, [
        'shipping',
        'amount',
      ])
    : [];
  const planned = new Map<number, number>();
  const txPlan: { parent: TransactionRec; amount: number; gateway: string }[] = [];
  (input.transactions ?? []).forEach((t, i) => {
    const f = (k: string) => ['transactions', String(i), k];
    if (t.kind !== 'REFUND') return errors.push({ field: f('kind'), message: 'Transactions of a refund must be of kind REFUND.' });
    if (parseGid(t.orderId, 'Order') !== o.id)
      return errors.push({ field: f('orderId'), message: 'Transaction order does not match the refund order.' });
    const amount = Number(t.amount);
    if (!(amount > 0)) return errors.push({ field: f('amount'), message: 'Amount must be greater than 0.' });
    let parent: TransactionRec | undefined;
    if (t.parentId) {
      parent = txs(o).find((x) => x.id === parseGid(t.parentId, 'OrderTransaction'));
      if (!parent || !((parent.kind === 'SALE' || parent.kind === 'CAPTURE') && parent.status === 'SUCCESS'))
        return errors.push({ field: f('parentId'), message: 'Parent transaction must be a successful sale or capture of this order.' });
      if (parent.gateway !== t.gateway)
        return errors.push({ field: f('gateway'), message: `Gateway must match the parent transaction's gateway (${parent.gateway}).` });
    } else {
      parent = txs(o).find((x) => x.gateway === t.gateway && refundableOf(o, x) - (planned.get(x.id) ?? 0) >= amount - EPS);
      if (!parent) return errors.push({ field: f('gateway'), message: `No payment on gateway ${t.gateway} can refund ${fmt(amount)}.` });
    }
    const max = r2(refundableOf(o, parent) - (planned.get(parent.id) ?? 0));
    if (amount > max + EPS)
      return errors.push({
        field: f('amount'),
        message: `Refund amount ${fmt(amount)} is greater than the refundable amount ${fmt(max)} of transaction ${gid('OrderTransaction', parent.id)}.`,
      });
    planned.set(parent.id, (planned.get(parent.id) ?? 0) + amount);
    txPlan.push({ parent, amount, gateway: t.gateway });
  });
  if (!errors.length && !lines.length && !ship.length && !txPlan.length)
    errors.push({ field: null, message: 'A refund needs line items, shipping or transactions.' });
  if (errors.length) return { refund: null, order: null, userErrors: errors };

  const now = state.now();
  const newId = () => state.newId();
  for (const p of lines) {
    p.line.currentQuantity -= p.quantity;
    restock(state, p);
  }
  const created = txPlan.map((t) =>
    addTx(
      o,
      {
        kind: 'REFUND',
        status: gatewayOf(state.data.paymentGateways, t.gateway).refundStatus ?? 'SUCCESS',
        gateway: t.gateway,
        amount: fmt(t.amount),
        parentId: t.parent.id,
        processedAt: input.processedAt ?? now,
      },
      newId,
      now,
    ),
  );
  const value = planValue(o, lines, ship);
  const actual = created.filter((t) => t.status === 'SUCCESS' || t.status === 'PENDING').reduce((a, t) => a + Number(t.amount), 0);
  const diff = r2(value.amount - actual);
  const refund: RefundRec = {
    id: state.newId(),
    createdAt: now,
    processedAt: input.processedAt ?? now,
    note: input.note ?? null,
    amount: fmt(actual),
    lineItems: lines.map((p) => ({
      lineItemId: p.line.id,
      quantity: p.quantity,
      restock: p.restockType !== 'NO_RESTOCK',
      restockType: p.restockType,
      locationId: p.locationId,
      subtotal: fmt(p.subtotal),
      tax: fmt(p.tax),
    })),
    shipping: ship.map((s) => ({ shippingLineId: s.shippingLineId, subtotal: fmt(s.subtotal), tax: fmt(s.tax) })),
    transactionIds: created.map((t) => t.id),
    adjustments: Math.abs(diff) > EPS ? [{ id: state.newId(), amount: fmt(diff), reason: discrepancyReason(input.discrepancyReason) }] : [],
  };
  o.refunds.push(refund);
  settle(state, o);
  state.emit('refunds/create', gid('Refund', refund.id));
  state.emit('orders/updated', gid('Order', o.id));
  return { refund, order: o, userErrors: [] };
}

function discrepancyReason(input: string | null | undefined): string {
  return input === 'CUSTOMER' || input === 'DAMAGE' || input === 'RESTOCK' ? input : 'REFUND_DISCREPANCY';
}

/** CANCEL releases what the order had committed; RETURN brings goods back on hand and available. */
function restock(state: ShopState, p: LinePlan): void {
  if (p.restockType === 'NO_RESTOCK' || p.locationId == null) return;
  const item = itemOf(state, p.line);
  if (!item) return;
  if (p.restockType === 'CANCEL') state.commit(item, p.locationId, -p.quantity);
  else state.setQuantity(item, p.locationId, 'available', (item.levels[p.locationId]?.quantities.available ?? 0) + p.quantity);
}

export function notImplemented(what: string): GraphQLError {
  return new GraphQLError(`${what} is not implemented by the simulator.`, { extensions: { code: 'NOT_IMPLEMENTED' } });
}

/**
 * The simulator's own refund helper (sim.refundOrder): refunds lines with money back through the
 * payments received, as a merchant refunding from the admin does; `restock` means CANCEL.
 */
export function refundLinesWithMoney(
  state: ShopState,
  orderId: number,
  lines: { lineItemId: number; quantity: number; restock?: boolean }[],
  note?: string,
): RefundRec {
  const o = state.order(orderId);
  if (!o) throw new Error(`order ${orderId} does not exist`);
  const items = lines.map((l) => ({
    lineItemId: gid('LineItem', l.lineItemId),
    quantity: l.quantity,
    restockType: l.restock ? 'CANCEL' : 'NO_RESTOCK',
  }));
  const errors: UserErr[] = [];
  const value = planValue(o, planLines(state, o, items, errors), []);
  if (errors.length) throw new Error(errors.map((e) => e.message).join('; '));
  const transactions = allocate(o, value.amount).map((a) => ({
    amount: fmt(a.amount),
    gateway: a.parent.gateway,
    kind: 'REFUND',
    orderId: gid('Order', o.id),
    parentId: gid('OrderTransaction', a.parent.id),
  }));
  const r = createRefund(state, { orderId: gid('Order', o.id), note, refundLineItems: items, transactions });
  if (!r.refund) throw new Error(r.userErrors.map((e) => e.message).join('; '));
  return r.refund;
}
