import { gid, parseGid } from './ids';
import { orderTotals, type OrderRec, type RefundRec, type ShopState } from './state';
import { EPS, addTx, capturableOf, financialStatusOf, fmt, gatewayOf, txs, type TransactionRec, type TxStatus } from './money-ledger';
import { allocate, notImplemented, orderByGid, orderMoney, settle } from './money';
import type { UserErr } from './mutations';

/** Payments in and out besides refunds: mark as paid, capture, cancel, and a gateway settling a pending transaction. */

const r2 = (n: number): number => Math.round(n * 100) / 100;

/** Why an order cannot be marked as paid (Order.canMarkAsPaid is false exactly then), or null. */
export function markAsPaidBlocker(state: ShopState, o: OrderRec): string | null {
  if (o.cancelledAt) return 'Order cannot be marked as paid: it is cancelled.';
  if (o.financialStatus === 'PAID' || orderMoney(o, state.now()).outstanding <= EPS)
    return 'Order cannot be marked as paid: nothing is outstanding.';
  if (
    txs(o).some(
      (t) =>
        t.status === 'PENDING' && (t.kind === 'SALE' || t.kind === 'CAPTURE') && !gatewayOf(state.data.paymentGateways, t.gateway).manual,
    )
  ) {
    return 'Order cannot be marked as paid: it has pending payment transactions.';
  }
  return null;
}

/** orderMarkAsPaid: captures an open authorization, otherwise records a SALE for what is outstanding. */
export function markAsPaid(state: ShopState, orderId: string): { order: OrderRec | null; userErrors: UserErr[] } {
  const o = orderByGid(state, orderId);
  if (!o) return { order: null, userErrors: [{ field: ['input', 'id'], message: 'Order does not exist.' }] };
  const blocker = markAsPaidBlocker(state, o);
  if (blocker) return { order: null, userErrors: [{ field: ['input', 'id'], message: blocker }] };
  const m = orderMoney(o, state.now());
  const now = state.now();
  const newId = () => state.newId();
  let left = m.outstanding;
  for (const auth of txs(o).filter((t) => t.kind === 'AUTHORIZATION')) {
    const can = capturableOf(o, auth, now);
    if (can <= 0 || left <= 0) continue;
    const take = Math.min(can, left);
    addTx(o, { kind: 'CAPTURE', status: 'SUCCESS', gateway: auth.gateway, amount: fmt(take), parentId: auth.id }, newId, now);
    auth.closed = true;
    left = r2(left - take);
  }
  if (left > EPS) {
    const gateway = o.paymentGateways?.find((g) => gatewayOf(state.data.paymentGateways, g).manual) ?? 'manual';
    addTx(o, { kind: 'SALE', status: 'SUCCESS', gateway, amount: fmt(left), parentId: null }, newId, now);
    if (!o.paymentGateways?.includes(gateway)) o.paymentGateways = [...(o.paymentGateways ?? []), gateway];
  }
  settle(state, o);
  state.emit('orders/updated', gid('Order', o.id));
  return { order: o, userErrors: [] };
}

export interface CaptureInputArg {
  id: string;
  parentTransactionId: string;
  amount: string;
  currency?: string | null;
  finalCapture?: boolean | null;
}

/** orderCapture: at most what the authorization still holds; one capture closes it unless finalCapture is false on a multi-capturable gateway. */
export function capture(
  state: ShopState,
  input: CaptureInputArg,
): { transaction: TransactionRec | null; order: OrderRec | null; userErrors: UserErr[] } {
  const fail = (field: string, message: string) => ({ transaction: null, order: null, userErrors: [{ field: ['input', field], message }] });
  const o = orderByGid(state, input.id);
  if (!o) return fail('id', 'Order does not exist.');
  const auth = txs(o).find((t) => t.id === parseGid(input.parentTransactionId, 'OrderTransaction'));
  if (!auth || auth.kind !== 'AUTHORIZATION')
    return fail('parentTransactionId', 'Parent transaction must be an authorization of this order.');
  if (input.currency && input.currency !== o.currencyCode)
    return fail('currency', `Currency must be the order's currency ${o.currencyCode}.`);
  const amount = Number(input.amount);
  if (!(amount > 0)) return fail('amount', 'Amount must be greater than 0.');
  const now = state.now();
  const can = capturableOf(o, auth, now);
  if (can <= 0) return fail('parentTransactionId', 'The authorization is not capturable (captured, voided or expired).');
  if (amount > can + EPS) return fail('amount', `Amount ${fmt(amount)} is greater than the capturable amount ${fmt(can)}.`);
  const multi = multiCapturable(auth);
  if (input.finalCapture === false && !multi) return fail('finalCapture', 'finalCapture: false needs a multi-capturable authorization.');
  const status: TxStatus = gatewayOf(state.data.paymentGateways, auth.gateway).captureStatus ?? 'SUCCESS';
  const t = addTx(o, { kind: 'CAPTURE', status, gateway: auth.gateway, amount: fmt(amount), parentId: auth.id }, () => state.newId(), now);
  if (!(multi && input.finalCapture === false)) auth.closed = true;
  settle(state, o);
  state.emit('orders/updated', gid('Order', o.id));
  return { transaction: t, order: o, userErrors: [] };
}

