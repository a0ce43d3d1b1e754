/**
 * The error policy end to end: Temporal dev server, the real sync-run workflow and activities,
 * both simulators over HTTP.
 * - A wrong B1 password fails the run at once: one activity attempt, one Login at the simulator,
 *   a non-retryable failure whose one line says it is configuration and what to check.
 * - A poison record (the real mapping throws a TypeError on its data; posting another throws one
 *   inside the B1 client) fails alone: the rest of its page is created and the next run goes on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { createSyncActivities } from '../../src/activities/sync-activities';
import { DEMO_SECRETS } from '../../src/config/hub-config';
import type { B1Client } from '../../src/connectors/b1/client';
import { createPipelineDeps } from '../../src/pipelines/deps';
import type { Pipeline, PipelineDeps } from '../../src/pipelines/contract';
import { PIPELINES } from '../../src/pipelines/registry';
import type { ShopifyCustomer } from '../../src/mapping/types';
import { errorChainText } from '../../src/shared/error-chain';
import type { SyncObject } from '../../src/shared/sync-object';
import { createHubWorker } from '../../src/hub/worker';
import { syncRunWorkflow } from '../../src/workflows/sync-run';
import { startB1Simulator } from '../../src/sim/b1';
import { loginCount } from '../b1/helpers';
import { partnersByShopifyId, runLog } from '../pipelines/support-shopify-to-b1';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';

/** A worker on its own task queue with the given deps and pipelines; stopped by the returned function. */
async function workerWith(
  fx: HubFixture,
  deps: PipelineDeps,
  pipelines: Record<SyncObject, Pipeline>,
): Promise<{ taskQueue: string; stop: () => Promise<void> }> {
  const taskQueue = `policy-${randomUUID()}`;
  const worker = await createHubWorker({
    connection: fx.env.nativeConnection,
    taskQueue,
    activities: createSyncActivities({ deps, pipelines }),
  });
  const running = worker.run();
  return {
    taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
    },
  };
}

/**
 * The attempts of every started activity of one type. Started events do not carry the type, so
 * they are joined to their scheduled event (the run also reads the open-error ledger first).
 */
function attemptsOf(events: temporal.api.history.v1.IHistoryEvent[], activityType: string): number[] {
  const ofType = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType).map((e) => String(e.eventId)),
  );
  return events
    .filter((e) => e.activityTaskStartedEventAttributes && ofType.has(String(e.activityTaskStartedEventAttributes.scheduledEventId)))
    .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
}

function runOn(fx: HubFixture, taskQueue: string, object: SyncObject, since?: string) {
  const workflowId = `sync:${object}:policy-${randomUUID().slice(0, 8)}`;
  // Bounded: the old code retried a rejected login ten times over minutes.
  const result = fx.env.client.workflow.execute(syncRunWorkflow, {
    taskQueue,
    workflowId,
    workflowExecutionTimeout: '90 seconds',
    args: [{ object, trigger: 'manual', mode: 'delta', ...(since ? { since } : {}) }],
  });
  return { workflowId, result };
}

