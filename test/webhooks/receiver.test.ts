/**
 * Webhooks end to end: the Shopify simulator delivers over HTTP to the receiver, which hands
 * hints to the real schedulers on the Temporal dev server; a worker runs the real pipelines
 * against the B1 simulator.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { createHintWorker, createHubWorker } from '../../src/hub/worker';
import { createSyncActivities } from '../../src/activities/sync-activities';
import { createLedgerActivities, withLedger } from '../../src/activities/ledger-activities';
import { PIPELINES } from '../../src/pipelines/registry';
import { ensureSchedulers, schedulerHandle } from '../../src/temporal/schedulers';
import { statusQuery } from '../../src/workflows/messages';
import { SYNC_OBJECTS, type SyncObject } from '../../src/shared/sync-object';
import type { ScheduleSpec } from '../../src/schedule/spec';
import { Secret } from '../../src/connectors/shopify/secret';
import { WebhookSubscriptions } from '../../src/connectors/shopify/webhook-subscriptions';
import { DEFAULT_WEBHOOK_SECRET, signWebhook, type WebhookDelivery } from '../../src/sim/shopify';
import { HUB_TOPICS, startWebhookReceiver, type WebhookReceiver } from '../../src/webhooks';
import { ensureGuestPartner, salesOrdersByShopifyId } from '../pipelines/support-shopify-to-b1';
import { createShopifyProduct } from '../pipelines/support-product';
import { waitFor } from '../support/wait-for';

// Far-away slots: nothing fires on its own; runs come from webhooks (or the test).
const quiet: ScheduleSpec = { kind: 'weekly', days: ['sun'], times: ['03:00'], timezone: 'Pacific/Auckland' };

describe('webhooks: simulator → receiver → scheduler', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let rx: WebhookReceiver;
  let rx2: WebhookReceiver;
  let subs: WebhookSubscriptions;
  const secrets = [new Secret(DEFAULT_WEBHOOK_SECRET)];

  before(async () => {
    fx = await startHubFixture({ shopifyOrders: 0, shopifyCustomers: 3 });
    await ensureGuestPartner(fx);
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./workflows'),
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
    });
    const w = await createHubWorker({
      connection: fx.env.nativeConnection,
      taskQueue: fx.taskQueue,
      activities: {
        ...withLedger(createSyncActivities({ deps: fx.deps, pipelines: PIPELINES }), createLedgerActivities({ client: fx.env.client })),
        openErrorsDue: async (): Promise<string[]> => [],
      },
      extra: { workflowBundle: bundle },
    });
    // The hints' own queue and worker, as every hub worker process runs them (hub/worker.ts).
    const hints = await createHintWorker({
      connection: fx.env.nativeConnection,
      taskQueue: fx.taskQueue,
      extra: { workflowBundle: bundle },
    });
    const running = Promise.all([w.run(), hints.run()]);
    worker = { worker: w, stop: async () => (w.shutdown(), hints.shutdown(), void (await running)) };
    await ensureSchedulers(fx.env.client, {
      taskQueue: fx.taskQueue,
      schedules: Object.fromEntries(SYNC_OBJECTS.map((o) => [o, quiet])) as Record<SyncObject, ScheduleSpec>,
    });
    // Two replicas behind one address would share nothing but Temporal: so do these two.
    rx = await startWebhookReceiver({ client: fx.env.client, taskQueue: fx.taskQueue, secrets });
    rx2 = await startWebhookReceiver({ client: fx.env.client, taskQueue: fx.taskQueue, secrets });
    subs = new WebhookSubscriptions(fx.deps.shopify.executor);
  });

  after(async () => {
    await rx?.close();
    await rx2?.close();
    await worker?.stop();
    await fx?.close();
  });

  const post = (url: string, body: string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
  const headersFor = (body: string, eventId: string, topic = 'orders/create', secret = DEFAULT_WEBHOOK_SECRET) => ({
    'X-Shopify-Topic': topic,
    'X-Shopify-Hmac-Sha256': signWebhook(body, secret),
    'X-Shopify-Shop-Domain': fx.shopifySim.shopDomain,
    'X-Shopify-API-Version': '2026-07',
    'X-Shopify-Webhook-Id': randomUUID(),
    'X-Shopify-Event-Id': eventId,
    'X-Shopify-Triggered-At': new Date().toISOString(),
  });
  const hintExists = (eventId: string) =>
    fx.env.client.workflow
      .getHandle(`webhook:${eventId}`)
      .describe()
      .then(
        () => true,
        () => false,
      );
  const deliveries = async (): Promise<WebhookDelivery[]> => fx.shopifySim.webhooks.deliveries;

  test('reconcile creates the missing topics, then repairs a wrong address and a deleted topic', async () => {
    const desired = { uri: rx.url, topics: HUB_TOPICS, apiVersion: '2026-07' };
    const first = await subs.reconcile(desired);
    assert.equal(first.length, HUB_TOPICS.length);
    assert.ok(first.every((c) => c.action === 'created'));
    assert.deepEqual(await subs.reconcile(desired), [], 'a second reconcile changes nothing');

    const list = await subs.list();
    const orders = list.find((s) => s.topic === 'ORDERS_UPDATED')!;
    await subs.update(orders.id, 'http://127.0.0.1:9/elsewhere');
    const customers = list.find((s) => s.topic === 'CUSTOMERS_UPDATE')!;
    await subs.delete(customers.id);
    await subs.delete(customers.id); // already gone: still fine

    const repaired = await subs.reconcile(desired);
    assert.deepEqual(repaired.map((c) => `${c.action} ${c.topic}`).sort(), ['created CUSTOMERS_UPDATE', 'updated ORDERS_UPDATED']);
    const after = await subs.list();
    assert.equal(after.length, HUB_TOPICS.length);
    assert.ok(after.every((s) => s.uri === rx.url && s.apiVersion === '2026-07'));
  });

  test('a wrong or missing signature is answered 401 and starts nothing; an oversized body 413', async () => {
    const body = JSON.stringify({ id: 1, admin_graphql_api_id: 'gid://shopify/Order/1', updated_at: '2026-12-01T00:00:00Z' });
    const eventId = randomUUID();
    const wrong = await post(rx.url, body, headersFor(body, eventId, 'orders/create', 'not-the-secret'));
    assert.equal(wrong.status, 401);
    const h = headersFor(body, eventId);
    const tampered = await post(rx.url, body.replace('"id":1', '"id":2'), h);
    assert.equal(tampered.status, 401, 'the signature covers the exact bytes');
    const { ['X-Shopify-Hmac-Sha256']: _drop, ...unsigned } = h;
    assert.equal((await post(rx.url, body, unsigned)).status, 401);
    const big = 'x'.repeat(3 * 1024 * 1024);
    assert.equal((await post(rx.url, big, headersFor(big, randomUUID()))).status, 413);
    assert.equal(await hintExists(eventId), false, 'nothing was handed to Temporal');
    assert.equal(rx.stats.snapshot()['orders/create']?.rejected, 4);
  });

  test('the same delivery at two replicas at once is handed over once', async () => {
    const order = fx.shopifySim.state.order(
      fx.shopifySim.createOrder({ customerId: null, email: 'dup@example.com', lines: [{ sku: 'A00011', quantity: 1 }] }).id,
    )!;
    const body = JSON.stringify({ id: order.id, admin_graphql_api_id: `gid://shopify/Order/${order.id}`, updated_at: order.updatedAt });
    const eventId = randomUUID();
    const h = headersFor(body, eventId);
    const [a, b] = await Promise.all([post(rx.url, body, h), post(rx2.url, body, h)]);
    assert.deepEqual([a.status, b.status], [200, 200]);
    const answers = [await a.json(), await b.json()] as { duplicate?: boolean }[];
    assert.equal(answers.filter((x) => x.duplicate).length, 1, 'exactly one replica saw a duplicate');
    // And again later, after the hint workflow has finished: still a duplicate.
    await waitFor(
      'hint done',
      async () => (await fx.env.client.workflow.getHandle(`webhook:${eventId}`).describe()).status.name === 'COMPLETED' || undefined,
    );
    const again = await post(rx.url, body, h);
    assert.deepEqual(await again.json(), { ok: true, duplicate: true });
    const runs = await waitFor('the order run', async () => {
      const st = await schedulerHandle(fx.env.client, 'order').query(statusQuery);
      const served = st.recentRuns.filter((r) => r.requestIds?.includes(`wh-${eventId}`));
      return served.length && served.every((r) => r.outcome !== 'running') ? served : undefined;
    });
    assert.equal(runs.length, 1, 'one trigger, one run');
    assert.equal(salesOrdersByShopifyId(fx, `gid://shopify/Order/${order.id}`).length, 1);
  });

  test('a hand-over that lands after the receiver gave up (503) is deduped on the retry: one trigger', async () => {
    // Temporal commits the start, but the answer reaches the receiver after its time limit.
    const real = fx.env.client;
    const slow = {
      workflow: {
        start: async (...args: Parameters<typeof real.workflow.start>) => {
          const handle = await real.workflow.start(...args);
          await new Promise((r) => setTimeout(r, 1500));
          return handle;
        },
      },
    } as unknown as typeof real;
    const lagging = await startWebhookReceiver({ client: slow, taskQueue: fx.taskQueue, secrets, handoverTimeoutMs: 500 });
    try {
      const c = fx.shopifySim.createCustomer({ email: 'slow@example.com', firstName: 'Slow' });
      const body = JSON.stringify({ id: c.id, admin_graphql_api_id: `gid://shopify/Customer/${c.id}`, updated_at: c.updatedAt });
      const eventId = randomUUID();
      const h = headersFor(body, eventId, 'customers/create');
      assert.equal((await post(lagging.url, body, h)).status, 503, 'not confirmed in time: Shopify must retry');
      // The interleaving under test: the start is committed, its answer was too late.
      await waitFor('the committed hand-over', async () => (await hintExists(eventId)) || undefined);
      const retry = await post(rx.url, body, h);
      assert.deepEqual(await retry.json(), { ok: true, duplicate: true }, 'the retry finds the committed hand-over');
      const st = await waitFor('the customer request', async () => {
        const s = await schedulerHandle(fx.env.client, 'customer').query(statusQuery);
        return s.requests[`wh-${eventId}`] ? s : undefined;
      });
      assert.match(st.requests[`wh-${eventId}`]!, /^sync:customer:/);
    } finally {
      await lagging.close();
    }
  });

  test('an order created in the shop reaches B1 through its webhook', async () => {
    const o = fx.shopifySim.createOrder({ customerId: null, email: 'hook@example.com', lines: [{ sku: 'A00012', quantity: 2 }] });
    const gid = `gid://shopify/Order/${o.id}`;
    const d = await waitFor('the orders/create delivery', async () =>
      (await deliveries()).find((x) => x.topic === 'orders/create' && x.body.includes(`"id":${o.id}`) && x.delivered),
    );
    assert.equal(d.lastStatus, 200);
    assert.equal(d.apiVersion, '2026-07');
    await waitFor('the sales order in B1', () => salesOrdersByShopifyId(fx, gid).length === 1 || undefined);
    const st = await schedulerHandle(fx.env.client, 'order').query(statusQuery);
    assert.match(st.requests[`wh-${d.eventId}`] ?? '', /^sync:order:/, 'the scheduler took the webhook event as a request');
    // orders/paid and orders/create are two events of one order: at most one more (id) run, one sales order.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(salesOrdersByShopifyId(fx, gid).length, 1);
  });

  test('a dropped delivery starts nothing; the scheduled delta run picks the order up', async () => {
    const res = await fetch(`${fx.shopifySim.url}/_sim/webhooks/faults`, {
      method: 'POST',
      headers: { 'X-Shopify-Access-Token': fx.shopifySim.accessToken },
      body: JSON.stringify({ drop: 2 }),
    });
    assert.equal(res.status, 200);
    const o = fx.shopifySim.createOrder({ customerId: null, email: 'lost@example.com', lines: [{ sku: 'A00013', quantity: 1 }] });
    const gid = `gid://shopify/Order/${o.id}`;
    const log = (await (
      await fetch(`${fx.shopifySim.url}/_sim/webhooks/deliveries`, { headers: { 'X-Shopify-Access-Token': fx.shopifySim.accessToken } })
    ).json()) as { deliveries: WebhookDelivery[] };
    const mine = log.deliveries.filter(
      (x) => x.body.includes(`"id":${o.id},`) && (x.topic === 'orders/create' || x.topic === 'orders/paid'),
    );
    assert.equal(mine.length, 2);
    assert.ok(mine.every((x) => x.fault === 'dropped' && x.attempts === 0));
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(!(await Promise.all(mine.map((x) => hintExists(x.eventId)))).some(Boolean));
    assert.equal(salesOrdersByShopifyId(fx, gid).length, 0, 'no webhook, no run yet');
    // What the schedule does at its next slot: a delta run, which reads orders by updated_at.
    await fx.runSync('order', { mode: 'delta' });
    assert.equal(salesOrdersByShopifyId(fx, gid).length, 1);
  });

  /** The finished run of `object` that served this delivery (its requestId is `wh-<event id>`). */
  const servedRun = (object: SyncObject, eventId: string) =>
    waitFor(`the ${object} run of ${eventId}`, async () => {
      const st = await schedulerHandle(fx.env.client, object).query(statusQuery);
      return st.recentRuns.find((r) => r.requestIds.includes(`wh-${eventId}`) && r.outcome !== 'running');
    });
  const productDelivery = (topic: string, productGid: string, after = 0) =>
    waitFor(`the ${topic} delivery of ${productGid}`, async () =>
      (await deliveries())
        .slice(after)
        .find((x) => x.topic === topic && x.body.includes(`"admin_graphql_api_id":"${productGid}"`) && x.delivered),
    );

  test('a product made in the shop becomes a B1 item through its webhook, with no sync command', async () => {
    const sku = `SHOPWH-${randomUUID().slice(0, 8).toUpperCase()}`;
    const productGid = await createShopifyProduct(fx, { title: 'Made in the shop', sku, price: '7.00', tracked: false });
    const d = await productDelivery('products/create', productGid);
    assert.equal(d.lastStatus, 200);
    await waitFor('the B1 item', () => (fx.b1Sim.state.get('Items', sku) ? true : undefined));
    const run = await servedRun('shopify-product', d.eventId);
    assert.equal(run.trigger, 'webhook');
    assert.equal(run.mode, 'ids');
    assert.equal(run.counts?.created, 1, JSON.stringify(run));
  });

  test("echoes of the hub's own product writes start cheap runs that create nothing in B1", async () => {
    // The hub's write (productSet by custom id), for an ItemCode B1 does not have (deleted there
    // since): importing it would create the item, so "nothing created" is not a given.
    const code = `ECHO-${randomUUID().slice(0, 8).toUpperCase()}`;
    const from = (await deliveries()).length;
    const logAt = fx.b1Sim.faults.log.length;
    const p = {
      customId: code,
      title: 'Pushed by the hub',
      sku: code,
      price: '3.00',
      tracked: false,
      taxable: true,
      status: 'ACTIVE' as const,
      weight: null,
    };
    await fx.deps.shopify.ensureCustomIdDefinitions();
    const first = await fx.deps.shopify.upsertProduct(p);
    assert.ok(first.ok, JSON.stringify(first));
    const productGid = first.value.productId;
    assert.ok((await fx.deps.shopify.upsertProduct({ ...p, price: '3.50' })).ok);
    const created = await productDelivery('products/create', productGid, from);
    const updated = await productDelivery('products/update', productGid, from);
    for (const d of [created, updated]) {
      const run = await servedRun('shopify-product', d.eventId);
      assert.equal(run.counts?.created, 0, JSON.stringify(run));
      assert.equal(run.counts?.failed, 0, JSON.stringify(run));
    }
    assert.equal(fx.b1Sim.state.get('Items', code), undefined, 'no B1 item for a hub-pushed product');
    // Cheap: the echo runs read Shopify only (the custom id says where the product came from).
    // (Other objects' runs of earlier deliveries may still write to B1: items only are looked at.)
    const b1Calls = fx.b1Sim.faults.log.slice(logAt).filter((l) => l.includes(code) || (!l.startsWith('GET ') && /\/Items\b/.test(l)));
    assert.deepEqual(b1Calls, []);
  });

  test('app/uninstalled pauses every scheduler with the reason', async () => {
    const res = await fetch(`${fx.shopifySim.url}/_sim/app/uninstall`, {
      method: 'POST',
      headers: { 'X-Shopify-Access-Token': fx.shopifySim.accessToken },
      body: '{}',
    });
    assert.equal(res.status, 200);
    for (const object of SYNC_OBJECTS) {
      await waitFor(`${object} paused`, async () =>
        (await schedulerHandle(fx.env.client, object).query(statusQuery)).paused ? true : undefined,
      );
    }
    const d = (await deliveries()).find((x) => x.topic === 'app/uninstalled')!;
    assert.ok(d.delivered);
    const hint = await fx.env.client.workflow.getHandle(`webhook:${d.eventId}`).result();
    assert.equal((hint as { signalled: string[] }).signalled.length, SYNC_OBJECTS.length);
    assert.deepEqual(await subs.list(), [], 'uninstalling removed the subscriptions');
  });
});
