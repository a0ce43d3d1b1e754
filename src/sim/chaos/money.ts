/**
 * The chaos suite's money side: the mapping that books it (reserve invoices, payments, refunds),
 * the merchant's refunds during the run, and the verdict on the money documents read from the
 * Service Layer and the Admin API: no Shopify id on two standing documents (duplicates), and every
 * invoice, payment, credit memo and outgoing payment that should exist does, or is reported by the
 * hub with a data reason or held in doubt under a reservation (lost otherwise).
 */
import { MoneyConfigSchema, type MoneyConfig } from '../../mapping/money-config';
import type { AdminProbe, ServiceLayerProbe } from './probes';

/** Reserve invoices, card payments, refunds: the Integration Hub's chain. */
export function chaosMoneyConfig(): MoneyConfig {
  return MoneyConfigSchema.parse({
    documentMode: 'reserveInvoice',
    payments: { enabled: true, gateways: { shopify_payments: { type: 'creditCard', creditCard: 4 } } },
    refunds: { enabled: true, goodwillAccount: '_SYS00000000001', adjustmentExpenseCode: 1 },
  });
}

/** The demo company's sales tax code CA is 7.25 %: orders taxed so, B1's totals are Shopify's. */
export const CHAOS_TAX_RATE = 0.0725;

/** The reservation tables of the money documents (connectors/b1/reservations.ts). */
export const MONEY_RESERVATION_SETS = ['U_B1H_INV_RES', 'U_B1H_PAY_RES', 'U_B1H_CRN_RES', 'U_B1H_RPY_RES'];

type Txn = { id: string; kind: string; status: string };
type Money = { shopMoney: { amount: string } };
type MoneyOrder = {
  id: string;
  cancelledAt: string | null;
  displayFinancialStatus: string | null;
  transactions: Txn[];
  refunds: { id: string; refundLineItems: { nodes: { quantity: number }[] }; transactions: { nodes: Txn[] } }[];
};

/**
 * The merchant refunds one unit of a paid order's first refundable line, the suggested amount back.
 * Nothing ships in Shopify during the run, so the unit is restocked as CANCEL (what Shopify asks
 * for unfulfilled units; RETURN is for goods that came back).
 */