describe('error policy in the activities', () => {
  let fx: HubFixture;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 6, shopifyOrders: 0, b1Customers: 2 });
  });
  after(async () => {
    await fx?.close();
  });

  test('a rejected B1 login fails the run once, non-retryable, with one configuration line and one Login', async () => {
    const deps = { ...createPipelineDeps(fx.config, { ...DEMO_SECRETS, b1Password: 'not-the-password' }), mapping: fx.deps.mapping };
    const w = await workerWith(fx, deps, PIPELINES);
    try {
      const logins = loginCount(fx.b1Sim);
      const { workflowId, result } = runOn(fx, w.taskQueue, 'product');
      const err = await result.then(
        () => assert.fail('the run should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ActivityFailure, String(err.cause));
      const app = err.cause.cause;
      assert.ok(app instanceof ApplicationFailure, String(app));
      assert.equal(app.type, 'B1LoginRejectedError');
      assert.equal(app.nonRetryable, true);
      assert.equal(
        app.message,
        "configuration: SAP B1 rejected the login for user 'manager' on SBODEMOUS (Fail to get DB Credentials from SLD) — check b1.userName, b1.companyDb and B1_PASSWORD",
      );
      // What `b1hub status` and `sync --wait` print for the run.
      assert.equal(errorChainText(err), app.message);
      assert.doesNotMatch(errorChainText(err), /not-the-password/);

      assert.equal(loginCount(fx.b1Sim) - logins, 1, 'one Login, not one per retry');
      const events = (await fx.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      assert.deepEqual(attemptsOf(events, 'fetchPage'), [1], 'one attempt of fetchPage');
    } finally {
      await w.stop();
    }
  });

  test('an untrusted B1 certificate fails the run once, non-retryable, saying it is configuration', async () => {
    // A self-signed certificate the client was not told to trust (no b1.caFile).
    const dir = mkdtempSync(join(tmpdir(), 'b1-policy-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'k.pem',
        '-out',
        'c.pem',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    const tlsSim = await startB1Simulator({
      port: 0,
      tls: { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) },
      seed: { items: 3, customers: 1 },
    });
    const config = { ...fx.config, b1: { ...fx.config.b1, baseUrl: tlsSim.url } };
    const deps = { ...createPipelineDeps(config, DEMO_SECRETS), mapping: fx.deps.mapping };
    const w = await workerWith(fx, deps, PIPELINES);
    try {
      assert.match(tlsSim.url, /^https:/);
      const { workflowId, result } = runOn(fx, w.taskQueue, 'product');
      const err = await result.then(
        () => assert.fail('the run should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ActivityFailure, String(err));
      const app = err.cause.cause;
      assert.ok(app instanceof ApplicationFailure && app.nonRetryable, String(app));
      assert.equal(app.type, 'B1TlsError');
      assert.match(
        errorChainText(err),
        /^configuration: TLS certificate of the Service Layer not trusted \([A-Z_]+\).* — check b1\.caFile/,
      );
      const events = (await fx.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      assert.deepEqual(attemptsOf(events, 'fetchPage'), [1], 'one attempt of fetchPage');
    } finally {
      await w.stop();
      await tlsSim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a poison record fails alone (map and post), its page is written, the next run goes on', async () => {
    const sim = fx.shopifySim;
    const gid = (c: { id: string | number }) => `gid://shopify/Customer/${String(c.id).replace(/\D/g, '')}`;
    const mapPoison = gid(sim.createCustomer({ firstName: 'Mapping', lastName: 'Poison', email: 'map.poison@example.com' }));
    const postPoison = gid(sim.createCustomer({ firstName: 'Posting', lastName: 'Poison', email: 'post.poison@example.com' }));
    const healthy = [
      gid(sim.createCustomer({ firstName: 'Hana', lastName: 'Healthy', email: 'hana.healthy@example.com' })),
      gid(sim.createCustomer({ firstName: 'Olli', lastName: 'Ok', email: 'olli.ok@example.com' })),
    ];

    // The real mapping on data it does not expect (a number where Shopify sends a string)
    // throws a TypeError; the real B1 client throws one while posting the other record.
    const customer = PIPELINES.customer as Pipeline<ShopifyCustomer>;
    const poisonedCustomer: Pipeline<ShopifyCustomer> = {
      ...customer,
      map: (deps, input) =>
        customer.map(deps, {
          ...input,
          records: input.records.map((r) => (r.id === mapPoison ? { ...r, data: { ...r.data, firstName: 7 as unknown as string } } : r)),
        }),
    };
    const b1 = new Proxy(fx.deps.b1, {
      get(target, prop, receiver) {
        if (prop === 'createBusinessPartner') {
          return (bp: { U_ShopifyId?: unknown }) => {
            if (bp.U_ShopifyId === postPoison) throw new TypeError("Cannot read properties of undefined (reading 'CardCode')");
            return target.createBusinessPartner(bp as never);
          };
        }
        // New partners of a page are created through $batch: the same poison there.
        if (prop === 'batchEach') {
          return (ops: Array<{ body?: { U_ShopifyId?: unknown } }>, ...rest: unknown[]) => {
            if (ops.some((op) => op.body?.U_ShopifyId === postPoison))
              throw new TypeError("Cannot read properties of undefined (reading 'CardCode')");
            return (target.batchEach as (...a: unknown[]) => unknown)(ops, ...rest);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as B1Client;
    const w = await workerWith(fx, { ...fx.deps, b1 }, { ...PIPELINES, customer: poisonedCustomer as Pipeline });
    try {
      const first = runOn(fx, w.taskQueue, 'customer');
      const r1 = await first.result;
      const { outcomes } = await runLog(fx, first.workflowId);
      const byId = new Map(outcomes.map((o) => [o.sourceId, o]));
      assert.equal(byId.get(mapPoison)?.outcome, 'failed');
      assert.match(byId.get(mapPoison)!.reason!, /^customer map\.poison@example\.com: error while mapping: TypeError: /);
      assert.equal(byId.get(postPoison)?.outcome, 'failed');
      assert.match(
        byId.get(postPoison)!.reason!,
        /^customer post\.poison@example\.com: error while posting: TypeError: Cannot read properties of undefined \(reading 'CardCode'\)/,
      );
      assert.equal(r1.counts.failed, 2, JSON.stringify(r1.counts));
      for (const id of healthy) {
        assert.equal(byId.get(id)?.outcome, 'created', id);
        assert.equal(partnersByShopifyId(fx, id).length, 1, id);
      }
      assert.equal(partnersByShopifyId(fx, mapPoison).length + partnersByShopifyId(fx, postPoison).length, 0);
      assert.ok(r1.watermark);

      // The next run is not stalled by them: a new customer is created, the poison fails again alone.
      const next = gid(sim.createCustomer({ firstName: 'Nina', lastName: 'Next', email: 'nina.next@example.com' }));
      const second = runOn(fx, w.taskQueue, 'customer', r1.watermark);
      const r2 = await second.result;
      assert.equal(partnersByShopifyId(fx, next).length, 1);
      assert.ok(r2.counts.created >= 1, JSON.stringify(r2.counts));
    } finally {
      await w.stop();
    }
  });
});
