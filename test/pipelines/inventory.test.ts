/**
 * Inventory pipeline end to end: the real sync-run workflow on the Temporal dev server, the
 * real activities and clients, both simulators over HTTP.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import { parseMappingConfig, type MappingConfig } from '../../src/mapping/config';
import { postInventoryPage } from '../../src/pipelines/inventory/post';
import { stockQueryDocument } from '../../src/connectors/shopify/stock';
import { loadShopifySchema } from '../../src/sim/shopify/schema';
import { parse, validate } from 'graphql';
import { adjustmentGroups, expectedAvailable, mismatches, pendingInShopify, shopifyAvailable } from './support-inventory';
import type { Payload } from '@temporalio/common';
import { payloadValue } from '../../src/temporal/data-converter';
import { decodedHistoryText } from '../support/history-text';

describe('inventory pipeline (B1 stock → Shopify available)', { timeout: 120_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let demoMapping: MappingConfig;
  const codes = [...DEMO_ITEM_CODES];

  before(async () => {
    fx = await startHubFixture({ items: 30 });
    demoMapping = fx.deps.mapping;
    worker = await fx.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('the stock query is valid against Shopify 2026-07 for 1–3 locations', () => {
    const schema = loadShopifySchema();
    for (const n of [1, 2, 3])
      assert.deepEqual(
        validate(schema, parse(stockQueryDocument(n).text)).map((e) => e.message),
        [],
      );
  });

  test('full run: every selected item shows InStock − Committed of its warehouse, less unimported Shopify orders, at the mapped location', async () => {
    assert.ok(mismatches(fx.b1Sim, fx.shopifySim, demoMapping, codes).length > 0, 'the seeds must disagree before the first push');
    const { result } = await fx.runSync('inventory', { mode: 'full' });
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, demoMapping, codes), []);
    assert.equal(result.counts.failed, 0);
    assert.equal(result.counts.updated + result.counts.unchanged, codes.length);
    assert.ok(result.counts.updated > 0);
  });

  test('second run writes nothing and makes a constant number of calls', async () => {
    const groups = adjustmentGroups(fx.shopifySim);
    const shopCalls = fx.shopifySim.stats.requests;
    const b1Calls = fx.b1Sim.faults.log.length;
    const { result } = await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(result.counts.unchanged, codes.length);
    assert.equal(result.counts.updated, 0);
    assert.equal(adjustmentGroups(fx.shopifySim), groups, 'no inventorySetQuantities applied');
    // One page: the levels read and one open-orders read (the seed's orders are not in B1), one B1
    // items read and one Orders lookup (plus a login at most).
    assert.ok(fx.shopifySim.stats.requests - shopCalls <= 2, `shopify calls ${fx.shopifySim.stats.requests - shopCalls}`);
    assert.ok(fx.b1Sim.faults.log.length - b1Calls <= 2, `b1 calls ${fx.b1Sim.faults.log.length - b1Calls}`);
  });

  test('a stock change in B1 → the next delta writes exactly that row', async () => {
    const loc1 = demoMapping.locations[0]!;
    fx.b1Sim.state.setStock('A00003', loc1.warehouses[0]!, { InStock: 77, Committed: 2 });
    const groups = adjustmentGroups(fx.shopifySim);
    const before = Object.keys(fx.shopifySim.state.data.adjustmentGroups);
    const { result } = await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(result.counts.updated, 1);
    assert.equal(
      shopifyAvailable(fx.shopifySim, 'A00003', loc1.locationId),
      75 - pendingInShopify(fx.b1Sim, fx.shopifySim, 'A00003', loc1.locationId),
    );
    assert.equal(adjustmentGroups(fx.shopifySim), groups + 1);
    const added = Object.entries(fx.shopifySim.state.data.adjustmentGroups).filter(([id]) => !before.includes(id));
    const availableChanges = added.flatMap(([, g]) => g.changes.filter((c) => c.name === 'available'));
    assert.equal(availableChanges.length, 1, JSON.stringify(availableChanges));
  });

  test('a B1 sales order raises Committed → available drops', async () => {
    const loc1 = demoMapping.locations[0]!;
    const before = shopifyAvailable(fx.shopifySim, 'A00004', loc1.locationId)!;
    assert.ok(before >= 3, `need some stock to commit, have ${before}`);
    await fx.deps.b1.createOrder({
      CardCode: 'C00001',
      DocDueDate: '2030-01-31',
      DocumentLines: [{ ItemCode: 'A00004', Quantity: 3, WarehouseCode: loc1.warehouses[0]! }],
    } as never);
    const { result } = await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(result.counts.updated, 1);
    assert.equal(shopifyAvailable(fx.shopifySim, 'A00004', loc1.locationId), before - 3);
  });

  test('a retried batch with the same idempotency key is applied once', async () => {
    const loc1 = demoMapping.locations[0]!;
    const [variant] = fx.shopifySim.state.variantsBySku('A00006');
    const inventoryItemId = `gid://shopify/InventoryItem/${variant!.inventoryItemId}`;
    const input = {
      object: 'inventory' as const,
      syncId: 'test-retry',
      pageIndex: 0,
      records: [
        {
          id: 'A00006',
          payload: { inventoryItemId, activate: [], rows: [{ locationId: loc1.locationId, quantity: 500, changeFromQuantity: null }] },
        },
      ],
    };
    const first = await postInventoryPage(fx.deps, input);
    assert.equal(first[0]?.outcome, 'updated');
    assert.equal(shopifyAvailable(fx.shopifySim, 'A00006', loc1.locationId), 500);
    // A sale in Shopify meanwhile; the retried activity must not set 500 again.
    fx.shopifySim.setAvailable('A00006', loc1.locationId, 480);
    const groups = adjustmentGroups(fx.shopifySim);
    const again = await postInventoryPage(fx.deps, input);
    assert.equal(again[0]?.outcome, 'updated');
    assert.equal(shopifyAvailable(fx.shopifySim, 'A00006', loc1.locationId), 480, 'replayed, not re-applied');
    assert.equal(adjustmentGroups(fx.shopifySim), groups);
    // The next run restores B1's value.
    await fx.runSync('inventory', { mode: 'ids', ids: ['A00006'] });
    assert.equal(
      shopifyAvailable(fx.shopifySim, 'A00006', loc1.locationId),
      expectedAvailable(fx.b1Sim, 'A00006', loc1.warehouses, fx.shopifySim, loc1.locationId),
    );
  });

  test('a stale changeFromQuantity is read again and rewritten; a row Shopify refuses fails its item alone, the rest of the batch is written', async () => {
    const loc1 = demoMapping.locations[0]!;
    const item = (sku: string): string => `gid://shopify/InventoryItem/${fx.shopifySim.state.variantsBySku(sku)[0]!.inventoryItemId}`;
    const now10 = shopifyAvailable(fx.shopifySim, 'A00010', loc1.locationId)!;
    // Shopify's A00011 moves after the payload was computed (from now11 + 1): the write is stale.
    fx.shopifySim.setAvailable('A00011', loc1.locationId, shopifyAvailable(fx.shopifySim, 'A00011', loc1.locationId)! + 3);
    const now11 = shopifyAvailable(fx.shopifySim, 'A00011', loc1.locationId)! - 3;
    const now12 = shopifyAvailable(fx.shopifySim, 'A00012', loc1.locationId)!;
    const input = {
      object: 'inventory' as const,
      syncId: 'test-stale',
      pageIndex: 0,
      records: [
        {
          id: 'A00010',
          payload: {
            inventoryItemId: item('A00010'),
            activate: [],
            rows: [{ locationId: loc1.locationId, quantity: now10 + 7, changeFromQuantity: now10 }],
          },
        },
        {
          id: 'A00011',
          payload: {
            inventoryItemId: item('A00011'),
            activate: [],
            rows: [{ locationId: loc1.locationId, quantity: now11 + 7, changeFromQuantity: now11 + 1 }],
          },
        },
        {
          id: 'A00012',
          payload: {
            inventoryItemId: item('A00012'),
            activate: [],
            rows: [{ locationId: loc1.locationId, quantity: 2_000_000_000, changeFromQuantity: now12 }],
          },
        },
      ],
    };
    const out = await postInventoryPage(fx.deps, input);
    assert.equal(out[0]?.outcome, 'updated');
    assert.equal(shopifyAvailable(fx.shopifySim, 'A00010', loc1.locationId), now10 + 7);
    // Stale: not failed, not written as mapped, but read again and written from B1's figures.
    assert.equal(out[1]?.outcome, 'updated', JSON.stringify(out[1]));
    assert.equal(
      shopifyAvailable(fx.shopifySim, 'A00011', loc1.locationId),
      expectedAvailable(fx.b1Sim, 'A00011', loc1.warehouses, fx.shopifySim, loc1.locationId),
    );
    assert.equal(out[2]?.outcome, 'failed');
    assert.match(out[2]!.reason!, /A00012 at location .*INVALID_QUANTITY_TOO_HIGH/);
    assert.equal(out[2]?.field, 'locations[0].locationId');
    assert.equal(shopifyAvailable(fx.shopifySim, 'A00012', loc1.locationId), now12);
    await fx.runSync('inventory', { mode: 'ids', ids: ['A00010'] });
    assert.equal(
      shopifyAvailable(fx.shopifySim, 'A00010', loc1.locationId),
      expectedAvailable(fx.b1Sim, 'A00010', loc1.warehouses, fx.shopifySim, loc1.locationId),
    );
  });

  test('warehouses summed into one location; items not stocked there are activated first', async () => {
    const loc = fx.shopifySim.state.addLocation({ name: 'Outlet', countryCode: 'DE', city: 'Bremen' });
    const outlet = `gid://shopify/Location/${loc.id}`;
    assert.equal(shopifyAvailable(fx.shopifySim, 'A00001', outlet), null);
    fx.deps.mapping = parseMappingConfig({ ...demoMapping, locations: [{ locationId: outlet, warehouses: ['01', '02'] }] });
    try {
      const { result } = await fx.runSync('inventory', { mode: 'full' });
      assert.equal(result.counts.failed, 0);
      assert.equal(result.counts.updated, codes.length);
      for (const code of codes) {
        const sum = expectedAvailable(fx.b1Sim, code, ['01', '02']);
        assert.ok(sum > expectedAvailable(fx.b1Sim, code, ['01']) || sum === 0 || expectedAvailable(fx.b1Sim, code, ['02']) === 0);
        assert.equal(shopifyAvailable(fx.shopifySim, code, outlet), sum, code);
      }
      const again = await fx.runSync('inventory', { mode: 'delta' });
      assert.equal(again.result.counts.unchanged, codes.length);
    } finally {
      fx.deps.mapping = demoMapping;
    }
  });

  test('a run of several pages reads later pages from one bulk export of Shopify inventory', async () => {
    fx.b1Sim.state.setStock('A00012', '01', { InStock: 41, Committed: 1 });
    fx.b1Sim.state.setStock('A00018', '02', { InStock: 0, Committed: 4 });
    const bulkBefore = Object.keys(fx.shopifySim.state.data.bulkOperations).length;
    fx.shopifySim.faults.add({ kind: 'latency', ms: 0, times: 1_000, match: 'InventoryStockBySku' });
    const stockQueriesBefore = fx.shopifySim.faults.injected.latency;
    const pageSize = fx.deps.pageSizes.inventory;
    fx.deps.pageSizes.inventory = 5;
    try {
      const { result } = await fx.runSync('inventory', { mode: 'delta' });
      assert.equal(result.counts.updated, 2);
      assert.equal(result.counts.unchanged, codes.length - 2);
      assert.equal(
        Object.keys(fx.shopifySim.state.data.bulkOperations).length - bulkBefore,
        2,
        'the first page starts one bulk export of levels and one of open orders',
      );
      // Four pages, all read from the export (the first waits a moment for it); per request only if it lags.
      const stockQueries = fx.shopifySim.faults.injected.latency - stockQueriesBefore;
      assert.ok(stockQueries <= 1, `per-request stock reads: ${stockQueries}`);
      assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, demoMapping, codes), []);
    } finally {
      fx.deps.pageSizes.inventory = pageSize;
      fx.shopifySim.faults.clear();
    }
  });

  test('failures are named: SKU not in Shopify, stock only in an unmapped warehouse, unknown item', async () => {
    await fx.deps.b1.patchItem('A00021', { U_ShopifySync: 'Y' });
    fx.b1Sim.state.setStock('A00005', '01', { InStock: 0, Committed: 0, Ordered: 0 });
    fx.b1Sim.state.setStock('A00005', '02', { InStock: 9, Committed: 0, Ordered: 0 });
    fx.deps.mapping = parseMappingConfig({ ...demoMapping, locations: [demoMapping.locations.find((l) => l.warehouses.includes('01'))!] });
    try {
      const { result, workflowId } = await fx.runSync('inventory', { mode: 'ids', ids: ['A00005', 'A00021', 'A00007', 'NOPE1'] });
      assert.equal(result.counts.failed, 3);
      const hist = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
      const text = await decodedHistoryText(hist);
      const logged = hist.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'logOutcomes')!;
      const outcomes = JSON.stringify(await payloadValue(logged.activityTaskScheduledEventAttributes!.input!.payloads![0]! as Payload));
      assert.match(outcomes, /A00021: no Shopify variant has SKU A00021/);
      assert.match(outcomes, /"field":"ItemCode"/);
      assert.match(
        outcomes,
        /A00005: its stock is in warehouse '02', which no Shopify location is mapped to \(setting locations\[\]\.warehouses\)/,
      );
      assert.match(outcomes, /NOPE1 was not found/);
      assert.match(text, /A00021/, 'the decoded history holds the records (the check below can fail)');
      assert.ok(!text.includes('"1234"') && !/password/i.test(text), 'no B1 password in history');
    } finally {
      fx.deps.mapping = demoMapping;
      await fx.deps.b1.patchItem('A00021', { U_ShopifySync: 'N' });
    }
  });
  test('no location mapped: the run fails at once naming the setting', async () => {
    fx.deps.mapping = parseMappingConfig({ ...demoMapping, locations: [] });
    try {
      await assert.rejects(fx.runSync('inventory', { mode: 'full' }), (err: Error & { cause?: Error }) => {
        assert.match(
          String((err.cause as (Error & { cause?: Error }) | undefined)?.cause?.message),
          /inventory sync cannot run: locations: map at least one Shopify location/,
        );
        return true;
      });
    } finally {
      fx.deps.mapping = demoMapping;
    }
  });
});
