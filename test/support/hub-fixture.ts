/**
 * The whole hub for end-to-end tests: the Temporal dev server (real server), the SAP B1 and
 * Shopify simulators as real HTTP servers seeded with consistent demo data, and a worker that
 * runs the real workflows and the real activities with the production clients.
 */
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createDevServerEnv, createTimeSkippingEnv } from '../../src/testing/temporal-servers';
import { ensureHubSearchAttributes } from '../../src/temporal/search-attributes';
import { HUB_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { startB1Simulator } from '../../src/sim/b1';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { startShopifySimulator } from '../../src/sim/shopify';
import { embeddedHubConfig, DEMO_SECRETS, type HubConfig } from '../../src/config/hub-config';
import { demoLocationMapping } from '../../src/config/demo';
import { createPipelineDeps } from '../../src/pipelines/deps';
import { PIPELINES } from '../../src/pipelines/registry';
import type { PipelineDeps } from '../../src/pipelines/contract';
import { createSyncActivities } from '../../src/activities/sync-activities';
import { createLedgerActivities, withLedger } from '../../src/activities/ledger-activities';
import type { BackoffPolicy } from '../../src/workflows/ledger-state';
import { hubDataConverter } from '../../src/temporal/data-converter';
import { Client } from '@temporalio/client';
import { createHubWorker } from '../../src/hub/worker';
import { syncRunWorkflow } from '../../src/workflows/sync-run';
import type { SyncObject } from '../../src/shared/sync-object';
import type { SyncMode, SyncRunResult, SyncTrigger } from '../../src/shared/sync-types';

export interface HubFixtureOptions {
  /** B1 demo items (the first 20 are selected for sync). */
  items?: number;
  b1Customers?: number;
  shopifyCustomers?: number;
  shopifyOrders?: number;
  badCustomers?: number;
  /** Shopify plan or bucket for throttling tests. */
  plan?: 'standard' | 'advanced' | 'plus' | 'enterprise' | { restoreRate: number; bucketSize: number };
  /** Temporal server: the dev server (default) or the time-skipping test server. */
  temporal?: 'dev-server' | 'time-skipping';
  /** Back-off of the open-error ledger's retries. */
  ledgerPolicy?: Partial<BackoffPolicy>;
  /**
   * Runs retry the ledger's open errors first (as in production). Off by default: pipeline tests
   * count each run's own records, so there the ledger is only written (test/ledger tests retries).
   */
  ledgerRetries?: boolean;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** SIGKILL: no graceful shutdown, in-flight activities are lost mid-way (a crash). */
  kill(): Promise<void>;
}

export type B1Sim = Awaited<ReturnType<typeof startB1Simulator>>;
export type ShopifySim = Awaited<ReturnType<typeof startShopifySimulator>>;

export interface HubFixture {
  env: TestWorkflowEnvironment;
  b1Sim: B1Sim;
  shopifySim: ShopifySim;
  config: HubConfig;
  deps: PipelineDeps;
  taskQueue: string;
  startWorker(): Promise<RunningWorker>;
  /** A worker in a separate process (test/support/worker-main.ts), resolved once it polls. */
  startWorkerProcess(): Promise<WorkerProcess>;
  /** Runs one sync run to completion (a worker must be running) and returns its result. */
  runSync(
    object: SyncObject,
    opts?: { mode?: SyncMode; ids?: string[]; since?: string; trigger?: SyncTrigger; workflowId?: string },
  ): Promise<{ result: SyncRunResult; workflowId: string }>;
  close(): Promise<void>;
}

export async function startHubFixture(opts: HubFixtureOptions = {}): Promise<HubFixture> {
  const items = opts.items ?? 30;
  const b1Sim = await startB1Simulator({ port: 0, seed: { items, customers: opts.b1Customers ?? 5 } });
  const shopifySim = await startShopifySimulator({
    port: 0,
    plan: opts.plan,
    seed: {
      skus: demoItemCodes(Math.min(items, 20)),
      customers: opts.shopifyCustomers ?? 10,
      orders: opts.shopifyOrders ?? 10,
      badCustomers: opts.badCustomers,
    },
  });
  const env =
    opts.temporal === 'time-skipping'
      ? await createTimeSkippingEnv().then(async (e) => (await ensureHubSearchAttributes(e.connection, e.namespace ?? 'default'), e))
      : await createDevServerEnv({ searchAttributes: HUB_SEARCH_ATTRIBUTES });
  const config = embeddedHubConfig({ b1BaseUrl: b1Sim.url, shopifyEndpoint: shopifySim.url, shop: shopifySim.shopDomain });
  const deps0 = createPipelineDeps(config, DEMO_SECRETS);
  config.mapping = demoLocationMapping(config.mapping, await deps0.shopify.locations());
  const deps = { ...deps0, mapping: config.mapping };
  const taskQueue = `hub-${randomUUID()}`;
  // On the time-skipping server, the environment's client unlocks time skipping while it waits
  // for a result, and the server then jumps to the next timer it knows: for an idle ledger that
  // is its 10-year default run timeout. Waiting through a plain client keeps server time where
  // the test puts it (env.sleep).
  const resultClient =
    opts.temporal === 'time-skipping'
      ? new Client({ connection: env.connection, namespace: env.namespace, dataConverter: hubDataConverter })
      : env.client;

  const hubActivities = () => {
    const activities = withLedger(
      createSyncActivities({ deps, pipelines: PIPELINES }),
      createLedgerActivities({ client: env.client, policy: opts.ledgerPolicy }),
    );
    return opts.ledgerRetries ? activities : { ...activities, openErrorsDue: async (): Promise<string[]> => [] };
  };

  const startWorker = async (): Promise<RunningWorker> => {
    const worker = await createHubWorker({
      connection: env.nativeConnection,
      taskQueue,
      activities: hubActivities(),
    });
    const running = worker.run();
    return {
      worker,
      async stop() {
        worker.shutdown();
        await running;
      },
    };
  };

  const startWorkerProcess = async (): Promise<WorkerProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'worker-main.ts')], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: env.namespace ?? 'default',
        TASK_QUEUE: taskQueue,
        B1_URL: b1Sim.url,
        SHOPIFY_URL: shopifySim.url,
        SHOPIFY_SHOP: shopifySim.shopDomain,
        HUB_MAPPING: JSON.stringify(config.mapping),
        LEDGER_RETRIES: opts.ledgerRetries ? '1' : '',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`worker process exited early with ${code}`)));
      child.stdout!.on('data', (b: Buffer) => {
        if (b.toString().includes('worker ready')) resolve();
      });
    });
    return {
      child,
      kill: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    };
  };

  return {
    env,
    b1Sim,
    shopifySim,
    config,
    deps,
    taskQueue,
    startWorker,
    startWorkerProcess,
    async runSync(object, o = {}) {
      const workflowId = o.workflowId ?? `sync:${object}:test-${randomUUID().slice(0, 8)}`;
      const result = await resultClient.workflow.execute(syncRunWorkflow, {
        taskQueue,
        workflowId,
        args: [{ object, trigger: o.trigger ?? 'manual', mode: o.mode ?? 'delta', ids: o.ids, since: o.since }],
      });
      return { result, workflowId };
    },
    async close() {
      await env.teardown();
      await shopifySim.close();
      await b1Sim.close();
    },
  };
}
