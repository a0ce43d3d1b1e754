/**
 * Reads the money of orders for the order-to-cash stages: transactions, refunds (lines, refunded
 * shipping, adjustments, their transactions), the current total and the fulfillment status.
 *
 * Shopify prices a query by what it may return (every list at its `first`), so the usual order is
 * read at small sizes, several to a call; an order whose transactions or refunds fill those sizes
 * is read again alone: every transaction and the ids of its refunds, then each refund in full.
 * Whatever is still longer than the hub reads is named in `truncated`, and the stages refuse to
 * book from a partial picture.
 */
import { MONEY_SOURCE_ORDERS, ORDERS_MONEY, ORDER_MONEY_LONG, REFUNDS_BY_IDS } from './documents';
import type { ShopifyExecutor } from './executor';
import { chunk } from './chunk';
import type { RefundFieldsFragment, TransactionFieldsFragment } from './generated/operations';
import type { ShopifyOrderMoney } from '../../mapping/invoice';
import type { ShopifyRefund, ShopifyRestockType } from '../../mapping/refund';
import type { ShopifyTransaction, ShopifyTransactionKind, ShopifyTransactionStatus } from '../../mapping/payment';

/** The usual order: a handful of transactions, at most two refunds of a few lines. */
const SMALL = { transactionsFirst: 8, refundsFirst: 2, refundLinesFirst: 8, refundPartsFirst: 4 };
/** A long order, read alone. */
const LONG = { transactionsFirst: 150, refundsFirst: 100 };
/** A refund read on its own. */
const REFUND_FULL = { refundLinesFirst: 100, refundPartsFirst: 20 };

/**
 * Requested cost (Shopify's static rule: an object 1, a list or connection `first` × its node,
 * connections 2 more) of one order at SMALL sizes, rounded up: keeps each call under the limit.
 */
const SMALL_ORDER_COST = 200;
const REFUND_FULL_COST = 700;
const MAX_QUERY_COST = 1000;

function toTransaction(t: TransactionFieldsFragment): ShopifyTransaction {
  return {
    id: t.id,
    kind: t.kind as ShopifyTransactionKind,
    status: t.status as ShopifyTransactionStatus,
    gateway: t.gateway ?? '',
    amount: t.amountSet.shopMoney.amount,
    currencyCode: t.amountSet.shopMoney.currencyCode,
    createdAt: t.createdAt,
    processedAt: t.processedAt,
    parentTransactionId: t.parentTransaction?.id ?? null,
    manualPaymentGateway: t.manualPaymentGateway,
    test: t.test,
  };
}

function toRefund(r: RefundFieldsFragment, truncated: string[]): ShopifyRefund {
  const parts = [
    ['refundLineItems', r.refundLineItems.pageInfo.hasNextPage],
    ['refundShippingLines', r.refundShippingLines.pageInfo.hasNextPage],
    ['orderAdjustments', r.orderAdjustments.pageInfo.hasNextPage],
    ['transactions', r.transactions.pageInfo.hasNextPage],
  ] as const;
  for (const [name, more] of parts) if (more) truncated.push(`refund ${r.id} ${name}`);
  return {
    id: r.id,
    createdAt: r.createdAt ?? '',
    note: r.note,
    lines: r.refundLineItems.nodes.map((l) => ({
      lineItemId: l.lineItem.id,
      sku: l.lineItem.sku,
      quantity: l.quantity,
      restockType: l.restockType as ShopifyRestockType,
      subtotal: l.subtotalSet.shopMoney.amount,
    })),
    shipping: r.refundShippingLines.nodes.map((s) => s.subtotalAmountSet.shopMoney.amount),
    adjustments: r.orderAdjustments.nodes.map((a) => a.amountSet.shopMoney.amount),
    transactions: r.transactions.nodes.map(toTransaction),
  };
}

const isRefund = (n: RefundFieldsFragment | Record<PropertyKey, never> | null): n is RefundFieldsFragment => !!n && 'refundLineItems' in n;

