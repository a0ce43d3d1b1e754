import { gid, parseGid } from './ids';
import { orderTotals, type OrderRec, type ShopState } from './state';
import { DEFAULT_GATEWAYS, addTx, fmt, migrateLedger, type GatewayRec, type TxKind, type TxStatus } from './money-ledger';
import { settle } from './money';
import { cancelWithMoney, setTransactionStatus } from './money-payments';

/**
 * Test controls for the money side, next to the Admin API (which is how tests should drive
 * refunds, captures, mark-as-paid and cancellations):
 *   POST /_sim/gateways                      { name, formattedName?, manual?, saleStatus?, captureStatus?, refundStatus? }
 *   POST /_sim/orders/<id>/transactions      { kind, gateway, amount?, status?, parentId?, errorCode? } → a raw transaction
 *   POST /_sim/transactions/<id>             { status, errorCode? } → a pending transaction settles (or fails)
 */
export function isMoneyControl(path: string): boolean {
  return path === '/_sim/gateways' || /^\/_sim\/orders\/[^/]+\/transactions$/.test(path) || /^\/_sim\/transactions\/[^/]+$/.test(path);
}

const STATUSES: TxStatus[] = ['AWAITING_RESPONSE', 'ERROR', 'FAILURE', 'PENDING', 'SUCCESS', 'UNKNOWN'];
const KINDS: TxKind[] = ['AUTHORIZATION', 'CAPTURE', 'CHANGE', 'EMV_AUTHORIZATION', 'REFUND', 'SALE', 'VOID'];

function idOf(v: string, type: string): number {
  const s = decodeURIComponent(v);
  const n = /^\d+$/.test(s) ? Number(s) : parseGid(s, type);
  if (n == null) throw new Error(`${type} id ${s} is not valid`);
  return n;
}

function status(v: unknown, fallback?: TxStatus): TxStatus | undefined {
  if (v == null) return fallback;
  if (!STATUSES.includes(v as TxStatus)) throw new Error(`status must be one of ${STATUSES.join(', ')}`);
  return v as TxStatus;
}

export function handleMoneyControl(
  state: ShopState,
  path: string,
  body: Record<string, unknown>,
  send: (status: number, body: unknown) => void,
): void {
  if (path === '/_sim/gateways') {
    const name = String(body.name ?? '');
    if (!name) throw new Error('name is required');
    const known: GatewayRec = state.data.paymentGateways?.[name] ?? DEFAULT_GATEWAYS[name] ?? { name, formattedName: name, manual: false };
    const rec: GatewayRec = {
      ...known,
      formattedName: typeof body.formattedName === 'string' ? body.formattedName : known.formattedName,
      manual: typeof body.manual === 'boolean' ? body.manual : known.manual,
      saleStatus: status(body.saleStatus, known.saleStatus),
      captureStatus: status(body.captureStatus, known.captureStatus),
      refundStatus: status(body.refundStatus, known.refundStatus),
    };
    state.data.paymentGateways = { ...state.data.paymentGateways, [name]: rec };
    return send(200, rec);
  }
  let m = /^\/_sim\/orders\/([^/]+)\/transactions$/.exec(path);
  if (m) {
    const o = state.order(idOf(m[1] as string, 'Order'));
    if (!o) throw new Error('order does not exist');
    const kind = body.kind as TxKind;
    if (!KINDS.includes(kind)) throw new Error(`kind must be one of ${KINDS.join(', ')}`);
    const gateway = String(body.gateway ?? '');
    if (!gateway) throw new Error('gateway is required');
    const parentId = body.parentId != null ? idOf(String(body.parentId), 'OrderTransaction') : null;
    if (parentId != null && !o.transactions?.some((t) => t.id === parentId)) throw new Error('parent transaction is not on this order');
    const amount = body.amount != null ? Number(body.amount) : orderTotals(o).original.total;
    if (!(amount >= 0)) throw new Error('amount must be a non-negative number');
    const t = addTx(
      o,
      {
        kind,
        status: status(body.status, 'SUCCESS') as TxStatus,
        gateway,
        amount: fmt(amount),
        parentId,
        errorCode: typeof body.errorCode === 'string' ? body.errorCode : null,
      },
      () => state.newId(),
      state.now(),
    );
    if (!o.paymentGateways?.includes(gateway) && kind !== 'REFUND') o.paymentGateways = [...(o.paymentGateways ?? []), gateway];
    settle(state, o);
    state.emit('orders/updated', gid('Order', o.id));
    return send(201, { id: gid('OrderTransaction', t.id), financialStatus: o.financialStatus });
  }
  m = /^\/_sim\/transactions\/([^/]+)$/.exec(path);
  if (m) {
    const t = setTransactionStatus(
      state,
      idOf(m[1] as string, 'OrderTransaction'),
      status(body.status) ?? 'SUCCESS',
      typeof body.errorCode === 'string' ? body.errorCode : null,
    );
    return send(200, { id: gid('OrderTransaction', t.id), status: t.status });
  }
  send(404, { error: `unknown control endpoint ${path}` });
}

/** Orders from an older state file get the ledger their stored status implies. */
export function migrateOrders(state: ShopState): void {
  for (const o of Object.values(state.data.orders)) migrateLedger(o, orderTotals(o).original.total, () => state.newId());
}

/**
 * sim.cancelOrder and POST /_sim/orders/<id>/cancel: the same path as the orderCancel mutation,
 * with the helper's defaults (restock and refund unless told otherwise).
 */
export function cancelOrderHelper(
  state: ShopState,
  id: number,
  opts: { reason?: OrderRec['cancelReason']; restock?: boolean; refund?: boolean } = {},
): OrderRec {
  const r = cancelWithMoney(state, {
    orderId: gid('Order', id),
    reason: opts.reason ?? 'CUSTOMER',
    restock: opts.restock ?? true,
    refund: opts.refund ?? true,
  });
  if (!r.order) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.order;
}
