/**
 * Posts one delivery as Shopify fulfillments, exactly once (README "Deliveries → fulfillments").
 *
 * Shopify gives the hub no key for a fulfillment (`fulfillmentCreate` documents no `@idempotent`
 * support, a fulfillment has no custom field), so the key lives in B1: a reservation row in
 * `@B1H_FUL_RES` per (delivery, fulfillment order), Code unique in B1, taken before the create
 * and settled with the fulfillment's GID after it. Per delivery, in this order:
 *
 * 1. Read the order's fulfillment orders, then the delivery's reservation rows (in this order: a
 *    writer whose create has already consumed remaining quantity took its row before, so a reader
 *    that sees the smaller quantity also sees the row).
 * 2. A settled row: that fulfillment stands for the delivery. A row without a target is an
 *    unanswered create (a lost answer, a worker killed before the settle, a create still in
 *    flight): it is settled from Shopify's state, by a standing fulfillment on that fulfillment
 *    order that only the delivery's lines can explain and no other row claims. None found: in
 *    doubt, nothing is created until the row is 15 minutes old on B1's clock; then it is taken
 *    over (one taker wins) and Shopify is read once more before the create.
 * 3. What the settled fulfillments do not cover is planned (mapping/fulfillment.ts) and created,
 *    one fulfillmentCreate per fulfillment order, each under its own row. A refusal gives the row
 *    back; a lost answer is looked for a few times, then left in doubt (step 2 on a later run).
 * 4. The fulfillment ids are written back to the delivery (`U_ShopifyFulfillId`); a tracking
 *    number the delivery got later is sent with fulfillmentTrackingInfoUpdate.
 *
 * Shopify's own check (no more than the remaining quantity) bounds the rest: a duplicate needs a
 * create that commits more than 15 minutes (B1 time) after its row was taken, as for sales orders.
 */
import { FULFILLMENT_RESERVATIONS, type Reservation } from '../../connectors/b1/reservations';
import { writeFulfillmentIds } from '../../connectors/b1/deliveries';
import { ShopifyUnknownOutcomeError, ShopifyUserErrors } from '../../connectors/shopify/errors';
import {
  createFulfillment,
  fulfillmentTracking,
  fulfillmentsOfFulfillmentOrder,
  orderFulfillmentState,
  updateFulfillmentTracking,
  type ShopifyFulfillment,
  type ShopifyFulfillmentOrder,
} from '../../connectors/shopify/fulfillment';
import { formatIssues } from '../../mapping/errors';
import { couldBeOurs, formatFulfillmentIds, planFulfillment, trackingFor, type DeliveryDoc } from '../../mapping/fulfillment';
import { created, failed, skipped, unchanged, updated, type RecordOutcome } from '../../mapping/outcome';
import type { PipelineDeps } from '../contract';
import { heartbeat } from '../kit/activity';
import type { DeliveryRecord } from './types';

/** After a create without an answer: look again after these pauses before reporting in doubt. */
export interface DeliveryPostTiming {
  inDoubtRecheckMs: readonly number[];
}
export const DELIVERY_POST_TIMING: DeliveryPostTiming = { inDoubtRecheckMs: [250, 1_000, 2_000] };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The reservation key of a delivery's fulfillment on one fulfillment order (≤ 50 characters as a Code). */
export function fulfillmentKey(docEntry: number, fulfillmentOrderId: string): string {
  return `DLN${docEntry}-FO${fulfillmentOrderId.replace(/^gid:\/\/shopify\/FulfillmentOrder\//, '')}`;
}

interface Done {
  fulfillmentOrderId: string;
  fulfillmentId: string;
}

class InDoubt extends Error {}

/** The fulfillments claimed by any reservation row (their Target), i.e. standing for some delivery. */
async function claimedBy(deps: PipelineDeps, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await deps.b1.listRaw(`U_${FULFILLMENT_RESERVATIONS.name}`, {
    filter: ids.map((id) => `U_Target eq '${id.replace(/'/g, "''")}'`).join(' or '),
    select: ['Code', 'U_Target'],
  });
  return new Set(rows.map((r) => String(r.U_Target)));
}

