/**
 * Inventory pipeline under faults: Shopify THROTTLED (tight bucket, drained behind the client's
 * back), 5xx and a dropped connection after the mutation ran; B1 502s and an expired session.
 * The run must converge to the end state a clean run reaches, with every batch applied once.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import { adjustmentGroups, mismatches } from './support-inventory';

function drainShopifyBuckets(fx: HubFixture): void {
  for (const b of fx.shopifySim.runtime.buckets.values()) while (b.tryTake(5));
}

describe('inventory pipeline under faults', { timeout: 120_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  const codes = [...DEMO_ITEM_CODES];

  before(async () => {
    fx = await startHubFixture({ items: 30, plan: { restoreRate: 20, bucketSize: 240 } });
    worker = await fx.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('throttling, 5xx, a lost response and B1 502s/session expiry converge to B1 stock, each batch applied once', async () => {
    assert.ok(mismatches(fx.b1Sim, fx.shopifySim, fx.deps.mapping, codes).length > 0);
    drainShopifyBuckets(fx);
    fx.shopifySim.faults.add({ kind: 'status', status: 503, times: 2, match: 'InventoryStockBySku' });
    fx.shopifySim.faults.add({ kind: 'status', status: 502, times: 1, match: 'InventorySetQuantities' });
    // Applied by Shopify, but the answer never arrives: the retry must be replayed, not re-applied.
    fx.shopifySim.faults.add({ kind: 'reset', when: 'after', times: 1, match: 'InventorySetQuantities' });
    fx.b1Sim.faults.failNext({ kind: '502', match: /Items/ }, 2);
    fx.b1Sim.faults.expireSessions();
    const groups = adjustmentGroups(fx.shopifySim);
    const throttledBefore = fx.shopifySim.stats.throttled;

    const { result } = await fx.runSync('inventory', { mode: 'full' });

    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, fx.deps.mapping, codes), []);
    assert.equal(result.counts.failed, 0);
    assert.equal(result.counts.updated + result.counts.unchanged, codes.length);
    // 20 items × 2 locations fit one batch: exactly one adjustment group despite the retries.
    assert.equal(adjustmentGroups(fx.shopifySim) - groups, 1);
    assert.ok(fx.shopifySim.stats.throttled > throttledBefore, 'the drained bucket must have throttled a request');
    assert.equal(fx.shopifySim.faults.injected.status, 3);
    assert.equal(fx.shopifySim.faults.injected.reset, 1);

    // A clean run afterwards finds nothing to do: the faulty run left the clean end state.
    const again = await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(again.result.counts.unchanged, codes.length);
    assert.equal(adjustmentGroups(fx.shopifySim) - groups, 1);
  });

  test('a B1 stock change made while Shopify throttles still lands on the next run', async () => {
    fx.b1Sim.state.setStock('A00002', '02', { InStock: 3, Committed: 5 });
    drainShopifyBuckets(fx);
    fx.b1Sim.faults.failNext({ kind: '503', match: /Items/ }, 1);
    const { result } = await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(result.counts.updated, 1);
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, fx.deps.mapping, codes), []);
  });
  test('a bulk export Shopify refuses leaves a multi-page run on per-request reads, same end state', async () => {
    fx.b1Sim.state.setStock('A00009', '01', { InStock: 12, Committed: 0 });
    fx.b1Sim.state.setStock('A00017', '02', { InStock: 30, Committed: 29 });
    const bulkBefore = Object.keys(fx.shopifySim.state.data.bulkOperations).length;
    fx.shopifySim.faults.add({ kind: 'status', status: 500, times: 20, match: 'bulkOperationRunQuery' });
    const pageSize = fx.deps.pageSizes.inventory;
    fx.deps.pageSizes.inventory = 5;
    try {
      const { result } = await fx.runSync('inventory', { mode: 'delta' });
      assert.equal(result.counts.updated, 2);
      assert.equal(result.counts.unchanged, codes.length - 2);
      assert.equal(Object.keys(fx.shopifySim.state.data.bulkOperations).length, bulkBefore);
      assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, fx.deps.mapping, codes), []);
    } finally {
      fx.deps.pageSizes.inventory = pageSize;
      fx.shopifySim.faults.clear();
    }
  });
});
