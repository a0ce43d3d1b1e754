/**
 * A poison record while fetching fails alone: dev server, the real sync-run, ledger and order
 * pipeline, both simulators over HTTP. One order of a page comes back from the Shopify client
 * with a malformed price (`originalUnitPriceSet.shopMoney` null, which the order fetch cannot
 * read); the page's other orders are created, the run completes, and the malformed one is an
 * open error in the ledger naming it. The next run (ledger retry of it in ids mode, then its own
 * delta) fails it alone again and goes on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createSyncActivities } from '../../src/activities/sync-activities';
import { createLedgerActivities, withLedger } from '../../src/activities/ledger-activities';
import type { ShopifyClient } from '../../src/connectors/shopify/client';
import type { ShopifyOrder } from '../../src/mapping/types';
import { PIPELINES } from '../../src/pipelines/registry';
import { serverSkipReason } from '../../src/testing/temporal-servers';
import { createHubWorker } from '../../src/hub/worker';
import { ledgerWorkflowId, openErrorsQuery } from '../../src/workflows/ledger-messages';
import { syncRunWorkflow } from '../../src/workflows/sync-run';
import { ensureGuestPartner, runLog, salesOrdersByShopifyId } from '../pipelines/support-shopify-to-b1';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';

describe('a poison record while fetching (dev server, simulators)', { skip: serverSkipReason('dev-server') }, () => {
  let fx: HubFixture;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 2, shopifyOrders: 0, b1Customers: 1 });
    await ensureGuestPartner(fx);
  });
  after(async () => {
    await fx?.env.client.workflow
      .getHandle(ledgerWorkflowId('order'))
      .terminate('test done')
      .catch(() => undefined);
    await fx?.close();
  });

  test('fails alone with its id and reason in the ledger; the rest of its page is created; the next run goes on', async () => {
    const sim = fx.shopifySim;
    const loc = Object.values(sim.state.data.locations)[0]!.id;
    const cust = Object.values(sim.state.data.customers)[0]!.id;
    const gid = (o: { id: number }) => `gid://shopify/Order/${o.id}`;
    const good = [1, 2, 3].map((n) => sim.createOrder({ customerId: cust, lines: [{ sku: `A0000${n}`, quantity: 1, locationId: loc }] }));
    const bad = sim.createOrder({ customerId: cust, lines: [{ sku: 'A00004', quantity: 1, locationId: loc }] });
    const badId = gid(bad);

    // The malformed record, as the Shopify client hands it to the order fetch (page and ids reads).
    const corrupt = (orders: ShopifyOrder[]) =>
      orders.map((o) =>
        o.id === badId ? { ...o, lineItems: o.lineItems.map((l) => ({ ...l, originalUnitPriceSet: { shopMoney: null } as never })) } : o,
      );
    const shopify = new Proxy(fx.deps.shopify, {
      get(target, prop, receiver) {
        if (prop === 'ordersPage')
          return async (...a: Parameters<ShopifyClient['ordersPage']>) => {
            const page = await target.ordersPage(...a);
            return { ...page, items: corrupt(page.items) };
          };
        if (prop === 'ordersByIds')
          return async (...a: Parameters<ShopifyClient['ordersByIds']>) => corrupt(await target.ordersByIds(...a));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
      },
    }) as ShopifyClient;
    const deps = { ...fx.deps, shopify, pageSizes: { ...fx.deps.pageSizes, order: 10 } };
    const taskQueue = `fetch-poison-${randomUUID()}`;
    const activities = withLedger(
      createSyncActivities({ deps, pipelines: PIPELINES }),
      createLedgerActivities({ client: fx.env.client, taskQueue }),
    );
    const worker = await createHubWorker({ connection: fx.env.nativeConnection, taskQueue, activities });
    const running = worker.run();
    const run = async () => {
      const workflowId = `sync:order:fetch-poison-${randomUUID().slice(0, 8)}`;
      const result = await fx.env.client.workflow.execute(syncRunWorkflow, {
        taskQueue,
        workflowId,
        workflowExecutionTimeout: '120 seconds',
        args: [{ object: 'order', trigger: 'manual', mode: 'delta' }],
      });
      return { workflowId, result };
    };
    try {
      const first = await run();
      assert.deepEqual([first.result.counts.created, first.result.counts.failed], [3, 1], JSON.stringify(first.result.counts));
      const { outcomes } = await runLog(fx, first.workflowId);
      const poison = outcomes.find((o) => o.sourceId === badId);
      assert.equal(poison?.outcome, 'failed');
      assert.ok(poison!.reason!.startsWith(`order ${bad.name}: error while fetching: TypeError: `), poison!.reason);
      for (const o of good) assert.equal(salesOrdersByShopifyId(fx, gid(o)).length, 1, gid(o));
      assert.equal(salesOrdersByShopifyId(fx, badId).length, 0);

      const ledger = fx.env.client.workflow.getHandle(ledgerWorkflowId('order'));
      const open = await ledger.query(openErrorsQuery, { limit: 100 });
      const entry = open.entries.find((e) => e.sourceId === badId);
      assert.ok(entry, 'the malformed order is an open error');
      assert.equal(entry.label, bad.name);
      assert.match(entry.reason, /error while fetching: TypeError/);
      assert.equal(entry.attempts, 1);

      // The next run retries it first (ids mode) and fails it alone again; its own work goes on.
      const next = sim.createOrder({ customerId: cust, lines: [{ sku: 'A00005', quantity: 1, locationId: loc }] });
      const second = await run();
      assert.equal(salesOrdersByShopifyId(fx, gid(next)).length, 1);
      assert.ok(second.result.counts.failed >= 1, JSON.stringify(second.result.counts));
      const again = (await ledger.query(openErrorsQuery, { limit: 100 })).entries.find((e) => e.sourceId === badId);
      assert.ok(again && again.attempts >= 2, JSON.stringify(again));
    } finally {
      worker.shutdown();
      await running;
    }
  });
});
