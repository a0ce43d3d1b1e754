/**
 * Crash safety: the worker is a separate process, SIGKILLed in the middle of an order run (while
 * it is posting sales orders), then replaced by a new process. The run finishes with every
 * Shopify order in B1 exactly once and no duplicate business partner.
 *
 * Recovery is Temporal's own: the killed attempt stops heartbeating, its 30-second heartbeat
 * timeout expires, and the page is retried on the new worker while part of it already reached B1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { syncRunWorkflow } from '../../src/workflows/sync-run';
import { startHubFixture, type HubFixture, type WorkerProcess } from '../support/hub-fixture';
import { ensureGuestPartner, partners, runLog, salesOrders } from './support-shopify-to-b1';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('order pipeline crash safety', () => {
  let fx: HubFixture;
  let proc: WorkerProcess | undefined;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 15, shopifyOrders: 60, b1Customers: 2, plan: 'plus' });
    await ensureGuestPartner(fx);
  });

  after(async () => {
    await proc?.kill();
    await fx?.close();
  });

  test('SIGKILL mid-run, new worker: every order exactly once, no duplicate partner', async () => {
    const shopifyOrders = Object.values(fx.shopifySim.state.data.orders);
    assert.equal(shopifyOrders.length, 60);
    // Slow B1 down so the run lasts a few seconds and the kill lands while a page is being posted.
    fx.b1Sim.faults.set({ latencyMs: 15 });
    proc = await fx.startWorkerProcess();
    const workflowId = `sync:order:crash-${randomUUID().slice(0, 8)}`;
    const started = Date.now();
    const handle = await fx.env.client.workflow.start(syncRunWorkflow, {
      taskQueue: fx.taskQueue,
      workflowId,
      args: [{ object: 'order', trigger: 'manual', mode: 'full' }],
    });

    await until('the first sales orders', () => salesOrders(fx).length >= 8);
    await proc.kill();
    const atKill = salesOrders(fx).length;
    assert.ok(atKill < shopifyOrders.length, `killed mid-run (${atKill} of ${shopifyOrders.length} posted)`);

    proc = await fx.startWorkerProcess();
    const result = await handle.result();
    const seconds = (Date.now() - started) / 1000;

    const c = result.counts;
    // An order whose reservation the killed worker took, but whose POST it never sent (or whose
    // answer it never read), is in doubt: not posted again before the reservation's stale window
    // (README "Exactly once"). The next run after the window (B1's clock moved on) posts it.
    const first = await runLog(fx, workflowId);
    const inDoubt = first.outcomes.filter((o) => o.outcome === 'failed');
    for (const o of inDoubt) assert.match(o.reason ?? '', /may still be committing/, o.sourceId);
    assert.equal(c.skipped, 0, JSON.stringify(c));
    assert.equal(c.created + c.unchanged + c.failed, shopifyOrders.length, JSON.stringify(c));
    let catchUp = { created: 0, unchanged: 0 };
    if (inDoubt.length) {
      await proc.kill();
      proc = undefined;
      const past = fx.deps.b1.reservations.staleAfterMs + 1_000;
      fx.b1Sim.state.clock.advance(past); // B1's clock: reservations are judged on it
      const worker = await fx.startWorker();
      try {
        const again = await fx.runSync('order', { mode: 'ids', ids: inDoubt.map((o) => o.sourceId) });
        assert.equal(again.result.counts.failed, 0, JSON.stringify(again.result.counts));
        catchUp = { created: again.result.counts.created, unchanged: again.result.counts.unchanged };
      } finally {
        await worker.stop();
        fx.b1Sim.state.clock.advance(-past);
      }
    }
    for (const o of shopifyOrders) {
      const docs = salesOrders(fx).filter((d) => d.U_ShopifyId === `gid://shopify/Order/${o.id}`);
      assert.equal(docs.length, 1, `${o.name}: ${docs.length} sales orders`);
      assert.equal(docs[0]!.Cancelled, 'tNO', `${o.name} was not settled as a duplicate`);
    }
    assert.equal(salesOrders(fx).length, shopifyOrders.length);
    const byGid = new Map<string, number>();
    for (const p of partners(fx)) if (p.U_ShopifyId) byGid.set(String(p.U_ShopifyId), (byGid.get(String(p.U_ShopifyId)) ?? 0) + 1);
    assert.ok(
      [...byGid.values()].every((n) => n === 1),
      'one partner per Shopify customer',
    );
    const buyers = new Set(shopifyOrders.filter((o) => o.customerId !== null).map((o) => `gid://shopify/Customer/${o.customerId}`));
    assert.deepEqual(
      [...buyers].filter((g) => !byGid.has(g)),
      [],
      'every buyer has a partner',
    );

    console.log(
      `crash run: ${shopifyOrders.length} orders in ${seconds.toFixed(1)} s incl. kill/restart (${atKill} posted at the kill), ${inDoubt.length} in doubt (catch-up ${JSON.stringify(catchUp)}); last run history ${first.historyBytes} B / ${first.events} events`,
    );
  });
});