export function multiCapturable(t: TransactionRec): boolean {
  return t.kind === 'AUTHORIZATION' && t.gateway === 'shopify_payments';
}

export interface CancelArgs {
  orderId: string;
  reason: OrderRec['cancelReason'];
  restock: boolean;
  refund?: boolean | null;
  refundMethod?: { originalPaymentMethodsRefund?: boolean | null; storeCreditRefund?: unknown } | null;
  staffNote?: string | null;
  notifyCustomer?: boolean | null;
}

/**
 * orderCancel: open authorizations are voided whatever `refund` says; with a refund, every
 * payment received is refunded in one refund (no line items); then the order is cancelled and,
 * with restock, what it committed is released.
 */
export function cancelWithMoney(
  state: ShopState,
  a: CancelArgs,
): { order: OrderRec | null; errors: { code: string; field: string[] | null; message: string }[] } {
  if (a.refundMethod?.storeCreditRefund) throw notImplemented('orderCancel refundMethod.storeCreditRefund');
  const o = orderByGid(state, a.orderId);
  if (!o) return { order: null, errors: [{ code: 'NOT_FOUND', field: ['orderId'], message: 'Order does not exist.' }] };
  if (o.cancelledAt)
    return { order: null, errors: [{ code: 'INVALID', field: ['orderId'], message: 'Order has already been cancelled.' }] };
  if ((a.staffNote ?? '').length > 255)
    return {
      order: null,
      errors: [{ code: 'INVALID', field: ['staffNote'], message: 'Staff note is too long (maximum is 255 characters).' }],
    };
  if (
    a.refund != null &&
    a.refundMethod?.originalPaymentMethodsRefund != null &&
    a.refund !== a.refundMethod.originalPaymentMethodsRefund
  ) {
    return { order: null, errors: [{ code: 'INVALID', field: ['refundMethod'], message: 'refund and refundMethod disagree.' }] };
  }
  if (txs(o).some((t) => t.kind === 'AUTHORIZATION' && t.status === 'PENDING'))
    return {
      order: null,
      errors: [{ code: 'INVALID', field: ['orderId'], message: 'Order has pending payment authorizations and cannot be cancelled.' }],
    };
  const refund = a.refundMethod?.originalPaymentMethodsRefund ?? a.refund ?? false;
  const now = state.now();
  const newId = () => state.newId();
  for (const auth of txs(o).filter((t) => t.kind === 'AUTHORIZATION')) {
    const can = capturableOf(o, auth, now);
    if (can > 0) addTx(o, { kind: 'VOID', status: 'SUCCESS', gateway: auth.gateway, amount: fmt(can), parentId: auth.id }, newId, now);
  }
  let refundRec: RefundRec | null = null;
  if (refund) {
    const parts = allocate(o, Number.MAX_SAFE_INTEGER);
    if (parts.length) {
      const created = parts.map((p) =>
        addTx(
          o,
          {
            kind: 'REFUND',
            status: gatewayOf(state.data.paymentGateways, p.parent.gateway).refundStatus ?? 'SUCCESS',
            gateway: p.parent.gateway,
            amount: fmt(p.amount),
            parentId: p.parent.id,
          },
          newId,
          now,
        ),
      );
      const amount = created.filter((t) => t.status === 'SUCCESS' || t.status === 'PENDING').reduce((s, t) => s + Number(t.amount), 0);
      refundRec = {
        id: state.newId(),
        createdAt: now,
        processedAt: now,
        note: 'Order cancelled',
        amount: fmt(amount),
        lineItems: [],
        shipping: [],
        transactionIds: created.map((t) => t.id),
        adjustments: [],
      };
      o.refunds.push(refundRec);
    }
  }
  o.financialStatus = financialStatusOf(o, orderTotals(o).original.total, now, true);
  state.cancelOrder(o.id, { reason: a.reason, restock: a.restock, refund: false });
  settle(state, o);
  if (refundRec) state.emit('refunds/create', gid('Refund', refundRec.id));
  return { order: o, errors: [] };
}

/** Test control: a pending (or any) transaction reaches its final status, as a gateway's callback would make it. */
export function setTransactionStatus(state: ShopState, txId: number, status: TxStatus, errorCode?: string | null): TransactionRec {
  const o = Object.values(state.data.orders).find((x) => x.transactions?.some((t) => t.id === txId));
  const t = o?.transactions?.find((x) => x.id === txId);
  if (!o || !t) throw new Error(`transaction ${txId} does not exist`);
  t.status = status;
  t.errorCode = errorCode ?? null;
  t.processedAt = state.now();
  settle(state, o);
  state.emit('orders/updated', gid('Order', o.id));
  return t;
}