/** The fulfillment an unanswered create of this delivery made on `fo`, if Shopify shows one. */
async function findOurs(deps: PipelineDeps, d: DeliveryDoc, fo: ShopifyFulfillmentOrder): Promise<ShopifyFulfillment | undefined> {
  const all = await fulfillmentsOfFulfillmentOrder(deps.shopify.executor, fo.id);
  const candidates = all.filter((f) => couldBeOurs(f, d, fo.lines, new Set()));
  if (candidates.length === 0) return undefined;
  const claimed = await claimedBy(
    deps,
    candidates.map((f) => f.id),
  );
  return candidates.find((f) => couldBeOurs(f, d, fo.lines, claimed));
}

/** Settles an unanswered create's row from Shopify's state; returns the fulfillment id, or the row to post under. */
async function settleOpenRow(
  deps: PipelineDeps,
  d: DeliveryDoc,
  fo: ShopifyFulfillmentOrder,
  row: Reservation,
): Promise<{ done: string } | { mine: Reservation }> {
  const res = deps.b1.reservations;
  const ours = await findOurs(deps, d, fo);
  if (ours) {
    await res.settle(row, ours.id);
    return { done: ours.id };
  }
  if (!res.isStale(row)) {
    throw new InDoubt(
      `a fulfillment of delivery ${d.docNum ?? d.docEntry} on ${fo.id} may still be committing in Shopify (reserved by ${row.holder} at ${row.takenAt} SAP B1 time); not created again before ${res.staleAt(row)} SAP B1 time`,
    );
  }
  const got = await res.takeOver(row);
  if (!got.mine)
    throw new InDoubt(`fulfillment of delivery ${d.docNum ?? d.docEntry} on ${fo.id}: another writer took the reservation over`);
  // The previous holder's create may have committed while we took over.
  const late = await findOurs(deps, d, fo);
  if (late) {
    await res.settle(got.reservation, late.id);
    return { done: late.id };
  }
  return { mine: got.reservation };
}

/** Creates one fulfillment under `row`; settles the row; returns the fulfillment id. */
async function createUnder(
  deps: PipelineDeps,
  d: DeliveryDoc,
  fo: ShopifyFulfillmentOrder,
  row: Reservation,
  lines: { id: string; quantity: number }[],
  timing: DeliveryPostTiming,
): Promise<string> {
  const res = deps.b1.reservations;
  const cfg = deps.mapping.fulfillment;
  const tracking = trackingFor(cfg, d);
  let id: string;
  try {
    id = await createFulfillment(deps.shopify.executor, {
      fulfillmentOrderId: fo.id,
      lines,
      notifyCustomer: cfg.notifyCustomer,
      ...(tracking ? { tracking } : {}),
    });
  } catch (e) {
    if (e instanceof ShopifyUnknownOutcomeError) {
      for (const ms of timing.inDoubtRecheckMs) {
        await sleep(ms);
        heartbeat();
        const ours = await findOurs(deps, d, fo).catch(() => undefined);
        if (ours) {
          await res.settle(row, ours.id).catch(() => undefined);
          return ours.id;
        }
      }
      throw new InDoubt(
        `fulfillment of delivery ${d.docNum ?? d.docEntry} on ${fo.id}: Shopify's answer was lost and the fulfillment is not visible yet; left in doubt until ${res.staleAt(row)} SAP B1 time`,
      );
    }
    // Refused, or provably not sent (the executor says unknown outcome whenever it may have been): give the key back.
    await res.release(row).catch(() => undefined);
    throw e;
  }
  // The create stands: its row names it even if the worker dies before the write-back.
  await res.settle(row, id);
  return id;
}

