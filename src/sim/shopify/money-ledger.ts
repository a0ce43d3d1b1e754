import type { Money, OrderRec } from './state';

/**
 * The order's payment ledger: Shopify's OrderTransaction records and the arithmetic every money
 * figure of an order is derived from (received, refunded, capturable, financial status). This
 * module imports nothing at run time from state.ts, so the order creation path can use it.
 */

export type TxKind = 'AUTHORIZATION' | 'CAPTURE' | 'CHANGE' | 'EMV_AUTHORIZATION' | 'REFUND' | 'SALE' | 'SUGGESTED_REFUND' | 'VOID';
export type TxStatus = 'AWAITING_RESPONSE' | 'ERROR' | 'FAILURE' | 'PENDING' | 'SUCCESS' | 'UNKNOWN';

export interface TransactionRec {
  id: number;
  kind: TxKind;
  status: TxStatus;
  gateway: string;
  amount: Money;
  parentId: number | null;
  createdAt: string;
  processedAt: string;
  test: boolean;
  errorCode: string | null;
  authorizationExpiresAt: string | null;
  /** An authorization that was captured with finalCapture (or once, not being multi-capturable): nothing left to capture. */
  closed?: boolean;
}

/**
 * A payment gateway as the shop has it configured. The statuses let a test make the next
 * transaction of a kind come back PENDING (or FAILURE) instead of SUCCESS.
 */
export interface GatewayRec {
  name: string;
  formattedName: string;
  manual: boolean;
  saleStatus?: TxStatus;
  captureStatus?: TxStatus;
  refundStatus?: TxStatus;
}

export const DEFAULT_GATEWAYS: Record<string, GatewayRec> = {
  shopify_payments: { name: 'shopify_payments', formattedName: 'Shopify Payments', manual: false },
  paypal: { name: 'paypal', formattedName: 'PayPal Express Checkout', manual: false },
  gift_card: { name: 'gift_card', formattedName: 'Gift card', manual: false },
  bogus: { name: 'bogus', formattedName: '(For Testing) Bogus Gateway', manual: false },
  manual: { name: 'manual', formattedName: 'Manual', manual: true },
  'Cash on Delivery (COD)': { name: 'Cash on Delivery (COD)', formattedName: 'Cash on Delivery (COD)', manual: true },
  'Bank Deposit': { name: 'Bank Deposit', formattedName: 'Bank Deposit', manual: true },
};

/** Where an order's opening payment comes from, for OrderInput.payments. */
export interface PaymentInput {
  gateway: string;
  kind?: 'SALE' | 'AUTHORIZATION';
  /** Defaults to what is still unpaid of the order total. */
  amount?: Money;
  status?: TxStatus;
}

export function gatewayOf(gateways: Record<string, GatewayRec> | undefined, name: string): GatewayRec {
  return gateways?.[name] ?? DEFAULT_GATEWAYS[name] ?? { name, formattedName: name, manual: false };
}

const cents = (n: number): number => Math.round(n * 100) / 100;
export const fmt = (n: number): Money => cents(n).toFixed(2);
export const EPS = 0.005;

export function txs(o: OrderRec): TransactionRec[] {
  if (!o.transactions) o.transactions = [];
  return o.transactions;
}

export function addTx(
  o: OrderRec,
  t: Omit<TransactionRec, 'id' | 'createdAt' | 'processedAt' | 'test' | 'errorCode' | 'authorizationExpiresAt'> & Partial<TransactionRec>,
  newId: () => number,
  now: string,
): TransactionRec {
  const rec: TransactionRec = {
    test: o.test,
    errorCode: null,
    authorizationExpiresAt: null,
    createdAt: now,
    processedAt: now,
    ...t,
    id: t.id ?? newId(),
  };
  txs(o).push(rec);
  return rec;
}