const refundNeedsMore = (r: RefundFieldsFragment): boolean =>
  r.refundLineItems.pageInfo.hasNextPage ||
  r.refundShippingLines.pageInfo.hasNextPage ||
  r.orderAdjustments.pageInfo.hasNextPage ||
  r.transactions.pageInfo.hasNextPage;

async function refundsByIds(exec: ShopifyExecutor, ids: string[], truncated: string[]): Promise<ShopifyRefund[]> {
  const out: ShopifyRefund[] = [];
  for (const part of chunk(ids, Math.max(1, Math.floor(MAX_QUERY_COST / REFUND_FULL_COST)))) {
    const { data } = await exec.call(REFUNDS_BY_IDS, { ids: part, ...REFUND_FULL }, { estimatedCost: part.length * REFUND_FULL_COST });
    for (const n of data.nodes) if (isRefund(n)) out.push(toRefund(n, truncated));
  }
  return out;
}

async function longOrder(exec: ShopifyExecutor, id: string): Promise<ShopifyOrderMoney | undefined> {
  const { data } = await exec.call(ORDER_MONEY_LONG, { id, ...LONG });
  const o = data.order;
  if (!o) return undefined;
  const truncated: string[] = [];
  if (o.transactions.length >= LONG.transactionsFirst) truncated.push(`more than ${LONG.transactionsFirst} transactions`);
  if (o.refunds.length >= LONG.refundsFirst) truncated.push(`more than ${LONG.refundsFirst} refunds`);
  const refunds = await refundsByIds(
    exec,
    o.refunds.map((r) => r.id),
    truncated,
  );
  return {
    fulfillmentStatus: o.displayFulfillmentStatus,
    currentTotal: o.currentTotalPriceSet.shopMoney.amount,
    transactions: o.transactions.map(toTransaction),
    refunds,
    ...(truncated.length ? { truncated } : {}),
  };
}

/** The money of each order found, by order GID (orders Shopify does not return are absent). */
export async function readOrdersMoney(exec: ShopifyExecutor, ids: readonly string[]): Promise<Map<string, ShopifyOrderMoney>> {
  const out = new Map<string, ShopifyOrderMoney>();
  const long: string[] = [];
  for (const part of chunk([...new Set(ids)], Math.max(1, Math.floor(MAX_QUERY_COST / SMALL_ORDER_COST)))) {
    const { data } = await exec.call(ORDERS_MONEY, { ids: part, ...SMALL }, { estimatedCost: part.length * SMALL_ORDER_COST });
    for (const o of data.nodes) {
      if (!o || !('transactions' in o)) continue;
      if (o.transactions.length >= SMALL.transactionsFirst || o.refunds.length >= SMALL.refundsFirst || o.refunds.some(refundNeedsMore)) {
        long.push(o.id);
        continue;
      }
      const truncated: string[] = [];
      out.set(o.id, {
        fulfillmentStatus: o.displayFulfillmentStatus,
        currentTotal: o.currentTotalPriceSet.shopMoney.amount,
        transactions: o.transactions.map(toTransaction),
        refunds: o.refunds.map((r) => toRefund(r, truncated)),
      });
    }
  }
  for (const id of long) {
    const money = await longOrder(exec, id);
    if (money) out.set(id, money);
  }
  return out;
}

/** The order of each transaction or refund GID Shopify knows (others are absent). */
export async function readMoneySourceOrders(exec: ShopifyExecutor, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunk([...new Set(ids)], 100)) {
    const { data } = await exec.call(MONEY_SOURCE_ORDERS, { ids: part });
    for (const n of data.nodes) {
      if (!n || !('id' in n)) continue;
      const order = 'transactionOrder' in n ? n.transactionOrder : 'refundOrder' in n ? n.refundOrder : undefined;
      if (order?.id) out.set(n.id, order.id);
    }
  }
  return out;
}
