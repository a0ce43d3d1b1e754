/**
 * Stopping the hub while webhooks keep coming and a webhook-triggered run is writing to B1: the
 * receiver stops accepting first (503, so Shopify retries; the deliveries being handed over get
 * their real answer), and the worker stops within a bounded time even though the run's page does
 * not watch for cancellation; the run is then finished by another worker, each order once.
 * Real dev server, B1 and Shopify simulators, deliveries over HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';
import { createHintWorker, createHubWorker, stopHubWorker } from '../../src/hub/worker';
import { createSyncActivities } from '../../src/activities/sync-activities';
import { createLedgerActivities, withLedger } from '../../src/activities/ledger-activities';
import { PIPELINES } from '../../src/pipelines/registry';
import { ensureSchedulers, schedulerHandle } from '../../src/temporal/schedulers';
import { statusQuery } from '../../src/workflows/messages';
import { SYNC_OBJECTS, type SyncObject } from '../../src/shared/sync-object';
import type { ScheduleSpec } from '../../src/schedule/spec';
import { Secret } from '../../src/connectors/shopify/secret';
import { WebhookSubscriptions } from '../../src/connectors/shopify/webhook-subscriptions';
import { DEFAULT_WEBHOOK_SECRET, signWebhook } from '../../src/sim/shopify';
import { startWebhookReceiver } from '../../src/webhooks';
import { ensureGuestPartner, salesOrdersByShopifyId } from '../pipelines/support-shopify-to-b1';
import { waitFor } from '../support/wait-for';

const quiet: ScheduleSpec = { kind: 'weekly', days: ['sun'], times: ['03:00'], timezone: 'Pacific/Auckland' };
const secrets = [new Secret(DEFAULT_WEBHOOK_SECRET)];

describe('webhooks: stopping the hub', { timeout: 240_000 }, () => {
  let fx: HubFixture;
  let bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;
  const running: Array<{ w: Worker; done: Promise<void> }> = [];
  /** The worker stopped mid-run by the second test: bounded shutdown, 1 s grace, 3 s force. */
  let bounded: { w: Worker; done: Promise<void> };

  const startWorker = async (shutdown?: { graceMs: number; forceMs: number }) => {
    const w = await createHubWorker({
      connection: fx.env.nativeConnection,
      taskQueue: fx.taskQueue,
      activities: {
        ...withLedger(createSyncActivities({ deps: fx.deps, pipelines: PIPELINES }), createLedgerActivities({ client: fx.env.client })),
        openErrorsDue: async (): Promise<string[]> => [],
      },
      ...(shutdown ? { shutdown } : {}),
      extra: { workflowBundle: bundle },
    });
    const r = { w, done: w.run() };
    running.push(r);
    return r;
  };

  before(async () => {
    fx = await startHubFixture({ shopifyOrders: 0, shopifyCustomers: 3 });
    await ensureGuestPartner(fx);
    bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./workflows'),
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
    });
    bounded = await startWorker({ graceMs: 1000, forceMs: 3000 });
    // The hints' own queue and worker, as every hub worker process runs them (hub/worker.ts).
    const hints = await createHintWorker({
      connection: fx.env.nativeConnection,
      taskQueue: fx.taskQueue,
      extra: { workflowBundle: bundle },
    });
    running.push({ w: hints, done: hints.run() });
    await ensureSchedulers(fx.env.client, {
      taskQueue: fx.taskQueue,
      schedules: Object.fromEntries(SYNC_OBJECTS.map((o) => [o, quiet])) as Record<SyncObject, ScheduleSpec>,
    });
  });

  after(async () => {
    fx?.b1Sim.faults.set({ latencyMs: 0 });
    for (const r of running) await stopHubWorker(r.w, r.done).catch(() => undefined);
    for (const o of SYNC_OBJECTS)
      await schedulerHandle(fx.env.client, o)
        .terminate('test done')
        .catch(() => undefined);
    await fx?.close();
  });

  test('closing the receiver: a delivery being handed over gets its 200, a later one 503 with Retry-After, then the port closes', async () => {
    // The hand-over commits in Temporal, its answer comes 1.5 s later: close() starts meanwhile.
    const real = fx.env.client;
    const slow = {
      workflow: {
        start: async (...args: Parameters<typeof real.workflow.start>) => {
          const h = await real.workflow.start(...args);
          await new Promise((r) => setTimeout(r, 1500));
          return h;
        },
      },
    } as unknown as typeof real;
    const rx = await startWebhookReceiver({ client: slow, taskQueue: fx.taskQueue, secrets });
    const post = (eventId: string) => {
      const body = JSON.stringify({ id: 1, admin_graphql_api_id: 'gid://shopify/Customer/1' });
      return fetch(rx.url, {
        method: 'POST',
        body,
        headers: {
          'Content-Type': 'application/json',
          'X-Shopify-Topic': 'customers/update',
          'X-Shopify-Hmac-Sha256': signWebhook(body, DEFAULT_WEBHOOK_SECRET),
          'X-Shopify-Shop-Domain': fx.shopifySim.shopDomain,
          'X-Shopify-Event-Id': eventId,
        },
      });
    };
    const first = randomUUID();
    const inFlight = post(first);
    await waitFor('the hand-over under way', () =>
      real.workflow
        .getHandle(`webhook:${first}`)
        .describe()
        .then(
          () => true,
          () => undefined,
        ),
    );
    const closing = rx.close();
    const later = randomUUID();
    const refused = await post(later);
    assert.equal(refused.status, 503, 'a delivery during shutdown is answered 503: Shopify retries it');
    assert.equal(refused.headers.get('retry-after'), '5');
    const answered = await inFlight;
    assert.equal(answered.status, 200, 'the delivery being handed over is answered, not cut off');
    await closing;
    await assert.rejects(post(randomUUID()), 'the port is closed');
    await assert.rejects(real.workflow.getHandle(`webhook:${later}`).describe(), 'the refused delivery started nothing');
    assert.equal(rx.stats.snapshot()['customers/update']?.failed, 1);
  });

  test('a webhook-triggered run writing to a slow B1 does not hold the worker: it stops within its force time, and another worker finishes the run, each order once', async () => {
    const { w, done } = bounded;
    const rx = await startWebhookReceiver({ client: fx.env.client, taskQueue: fx.taskQueue, secrets });
    const subs = new WebhookSubscriptions(fx.deps.shopify.executor);
    await subs.reconcile({ uri: rx.url, topics: ['orders/create'], apiVersion: '2026-07' });
    try {
      // Every B1 call takes 5 s: one order (~6 calls) takes half a minute to post.
      fx.b1Sim.faults.set({ latencyMs: 5000 });
      const logAt = fx.b1Sim.faults.log.length;
      const gids = [0, 1, 2, 3].map(
        (i) =>
          `gid://shopify/Order/${fx.shopifySim.createOrder({ customerId: null, email: `stop${i}@example.com`, lines: [{ sku: 'A00011', quantity: 1 }] }).id}`,
      );
      const run = await waitFor(
        'the webhook-triggered run',
        async () => (await schedulerHandle(fx.env.client, 'order').query(statusQuery)).running,
      );
      assert.equal(run.trigger, 'webhook');
      // The post step is under way: it has written to B1 (the fetch step only reads), with more
      // slow calls still ahead of it.
      await waitFor(
        'the post step',
        () => fx.b1Sim.faults.log.slice(logAt).some((l) => !l.startsWith('GET ') && !/\/(Login|Logout)\b/.test(l)) || undefined,
      );
      await rx.close();
      const t0 = Date.now();
      await stopHubWorker(w, done);
      const took = Date.now() - t0;
      assert.ok(took < 8000, `the worker stopped after ${took} ms (force time 3 s)`);
      assert.ok(
        gids.some((g) => salesOrdersByShopifyId(fx, g).length === 0),
        'the page was cut off mid-way (else this test shows nothing)',
      );

      // Another worker takes the run over once the cut-off attempt's heartbeat stops.
      fx.b1Sim.faults.set({ latencyMs: 0 });
      await startWorker();
      await waitFor(
        'the cut-off run finished',
        async () =>
          (await schedulerHandle(fx.env.client, 'order').query(statusQuery)).recentRuns.find(
            (r) => r.workflowId === run.workflowId && r.outcome !== 'running',
          ),
        120_000,
      );
      // The orders whose hints came during the run are in its follow-up run.
      await waitFor('every order in B1', () => gids.every((g) => salesOrdersByShopifyId(fx, g).length > 0) || undefined, 120_000);
      await waitFor('the scheduler idle', async () => {
        const st = await schedulerHandle(fx.env.client, 'order').query(statusQuery);
        return (!st.running && !st.pending) || undefined;
      });
      for (const g of gids) assert.equal(salesOrdersByShopifyId(fx, g).length, 1, `${g}: one sales order`);
    } finally {
      fx.b1Sim.faults.set({ latencyMs: 0 });
      await rx.close();
    }
  });
});