export async function postDelivery(
  deps: PipelineDeps,
  rec: { id: string; payload: DeliveryRecord },
  timing = DELIVERY_POST_TIMING,
): Promise<RecordOutcome> {
  const { delivery: d, orderId } = rec.payload;
  const res = deps.b1.reservations;
  const state = await orderFulfillmentState(deps.shopify.executor, orderId);
  if (!state) return failed('delivery', rec.id, `Shopify has no order ${orderId} (the base sales order's U_ShopifyId)`, 'U_ShopifyId');
  if (state.cancelled) return skipped('delivery', rec.id, 'shopify-order-cancelled');

  const done: Done[] = [];
  const mine = new Map<string, Reservation>();
  try {
    // Step 1-2: the rows this delivery already has, read after the fulfillment orders.
    for (const fo of state.fulfillmentOrders) {
      const row = await res.find(FULFILLMENT_RESERVATIONS, fulfillmentKey(d.docEntry, fo.id));
      if (!row) continue;
      if (row.target) done.push({ fulfillmentOrderId: fo.id, fulfillmentId: row.target });
      else {
        const r = await settleOpenRow(deps, d, fo, row);
        if ('done' in r) done.push({ fulfillmentOrderId: fo.id, fulfillmentId: r.done });
        else mine.set(fo.id, r.mine);
      }
    }
    const covered: Record<string, number> = {};
    for (const x of done) {
      const fo = state.fulfillmentOrders.find((f) => f.id === x.fulfillmentOrderId)!;
      const f = (await fulfillmentsOfFulfillmentOrder(deps.shopify.executor, fo.id)).find((y) => y.id === x.fulfillmentId);
      for (const [li, q] of Object.entries(f?.lines ?? {})) covered[li] = (covered[li] ?? 0) + q;
    }
    // Step 3: what is still missing.
    const plan = planFulfillment(d, state.fulfillmentOrders, covered, new Set(done.map((x) => x.fulfillmentOrderId)));
    if (!plan.ok) {
      for (const r of mine.values()) await res.release(r).catch(() => undefined);
      // Shipped in Shopify already (by hand, or before the hub synced deliveries): nothing left to send.
      if (done.length === 0 && state.displayFulfillmentStatus === 'FULFILLED')
        return skipped('delivery', rec.id, 'shopify-order-fulfilled');
      return failed('delivery', rec.id, formatIssues(`delivery ${d.docNum ?? d.docEntry}`, plan.issues), plan.issues[0]?.field);
    }
    let made = 0;
    for (const g of plan.groups) {
      const fo = state.fulfillmentOrders.find((f) => f.id === g.fulfillmentOrderId)!;
      let row = mine.get(fo.id);
      if (!row) {
        const got = await res.reserve(FULFILLMENT_RESERVATIONS, fulfillmentKey(d.docEntry, fo.id));
        if (!got.mine)
          throw new InDoubt(`fulfillment of delivery ${d.docNum ?? d.docEntry} on ${fo.id} is being created by ${got.holder.holder}`);
        row = got.reservation;
      }
      mine.delete(fo.id);
      heartbeat();
      done.push({ fulfillmentOrderId: fo.id, fulfillmentId: await createUnder(deps, d, fo, row, g.lines, timing) });
      made += 1;
    }
    for (const r of mine.values()) await res.release(r).catch(() => undefined);

    // Step 4: write-back and tracking.
    const ids = formatFulfillmentIds(done);
    let changed = made > 0;
    if (ids && ids !== rec.payload.fulfillIds) {
      await writeFulfillmentIds(deps.b1, d.docEntry, ids);
      changed = true;
    }
    const tracking = trackingFor(deps.mapping.fulfillment, d);
    if (tracking) {
      for (const x of done.slice(0, done.length - made)) {
        const t = await fulfillmentTracking(deps.shopify.executor, x.fulfillmentId);
        if (!t || t.status !== 'SUCCESS' || t.tracking?.number === tracking.number) continue;
        await updateFulfillmentTracking(deps.shopify.executor, x.fulfillmentId, tracking, deps.mapping.fulfillment.notifyCustomer);
        changed = true;
      }
    }
    if (made > 0) return created('delivery', rec.id, ids);
    return changed ? updated('delivery', rec.id, ids) : unchanged('delivery', rec.id, ids || undefined);
  } catch (e) {
    if (e instanceof InDoubt) return failed('delivery', rec.id, e.message, 'U_ShopifyFulfillId');
    if (e instanceof ShopifyUserErrors)
      return failed('delivery', rec.id, `delivery ${d.docNum ?? d.docEntry}: ${e.message}`, 'DocumentLines');
    throw e;
  }
}
