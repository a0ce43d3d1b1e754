/**
 * The product push's write-backs (U_ShopifyId, U_ShopifyVariantId, U_ShopifyHash) go to B1
 * through `$batch`, one changeset per item: a page's links cost a few B1 requests, and a refused
 * write-back fails its item alone while the others in the same request land.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { LINKS_PER_BATCH } from '../../src/pipelines/product/post';
import { assertPushed, itemLink, loggedOutcomes } from './support-product';

const N = 250;
const CODES = demoItemCodes(N);

describe('product write-backs through $batch', { timeout: 180_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let savedPageSize: number;

  before(async () => {
    fx = await startHubFixture({ items: N + 5 });
    savedPageSize = fx.deps.pageSizes.product;
    const r = await fx.deps.b1.setItemsShopifySync(CODES, 'Y');
    assert.equal(r.updated.length, N);
    worker = await fx.startWorker();
  });
  after(async () => {
    if (fx) fx.deps.pageSizes.product = savedPageSize;
    await worker?.stop();
    await fx?.close();
  });

  test('a full run writes every link back in a few $batch requests, not one PATCH per item', async (t) => {
    // Pages larger than one $batch, so a page's links take more than one request.
    fx.deps.pageSizes.product = 150;
    const at = fx.b1Sim.faults.log.length;
    const { result } = await fx.runSync('product', { mode: 'full' });
    assert.equal(result.counts.failed, 0, JSON.stringify(result.counts));
    const pushed = result.counts.created + result.counts.updated;
    assert.equal(pushed, N);
    const log = fx.b1Sim.faults.log.slice(at);
    const batches = log.filter((l) => /^POST \S*\/\$batch$/.test(l)).length;
    t.diagnostic(`${N} items: ${log.length} B1 requests (${(log.length / pushed).toFixed(3)} per pushed item), ${batches} $batch`);
    assert.deepEqual(
      log.filter((l) => /^(PATCH|PUT|MERGE) /.test(l)),
      [],
      'no write-back outside $batch',
    );
    // Pages of 150 and 100: ⌈150/100⌉ + 1 requests.
    assert.equal(batches, Math.ceil(150 / LINKS_PER_BATCH) + Math.ceil(100 / LINKS_PER_BATCH));
    assert.ok(log.length / pushed <= 0.1, `B1 requests per pushed item ≤ 0.1 (${log.length} for ${pushed})`);
    await assertPushed(fx, CODES);
  });

  test("an item whose write-back B1 refuses fails alone, naming it and SAP's message; the rest of its $batch lands", async () => {
    fx.deps.pageSizes.product = 50;
    const codes = CODES.slice(0, 20);
    const gone = codes[9]!;
    // Links without a hash (as left by an older hub): an ids run finds the products equal and
    // writes the hashes back, in one $batch of 20 changesets.
    for (const code of codes) fx.b1Sim.state.get('Items', code)!.U_ShopifyHash = null;
    // The item is deleted in B1 while that $batch is on its way: B1 answers -2028 for its part.
    fx.b1Sim.faults.failNext({ kind: 'slow', match: /\$batch$/, slowMs: 1500 });
    const at = fx.b1Sim.faults.log.length;
    let finished = false;
    const deleted = (async () => {
      while (!fx.b1Sim.faults.log.slice(at).some((l) => l.endsWith('/$batch'))) {
        if (finished) return false;
        await new Promise((r) => setTimeout(r, 5));
      }
      fx.b1Sim.state.remove('Items', gone);
      return true;
    })();
    const { result, workflowId } = await fx.runSync('product', { mode: 'ids', ids: codes }).finally(() => (finished = true));
    assert.ok(await deleted, 'the write-backs went through $batch');

    assert.deepEqual(result.counts, { created: 0, updated: 0, unchanged: 19, skipped: 0, failed: 1 });
    const outcomes = new Map((await loggedOutcomes(fx, workflowId)).map((o) => [o.sourceId, o]));
    const bad = outcomes.get(gone);
    assert.equal(bad?.outcome, 'failed');
    assert.equal(bad?.field, 'U_ShopifyId');
    assert.match(
      bad?.reason ?? '',
      new RegExp(
        `^item ${gone}: product gid://shopify/Product/\\d+ is in Shopify but U_ShopifyId, U_ShopifyVariantId, U_ShopifyHash could not be written: No matching records found`,
      ),
    );
    for (const code of codes) {
      if (code === gone) continue;
      assert.equal(outcomes.get(code)?.outcome, 'unchanged', code);
      assert.match(itemLink(fx, code).hash ?? '', /^v1:[0-9a-f]{32}$/, `the hash of ${code} landed, before and after the refused part`);
    }
    // The Service Layer stops at the failed part: the 10 after it go in a second request.
    const log = fx.b1Sim.faults.log.slice(at);
    assert.equal(log.filter((l) => l.endsWith('/$batch')).length, 2, log.join(', '));
    assert.deepEqual(
      log.filter((l) => l.startsWith('PATCH ')),
      [],
    );
  });
});
