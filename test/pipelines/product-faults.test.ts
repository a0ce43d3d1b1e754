/**
 * Product push under faults: a tight Shopify bucket drained behind the client's back
 * (THROTTLED), 5xx answers, a productSet whose response is lost after Shopify applied it, B1 502s
 * on the write-back's $batch (before and after B1 applied it) and an expired B1 session. The run must reach the clean run's end
 * state: every item once in Shopify, linked both ways, and a following delta finds nothing to do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import { assertPushed, productStamps } from './support-product';

function drainShopifyBuckets(fx: HubFixture): void {
  for (const b of fx.shopifySim.runtime.buckets.values()) while (b.tryTake(5));
}

describe('product pipeline under faults', { timeout: 120_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;

  before(async () => {
    fx = await startHubFixture({ items: 30, plan: { restoreRate: 50, bucketSize: 200 } });
    worker = await fx.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('THROTTLED, 5xx, a lost productSet response, B1 502s and session expiry converge to the clean end state', async () => {
    drainShopifyBuckets(fx);
    fx.shopifySim.faults.add({ kind: 'status', status: 503, times: 2, match: 'ProductsPage' });
    fx.shopifySim.faults.add({ kind: 'status', status: 500, times: 2, match: 'ProductSet' });
    // Applied by Shopify, answer lost: the retry must update the same product, not create another.
    fx.shopifySim.faults.add({ kind: 'reset', when: 'after', times: 2, match: 'ProductSet' });
    // The write-backs go through $batch: one answer lost before B1 ran it, one after (re-sent, idempotent).
    fx.b1Sim.faults.failNext({ kind: '502', match: /^POST .*\/\$batch/ }, 1);
    fx.b1Sim.faults.failNext({ kind: '502', match: /^POST .*\/\$batch/, when: 'after' }, 1);
    fx.b1Sim.faults.failNext({ kind: '503', match: /GET .*Items/ }, 1);
    fx.b1Sim.faults.expireSessions();
    const throttledBefore = fx.shopifySim.stats.throttled;
    const b1At = fx.b1Sim.faults.log.length;

    const { result } = await fx.runSync('product', { mode: 'full' });

    assert.equal(result.counts.failed, 0, JSON.stringify(result.counts));
    assert.equal(result.counts.created + result.counts.updated + result.counts.unchanged, DEMO_ITEM_CODES.length);
    await assertPushed(fx, DEMO_ITEM_CODES);
    assert.equal(Object.keys(fx.shopifySim.state.data.products).length, DEMO_ITEM_CODES.length, 'no product was created twice');
    assert.ok(fx.shopifySim.stats.throttled > throttledBefore, 'the drained bucket must have throttled a request');
    assert.equal(fx.shopifySim.faults.injected.status, 4);
    assert.equal(fx.shopifySim.faults.injected.reset, 2);
    const b1Log = fx.b1Sim.faults.log.slice(b1At);
    assert.ok(b1Log.filter((l) => l.endsWith('/$batch')).length >= 3, `both faulty $batch requests were sent again: ${b1Log.join(', ')}`);
    assert.deepEqual(
      b1Log.filter((l) => l.startsWith('PATCH ')),
      [],
      'no write-back outside $batch',
    );

    // A clean run afterwards writes nothing: the faulty run left the clean end state.
    const stamps = productStamps(fx);
    const again = await fx.runSync('product', { mode: 'full' });
    assert.equal(again.result.counts.unchanged, DEMO_ITEM_CODES.length, JSON.stringify(again.result.counts));
    assert.deepEqual(productStamps(fx), stamps);
  });
});
