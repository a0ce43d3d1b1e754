/**
 * A page's product write-backs go to B1 in several `$batch` requests at once (up to the post's
 * concurrency), not one after another: an initial-load chunk of 500 items has five, and at the
 * Service Layer's write time each takes seconds. Shown without timing luck: the first request is
 * held at the simulator, and the next ones arrive while it is still unanswered.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { LINKS_PER_BATCH } from '../../src/pipelines/product/post';
import { assertPushed } from './support-product';

const N = 250;
const CODES = demoItemCodes(N);
const HOLD_MS = 20_000;

describe('product write-backs in parallel $batch requests', { timeout: 180_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;

  before(async () => {
    fx = await startHubFixture({ items: N + 5 });
    fx.deps.pageSizes.product = N;
    const r = await fx.deps.b1.setItemsShopifySync(CODES, 'Y');
    assert.equal(r.updated.length, N);
    worker = await fx.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test("a page's $batch requests are sent while the first is still unanswered, and every link lands", async () => {
    const at = fx.b1Sim.faults.log.length;
    const batches = (): number => fx.b1Sim.faults.log.slice(at).filter((l) => /^POST \S*\/\$batch$/.test(l)).length;
    fx.b1Sim.faults.failNext({ kind: 'slow', match: /\$batch$/, slowMs: HOLD_MS });
    const run = fx.runSync('product', { mode: 'full' });
    const expected = Math.ceil(N / LINKS_PER_BATCH);
    // Sent one after another, the second request could not leave before the first was answered.
    let firstSeenAt: number | undefined;
    for (;;) {
      const n = batches();
      if (n >= 1) firstSeenAt ??= Date.now();
      if (n >= expected) break;
      if (firstSeenAt !== undefined && Date.now() - firstSeenAt > HOLD_MS)
        assert.fail(`only ${n} of ${expected} $batch requests during the hold`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const { result } = await run;
    assert.equal(result.counts.failed, 0, JSON.stringify(result.counts));
    assert.equal(result.counts.created + result.counts.updated, N);
    assert.equal(batches(), expected, 'each link in one request');
    await assertPushed(fx, CODES);
  });
});
