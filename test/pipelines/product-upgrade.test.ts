/**
 * A company whose item table lacks U_ShopifyVariantId and U_ShopifyHash (the hub was upgraded,
 * `b1hub init --fix` not run yet): the product push must keep working as before (compare with
 * Shopify, write only U_ShopifyId), and once the fields exist the next run fills them in and the
 * delta after it asks Shopify nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import { ensureUserFields } from '../../src/connectors/b1/udf';
import { assertPushed, countPushPhaseCalls, itemLink, productStamps } from './support-product';

describe('product push on an item table without the hash fields', { timeout: 120_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;

  before(async () => {
    // The worker looks again on every page, so the fields created below are seen at once.
    fx = await startHubFixture({ items: 25 });
    fx.deps.product.tuning.hashFieldsRecheckMs = 0;
    for (const md of [...fx.b1Sim.state.store('UserFieldsMD').values()]) {
      if (md.TableName === 'OITM' && (md.Name === 'ShopifyVariantId' || md.Name === 'ShopifyHash'))
        fx.b1Sim.state.remove('UserFieldsMD', `OITM|${String(md.FieldID)}`);
    }
    worker = await fx.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('pushes and compares as before; after init --fix a full run writes the hashes and the delta is quiet', async () => {
    const first = await fx.runSync('product', { mode: 'full' });
    assert.equal(first.result.counts.failed, 0, JSON.stringify(first.result.counts));
    assert.equal(first.result.counts.created + first.result.counts.updated, DEMO_ITEM_CODES.length);
    for (const code of DEMO_ITEM_CODES) {
      const it = fx.b1Sim.state.render('Items', fx.b1Sim.state.get('Items', code)!);
      assert.match(String(it.U_ShopifyId), /^gid:\/\/shopify\/Product\/\d+$/);
      assert.ok(!('U_ShopifyHash' in it) && !('U_ShopifyVariantId' in it), 'the fields do not exist');
    }

    // Without a hash the delta compares with Shopify, as before.
    const stamps = productStamps(fx);
    let pushCalls = countPushPhaseCalls(fx);
    try {
      const delta = await fx.runSync('product', { mode: 'delta', since: first.result.watermark });
      assert.deepEqual(delta.result.counts, { created: 0, updated: 0, unchanged: DEMO_ITEM_CODES.length, skipped: 0, failed: 0 });
      assert.ok(pushCalls.count() > 0, 'the items were looked up in Shopify');
    } finally {
      pushCalls.stop();
    }

    const fixed = await ensureUserFields(fx.deps.b1);
    assert.deepEqual(fixed.created.map((s) => `${s.table}.U_${s.name}`).sort(), ['OITM.U_ShopifyHash', 'OITM.U_ShopifyVariantId']);
    const full = await fx.runSync('product', { mode: 'full' });
    assert.equal(full.result.counts.unchanged, DEMO_ITEM_CODES.length, JSON.stringify(full.result.counts));
    assert.deepEqual(productStamps(fx), stamps, 'nothing written in Shopify');
    await assertPushed(fx, DEMO_ITEM_CODES);

    pushCalls = countPushPhaseCalls(fx);
    try {
      const quiet = await fx.runSync('product', { mode: 'delta', since: full.result.watermark });
      assert.equal(quiet.result.counts.unchanged, DEMO_ITEM_CODES.length, JSON.stringify(quiet.result.counts));
      assert.equal(pushCalls.count(), 0, 'the hashes written by the full run hold');
    } finally {
      pushCalls.stop();
    }
    assert.ok(itemLink(fx, DEMO_ITEM_CODES[0]!).hash);
  });
});
