/**
 * A B1 item the product fetch cannot read fails alone (kit/fetch-poison.ts), like an order, a
 * customer or an inventory item: one selected item in the B1 simulator carries a value that breaks
 * SAP's Items schema (`SalesUnitWeight` a string, not Edm.Double). The page still arrives with
 * every selected item, the malformed one marked with an error naming the item and the field, and
 * the map step fails it alone while the others map. Before the isolation the whole page failed
 * (B1ProtocolError, not retried), so every run stopped at that item. The Shopify → B1 direction
 * (`shopify-product`) does the same for a variant the Shopify client hands over malformed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSyncActivities } from '../../src/activities/sync-activities';
import type { ShopifyClient } from '../../src/connectors/shopify/client';
import type { FetchPageInput, MappedRecord } from '../../src/pipelines/contract';
import { fetchFailureOf } from '../../src/pipelines/kit/fetch-poison';
import { productPipeline, shopifyProductPipeline } from '../../src/pipelines/product';
import { PIPELINES } from '../../src/pipelines/registry';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';
import { createShopifyProduct } from './support-product';

describe('product fetch: a poison B1 item fails alone', () => {
  let fx: HubFixture;

  before(async () => {
    fx = await startHubFixture({ items: 30, shopifyCustomers: 0, shopifyOrders: 0, b1Customers: 1, temporal: 'time-skipping' });
  });
  after(async () => {
    await fx?.close();
  });

  test('every selected item arrives; the malformed one is marked with its code and field and fails in the map step; the others map', async () => {
    const badCode = DEMO_ITEM_CODES[2]!;
    const item = fx.b1Sim.state.get('Items', badCode) as Record<string, unknown>;
    item.SalesUnitWeight = 'heavy';
    const deps = { ...fx.deps, pageSizes: { ...fx.deps.pageSizes, product: 50 } };
    const inputs: FetchPageInput[] = [
      { object: 'product', syncId: 'poison-full', mode: 'full', pageIndex: 0 },
      { object: 'product', syncId: 'poison-delta', mode: 'delta', pageIndex: 0 },
      { object: 'product', syncId: 'poison-ids', mode: 'ids', ids: [...DEMO_ITEM_CODES], pageIndex: 0 },
    ];
    for (const input of inputs) {
      const page = await productPipeline.fetch(deps, input);
      assert.deepEqual(page.records.map((r) => r.id).sort(), [...DEMO_ITEM_CODES].sort(), input.mode);
      const marked = page.records.filter((r) => fetchFailureOf(r));
      assert.deepEqual(
        marked.map((r) => r.id),
        [badCode],
        input.mode,
      );
      const failure = fetchFailureOf(marked[0]!)!;
      assert.equal(failure.outcome, 'failed');
      assert.equal(failure.field, 'SalesUnitWeight', input.mode);
      assert.match(
        failure.reason ?? '',
        new RegExp(`^product .+: error while fetching: B1ProtocolError: Items\\("${badCode}"\\) field SalesUnitWeight: `),
        input.mode,
      );

      const { mapPage } = createSyncActivities({ deps, pipelines: PIPELINES });
      const mapped = (await new MockActivityEnvironment().run(mapPage, {
        object: 'product' as const,
        syncId: input.syncId,
        records: page.records,
      })) as MappedRecord[];
      assert.equal(mapped.length, DEMO_ITEM_CODES.length, input.mode);
      assert.equal(mapped.find((m) => m.id === badCode)?.ok, false, input.mode);
      assert.ok(
        mapped.filter((m) => m.id !== badCode).every((m) => m.ok),
        JSON.stringify(mapped.filter((m) => !m.ok)),
      );
    }
  });

  test('shopify-product: a variant the fetch cannot read fails alone; the other variant maps', async () => {
    const products = [
      await createShopifyProduct(fx, { title: 'Poison one', sku: 'POISON-1', price: '5.00', tracked: true }),
      await createShopifyProduct(fx, { title: 'Poison two', sku: 'POISON-2', price: '6.00', tracked: true }),
    ];
    let badId: string | undefined;
    const shopify = new Proxy(fx.deps.shopify, {
      get(target, prop, receiver) {
        if (prop === 'variantsByIds')
          return async (...a: Parameters<ShopifyClient['variantsByIds']>) =>
            (await target.variantsByIds(...a)).map((v) => {
              if (v?.sku !== 'POISON-1') return v;
              badId = v.id;
              return { ...v, sku: 42 as never };
            });
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
      },
    }) as ShopifyClient;
    const deps = { ...fx.deps, shopify };
    const input: FetchPageInput = { object: 'shopify-product', syncId: 'poison-import', mode: 'ids', ids: products, pageIndex: 0 };
    const page = await shopifyProductPipeline.fetch(deps, input);
    assert.ok(badId, 'the malformed variant was read');
    assert.equal(page.records.length, 2, JSON.stringify(page.records.map((r) => r.id)));
    const marked = page.records.filter((r) => fetchFailureOf(r));
    assert.deepEqual(
      marked.map((r) => r.id),
      [badId],
    );
    assert.match(
      fetchFailureOf(marked[0]!)!.reason ?? '',
      /^shopify-product gid:\/\/shopify\/ProductVariant\/\d+: error while fetching: TypeError: /,
    );
    const { mapPage } = createSyncActivities({ deps, pipelines: PIPELINES });
    const mapped = (await new MockActivityEnvironment().run(mapPage, {
      object: 'shopify-product' as const,
      syncId: input.syncId,
      records: page.records,
    })) as MappedRecord[];
    assert.equal(mapped.find((m) => m.id === badId)?.ok, false);
    assert.ok(
      mapped.filter((m) => m.id !== badId).every((m) => m.ok),
      JSON.stringify(mapped),
    );
  });

  test('initial load: a poison item of a bulk chunk fails alone; the other items of the chunk are written', async () => {
    const badCode = DEMO_ITEM_CODES[2]!;
    (fx.b1Sim.state.get('Items', badCode) as Record<string, unknown>).SalesUnitWeight = 'heavy';
    const first = DEMO_ITEM_CODES[0]!;
    const last = DEMO_ITEM_CODES[DEMO_ITEM_CODES.length - 1]!;
    const outcomes = await productPipeline.post(fx.deps, {
      object: 'product',
      syncId: 'poison-bulk',
      pageIndex: 0,
      records: [
        { id: `${first}..${last}`, payload: { kind: 'bulkChunk', first, last, count: DEMO_ITEM_CODES.length, asOf: '2026-01-01' } },
      ],
    });
    assert.deepEqual(outcomes.map((o) => o.sourceId).sort(), [...DEMO_ITEM_CODES].sort());
    const bad = outcomes.find((o) => o.sourceId === badCode);
    assert.equal(bad?.outcome, 'failed');
    assert.equal(bad?.field, 'SalesUnitWeight');
    assert.ok(
      outcomes.filter((o) => o.sourceId !== badCode).every((o) => o.outcome !== 'failed'),
      JSON.stringify(outcomes.filter((o) => o.outcome === 'failed')),
    );
  });
});
