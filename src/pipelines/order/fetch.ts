/**
 * Reads one page of Shopify orders (changed since the watermark, all, or exactly the given ids)
 * and gathers the B1 facts the pure map step needs: which SKUs exist as items, the partner of
 * each order's customer (or the customer itself, to be created), and whether B1 already has the
 * order. Each fact costs one batched request per page, not one per order. Orders come from
 * cost-sized GraphQL calls (connectors/shopify/orders.ts); a run with more than one page reads the
 * pages after the first from one bulk export (see the end of this file).
 */
import { pipelineConfigProblems } from '../../mapping';
import type { ShopifyCustomer, ShopifyOrder } from '../../mapping/types';
import { PipelineSetupError } from '../kit/errors';
import type { FetchPageInput, FetchPageResult, PipelineDeps, SourceRecord } from '../contract';
import {
  exportCursor,
  idsSlice,
  maxUpdatedAt,
  orFilters,
  parseExportCursor,
  pastPosition,
  positionAfter,
  type UpdatedAtPosition,
} from '../kit/paging';
import { trimCustomer } from '../customer';
import { updatedSinceQuery } from '../../connectors/shopify/client';
import { sweepRecentDuplicates } from './exactly-once';
import { trimOrder } from './trim';
import type { OrderContext, OrderSource } from './types';
import { eachRecordIsolated } from '../kit/fetch-poison';
import { moneyActive, orderGidOf } from './money-kit';
import { settledMoney } from './money-settled';
import type { ShopifyOrderMoney } from '../../mapping/invoice';
import type { RecordOutcome } from '../../mapping';

/** Lowest key per cross-reference value (several rows carrying one GID is itself a defect to ignore). */
async function lookup<K extends string | number>(
  deps: PipelineDeps,
  set: 'BusinessPartners' | 'Orders' | 'Items',
  field: string,
  keyField: string,
  values: string[],
): Promise<Map<string, K>> {
  const out = new Map<string, K>();
  for (const filter of orFilters(field, values)) {
    const rows = await deps.b1.list(set, { filter, select: [...new Set([keyField, field])] });
    for (const r of rows as Array<Record<string, unknown>>) {
      const v = String(r[field]);
      const k = r[keyField] as K;
      const prev = out.get(v);
      if (prev === undefined || String(k).localeCompare(String(prev), undefined, { numeric: true }) < 0) out.set(v, k);
    }
  }
  return out;
}

/**
 * The money of the page's orders that B1 already has in full (money-settled.ts), from four
 * batched reads (invoices, payments, credit memos, refund payments by the keys they carry).
 */
async function settledMoneyOf(
  deps: PipelineDeps,
  orders: ShopifyOrder[],
  moneyById: Map<string, ShopifyOrderMoney>,
  inB1: Map<string, number>,
): Promise<Map<string, RecordOutcome[]>> {
  const known = orders.filter((o) => inB1.has(o.id) && moneyById.has(o.id));
  const out = new Map<string, RecordOutcome[]>();
  if (!known.length) return out;
  const money = known.map((o) => moneyById.get(o.id)!);
  const txns = money.flatMap((m) => m.transactions.map((t) => t.id));
  const refunds = money.flatMap((m) => m.refunds.map((r) => r.id));
  const b1 = deps.b1.money;
  const [invoices, payments, creditNotes, refundPayments] = await Promise.all([
    b1.standingByKey(
      'Invoices',
      'U_ShopifyId',
      known.map((o) => o.id),
    ),
    txns.length ? b1.standingByKey('IncomingPayments', 'U_ShopifyTxnId', txns) : new Map<string, number[]>(),
    refunds.length ? b1.standingByKey('CreditNotes', 'U_ShopifyRefundId', refunds) : new Map<string, number[]>(),
    refunds.length ? b1.standingByKey('VendorPayments', 'U_ShopifyRefundId', refunds) : new Map<string, number[]>(),
  ]);
  for (const o of known) {
    const done = settledMoney(deps.mapping.money, { id: o.id, cancelled: !!o.cancelledAt }, moneyById.get(o.id)!, {
      invoices,
      payments,
      creditNotes,
      refundPayments,
    });
    if (done) out.set(o.id, done);
  }
  return out;
}