export async function refundSomething(admin: AdminProbe, pick: () => number, key: string): Promise<boolean> {
  const orders = await admin.all<{ id: string; displayFinancialStatus: string | null; cancelledAt: string | null }>(
    'orders',
    'id displayFinancialStatus cancelledAt',
    100,
  );
  const paid = orders.filter(
    (o) => !o.cancelledAt && (o.displayFinancialStatus === 'PAID' || o.displayFinancialStatus === 'PARTIALLY_REFUNDED'),
  );
  if (!paid.length) return false;
  const id = paid[Math.floor(pick() * paid.length)]!.id;
  const d = await admin.gql<{
    order: { lineItems: { nodes: { id: string; refundableQuantity: number }[] }; transactions: Txn[] };
  }>('query($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { id refundableQuantity } } transactions { id kind status } } }', {
    id,
  });
  const line = d.order.lineItems.nodes.find((l) => l.refundableQuantity > 0);
  const paidOnce = d.order.transactions.some((t) => (t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS');
  if (!line || !paidOnce) return false;
  const lines = [{ lineItemId: line.id, quantity: 1, restockType: 'CANCEL' }];
  // The money goes back the way Shopify suggests, as its admin does: to each gateway that took it
  // (paypal, a gift card and a card), each against its own parent transaction.
  const s = await admin.gql<{
    order: {
      suggestedRefund: { suggestedTransactions: { gateway: string; amountSet: Money; parentTransaction: { id: string } | null }[] };
    };
  }>(
    'query($id: ID!, $lines: [RefundLineItemInput!]) { order(id: $id) { suggestedRefund(refundLineItems: $lines) { suggestedTransactions { gateway amountSet { shopMoney { amount } } parentTransaction { id } } } } }',
    { id, lines },
  );
  const transactions = s.order.suggestedRefund.suggestedTransactions
    .filter((t) => t.parentTransaction && Number(t.amountSet.shopMoney.amount) > 0)
    .map((t) => ({
      orderId: id,
      kind: 'REFUND',
      gateway: t.gateway,
      amount: t.amountSet.shopMoney.amount,
      parentId: t.parentTransaction!.id,
    }));
  if (!transactions.length) return false;
  const r = await admin.gql<{ refundCreate: { userErrors: { message: string }[] } }>(
    `mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "${key}") { refund { id } userErrors { message } } }`,
    { input: { orderId: id, note: 'chaos return', refundLineItems: lines, transactions } },
  );
  if (r.refundCreate.userErrors.length)
    throw new Error(`refundCreate ${id}: ${r.refundCreate.userErrors.map((e) => e.message).join('; ')}`);
  return true;
}

export interface MoneyFinding {
  kind: 'duplicate' | 'missing';
  id: string;
  detail: string;
}

/**
 * Duplicates and missing money documents. `standingOrders`: the Shopify ids with an uncancelled
 * sales order (only those can have an invoice); `missing` decides whether a missing document is
 * excused (reported with a data reason, or held in doubt) or lost.
 */
export async function verifyMoney(o: {
  sl: ServiceLayerProbe;
  admin: AdminProbe;
  standingOrders: ReadonlySet<string>;
  missing: (id: string, what: string) => void;
}): Promise<{ duplicates: MoneyFinding[]; checked: number }> {
  type Doc = {
    DocEntry: number;
    Cancelled?: string;
    U_ShopifyId?: string | null;
    U_ShopifyTxnId?: string | null;
    U_ShopifyRefundId?: string | null;
  };
  const select = ['DocEntry', 'Cancelled', 'U_ShopifyId'];
  const [invoices, payments, memos, refunds] = await Promise.all([
    o.sl.list<Doc>('Invoices', { select }),
    o.sl.list<Doc>('IncomingPayments', { select: [...select, 'U_ShopifyTxnId'] }),
    o.sl.list<Doc>('CreditNotes', { select: [...select, 'U_ShopifyRefundId'] }),
    o.sl.list<Doc>('VendorPayments', { select: [...select, 'U_ShopifyRefundId'] }),
  ]);
  const duplicates: MoneyFinding[] = [];
  const by = (docs: Doc[], key: (d: Doc) => string | null | undefined, what: string): Set<string> => {
    const m = new Map<string, number[]>();
    for (const d of docs) {
      const k = key(d);
      if (!k || d.Cancelled === 'tYES') continue;
      m.set(k, [...(m.get(k) ?? []), d.DocEntry]);
    }
    for (const [k, entries] of m)
      if (entries.length > 1)
        duplicates.push({ kind: 'duplicate', id: k, detail: `${entries.length} standing ${what}: ${entries.join(', ')}` });
    return new Set(m.keys());
  };
  const invoiced = by(invoices, (d) => d.U_ShopifyId, 'invoices');
  const paid = by(payments, (d) => d.U_ShopifyTxnId, 'incoming payments');
  const credited = by(memos, (d) => d.U_ShopifyRefundId, 'credit memos');
  const paidBack = by(refunds, (d) => d.U_ShopifyRefundId, 'outgoing payments');

  const orders = await o.admin.all<MoneyOrder>(
    'orders',
    'id cancelledAt displayFinancialStatus transactions { id kind status } refunds { id refundLineItems(first: 5) { nodes { quantity } } transactions(first: 5) { nodes { id kind status } } }',
    10,
  );
  let checked = 0;
  for (const x of orders) {
    if (!o.standingOrders.has(x.id)) continue;
    const invoice = invoiced.has(x.id);
    // Cancelled before the hub invoiced it: nothing is invoiced (its sales order is cancelled).
    if (!invoice && !x.cancelledAt) o.missing(`${x.id}#invoice`, `order ${x.id} has a sales order but no reserve invoice`);
    if (!invoice) continue;
    checked++;
    for (const t of x.transactions)
      if ((t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS' && !paid.has(t.id))
        o.missing(t.id, `transaction ${t.id} of ${x.id} has no incoming payment`);
    for (const r of x.refunds) {
      const txns = r.transactions.nodes.filter((t) => t.kind === 'REFUND');
      if (txns.some((t) => t.status === 'PENDING' || t.status === 'AWAITING_RESPONSE')) continue;
      if (r.refundLineItems.nodes.length && !credited.has(r.id)) o.missing(r.id, `refund ${r.id} of ${x.id} has no credit memo`);
      if (txns.some((t) => t.status === 'SUCCESS') && !paidBack.has(r.id))
        o.missing(r.id, `refund ${r.id} of ${x.id} has no outgoing payment`);
    }
  }
  return { duplicates, checked };
}
