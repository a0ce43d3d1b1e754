/**
 * Products as two objects: `product` (B1 → Shopify) and `shopify-product` (products made in
 * Shopify → B1 items), each synced on its own; a hub-pushed product is never imported back; the
 * upgrade of a deployment whose product scheduler carries the older combined watermark
 * (`<B1>~<Shopify>`); a run from before the split still in its Shopify → B1 phase; resync by id.
 * Real dev server, B1 and Shopify simulators.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { ensureSchedulers, schedulerHandle } from '../../src/temporal/schedulers';
import { schedulerWorkflow } from '../../src/workflows/scheduler';
import { initialSchedulerState } from '../../src/workflows/scheduler-state';
import { statusQuery, syncNowSignal } from '../../src/workflows/messages';
import { schedulerWorkflowId, type SyncObject } from '../../src/shared/sync-object';
import type { ScheduleSpec } from '../../src/schedule/spec';
import { fetchProductPage } from '../../src/pipelines/product/fetch';
import { encodeCursor } from '../../src/pipelines/product/cursor';
import { DEFAULT_SCHEDULES } from '../../src/config/hub-config';
import { createShopifyProduct, productIdsBySku } from './support-product';

const CODES = demoItemCodes(10);
// Never fires during the test: runs start by Sync Now only.
const QUIET: ScheduleSpec = { kind: 'daily', times: ['12:00'], timezone: 'Pacific/Kiritimati' };
const SCHEDULES = Object.fromEntries(Object.keys(DEFAULT_SCHEDULES).map((o) => [o, QUIET])) as Record<SyncObject, ScheduleSpec>;

function b1Item(fx: HubFixture, code: string): Record<string, unknown> | undefined {
  return fx.b1Sim.state.get('Items', code) as Record<string, unknown> | undefined;
}

async function syncNowAndWait(fx: HubFixture, object: SyncObject, requestId: string, extra: { ids?: string[]; full?: boolean } = {}) {
  const h = schedulerHandle(fx.env.client, object);
  await h.signal(syncNowSignal, { requestId, ...extra });
  for (let i = 0; i < 600; i++) {
    const s = await h.query(statusQuery, {});
    const wf = s.requests[requestId];
    const run = s.recentRuns.find((r) => r.workflowId === wf && r.outcome !== 'running');
    if (run) return { status: s, run };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no finished ${object} run for ${requestId}`);
}

describe('products: one object per direction', { timeout: 180_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;

  before(async () => {
    fx = await startHubFixture({ items: 30 });
    await fx.deps.b1.setItemsShopifySync(CODES, 'Y');
    worker = await fx.startWorker();
  });
  after(async () => {
    for (const o of ['product', 'shopify-product'] as const)
      await schedulerHandle(fx.env.client, o)
        .terminate('test done')
        .catch(() => undefined);
    await worker?.stop();
    await fx?.close();
  });

  test('upgrade: the product scheduler keeps its combined watermark, the new scheduler starts from its Shopify part', async () => {
    const combined = '2026-11-26T15:03:00~2026-11-26T15:03:12Z';
    // A product scheduler as an earlier version left it.
    await fx.env.client.workflow.start(schedulerWorkflow, {
      taskQueue: fx.taskQueue,
      workflowId: schedulerWorkflowId('product'),
      args: [{ object: 'product', spec: QUIET, state: { ...initialSchedulerState(QUIET), watermark: combined } }],
    });
    // Two hubs starting at once: both ensure the schedulers.
    await Promise.all(
      [0, 1].map(() =>
        ensureSchedulers(fx.env.client, { taskQueue: fx.taskQueue, schedules: SCHEDULES, objects: ['product', 'shopify-product'] }),
      ),
    );
    const product = await schedulerHandle(fx.env.client, 'product').query(statusQuery, {});
    const imported = await schedulerHandle(fx.env.client, 'shopify-product').query(statusQuery, {});
    assert.equal(product.watermark, combined, 'the product scheduler is kept as it was');
    assert.equal(imported.watermark, '2026-11-26T15:03:12Z', 'the Shopify part moved into the new scheduler');

    // Each object syncs on its own through Sync Now. The push does not import; the import does.
    const shopMade = await createShopifyProduct(fx, { title: 'Made in Shopify', sku: 'SHOP-SPLIT-1', price: '4.50', tracked: false });
    const push = await syncNowAndWait(fx, 'product', 'split-push-1');
    assert.equal(push.run.outcome, 'completed', JSON.stringify(push.run));
    assert.equal(b1Item(fx, 'SHOP-SPLIT-1'), undefined, 'the B1 → Shopify object imports nothing');
    const pw = push.status.watermark!;
    assert.ok(pw > combined.slice(0, 19), `the B1 part moved: ${pw}`);
    assert.ok(pw.endsWith('~2026-11-26T15:03:12Z'), `the Shopify part is carried unchanged: ${pw}`);

    const pull = await syncNowAndWait(fx, 'shopify-product', 'split-pull-1');
    assert.equal(pull.run.outcome, 'completed', JSON.stringify(pull.run));
    assert.equal(pull.run.counts?.created, 1, JSON.stringify(pull.run.counts));
    assert.ok(b1Item(fx, 'SHOP-SPLIT-1'), `item made from ${shopMade}`);
    assert.ok(
      pull.status.watermark! > '2026-11-26T15:03:12Z' && !pull.status.watermark!.includes('~'),
      `own watermark: ${pull.status.watermark}`,
    );
  });

  test('a product pushed by the hub is never imported back, not even when its item was deleted in B1', async () => {
    const gone = CODES[2]!;
    assert.ok(productIdsBySku(fx, gone).length === 1, 'pushed');
    fx.b1Sim.state.remove('Items', gone);
    const full = await syncNowAndWait(fx, 'shopify-product', 'split-pull-full', { full: true });
    assert.equal(full.run.outcome, 'completed', JSON.stringify(full.run));
    assert.equal(b1Item(fx, gone), undefined, 'not imported by a full run (export)');
    const delta = await fx.runSync('shopify-product', { mode: 'delta', since: '2000-01-01T00:00:00Z' });
    assert.equal(delta.result.counts.failed, 0);
    assert.equal(b1Item(fx, gone), undefined, 'not imported by a delta (scan)');
    // A resync by the pushed product's id is answered, as skipped.
    const ids = await fx.runSync('shopify-product', { mode: 'ids', ids: [productIdsBySku(fx, gone)[0]!], trigger: 'resync' });
    assert.deepEqual({ skipped: ids.result.counts.skipped, created: ids.result.counts.created }, { skipped: 1, created: 0 });
    assert.equal(b1Item(fx, gone), undefined);
  });

  test('resync by id: each object takes its own ids (ItemCodes; Shopify variant/product GIDs or numeric ids)', async () => {
    const a = await createShopifyProduct(fx, { title: 'By product GID', sku: 'SHOP-SPLIT-2', price: '1.00', tracked: false });
    const b = await createShopifyProduct(fx, { title: 'By numeric variant id', sku: 'SHOP-SPLIT-3', price: '1.00', tracked: false });
    const variantOfB = fx.shopifySim.state.variantsBySku('SHOP-SPLIT-3')[0]!;
    const numeric = String(variantOfB.id).split('/').pop()!;
    const r = await fx.runSync('shopify-product', {
      mode: 'ids',
      ids: [a, numeric, 'gid://shopify/ProductVariant/999999999'],
      trigger: 'resync',
    });
    assert.equal(r.result.counts.created, 2, JSON.stringify(r.result.counts));
    assert.ok(b1Item(fx, 'SHOP-SPLIT-2') && b1Item(fx, 'SHOP-SPLIT-3'), `items from ${a} and ${b}`);
    await fx.deps.b1.patchItem(CODES[4]!, { ItemName: 'Renamed for the resync' });
    const p = await fx.runSync('product', { mode: 'ids', ids: [CODES[4]!], trigger: 'resync' });
    assert.equal(p.result.counts.updated, 1, JSON.stringify(p.result.counts));
  });

  test('a product run from before the split, in its Shopify → B1 phase, ends cleanly with the B1 part it earned', async () => {
    const since = '2026-11-26T15:03:00~2026-11-26T15:03:12Z';
    for (const cursor of [
      encodeCursor({ phase: 'shopify', after: 'abc', b1From: '2026-11-27T08:00:00', shopFrom: '2026-11-27T07:00:00Z' }),
      encodeCursor({ phase: 'export', step: 'after-push', b1From: '2026-11-27T08:00:00' }),
      encodeCursor({
        phase: 'export',
        step: 'read',
        op: 'gid://shopify/BulkOperation/1',
        offset: 0,
        startedAt: 0,
        b1From: '2026-11-27T08:00:00',
      }),
    ]) {
      const page = await fetchProductPage(fx.deps, { object: 'product', syncId: 'old-run', pageIndex: 7, mode: 'full', since, cursor });
      assert.deepEqual(page.records, [], cursor);
      assert.equal(page.nextCursor, undefined, cursor);
      // The Shopify part stays where the split left it: what this phase did not read is the new object's.
      assert.equal(page.watermark, '2026-11-27T08:00:00~2026-11-26T15:03:12Z', cursor);
    }
  });
});