export async function enrichOrders(deps: PipelineDeps, orders: ShopifyOrder[]): Promise<SourceRecord<OrderSource>[]> {
  if (!orders.length) return [];
  const skus = orders.flatMap((o) => o.lineItems.map((l) => l.sku?.trim()).filter((s): s is string => !!s));
  const customerIds = [...new Set(orders.map((o) => o.customer?.id).filter((id): id is string => !!id))];
  // Independent reads: B1 answers them side by side (the customers wait for the partner lookup).
  const [moneyById, items, partners, inB1] = await Promise.all([
    // Transactions and refunds only for a shop that books them (money.ts): others pay nothing.
    moneyActive(deps.mapping.money) ? deps.shopify.ordersMoney(orders.map((o) => o.id)) : Promise.resolve(undefined),
    lookup<string>(deps, 'Items', 'ItemCode', 'ItemCode', skus),
    lookup<string>(deps, 'BusinessPartners', 'U_ShopifyId', 'CardCode', customerIds),
    lookup<number>(
      deps,
      'Orders',
      'U_ShopifyId',
      'DocEntry',
      orders.map((o) => o.id),
    ),
  ]);
  const settled = moneyById ? await settledMoneyOf(deps, orders, moneyById, inB1) : new Map<string, RecordOutcome[]>();
  const unknownCustomers = customerIds.filter((id) => !partners.has(id));
  const customers = new Map<string, ShopifyCustomer>();
  if (unknownCustomers.length) {
    const maxAddresses = deps.mapping.customer.maxAddresses;
    for (const c of await deps.shopify.customersByIds(unknownCustomers, { addressesFirst: maxAddresses }))
      customers.set(c.id, trimCustomer(c, maxAddresses));
  }
  return eachRecordIsolated(
    'order',
    orders,
    (raw) => ({ id: raw.id, label: raw.name }),
    (raw) => {
      const order = trimOrder(raw);
      const context: OrderContext = {
        itemCodes: [...new Set(order.lineItems.map((l) => l.sku?.trim()).filter((s): s is string => !!s && items.has(s)))],
      };
      const cid = order.customer?.id;
      if (cid) {
        const cardCode = partners.get(cid);
        const customer = customers.get(cid);
        if (cardCode !== undefined) context.cardCode = cardCode;
        else if (customer) context.customer = customer;
      }
      const docEntry = inB1.get(order.id);
      if (docEntry !== undefined) context.docEntry = Number(docEntry);
      const money = moneyById?.get(order.id);
      const done = settled.get(order.id);
      return {
        id: order.id,
        label: order.name,
        data: money ? { order, context, money, ...(done ? { moneySettled: done } : {}) } : { order, context },
      };
    },
  );
}

/**
 * The orders behind the ids asked for. Besides order GIDs these may be the record ids of the money
 * stages (money-kit.ts): a transaction or refund GID (resolved to its order through Shopify) or
 * `<order GID>#<stage>`. An id whose order Shopify does not return is missing.
 */
