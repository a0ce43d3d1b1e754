/**
 * An initial load's chunks overlap: while one chunk's item links go to B1, the next chunk's bulk
 * import runs in Shopify. What must still hold:
 * - at most two chunk posts at once, and the worker's `$batch` requests capped as for one page
 *   (two chunks writing links at once share the slots instead of doubling the Service Layer's load);
 * - Shopify runs one bulk import at a time: a chunk whose import is refused while the other's runs
 *   waits for the slot, so the run does not fail on OPERATION_IN_PROGRESS;
 * - a chunk retried after its import (its links failed) while the next chunk posts imports again
 *   by custom id: every item ends with exactly one product, linked, and each is reported once.
 * The overlap is read from the run's history (post 2 scheduled before post 1 completed), not timed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { ZERO_LATENCY } from '../../src/sim/latency';
import { POST_CONCURRENCY } from '../../src/pipelines/kit/activity';
import { assertPushed } from './support-product';

const N = 120;
const CHUNK = 40;
const CODES = demoItemCodes(N);

interface PostSpan {
  scheduledAt: number;
  ms?: number[];
  completedAt?: number;
  attempts: number;
}

/**
 * The run's post activities in the order they were scheduled, which is page order (the workflow
 * schedules page N's post before page N+1's; the fixture's worker retries no ledger pages), with
 * the event ids of their scheduling and completion.
 */
async function postSpans(fx: HubFixture, workflowId: string): Promise<PostSpan[]> {
  const history = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
  const spans = new Map<string, PostSpan>();
  for (const e of history.events ?? []) {
    const id = Number(e.eventId);
    const ms = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'postPage')
      spans.set(String(id), { scheduledAt: id, attempts: 0, ms: [ms] });
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const span = spans.get(String(started.scheduledEventId));
      if (span) span.attempts = Math.max(span.attempts, started.attempt ?? 1);
    }
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const span = spans.get(String(done.scheduledEventId));
      if (span) {
        span.completedAt = id;
        span.ms?.push(ms);
      }
    }
  }
  return [...spans.values()];
}

describe('initial-load chunks posted side by side', { timeout: 180_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;

  before(async () => {
    fx = await startHubFixture({ items: 2 * N + 10 });
    Object.assign(fx.deps.product.tuning.bulk, { threshold: 100, chunk: CHUNK });
    // A chunk's 40 links go in 4 requests (as 500 go in 8 by default), so the cap can be reached.
    fx.deps.product.tuning.linksPerBatch = 10;
    const r = await fx.deps.b1.setItemsShopifySync(CODES, 'Y');
    assert.equal(r.updated.length, N);
    worker = await fx.startWorker();
  });
  after(async () => {
    fx.b1Sim.latency = ZERO_LATENCY.b1;
    fx.shopifySim.latency = undefined;
    await worker?.stop();
    await fx?.close();
  });

  test("the next chunk imports while one writes its links; B1's $batch load stays capped; every item once", async (t) => {
    // A chunk's links (40 PATCHes, 4 requests of 10 at 600 ms each) take ~6 s; its import 1 s;
    // chunk 1's first link request is held 8 s more, so chunk 1 is surely still posting when
    // chunk 2 is read, mapped and posted (without kind timing), and chunk 2's import ends while
    // chunk 1's links are going: without the shared slots chunk 2 would add four more requests.
    fx.b1Sim.latency = { ...ZERO_LATENCY.b1, writeMs: 600 };
    fx.shopifySim.latency = { ...ZERO_LATENCY.shopify, bulkBaseMs: 1_000 };
    fx.b1Sim.faults.failNext({ kind: 'slow', match: /\$batch$/, slowMs: 8_000 });
    const batches = fx.b1Sim.watchConcurrency(/\$batch$/);
    try {
      const { result, workflowId } = await fx.runSync('product', { mode: 'full' });
      assert.equal(result.counts.failed, 0, JSON.stringify(result.counts));
      // The 20 demo products already in Shopify with the same SKU are adopted; the rest are new.
      assert.deepEqual({ created: result.counts.created, updated: result.counts.updated }, { created: N - 20, updated: 20 });

      // `RECORD_HISTORIES=1 npm test -- product-bulk-overlap` refreshes the history the replay test checks
      // (not named sync-run-*: those are the recordings from before the syncId rename, test/shared).
      if (process.env.RECORD_HISTORIES) {
        const { historyToJSON } = await import('@temporalio/common/lib/proto-utils');
        const history = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
        writeFileSync(join(__dirname, '..', 'histories', 'product-load-overlap.json'), historyToJSON(history));
      }
      const spans = await postSpans(fx, workflowId);
      assert.equal(spans.length, N / CHUNK, JSON.stringify(spans));
      assert.ok(spans[1]!.scheduledAt < spans[0]!.completedAt!, `chunk 2 posted while chunk 1 was: ${JSON.stringify(spans)}`);
      // Never three: chunk i+1 is taken on only after chunk i-1 ended.
      for (let i = 2; i < spans.length; i++)
        assert.ok(spans[i - 2]!.completedAt! < spans[i]!.scheduledAt, `at most two chunk posts at once: ${JSON.stringify(spans)}`);
      t.diagnostic(`$batch requests at once: at most ${batches.peak}; posts ${JSON.stringify(spans)}`);
      assert.ok(batches.peak >= 2, `links went in parallel requests (peak ${batches.peak})`);
      assert.ok(batches.peak <= POST_CONCURRENCY, `at most ${POST_CONCURRENCY} $batch requests at once, saw ${batches.peak}`);
    } finally {
      batches.stop();
      fx.b1Sim.latency = ZERO_LATENCY.b1;
      fx.shopifySim.latency = undefined;
    }
    await assertPushed(fx, CODES);
  });

  test('a chunk retried after its import, while the next chunk posts, imports again by custom id: no duplicate, all linked', async () => {
    // A second catalogue range, none of it in Shopify yet: the first range leaves the selection.
    const second = demoItemCodes(2 * N).slice(N);
    assert.equal((await fx.deps.b1.setItemsShopifySync(CODES, 'N')).updated.length, N);
    assert.equal((await fx.deps.b1.setItemsShopifySync(second, 'Y')).updated.length, N);
    // Each import holds the mutation slot for 2 s, so the retried chunk's new import meets the
    // next chunk's import running and has to wait for it.
    fx.shopifySim.latency = { ...ZERO_LATENCY.shopify, bulkBaseMs: 2_000 };
    // Chunk 1's links fail past the client's own retries: that attempt fails after its import.
    fx.b1Sim.faults.failNext({ kind: '503', match: /\$batch$/ }, 4 * (1 + 3));
    try {
      const { result, workflowId } = await fx.runSync('product', { mode: 'full' });
      assert.equal(result.counts.failed, 0, JSON.stringify(result.counts));
      assert.deepEqual({ created: result.counts.created, updated: result.counts.updated }, { created: N, updated: 0 });
      const spans = await postSpans(fx, workflowId);
      assert.ok(spans[0]!.attempts >= 2, `chunk 1 was retried (${JSON.stringify(spans)})`);
      assert.ok(spans[1]!.scheduledAt < spans[0]!.completedAt!, 'chunk 2 posted while chunk 1 was retried');
    } finally {
      fx.shopifySim.latency = undefined;
    }
    await assertPushed(fx, second);
  });
});
