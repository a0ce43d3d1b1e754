/**
 * One fulfillment per delivery and fulfillment order, in the interleavings that break a lookup
 * alone (README "Deliveries → fulfillments"): Shopify's answer lost after the create, a worker
 * killed between the create and the settle, a create still in flight in another writer (slow
 * commit), a holder that died before its create, two writers at once. Both simulators over
 * HTTP; the other writers are played by the same Service Layer and Admin API calls a worker
 * makes, at the exact point each interleaving needs, never by timing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FULFILLMENT_RESERVATIONS } from '../../src/connectors/b1/reservations';
import { createFulfillment, orderFulfillmentState } from '../../src/connectors/shopify/fulfillment';
import { fetchDeliveryPage } from '../../src/pipelines/delivery/fetch';
import { fulfillmentKey, postDelivery, type DeliveryPostTiming } from '../../src/pipelines/delivery/post';
import type { DeliveryRecord } from '../../src/pipelines/delivery/types';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { ensureGuestPartner } from '../pipelines/support-shopify-to-b1';
import { deliver, fulfillmentsOf, importedOrder } from './support';

const FAST: DeliveryPostTiming = { inDoubtRecheckMs: [50, 100] };

describe('delivery → fulfillment exactly once', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  const used = new Set<number>();
  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 5, shopifyOrders: 16, plan: 'plus' });
    await ensureGuestPartner(fx);
    worker = await fx.startWorker();
    await fx.runSync('order', { mode: 'full' });
  });
  after(async () => {
    fx?.shopifySim.faults.clear();
    fx.deps.b1.reservations.staleAfterMs = 15 * 60_000;
    await worker?.stop();
    await fx?.close();
  });

  /** The delivery as a run reads it now. */
  async function recordOf(docEntry: number): Promise<{ id: string; payload: DeliveryRecord }> {
    const page = await fetchDeliveryPage(fx.deps, { object: 'delivery', syncId: 't', mode: 'ids', ids: [String(docEntry)], pageIndex: 0 });
    const r = page.records[0]!;
    return { id: r.id, payload: r.data };
  }

  /** A fresh order, a one-unit delivery of its first line, the record the fetch makes of it, and where that unit sits in Shopify. */
  async function scenario(): Promise<{
    rec: { id: string; payload: DeliveryRecord };
    orderId: string;
    docEntry: number;
    foId: string;
    foLineId: string;
  }> {
    const so = importedOrder(fx, 1, used);
    used.add(so.DocEntry);
    const line = so.DocumentLines[0]!;
    const docEntry = await deliver(fx, so.DocEntry, [{ line: line.LineNum, qty: 1 }], { TrackingNumber: `T-${so.DocEntry}` });
    const r = await recordOf(docEntry);
    const st = (await orderFulfillmentState(fx.deps.shopify.executor, so.U_ShopifyId))!;
    const fo = st.fulfillmentOrders.find((f) => f.lines.some((l) => l.lineItemId === line.U_ShopifyLineId))!;
    const foLine = fo.lines.find((l) => l.lineItemId === line.U_ShopifyLineId)!;
    return { rec: r, orderId: so.U_ShopifyId, docEntry, foId: fo.id, foLineId: foLine.id };
  }

  /** What a worker that died after its create (before the settle) left: a row without target, and the fulfillment. */
  async function deadWorkerCreate(s: Awaited<ReturnType<typeof scenario>>, commit: boolean): Promise<void> {
    const got = await fx.deps.b1.reservations.reserve(FULFILLMENT_RESERVATIONS, fulfillmentKey(s.docEntry, s.foId));
    assert.ok(got.mine);
    if (commit) await lateCommit(s);
  }
  const lateCommit = (s: Awaited<ReturnType<typeof scenario>>) =>
    createFulfillment(fx.deps.shopify.executor, {
      fulfillmentOrderId: s.foId,
      lines: [{ id: s.foLineId, quantity: 1 }],
      notifyCustomer: false,
      tracking: { number: s.rec.payload.delivery.trackingNumber! },
    });

  test("Shopify's answer lost after the create: found again, not created twice", async () => {
    const s = await scenario();
    fx.shopifySim.faults.add({ kind: 'reset', when: 'after', match: 'fulfillmentCreate' });
    const out = await postDelivery(fx.deps, s.rec, FAST);
    assert.equal(out.outcome, 'created', JSON.stringify(out));
    assert.equal(fx.shopifySim.faults.injected.reset, 1, 'the answer was lost');
    assert.equal((await fulfillmentsOf(fx, s.orderId)).length, 1);
    const row = await fx.deps.b1.reservations.find(FULFILLMENT_RESERVATIONS, fulfillmentKey(s.docEntry, s.foId));
    assert.match(String(row?.target), /^gid:\/\/shopify\/Fulfillment\/\d+$/);
    assert.equal((await postDelivery(fx.deps, await recordOf(s.docEntry), FAST)).outcome, 'unchanged');
    assert.equal((await fulfillmentsOf(fx, s.orderId)).length, 1);
  });

  test('worker killed between the create and the settle: the next run settles from Shopify, creates nothing', async () => {
    const s = await scenario();
    await deadWorkerCreate(s, true);
    const out = await postDelivery(fx.deps, s.rec, FAST);
    assert.equal(out.outcome, 'updated', JSON.stringify(out));
    assert.equal((await fulfillmentsOf(fx, s.orderId)).length, 1);
    assert.match(String(fx.b1Sim.state.get('DeliveryNotes', String(s.docEntry))!.U_ShopifyFulfillId), /^\d+=\d+$/);
  });

  test('a create still in flight elsewhere (slow commit): in doubt, nothing created; once it commits it is settled', async () => {
    const s = await scenario();
    await deadWorkerCreate(s, false);
    const first = await postDelivery(fx.deps, s.rec, FAST);
    assert.equal(first.outcome, 'failed');
    assert.match(String(first.reason), /may still be committing in Shopify.*not created again before/);
    assert.equal((await fulfillmentsOf(fx, s.orderId)).length, 0);
    await lateCommit(s); // the slow create lands
    assert.equal((await postDelivery(fx.deps, s.rec, FAST)).outcome, 'updated');
    assert.equal((await fulfillmentsOf(fx, s.orderId)).length, 1);
  });

  test('a holder that died before its create: after the stale window (B1 clock) the row is taken over and the fulfillment made once', async () => {
    const s = await scenario();
    await deadWorkerCreate(s, false);
    fx.deps.b1.reservations.staleAfterMs = -1; // every open row counts as stale: the window's length is not what is tested
    try {
      assert.equal((await postDelivery(fx.deps, s.rec, FAST)).outcome, 'created');
    } finally {
      fx.deps.b1.reservations.staleAfterMs = 15 * 60_000;
    }
    assert.equal((await fulfillmentsOf(fx, s.orderId)).length, 1);
    const row = await fx.deps.b1.reservations.find(FULFILLMENT_RESERVATIONS, fulfillmentKey(s.docEntry, s.foId));
    assert.equal(row?.generation, 2);
    assert.ok(row?.target);
  });

  test('two writers at once: one fulfillment', async () => {
    const s = await scenario();
    const outs = await Promise.all([
      postDelivery(fx.deps, s.rec, FAST),
      postDelivery(fx.deps, s.rec, FAST),
      postDelivery(fx.deps, s.rec, FAST),
    ]);
    assert.equal(outs.filter((o) => o.outcome === 'created').length, 1, JSON.stringify(outs));
    assert.equal((await fulfillmentsOf(fx, s.orderId)).length, 1);
    // The losers were told to come back; the next run agrees there is nothing to do.
    const again = await postDelivery(fx.deps, s.rec, FAST);
    assert.ok(['unchanged', 'updated'].includes(again.outcome), JSON.stringify(again));
    assert.equal((await fulfillmentsOf(fx, s.orderId)).length, 1);
  });
});