async function byIds(deps: PipelineDeps, ids: string[]): Promise<{ orders: ShopifyOrder[]; missingIds: string[] }> {
  if (!ids.length) return { orders: [], missingIds: [] };
  const orderOf = new Map<string, string>();
  const moneySources: string[] = [];
  for (const id of ids) {
    if (/^gid:\/\/shopify\/(OrderTransaction|Refund)\//.test(id)) moneySources.push(id);
    else orderOf.set(id, orderGidOf(id));
  }
  if (moneySources.length) for (const [id, order] of await deps.shopify.moneySourceOrders(moneySources)) orderOf.set(id, order);
  const orders = await deps.shopify.ordersByIds([...new Set(orderOf.values())]);
  const seen = new Set(orders.map((o) => o.id));
  return { orders, missingIds: ids.filter((id) => !seen.has(orderOf.get(id) ?? '')) };
}

/** How long an edit may take to become visible to a read after it was stamped, beyond the delta overlap. */
export const ORDER_CLOCK_TOLERANCE_MS = 2 * 60_000;

/**
 * The watermark a page may claim: never past the moment its read began (less the tolerance),
 * whatever the newest updatedAt it saw. An order edited while the run reads is stamped around
 * the read; one stamped before the newest seen but visible only after the read (a late commit, an
 * export that streamed past it) is still at or after the claim, so the next delta reads it. The
 * maximum seen alone would claim it was read.
 *
 * `readBegan` is on Shopify's clock, the one updatedAt uses (the newest change Shopify showed
 * just before the read, or the export's createdAt): the hub's clock may disagree with it by any
 * amount, and a hub clock running ahead would lift the cap past orders not read yet. Without a
 * time on Shopify's clock (no order existed when the read began) nothing is claimed.
 */
export function claimableWatermark(orders: ReadonlyArray<{ updatedAt?: string }>, readBegan: string | undefined): string | undefined {
  const max = maxUpdatedAt(orders);
  if (!max || !readBegan) return undefined;
  const cap = Date.parse(readBegan) - ORDER_CLOCK_TOLERANCE_MS;
  if (Number.isNaN(cap)) return undefined;
  return Date.parse(max) > cap ? new Date(cap).toISOString() : max;
}

export async function fetchOrders(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<OrderSource>> {
  const problems = pipelineConfigProblems('order', deps.mapping);
  if (problems.length) throw new PipelineSetupError(`the order pipeline cannot run: ${problems.join('; ')}`);
  // Every run, once: copies of one Shopify order that slipped past the reservation are settled.
  if (input.pageIndex === 0 && !input.cursor) await sweepRecentDuplicates(deps);
  const pageSize = deps.pageSizes.order;
  if (input.mode === 'ids') {
    const { ids, nextCursor } = idsSlice(input, pageSize);
    const { orders, missingIds } = await byIds(deps, ids);
    return {
      records: await enrichOrders(deps, orders),
      ...(nextCursor ? { nextCursor } : {}),
      ...(missingIds.length ? { missingIds } : {}),
    };
  }
  const updatedSince = input.mode === 'delta' ? (input.since ?? null) : null;
  const bulk = input.cursor ? parseExportCursor<BulkCursor>(input.cursor) : null;
  if (bulk) {
    const fromBulk = await bulkPage(deps, bulk, pageSize);
    if (fromBulk) return fromBulk;
  }
  // One activity page gathers several cost-limited GraphQL calls (each as many orders as fit the
  // query limit and the bucket's points), so the history has one round per `pageSize` orders.
  // Shopify's clock at the read's start, before anything is read (see claimableWatermark).
  const readBegan = await deps.shopify.newestOrderUpdatedAt();
  const orders: ShopifyOrder[] = [];
  const pointsBefore = deps.shopify.cost().spent;
  let after = bulk ? bulk.after : (input.cursor ?? null);
  let more = true;
  while (more && orders.length < pageSize) {
    const page = await deps.shopify.ordersPage({ updatedSince, after, first: pageSize - orders.length });
    orders.push(...page.items);
    more = page.hasNextPage && !!page.endCursor;
    after = page.endCursor ?? after;
  }
  let nextCursor = more && after ? after : undefined;
  // A run with more pages than this one reads the rest from one bulk export (see bulkPage), when
  // paging would be slow at this shop's restore rate.
  if (
    nextCursor &&
    !input.cursor &&
    orders.length &&
    pagingSecondsPerPage(deps, (deps.shopify.cost().spent - pointsBefore) / orders.length) >= deps.tuning.order.bulkMinPageSeconds
  ) {
    const position = positionAfter(orders);
    const op = await deps.shopify.bulkExports.orders.start(updatedSinceQuery(position.since, 0));
    if (op) nextCursor = exportCursor({ op, after: nextCursor, startedAt: Date.now(), ...position });
  }
  let missingIds: string[] = [];
  if (input.mode === 'delta' && input.pageIndex === 0 && input.ids?.length) {
    const have = new Set(orders.map((o) => o.id));
    const extra = await byIds(
      deps,
      [...new Set(input.ids)].filter((id) => !have.has(id)),
    );
    orders.push(...extra.orders);
    missingIds = extra.missingIds;
  }
  const watermark = claimableWatermark(orders, readBegan);
  return {
    records: await enrichOrders(deps, orders),
    ...(nextCursor ? { nextCursor } : {}),
    ...(watermark ? { watermark } : {}),
    ...(missingIds.length ? { missingIds } : {}),
  };
}

// ───────────────────────────── bulk export for long runs ─────────────────────────────
//
// On Shopify's Standard plan an order read costs ~50 query points, so a run of many pages would
// be bound by the 100 points/s restore rate. When the first page is full and more follow, the
// rest is exported with one bulk query (orders updated at or after the last one read) and later
// pages are cut from that file: position = the last updatedAt read plus the ids read at exactly
// that instant (the export is sorted by updatedAt, then id). The cursor also keeps the Shopify
// page cursor the export started at: if the export fails or hangs, paging resumes there (orders
// the export already delivered are then read again and found in B1: exactly once still holds).

interface BulkCursor extends UpdatedAtPosition {
  op: string;
  /** Shopify page cursor to resume paging from when the export is unusable. */
  after: string;
  /** When the export was started (ms since epoch), to give up on one that never finishes. */
  startedAt: number;
}

/** Seconds of restored points one page of orders costs at the shop's restore rate (0 when unknown). */
function pagingSecondsPerPage(deps: PipelineDeps, pointsPerOrder: number): number {
  const rate = deps.shopify.cost().restoreRate;
  return rate ? (deps.pageSizes.order * pointsPerOrder) / rate : 0;
}

/** The next page from the export, or null when the export is unusable (the caller pages instead). */
async function bulkPage(deps: PipelineDeps, c: BulkCursor, pageSize: number): Promise<FetchPageResult<OrderSource> | null> {
  // Waits and give-up time: deps.tuning.order (kit/tuning.ts).
  const { bulkWaitPerPageMs, bulkGiveUpMs } = deps.tuning.order;
  const waitMs = Math.max(0, Math.min(bulkWaitPerPageMs, c.startedAt + bulkGiveUpMs - Date.now()));
  const state = await deps.shopify.bulkExports.orders.await(c.op, waitMs);
  if (state.kind === 'pending') {
    // Still running after the wait: wait again on the next page, unless it is time to give up.
    if (Date.now() < c.startedAt + bulkGiveUpMs) return { records: [], nextCursor: exportCursor(c) };
    return null;
  }
  if (state.kind === 'gone') return null;
  const rest = pastPosition(state.orders, c);
  const orders = rest.slice(0, pageSize);
  // The export read everything from its start on: it cannot vouch for more than that.
  const watermark = claimableWatermark(orders, state.createdAt);
  const next = rest.length > pageSize ? exportCursor({ ...c, ...positionAfter(orders, c) }) : undefined;
  return { records: await enrichOrders(deps, orders), ...(next ? { nextCursor: next } : {}), ...(watermark ? { watermark } : {}) };
}