const isMoneyIn = (t: TransactionRec): boolean => (t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS';

/** Amount captured (or being captured) against an authorization, and whether it was voided. */
function authState(o: OrderRec, auth: TransactionRec, nowIso: string): { remaining: number; voided: boolean; expired: boolean } {
  const children = txs(o).filter((t) => t.parentId === auth.id);
  const captured = children
    .filter((t) => t.kind === 'CAPTURE' && (t.status === 'SUCCESS' || t.status === 'PENDING'))
    .reduce((s, t) => s + Number(t.amount), 0);
  const voided = children.some((t) => t.kind === 'VOID' && t.status === 'SUCCESS');
  const expired = auth.authorizationExpiresAt != null && auth.authorizationExpiresAt < nowIso && captured === 0;
  const remaining =
    auth.status === 'SUCCESS' && !voided && !expired && !auth.closed ? Math.max(0, cents(Number(auth.amount) - captured)) : 0;
  return { remaining, voided, expired };
}

export function capturableOf(o: OrderRec, auth: TransactionRec, nowIso: string): number {
  return auth.kind === 'AUTHORIZATION' ? authState(o, auth, nowIso).remaining : 0;
}

/** What a refund may still take back from one SALE/CAPTURE: its amount less refunds against it (pending ones included). */
export function refundableOf(o: OrderRec, parent: TransactionRec): number {
  if (!isMoneyIn(parent)) return 0;
  const back = txs(o)
    .filter((t) => t.parentId === parent.id && t.kind === 'REFUND' && (t.status === 'SUCCESS' || t.status === 'PENDING'))
    .reduce((s, t) => s + Number(t.amount), 0);
  return Math.max(0, cents(Number(parent.amount) - back));
}

export interface LedgerSums {
  received: number;
  refunded: number;
  refundPending: number;
  capturable: number;
  anyVoided: boolean;
  anyExpired: boolean;
}

export function ledgerSums(o: OrderRec, nowIso: string): LedgerSums {
  let received = 0;
  let refunded = 0;
  let refundPending = 0;
  let capturable = 0;
  let anyVoided = false;
  let anyExpired = false;
  for (const t of txs(o)) {
    if (isMoneyIn(t)) received += Number(t.amount);
    if (t.kind === 'REFUND' && t.status === 'SUCCESS') refunded += Number(t.amount);
    if (t.kind === 'REFUND' && t.status === 'PENDING') refundPending += Number(t.amount);
    if (t.kind === 'AUTHORIZATION' && t.status === 'SUCCESS') {
      const a = authState(o, t, nowIso);
      capturable += a.remaining;
      anyVoided ||= a.voided;
      anyExpired ||= a.expired;
    }
  }
  return {
    received: cents(received),
    refunded: cents(refunded),
    refundPending: cents(refundPending),
    capturable: cents(capturable),
    anyVoided,
    anyExpired,
  };
}

/** displayFinancialStatus from the ledger, so it can never disagree with the transactions. */
export function financialStatusOf(
  o: OrderRec,
  total: number,
  nowIso: string,
  cancelled = o.cancelledAt != null,
): OrderRec['financialStatus'] {
  const s = ledgerSums(o, nowIso);
  if (s.received > EPS) {
    if (s.refunded >= s.received - EPS) return 'REFUNDED';
    if (s.refunded > EPS) return 'PARTIALLY_REFUNDED';
    return s.received >= total - EPS ? 'PAID' : 'PARTIALLY_PAID';
  }
  if (s.capturable > EPS && !cancelled) return 'AUTHORIZED';
  if (s.anyVoided || cancelled) return 'VOIDED';
  if (s.anyExpired) return 'EXPIRED';
  return 'PENDING';
}

/**
 * The transactions an order is created with: card gateways charge (SALE) or authorize at
 * checkout; manual gateways (cash on delivery, bank deposit) record nothing until the order is
 * marked as paid. `financialStatus` on the input picks the shape when no payments are given.
 */
export function openLedger(
  o: OrderRec,
  input: { financialStatus?: OrderRec['financialStatus']; gateway?: string; payments?: PaymentInput[] },
  gateways: Record<string, GatewayRec> | undefined,
  total: number,
  newId: () => number,
  nowIso: string = o.createdAt,
): void {
  o.transactions = [];
  const wanted = input.financialStatus ?? 'PAID';
  let payments = input.payments;
  if (!payments) {
    const card = input.gateway ?? (wanted === 'PENDING' ? 'manual' : 'shopify_payments');
    if (wanted === 'PAID') payments = [{ gateway: card, kind: 'SALE' }];
    else if (wanted === 'PARTIALLY_PAID') payments = [{ gateway: card, kind: 'SALE', amount: fmt(total / 2) }];
    else if (wanted === 'AUTHORIZED' || wanted === 'VOIDED' || wanted === 'EXPIRED') payments = [{ gateway: card, kind: 'AUTHORIZATION' }];
    else if (wanted === 'PENDING') payments = gatewayOf(gateways, card).manual ? [] : [{ gateway: card, kind: 'SALE', status: 'PENDING' }];
    else throw new Error(`an order cannot be created ${wanted}: create it paid, then refund it`);
    o.paymentGateways = [card];
  } else {
    o.paymentGateways = [...new Set(payments.map((p) => p.gateway))];
  }
  let left = total;
  for (const p of payments) {
    const amount = p.amount != null ? Number(p.amount) : left;
    const kind = p.kind ?? 'SALE';
    // Authorizations hold for 7 days from when the simulator took them (a backdated createdAt does not age them).
    const from = Math.max(Date.parse(o.createdAt), Date.parse(nowIso));
    const expires =
      kind === 'AUTHORIZATION'
        ? new Date(wanted === 'EXPIRED' ? Date.parse(o.createdAt) - 1000 : from + 7 * 86_400_000).toISOString().replace('.000Z', 'Z')
        : null;
    const t = addTx(
      o,
      {
        kind,
        status: p.status ?? gatewayOf(gateways, p.gateway).saleStatus ?? 'SUCCESS',
        gateway: p.gateway,
        amount: fmt(amount),
        parentId: null,
        authorizationExpiresAt: expires,
      },
      newId,
      o.createdAt,
    );
    t.processedAt = o.processedAt;
    left = cents(left - amount);
    if (wanted === 'VOIDED')
      addTx(o, { kind: 'VOID', status: 'SUCCESS', gateway: p.gateway, amount: fmt(amount), parentId: t.id }, newId, o.createdAt);
  }
}

/**
 * Orders saved by an older simulator have no transactions: give them the ledger their stored
 * status implies (a SALE for what was paid, a REFUND per recorded refund).
 */
export function migrateLedger(o: OrderRec, total: number, newId: () => number): void {
  if (o.transactions) return;
  const st = o.financialStatus;
  o.transactions = [];
  if (st === 'PENDING' || st === 'AUTHORIZED' || st === 'VOIDED' || st === 'EXPIRED') {
    openLedger(o, { financialStatus: st }, undefined, total, newId);
    return;
  }
  o.paymentGateways = ['shopify_payments'];
  const sale = addTx(
    o,
    { kind: 'SALE', status: 'SUCCESS', gateway: 'shopify_payments', amount: fmt(total), parentId: null },
    newId,
    o.createdAt,
  );
  for (const r of o.refunds) {
    const t = addTx(
      o,
      { kind: 'REFUND', status: 'SUCCESS', gateway: 'shopify_payments', amount: r.amount, parentId: sale.id },
      newId,
      r.createdAt,
    );
    r.transactionIds = [t.id];
  }
}
