/**
 * The product pipeline end to end: the real sync-run workflow on the Temporal dev server, an
 * in-process worker, and both simulators over HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import {
  assertPushed,
  b1Writes,
  countPushPhaseCalls,
  createShopifyProduct,
  itemLink,
  loggedOutcomes,
  nextSecond,
  productIdsBySku,
  productStamps,
} from './support-product';
import { temporal } from '@temporalio/proto';

describe('product pipeline', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let watermark: string | undefined;

  before(async () => {
    fx = await startHubFixture({ items: 30 });
    worker = await fx.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('full run: the 20 selected items become products (SKU, price, weight, status) linked both ways', async (t) => {
    const requestsAt = fx.shopifySim.stats.requests;
    const b1At = fx.b1Sim.faults.log.length;
    const started = Date.now();
    const { result, workflowId } = await fx.runSync('product', { mode: 'full' });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(result.counts.failed, 0, JSON.stringify(result.counts));
    assert.equal(result.counts.created + result.counts.updated, 20);
    assert.ok(result.watermark, 'a full run reports the newest B1 stamp it read');
    watermark = result.watermark;
    const history = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
    const bytes = temporal.api.history.v1.History.encode(history).finish().length;
    const shopifyCalls = fx.shopifySim.stats.requests - requestsAt;
    const b1Calls = fx.b1Sim.faults.log.length - b1At;
    t.diagnostic(
      `20 items in ${seconds.toFixed(2)} s (${(20 / seconds).toFixed(1)} records/s incl. workflow start); ${shopifyCalls} Shopify + ${b1Calls} B1 calls (${((shopifyCalls + b1Calls) / 20).toFixed(2)} per record); history ${bytes} B, ${history.events?.length} events (${Math.round(bytes / 20)} B per record)`,
    );
    assert.ok(bytes / 20 <= 3 * 1024, `history ≤ 3 KB per record (${Math.round(bytes / 20)} B)`);
    await assertPushed(fx, DEMO_ITEM_CODES);
    // Unselected items are not pushed.
    assert.equal(productIdsBySku(fx, 'A00025').length, 0);
  });

  test('the delta after a push asks Shopify nothing about the pushed items and writes nothing', async () => {
    const stamps = productStamps(fx);
    const logAt = fx.b1Sim.faults.log.length;
    const requestsAt = fx.shopifySim.stats.requests;
    const pushCalls = countPushPhaseCalls(fx);
    try {
      // The write-back bumped the 20 items' stamps, so the delta reads them all again; their
      // U_ShopifyHash still matches what they map to, so none is looked up in Shopify.
      const { result } = await fx.runSync('product', { mode: 'delta', since: watermark });
      assert.deepEqual(result.counts, { created: 0, updated: 0, unchanged: DEMO_ITEM_CODES.length, skipped: 0, failed: 0 });
      assert.equal(pushCalls.count(), 0, 'no product read or write in Shopify');
      assert.equal(fx.shopifySim.stats.requests - requestsAt, 0, 'no Shopify call at all (Shopify → B1 is the shopify-product object)');
      assert.deepEqual(productStamps(fx), stamps, 'no product or variant was written');
      assert.deepEqual(b1Writes(fx, logAt), [], 'no B1 write');
      if (result.watermark) watermark = result.watermark;

      // Nothing was written; the next delta re-reads only its 2-minute overlap, again without a Shopify lookup.
      const again = await fx.runSync('product', { mode: 'delta', since: watermark });
      assert.equal(again.result.counts.created + again.result.counts.updated + again.result.counts.failed, 0);
      assert.equal(pushCalls.count(), 0);
      assert.deepEqual(productStamps(fx), stamps);
      if (again.result.watermark) watermark = again.result.watermark;
    } finally {
      pushCalls.stop();
    }
  });

  test('an item edited in B1 updates exactly its product on the next delta, and its hash with it', async () => {
    const stamps = productStamps(fx);
    await nextSecond();
    const before = { renamed: itemLink(fx, 'A00003'), repriced: itemLink(fx, 'A00004') };
    await fx.deps.b1.patchItem('A00003', { ItemName: 'Renamed in B1' });
    await fx.deps.b1.patchItem('A00004', { ItemPrices: [{ PriceList: 1, Price: 123.45 }] });
    const { result } = await fx.runSync('product', { mode: 'delta', since: watermark });
    assert.equal(result.counts.updated, 2, JSON.stringify(result.counts));
    assert.equal(result.counts.created + result.counts.failed, 0);
    const p = await fx.deps.shopify.productByCustomId('A00003');
    assert.equal(p?.title, 'Renamed in B1');
    assert.equal((await fx.deps.shopify.productByCustomId('A00004'))?.variants[0]?.price, '123.45');
    const after = productStamps(fx);
    const changed = [...after].filter(([id, s]) => stamps.get(id) !== s).map(([id]) => `gid://shopify/Product/${id}`);
    assert.deepEqual(changed.sort(), [...productIdsBySku(fx, 'A00003'), ...productIdsBySku(fx, 'A00004')].sort());
    for (const [code, was] of [
      ['A00003', before.renamed],
      ['A00004', before.repriced],
    ] as const) {
      const now = itemLink(fx, code);
      assert.notEqual(now.hash, was.hash, `U_ShopifyHash of ${code} follows the push`);
      assert.deepEqual({ ...now, hash: null }, { ...was, hash: null }, `same product and variant for ${code}`);
    }
    await assertPushed(fx, ['A00003', 'A00004']);
    if (result.watermark) watermark = result.watermark;

    // The new hash holds: the delta that re-reads the two items asks Shopify nothing about them.
    const pushCalls = countPushPhaseCalls(fx);
    try {
      const again = await fx.runSync('product', { mode: 'delta', since: watermark });
      assert.deepEqual({ ...again.result.counts, unchanged: 0 }, { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
      assert.ok(again.result.counts.unchanged >= 2, JSON.stringify(again.result.counts));
      assert.equal(pushCalls.count(), 0);
      if (again.result.watermark) watermark = again.result.watermark;
    } finally {
      pushCalls.stop();
    }
  });

  test('an item without a hash (pushed by an older version) or with a stale one is compared with Shopify and gets one', async () => {
    // A00005 as an older hub left it: only U_ShopifyId. A00006 with a hash that is not its
    // product's, after a B1-owned field was edited in Shopify (the compare must see that edit).
    await fx.deps.b1.patchItem('A00005', { U_ShopifyVariantId: null, U_ShopifyHash: null } as never);
    await fx.deps.b1.patchItem('A00006', { U_ShopifyHash: 'v1:00000000000000000000000000000000' } as never);
    const edited = fx.shopifySim.state.product(Number(productIdsBySku(fx, 'A00006')[0]!.split('/').pop()))!;
    edited.title = 'Edited in Shopify';
    const stamps = productStamps(fx);
    await nextSecond();
    const { result, workflowId } = await fx.runSync('product', { mode: 'delta', since: watermark });
    const byId = new Map((await loggedOutcomes(fx, workflowId)).map((o) => [o.sourceId, o.outcome]));
    assert.equal(byId.get('A00005'), 'unchanged', 'equal in Shopify: not written');
    assert.equal(byId.get('A00006'), 'updated', 'the Shopify edit of a B1-owned field is overwritten');
    assert.equal(result.counts.failed, 0);
    const changed = [...productStamps(fx)].filter(([id, s]) => stamps.get(id) !== s).map(([id]) => `gid://shopify/Product/${id}`);
    assert.deepEqual(changed, productIdsBySku(fx, 'A00006'));
    await assertPushed(fx, ['A00005', 'A00006']);
    if (result.watermark) watermark = result.watermark;

    // Both now carry a valid hash: the next delta (which re-reads them once) asks Shopify nothing.
    const pushCalls = countPushPhaseCalls(fx);
    try {
      const again = await fx.runSync('product', { mode: 'delta', since: watermark });
      const outcomes = new Map((await loggedOutcomes(fx, again.workflowId)).map((o) => [o.sourceId, o.outcome]));
      assert.equal(outcomes.get('A00005'), 'unchanged');
      assert.equal(outcomes.get('A00006'), 'unchanged');
      assert.equal(pushCalls.count(), 0);
      if (again.result.watermark) watermark = again.result.watermark;
    } finally {
      pushCalls.stop();
    }
  });

  test('a Shopify edit of a B1-owned field goes unseen by a quiet delta; a full run repairs it', async () => {
    const id = productIdsBySku(fx, 'A00007')[0]!;
    fx.shopifySim.state.product(Number(id.split('/').pop()))!.title = 'Edited in Shopify';
    // Touched in B1 without a mapped change: the delta reads it, the hash still matches.
    fx.b1Sim.state.touch('Items', 'A00007');
    const delta = await fx.runSync('product', { mode: 'delta', since: watermark });
    const outcomes = new Map((await loggedOutcomes(fx, delta.workflowId)).map((o) => [o.sourceId, o.outcome]));
    assert.equal(outcomes.get('A00007'), 'unchanged');
    assert.equal(
      (await fx.deps.shopify.productByCustomId('A00007'))?.title,
      'Edited in Shopify',
      'documented limit (README "the sync hash")',
    );
    if (delta.result.watermark) watermark = delta.result.watermark;

    const full = await fx.runSync('product', { mode: 'full' });
    assert.equal(full.result.counts.updated, 1, JSON.stringify(full.result.counts));
    await assertPushed(fx, DEMO_ITEM_CODES);
    if (full.result.watermark) watermark = full.result.watermark;
  });

  test('bad records fail alone with the field named; unicode is preserved; unknown ids are reported', async () => {
    await fx.deps.b1.patchItem('A00021', { U_ShopifySync: 'Y', ItemPrices: [{ PriceList: 1, Price: 0 }] });
    await fx.deps.b1.patchItem('A00022', { U_ShopifySync: 'Y', SalesWeightUnit: 5 });
    await fx.deps.b1.patchItem('A00023', { U_ShopifySync: 'Y', ItemName: 'Café Zürich — 東京 🚲 "quoted"' });
    const { result, workflowId } = await fx.runSync('product', {
      mode: 'ids',
      ids: ['A00021', 'A00022', 'A00023', 'A00024', 'NO-SUCH-ITEM'],
    });
    assert.deepEqual(result.counts, { created: 1, updated: 0, unchanged: 0, skipped: 1, failed: 3 });

    const p = await fx.deps.shopify.productByCustomId('A00023');
    assert.equal(p?.title, 'Café Zürich — 東京 🚲 "quoted"');

    const outcomes = await loggedOutcomes(fx, workflowId);
    const byId = new Map(outcomes.map((o) => [o.sourceId, o]));
    assert.equal(byId.get('A00021')?.field, 'ItemPrices');
    assert.match(byId.get('A00021')?.reason ?? '', /price 0 in price list 1/);
    assert.equal(byId.get('A00022')?.field, 'SalesWeightUnit');
    assert.match(byId.get('A00022')?.reason ?? '', /unit 5/);
    assert.equal(byId.get('A00024')?.outcome, 'skipped');
    assert.equal(byId.get('NO-SUCH-ITEM')?.outcome, 'failed');
    assert.equal(productIdsBySku(fx, 'A00021').length, 0);
    assert.equal(productIdsBySku(fx, 'A00022').length, 0);
  });

  test('a product made in Shopify with an unknown SKU becomes a B1 item in the default group (shopify-product)', async () => {
    const made = await createShopifyProduct(fx, {
      title: 'Gift wrapping',
      sku: 'SHOP-WRAP-1',
      price: '4.50',
      tracked: false,
      weightKg: 0.2,
    });
    const long = await createShopifyProduct(fx, {
      title: `Very long ${'x'.repeat(120)}`,
      sku: 'SHOP-LONG-1',
      price: '9.00',
      tracked: true,
    });
    const push = await fx.runSync('product', { mode: 'delta', since: watermark });
    assert.equal(push.result.counts.created, 0, 'the push imports nothing');
    assert.equal(fx.b1Sim.state.get('Items', 'SHOP-WRAP-1'), undefined);
    // A first run of the object (no watermark) scans every variant; pushed products are not imported.
    const { result, workflowId } = await fx.runSync('shopify-product', { mode: 'delta' });
    assert.equal(result.counts.created, 1, JSON.stringify(await loggedOutcomes(fx, workflowId)));
    const failures = (await loggedOutcomes(fx, workflowId)).filter((o) => o.outcome === 'failed');
    assert.deepEqual(failures.map((o) => o.field).sort(), ['title']);
    assert.ok(failures.every((o) => o.object === 'shopify-product'));
    const it = fx.b1Sim.state.get('Items', 'SHOP-WRAP-1') as Record<string, unknown> | undefined;
    assert.ok(it, 'item SHOP-WRAP-1 created');
    assert.equal(it.ItemsGroupCode, 100);
    assert.equal(it.InventoryItem, 'tNO');
    assert.equal(it.ItemName, 'Gift wrapping');
    assert.equal(it.U_ShopifyId, made);
    assert.equal(
      it.U_ShopifyVariantId,
      fx.shopifySim.state.variantsBySku('SHOP-WRAP-1').map((v) => `gid://shopify/ProductVariant/${v.id}`)[0],
    );
    assert.notEqual(it.U_ShopifySync, 'Y', 'not flagged for push back');
    assert.equal(fx.b1Sim.state.get('Items', 'SHOP-LONG-1'), undefined);
    const longFailure = failures.find((o) => o.field === 'title');
    assert.match(longFailure?.reason ?? '', new RegExp(`product ${long}.*B1 allows 100`));

    // Fixed in Shopify, then resynced by the failed outcome's id (the variant GID): now it lands.
    const longRec = fx.shopifySim.state.product(Number(long.split('/').pop()))!;
    longRec.title = 'Long product, shortened';
    const resync = await fx.runSync('shopify-product', {
      mode: 'ids',
      ids: [longFailure!.sourceId, 'gid://shopify/ProductVariant/999999999'],
      trigger: 'resync',
    });
    assert.deepEqual(resync.result.counts, { created: 1, updated: 0, unchanged: 0, skipped: 0, failed: 1 });
    assert.equal((fx.b1Sim.state.get('Items', 'SHOP-LONG-1') as { ItemName?: string } | undefined)?.ItemName, 'Long product, shortened');

    // Again: the item exists now, so nothing is created twice.
    const again = await fx.runSync('shopify-product', { mode: 'delta', since: result.watermark });
    assert.equal(again.result.counts.created, 0);
    // A variant GID in the product ledger from before the split is still retried there: found, unchanged.
    const legacy = await fx.runSync('product', { mode: 'ids', ids: [String(it.U_ShopifyVariantId)], trigger: 'resync' });
    assert.deepEqual(legacy.result.counts, { created: 0, updated: 0, unchanged: 1, skipped: 0, failed: 0 });
    assert.equal([...fx.b1Sim.state.store('Items').values()].filter((r) => r.ItemCode === 'SHOP-WRAP-1').length, 1);
  });
});

/** The outcomes the run logged (logOutcomes activity inputs in the history). */
