/**
 * Crash safety of the product push: a worker in its own process is SIGKILLed while a full run
 * over 100 selected items is writing products (Shopify latency keeps the run mid-page), another
 * worker takes over, and the run ends with every item in Shopify exactly once.
 *
 * Recovery is Temporal's own: the killed attempt stops heartbeating, its 30-second heartbeat
 * timeout expires, and the half-done page is re-executed on the new worker.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startHubFixture, type HubFixture, type WorkerProcess } from '../support/hub-fixture';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { syncRunWorkflow } from '../../src/workflows/sync-run';
import type { SyncRunResult } from '../../src/shared/sync-types';
import { productIdsBySku } from './support-product';

const CODES = demoItemCodes(100);

describe('product pipeline crash safety', () => {
  let fx: HubFixture;
  const workers: WorkerProcess[] = [];

  before(async () => {
    fx = await startHubFixture({ items: 110 });
    const r = await fx.deps.b1.setItemsShopifySync(CODES, 'Y');
    assert.equal(r.updated.length, 100);
  });
  after(async () => {
    for (const w of workers) await w.kill();
    await fx?.close();
  });

  test('SIGKILL mid-run, another worker finishes: no duplicate product, nothing missing', async () => {
    fx.shopifySim.faults.latencyMs = 40;
    workers.push(await fx.startWorkerProcess());
    const workflowId = `sync:product:crash-${randomUUID().slice(0, 8)}`;
    const client = fx.env.client;
    const handle = await client.workflow.start(syncRunWorkflow, {
      taskQueue: fx.taskQueue,
      workflowId,
      args: [{ object: 'product', trigger: 'manual', mode: 'full' }],
    });

    // Kill once part of the catalogue is linked: the run is in the middle of writing products.
    const linked = () => CODES.filter((c) => fx.shopifySim.state.ownerByCustomId('PRODUCT', 'b1hub', 'item_code', c) !== null).length;
    const deadline = Date.now() + 30_000;
    while (linked() < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const atKill = linked();
    assert.ok(atKill >= 30 && atKill < 100, `killed mid-run (${atKill} of 100 linked)`);
    await workers[0]!.kill();

    fx.shopifySim.faults.latencyMs = 0;
    workers.push(await fx.startWorkerProcess());
    const result: SyncRunResult = await handle.result();
    assert.equal(result.counts.failed, 0, JSON.stringify(result.counts));

    for (const code of CODES) {
      const ids = productIdsBySku(fx, code);
      assert.equal(ids.length, 1, `exactly one product with SKU ${code}: ${ids.join(', ')}`);
      const item = fx.b1Sim.state.get('Items', code) as { U_ShopifyId?: string } | undefined;
      assert.equal(item?.U_ShopifyId, ids[0], `U_ShopifyId of ${code}`);
    }
    assert.equal(Object.keys(fx.shopifySim.state.data.products).length, 100, 'the 20 seeded products were adopted, 80 created, none twice');
  });
});
