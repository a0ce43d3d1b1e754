/**
 * Initial load of a large catalogue: a full run over many selected items, none linked yet, pushes
 * them in bulk productSet imports (one staged JSONL per chunk) instead of one request per item.
 * The thresholds are lowered for the test so it stays fast.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { countPushPhaseCalls, itemLink, productIdsBySku, productStamps } from './support-product';

const N = 300;
const CODES = demoItemCodes(N);

describe('product initial load in bulk', { timeout: 120_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;

  before(async () => {
    fx = await startHubFixture({ items: N + 10 });
    // The worker's deps carry the tuning (no global to patch and restore).
    Object.assign(fx.deps.product.tuning.bulk, { threshold: 200, chunk: 150 });
    const r = await fx.deps.b1.setItemsShopifySync(CODES, 'Y');
    assert.equal(r.updated.length, N);
    worker = await fx.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('a full run over 300 unlinked items imports them in bulk chunks; re-pushing writes nothing', async (t) => {
    const requestsAt = fx.shopifySim.stats.requests;
    const started = Date.now();
    const { result, workflowId } = await fx.runSync('product', { mode: 'full' });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(result.counts.failed, 0, JSON.stringify(result.counts));
    // The 20 demo products that already exist in Shopify (same SKU) are adopted; the rest are created.
    assert.deepEqual({ created: result.counts.created, updated: result.counts.updated }, { created: N - 20, updated: 20 });
    const calls = fx.shopifySim.stats.requests - requestsAt;
    const history = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
    const bytes = temporal.api.history.v1.History.encode(history).finish().length;
    t.diagnostic(
      `bulk: ${N} items in ${seconds.toFixed(1)} s (${(N / seconds).toFixed(0)} records/s), ${calls} Shopify calls (${(calls / N).toFixed(3)} per record), history ${bytes} B / ${history.events?.length} events (${Math.round(bytes / N)} B per record)`,
    );
    const sched = new Map<string, { type: string; at: number }>();
    const spent = new Map<string, number>();
    for (const e of history.events ?? []) {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
      if (e.activityTaskScheduledEventAttributes)
        sched.set(String(e.eventId), { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '', at });
      const done = e.activityTaskCompletedEventAttributes;
      if (done) {
        const s0 = sched.get(String(done.scheduledEventId));
        if (s0) spent.set(s0.type, (spent.get(s0.type) ?? 0) + at - s0.at);
      }
    }
    t.diagnostic(`activity time: ${JSON.stringify(Object.fromEntries(spent))}`);
    assert.ok(calls < N / 3, `bulk import is not one request per item (${calls} calls for ${N} items)`);
    assert.ok(bytes / N < 1024, 'only ranges and outcomes in history');

    for (const code of CODES) {
      const ids = productIdsBySku(fx, code);
      assert.equal(ids.length, 1, `exactly one product with SKU ${code}`);
      const variants = fx.shopifySim.state.variantsBySku(code);
      const link = itemLink(fx, code);
      assert.deepEqual(
        { ...link, hash: null },
        { id: ids[0], variantId: `gid://shopify/ProductVariant/${variants[0]?.id}`, hash: null },
        `links of ${code}`,
      );
      assert.match(link.hash ?? '', /^v1:/, `U_ShopifyHash of ${code}`);
    }
    const p = await fx.deps.shopify.productByCustomId(CODES[N - 1]!, 2);
    const b1 = fx.b1Sim.state.get('Items', CODES[N - 1]!) as unknown as {
      ItemName: string;
      ItemPrices: { PriceList: number; Price: number }[];
    };
    assert.equal(p?.title, b1.ItemName);
    assert.equal(p?.variants[0]?.price, b1.ItemPrices.find((x) => x.PriceList === 1)!.Price.toFixed(2));

    // Bulk-created products are found and left alone by the per-item path.
    const stamps = productStamps(fx);
    const sample = [CODES[0]!, CODES[150]!, CODES[N - 1]!];
    const again = await fx.runSync('product', { mode: 'ids', ids: sample });
    assert.equal(again.result.counts.unchanged, sample.length, JSON.stringify(again.result.counts));
    assert.deepEqual(productStamps(fx), stamps);

    // A bulk chunk run again over linked products (as a retried chunk would be) writes nothing.
    Object.assign(fx.deps.product.tuning.bulk, { maxLinkedShare: 1 });
    const retried = await fx.runSync('product', { mode: 'full' });
    assert.equal(retried.result.counts.unchanged, N, JSON.stringify(retried.result.counts));
    assert.deepEqual(productStamps(fx), stamps);

    // The delta after the load re-reads every item (the write-back bumped them) and, by their
    // sync hash, finds them unchanged without one product lookup in Shopify.
    const pushCalls = countPushPhaseCalls(fx);
    try {
      const delta = await fx.runSync('product', { mode: 'delta', since: result.watermark });
      assert.deepEqual(delta.result.counts, { created: 0, updated: 0, unchanged: N, skipped: 0, failed: 0 });
      assert.equal(pushCalls.count(), 0);
      assert.deepEqual(productStamps(fx), stamps);
    } finally {
      pushCalls.stop();
    }
  });
});
