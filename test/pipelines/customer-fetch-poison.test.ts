/**
 * A customer the fetch cannot read fails alone (kit/fetch-poison.ts), like an order: the Shopify
 * client hands one customer with a malformed address list (`addressesV2` not a list, which the
 * trimming cannot read); the page still arrives with every customer, the malformed one marked,
 * and the map step fails it with its id and reason while the others map. Before the isolation
 * the whole fetch threw, and every run stopped at that page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSyncActivities } from '../../src/activities/sync-activities';
import type { ShopifyClient } from '../../src/connectors/shopify/client';
import type { ShopifyCustomer } from '../../src/mapping/types';
import type { MappedRecord } from '../../src/pipelines/contract';
import { customerPipeline } from '../../src/pipelines/customer';
import { fetchFailureOf } from '../../src/pipelines/kit/fetch-poison';
import { PIPELINES } from '../../src/pipelines/registry';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';

describe('customer fetch: a poison record fails alone', () => {
  let fx: HubFixture;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 4, shopifyOrders: 0, b1Customers: 1, temporal: 'time-skipping' });
  });
  after(async () => {
    await fx?.close();
  });

  test('the page arrives with every customer; the malformed one is marked and fails in the map step, the others map', async () => {
    const ids = Object.values(fx.shopifySim.state.data.customers).map((c) => `gid://shopify/Customer/${c.id}`);
    const badId = ids[1]!;
    const corrupt = (cs: ShopifyCustomer[]) => cs.map((c) => (c.id === badId ? { ...c, addressesV2: {} as never } : c));
    const shopify = new Proxy(fx.deps.shopify, {
      get(target, prop, receiver) {
        if (prop === 'customersPage')
          return async (...a: Parameters<ShopifyClient['customersPage']>) => {
            const page = await target.customersPage(...a);
            return { ...page, items: corrupt(page.items) };
          };
        if (prop === 'customersByIds')
          return async (...a: Parameters<ShopifyClient['customersByIds']>) => corrupt(await target.customersByIds(...a));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
      },
    }) as ShopifyClient;
    const deps = { ...fx.deps, shopify };

    for (const input of [
      { object: 'customer' as const, syncId: 'poison-full', mode: 'full' as const, pageIndex: 0 },
      { object: 'customer' as const, syncId: 'poison-ids', mode: 'ids' as const, ids, pageIndex: 0 },
    ]) {
      const page = await customerPipeline.fetch(deps, input);
      assert.deepEqual(page.records.map((r) => r.id).sort(), [...ids].sort(), input.mode);
      const marked = page.records.filter((r) => fetchFailureOf(r));
      assert.deepEqual(
        marked.map((r) => r.id),
        [badId],
        input.mode,
      );
      const failure = fetchFailureOf(marked[0]!)!;
      assert.equal(failure.outcome, 'failed');
      assert.match(failure.reason ?? '', /^customer gid:\/\/shopify\/Customer\/\d+: error while fetching: TypeError: /);

      const { mapPage } = createSyncActivities({ deps, pipelines: PIPELINES });
      const mapped = (await new MockActivityEnvironment().run(mapPage, {
        object: 'customer' as const,
        syncId: input.syncId,
        records: page.records,
      })) as MappedRecord[];
      assert.equal(mapped.length, ids.length, input.mode);
      const bad = mapped.find((m) => m.id === badId);
      assert.equal(bad?.ok, false);
      assert.ok(
        mapped.filter((m) => m.id !== badId).every((m) => m.ok),
        JSON.stringify(mapped.filter((m) => !m.ok)),
      );
    }
  });
});
