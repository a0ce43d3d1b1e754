/**
 * Full runs read Shopify's product state from bulk exports (snapshot.ts): the `product` push (of
 * several pages) compares with one taken at the run's start instead of a SKU search per page, and
 * a full `shopify-product` run reads one of its own, whose creation time becomes its watermark.
 * Refused or failed exports leave the runs on per-request reads with the same end state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { failBulkQueries } from '../../src/sim/shopify/bulk';
import { cancelBulkOperation, startBulkQuery } from '../../src/connectors/shopify/bulk';
import { BULK_EXPORT_INVENTORY } from '../../src/connectors/shopify/documents';
import { DEFAULT_OVERLAP_MS } from '../../src/connectors/shopify/client';
import {
  PER_REQUEST_PRODUCT_READS,
  assertPushed,
  countRequests,
  createShopifyProduct,
  nextSecond,
  productExports,
  productIdsBySku,
  productStamps,
} from './support-product';

const N = 120;
const CODES = demoItemCodes(N);

function b1Item(fx: HubFixture, code: string): { ItemCode: string; ItemGroupCode?: number } | undefined {
  return fx.b1Sim.state.get('Items', code) as unknown as { ItemCode: string } | undefined;
}

describe('product full runs of several pages read Shopify from bulk exports', { timeout: 240_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let pageSize: number;

  before(async () => {
    fx = await startHubFixture({ items: N + 10 });
    const r = await fx.deps.b1.setItemsShopifySync(CODES, 'Y');
    assert.equal(r.updated.length, N);
    // Pages of 50: three push pages, below the initial-load threshold (single productSet writes).
    pageSize = fx.deps.pageSizes.product;
    fx.deps.pageSizes.product = 50;
    worker = await fx.startWorker();
  });
  after(async () => {
    fx.deps.pageSizes.product = pageSize;
    await worker?.stop();
    await fx?.close();
  });

  test('a full push compares with one export; a full import reads one of its own', async () => {
    const shopMade = await createShopifyProduct(fx, { title: 'Made in Shopify', sku: 'SHOP-ONLY-1', price: '4.50', tracked: false });
    const exportsBefore = productExports(fx).length;
    const { result } = await fx.runSync('product', { mode: 'full' });
    assert.equal(result.counts.failed, 0, JSON.stringify(result.counts));
    // 120 products (20 adopted, 100 new); the push imports nothing.
    assert.equal(result.counts.created + result.counts.updated, N, JSON.stringify(result.counts));
    await assertPushed(fx, CODES);
    assert.equal(b1Item(fx, 'SHOP-ONLY-1'), undefined);
    assert.equal(productExports(fx).length - exportsBefore, 1, 'one export for the push');

    const scans = countRequests(fx, /query (ProductVariantsScan|ProductVariantsByIds)\b/);
    let imported;
    try {
      ({ result: imported } = await fx.runSync('shopify-product', { mode: 'full' }));
      assert.equal(scans.count(), 0, 'the Shopify → B1 run read the export, not variant pages');
    } finally {
      scans.stop();
    }
    assert.deepEqual(imported.counts, { created: 1, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    assert.ok(b1Item(fx, 'SHOP-ONLY-1'), `item made from ${shopMade}`);
    const exports = productExports(fx).slice(exportsBefore);
    assert.equal(exports.length, 2, 'one export for the push, one for the import');
    assert.ok(exports.every((e) => e.status === 'COMPLETED'));
    const windowOpens = Date.parse(imported.watermark!) - DEFAULT_OVERLAP_MS;
    assert.equal(
      windowOpens,
      Date.parse(exports[1]!.createdAt) - fx.deps.product.tuning.scanExport.marginMs,
      'the next delta looks from the export (less the margin)',
    );

    // The next delta: a product made in Shopify now is found.
    await createShopifyProduct(fx, { title: 'Made after the full run', sku: 'SHOP-ONLY-2', price: '2.00', tracked: false });
    const delta = await fx.runSync('shopify-product', { mode: 'delta', since: imported.watermark });
    assert.equal(delta.result.counts.failed, 0, JSON.stringify(delta.result.counts));
    assert.equal(delta.result.counts.created, 1, JSON.stringify(delta.result.counts));
    assert.ok(b1Item(fx, 'SHOP-ONLY-2'));
  });

  test('a full run over linked products makes no per-request product read once the export is ready, and writes nothing', async () => {
    await nextSecond();
    const stamps = productStamps(fx);
    const exportsBefore = productExports(fx).length;
    const reads = countRequests(fx, PER_REQUEST_PRODUCT_READS);
    try {
      const { result } = await fx.runSync('product', { mode: 'full' });
      assert.deepEqual(result.counts, { created: 0, updated: 0, unchanged: N, skipped: 0, failed: 0 });
      assert.equal(reads.count(), 0, 'no SKU lookup, no variant scan per request');
    } finally {
      reads.stop();
    }
    assert.equal(productExports(fx).length - exportsBefore, 1);
    assert.deepEqual(productStamps(fx), stamps, 'no product or variant was written');
  });

  test('changes in B1 and B1-owned fields edited in Shopify are found by the export compare and pushed', async () => {
    await fx.deps.b1.patchItem(CODES[5]!, { ItemPrices: [{ PriceList: 1, Price: 77.7 }] });
    const edited = productIdsBySku(fx, CODES[70]!)[0]!;
    const rec = fx.shopifySim.state.data.products[edited.split('/').pop()!]!;
    rec.title = 'Edited in Shopify';
    const { result } = await fx.runSync('product', { mode: 'full' });
    assert.deepEqual(result.counts, { created: 0, updated: 2, unchanged: N - 2, skipped: 0, failed: 0 });
    await assertPushed(fx, CODES);
  });

  test('an export Shopify refuses (its bulk query slot is taken) leaves the run on per-request reads, same end state', async () => {
    const rt = fx.shopifySim.runtime;
    const saved = { ...rt.options };
    rt.options.bulkQueryConcurrency = 1;
    rt.options.bulkStepMs = 600_000;
    const other = await startBulkQuery(fx.deps.shopify.executor, BULK_EXPORT_INVENTORY);
    const exportsBefore = productExports(fx).length;
    const reads = countRequests(fx, PER_REQUEST_PRODUCT_READS);
    try {
      await fx.deps.b1.patchItem(CODES[110]!, { ItemName: 'Renamed while the slot is taken' });
      const { result } = await fx.runSync('product', { mode: 'full' });
      assert.deepEqual(result.counts, { created: 0, updated: 1, unchanged: N - 1, skipped: 0, failed: 0 });
      assert.ok(reads.count() >= 4, `per-request reads: ${reads.count()}`);
      assert.equal(productExports(fx).length, exportsBefore, 'no export was admitted');
      await assertPushed(fx, CODES);
    } finally {
      reads.stop();
      await cancelBulkOperation(fx.deps.shopify.executor, other.id);
      rt.options = saved;
    }
  });

  test('exports that fail leave the run on per-request reads: same outcomes, items from Shopify still made', async () => {
    failBulkQueries(fx.shopifySim.runtime, { errorCode: 'INTERNAL_SERVER_ERROR', times: 2, match: 'ProductStateExport' });
    await createShopifyProduct(fx, { title: 'Made while exports fail', sku: 'SHOP-ONLY-3', price: '3.00', tracked: true });
    await fx.deps.b1.patchItem(CODES[100]!, { ItemPrices: [{ PriceList: 1, Price: 12.34 }] });
    const exportsBefore = productExports(fx).length;
    const reads = countRequests(fx, PER_REQUEST_PRODUCT_READS);
    try {
      const { result } = await fx.runSync('product', { mode: 'full' });
      assert.deepEqual(result.counts, { created: 0, updated: 1, unchanged: N - 1, skipped: 0, failed: 0 });
      assert.ok(reads.count() >= 4, `per-request reads: ${reads.count()}`);
      const imported = await fx.runSync('shopify-product', { mode: 'full' });
      assert.deepEqual(imported.result.counts, { created: 1, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    } finally {
      reads.stop();
    }
    const exports = productExports(fx).slice(exportsBefore);
    assert.deepEqual(
      exports.map((e) => e.status),
      ['FAILED', 'FAILED'],
    );
    await assertPushed(fx, CODES);
    assert.ok(b1Item(fx, 'SHOP-ONLY-3'));
  });
});
