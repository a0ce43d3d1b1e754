/**
 * Crash safety of the delivery run on the real dev server: the worker is a separate process,
 * SIGKILLed while it is creating fulfillments, then replaced. Deliveries ship one unit of lines
 * that have more, so a second fulfillment of a delivery would be accepted by Shopify and show as
 * two units: after the run (and, for deliveries left in doubt, one run after the stale window on
 * B1's clock) every delivered line shows exactly one fulfilled unit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { syncRunWorkflow } from '../../src/workflows/sync-run';
import { startHubFixture, type HubFixture, type WorkerProcess } from '../support/hub-fixture';
import { ensureGuestPartner, runLog, salesOrders } from '../pipelines/support-shopify-to-b1';
import { deliver, fulfillmentsOf } from './support';

type Rec = Record<string, unknown>;
type Line = { LineNum: number; Quantity: number; RemainingOpenQuantity: number; U_ShopifyLineId?: string };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('delivery pipeline crash safety', () => {
  let fx: HubFixture;
  let proc: WorkerProcess | undefined;
  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 10, shopifyOrders: 40, plan: 'plus' });
    await ensureGuestPartner(fx);
    const w = await fx.startWorker();
    try {
      await fx.runSync('order', { mode: 'full' });
    } finally {
      await w.stop();
    }
  });
  after(async () => {
    fx.shopifySim.faults.clear();
    await proc?.kill();
    await fx?.close();
  });

  test('SIGKILL mid-run, new worker: one fulfilled unit per delivered unit, none twice', async () => {
    const shipped: { orderId: string; lineItemId: string }[] = [];
    const deliveries: number[] = [];
    for (const so of salesOrders(fx)) {
      if (typeof so.U_ShopifyId !== 'string' || so.DocumentStatus !== 'bost_Open') continue;
      const lines = (so.DocumentLines as Line[]).filter((l) => l.RemainingOpenQuantity >= 2 && l.U_ShopifyLineId);
      if (!lines.length) continue;
      deliveries.push(
        await deliver(
          fx,
          Number(so.DocEntry),
          lines.map((l) => ({ line: l.LineNum, qty: 1 })),
          { TrackingNumber: `C-${String(so.DocEntry)}` },
        ),
      );
      for (const l of lines) shipped.push({ orderId: so.U_ShopifyId, lineItemId: l.U_ShopifyLineId! });
    }
    assert.ok(deliveries.length >= 6, `enough deliveries to kill mid-run (${deliveries.length})`);

    // Slow Shopify down so the kill lands while the run is creating fulfillments.
    fx.shopifySim.faults.latencyMs = 60;
    proc = await fx.startWorkerProcess();
    const workflowId = `sync:delivery:crash-${randomUUID().slice(0, 8)}`;
    const handle = await fx.env.client.workflow.start(syncRunWorkflow, {
      taskQueue: fx.taskQueue,
      workflowId,
      args: [{ object: 'delivery', trigger: 'manual', mode: 'full' }],
    });
    const rows = () => [...fx.b1Sim.state.store('U_B1H_FUL_RES').values()] as Rec[];
    for (let i = 0; rows().filter((r) => r.U_Target).length < 2; i++) {
      if (i > 1500) throw new Error('no fulfillment created within 30 s');
      await sleep(20);
    }
    await proc.kill();
    const atKill = rows().filter((r) => r.U_Target).length;
    assert.ok(atKill < deliveries.length, `killed mid-run (${atKill} of ${deliveries.length} settled)`);
    fx.shopifySim.faults.latencyMs = 0;

    proc = await fx.startWorkerProcess();
    await handle.result();
    const inDoubt = (await runLog(fx, workflowId)).outcomes.filter((o) => o.outcome === 'failed');
    for (const o of inDoubt) assert.match(o.reason ?? '', /may still be committing|answer was lost/, o.sourceId);
    await proc.kill();
    proc = undefined;
    if (inDoubt.length) {
      const past = fx.deps.b1.reservations.staleAfterMs + 1_000;
      fx.b1Sim.state.clock.advance(past); // reservations are judged on B1's clock
      const w = await fx.startWorker();
      try {
        const again = await fx.runSync('delivery', { mode: 'ids', ids: inDoubt.map((o) => o.sourceId) });
        assert.equal(again.result.counts.failed, 0, JSON.stringify(again.result.counts));
      } finally {
        await w.stop();
        fx.b1Sim.state.clock.advance(-past);
      }
    }
    for (const s of shipped) {
      const units = (await fulfillmentsOf(fx, s.orderId)).reduce((n, f) => n + (f.lines[s.lineItemId] ?? 0), 0);
      assert.equal(units, 1, `${s.orderId} ${s.lineItemId}: ${units} fulfilled units for 1 delivered`);
    }
    for (const d of deliveries) assert.ok(fx.b1Sim.state.get('DeliveryNotes', String(d))!.U_ShopifyFulfillId, `delivery ${d} written back`);
  });
});
