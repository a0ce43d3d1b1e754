/**
 * Inventory pipeline crash safety: the worker process is SIGKILLed while its
 * inventorySetQuantities call is in flight (Shopify applies it; the answer never arrives). A new
 * worker retries the page after the heartbeat timeout with the same idempotency key, so Shopify
 * replays the batch instead of applying it twice, and the run ends in B1's state.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type WorkerProcess } from '../support/hub-fixture';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import { syncRunWorkflow } from '../../src/workflows/sync-run';
import { adjustmentGroups, mismatches } from './support-inventory';

describe('inventory pipeline: worker killed mid-write', { timeout: 120_000 }, () => {
  let fx: HubFixture;
  const workers: WorkerProcess[] = [];
  const codes = [...DEMO_ITEM_CODES];

  before(async () => {
    fx = await startHubFixture({ items: 30 });
  });
  after(async () => {
    for (const w of workers) await w.kill();
    await fx?.close();
  });

  test('the run finishes on a new worker with every batch applied exactly once', async () => {
    assert.ok(mismatches(fx.b1Sim, fx.shopifySim, fx.deps.mapping, codes).length > 0);
    const groups = adjustmentGroups(fx.shopifySim);
    // Holds the mutation in the simulator long enough to kill the worker while it waits.
    fx.shopifySim.faults.add({ kind: 'latency', ms: 3_000, times: 1, match: 'InventorySetQuantities' });
    const first = await fx.startWorkerProcess();
    workers.push(first);
    const handle = await fx.env.client.workflow.start(syncRunWorkflow, {
      taskQueue: fx.taskQueue,
      workflowId: `sync:inventory:crash-${Date.now()}`,
      args: [{ object: 'inventory', trigger: 'manual', mode: 'full' }],
    });
    const deadline = Date.now() + 30_000;
    while (fx.shopifySim.faults.injected.latency === 0) {
      if (Date.now() > deadline) throw new Error('the mutation never reached Shopify');
      await new Promise((r) => setTimeout(r, 20));
    }
    await first.kill();
    // The simulator still applies the held request: its outcome is unknown to the hub.
    await new Promise((r) => setTimeout(r, 3_500));
    assert.equal(adjustmentGroups(fx.shopifySim) - groups, 1, 'the killed attempt was applied');

    workers.push(await fx.startWorkerProcess());
    const result = await handle.result();
    assert.equal(result.counts.failed, 0);
    assert.equal(result.counts.updated + result.counts.unchanged, codes.length);
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, fx.deps.mapping, codes), []);
    assert.equal(adjustmentGroups(fx.shopifySim) - groups, 1, 'the retry was replayed, not applied again');
  });
});
