/**
 * The hub's Temporal worker: the scheduler and sync workflows plus the activities that do all
 * I/O. createHubWorker takes the activities as built (factories with their clients injected), so
 * the same worker runs in production, in `npm start` on the simulators, in the chaos suite and in
 * tests; startHubWorker builds the real activities for a configuration and runs it (`b1hub up`,
 * `b1hub worker`).
 */
import {
  DefaultLogger,
  GracefulShutdownPeriodExpiredError,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { bundleHubWorkflowsHere, bundleHubWorkflowsInChild, type WorkflowBundle } from './workflow-bundle';
import { setFlagsFromString } from 'node:v8';
import { MAX_SEMI_SPACE_MB, semiSpaceSizeGiven } from './worker-env';
import type { TemporalTarget } from './temporal-connection';
import { ledgerBackoff, type HubConfig, type HubSecrets } from '../config/hub-config';
import { demoLocationMapping } from '../config/demo';
import { weightUnitMapFromMeasures } from '../mapping/config';
import { createPipelineDeps } from '../pipelines/deps';
import { PIPELINES } from '../pipelines/registry';
import { createHubActivities } from '../activities/hub-activities';
import { hubDataConverter } from '../temporal/data-converter';
import { Client } from '@temporalio/client';
import { createInitialLoadActivities } from './initial-load';
import { webhookTaskQueue } from '../webhooks/hint-workflow';

export const DEFAULT_TASK_QUEUE = 'b1-shopify-hub';

/**
 * How long a workflow task (or query) waits on this worker's sticky queue before the server
 * hands it to the shared task queue, where any worker takes it (replaying the history, which
 * continue-as-new keeps short). The SDK's default, 10 s, is exactly how long the CLI waits for a
 * query: for 10 s after a worker died, every task and query of the workflows it had cached
 * (the schedulers among them) waited for it, and Sync Now looked failed. A live worker polls its
 * sticky queue without pause and takes a task within milliseconds, so 3 s only expires for a dead
 * or wedged worker (or one whose workflow slots stay full for 3 s: the task then moves on, and
 * one replay is its whole cost). It leaves 7 s of the CLI's 10 s query deadline for another
 * worker to take the task over.
 */
export const STICKY_SCHEDULE_TO_START_TIMEOUT = '3s';

export type { WorkflowBundle } from './workflow-bundle';

/** Bundling costs ~2–4 s on 2 cores: do it once per process and reuse it for every worker. */
let bundlePromise: Promise<WorkflowBundle> | undefined;
export function hubWorkflowBundle(): Promise<WorkflowBundle> {
  // A child that cannot start (no loader for it, a sandbox without fork) must not stop the
  // worker: it then bundles here, as before (at the memory cost workflow-bundle.ts describes).
  bundlePromise ??= bundleHubWorkflowsInChild().catch((err: unknown) => {
    console.warn(`bundling workflows in a child process failed (${(err as Error).message}); bundling in this process`);
    return bundleHubWorkflowsHere();
  });
  return bundlePromise;
}

/**
 * Stopping a worker (`up`, `worker`) is bounded: the steps under way get SHUTDOWN_GRACE_MS to
 * finish, are then cancelled, and at SHUTDOWN_FORCE_MS the worker stops whatever they do. A step
 * does not watch for cancellation (a page of orders posting to a slow B1 can take minutes), and
 * none needs to: every step is safe to run again, and the server hands the cut-off attempt to
 * another worker once its heartbeat stops (30 s). Without the force time, a Ctrl-C waited for
 * the page to finish, however long B1 took.
 */
export const SHUTDOWN_GRACE_MS = 10_000;
export const SHUTDOWN_FORCE_MS = 20_000;

/**
 * How far V8 lets a heap grow past what its last full collection kept (percent; V8's own factor
 * goes up to 4×). A worker's garbage comes in bursts of pages (records decoded, compressed, sent),
 * and V8 hands little of a grown heap back, so with its default the worker's RSS settled hundreds of
 * MB above what it holds: measured on 20,000 inventory items (zero latency), peak RSS 578 MB →
 * 452 MB, records/s unchanged within the machine's noise. The flag is read at each full
 * collection, so setting it in a running process is safe; an operator's own setting
 * (`node --heap-growing-percent=…`) wins.
 */
export const HEAP_GROWING_PERCENT = 10;

function boundHeapGrowth(): void {
  if (!process.execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a)))
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** The young generation's bound (MAX_SEMI_SPACE_MB, worker-env.ts) for heaps started from here on. */
function boundYoungGeneration(): void {
  if (!semiSpaceSizeGiven(process.execArgv, process.env.NODE_OPTIONS)) setFlagsFromString(`--max-semi-space-size=${MAX_SEMI_SPACE_MB}`);
}

export interface HubWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  activities: object;
  /** Per-worker activity concurrency: sized to what the external APIs take, not to CPU. */
  maxConcurrentActivities?: number;
  identity?: string;
  /** Bounded shutdown (see SHUTDOWN_GRACE_MS); unset: the SDK's defaults (wait for every step). */
  shutdown?: { graceMs: number; forceMs: number };
  extra?: Partial<WorkerOptions>;
}

export async function createHubWorker(opts: HubWorkerOptions): Promise<Worker> {
  // Before the worker's workflow threads start: their heaps take the settings too.
  boundHeapGrowth();
  boundYoungGeneration();
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowBundle: await hubWorkflowBundle(),
    // Every hub worker serves the initial load's activity (it only talks to Temporal), so the load
    // runs wherever the workflow lands; the activities passed in come on top.
    activities: {
      ...createInitialLoadActivities(
        new Client({ connection: opts.connection, namespace: opts.namespace ?? 'default', dataConverter: hubDataConverter }),
      ),
      ...opts.activities,
    },
    // Large payloads (record pages) are stored compressed: see src/temporal/zlib-codec.ts.
    dataConverter: hubDataConverter,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? 20,
    // Only a handful of long-lived workflows are open at once (4 schedulers + their runs).
    maxCachedWorkflows: 200,
    stickyQueueScheduleToStartTimeout: STICKY_SCHEDULE_TO_START_TIMEOUT,
    ...(opts.identity ? { identity: opts.identity } : {}),
    ...(opts.shutdown ? { shutdownGraceTime: opts.shutdown.graceMs, shutdownForceTime: opts.shutdown.forceMs } : {}),
    ...opts.extra,
  });
}

/**
 * The worker of the webhook hints' queue (`webhookTaskQueue(taskQueue)`): hints are short (one
 * signal each) and come in bursts, so they get their own queue, task slots and cache and never
 * take the schedulers'. Same bundle, no activities of its own.
 */
export function createHintWorker(o: Omit<HubWorkerOptions, 'activities' | 'maxConcurrentActivities'>): Promise<Worker> {
  return createHubWorker({
    ...o,
    taskQueue: webhookTaskQueue(o.taskQueue ?? DEFAULT_TASK_QUEUE),
    activities: {},
    maxConcurrentActivities: 1,
    extra: { maxCachedWorkflows: 50, ...o.extra },
  });
}

/**
 * Stops a running worker and waits for it; a worker stopped by its force time (steps cut off,
 * see SHUTDOWN_GRACE_MS) has stopped too. Other errors of `run()` are thrown.
 */
export async function stopHubWorker(worker: Worker, done: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await done.catch((err: unknown) => {
    // Past the force time run() rejects: GracefulShutdownPeriodExpiredError, or (SDK 1.24) an
    // IllegalStateError "Worker still in use" when the step it gave up on still holds the native
    // worker. It polls no more either way; the process exits once the hub has stopped.
    if (
      err instanceof GracefulShutdownPeriodExpiredError ||
      (err instanceof Error && err.name === 'IllegalStateError' && /still in use/.test(err.message))
    )
      return;
    throw err;
  });
}

export interface RunningHubWorker {
  worker: Worker;
  /** Serves the webhook hints' task queue (src/webhooks/hint-workflow.ts, webhookTaskQueue). */
  hintWorker: Worker;
  /** Resolves when the worker has stopped (after stop() or a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The embedded demo config maps Shopify locations by name ("Warehouse 01" ↔ '01') and weight
 * units by their mass; the real location GIDs and unit codes come from the systems themselves,
 * so they are looked up here once at start.
 */
export async function resolveDemoMapping(config: HubConfig, secrets: HubSecrets): Promise<HubConfig> {
  if (config.source !== 'embedded') return config;
  const deps = createPipelineDeps(config, secrets);
  let mapping = demoLocationMapping(config.mapping, await deps.shopify.locations());
  // Like the locations, the demo's weight units come from the company itself (WeightMeasures).
  if (!Object.keys(mapping.product.weightUnits).length) {
    const measures = (await deps.b1.listWeightMeasures()).flatMap((w) =>
      typeof w.UnitCode === 'number' ? [{ UnitCode: w.UnitCode, UnitWeightinmg: w.UnitWeightinmg }] : [],
    );
    const weightUnits = weightUnitMapFromMeasures(measures);
    mapping = { ...mapping, product: { ...mapping.product, weightUnits } };
  }
  return { ...config, mapping };
}

export async function startHubWorker(o: {
  connection: NativeConnection;
  namespace: string;
  config: HubConfig;
  secrets: HubSecrets;
  identity?: string;
  maxConcurrentActivities?: number;
}): Promise<RunningHubWorker> {
  const deps = createPipelineDeps(o.config, o.secrets);
  // The log step writes each page's outcomes into the object's open-error ledger, and every run
  // asks it for the open errors due: both through a client on the worker's own connection.
  const client = new Client({ connection: o.connection, namespace: o.namespace, dataConverter: hubDataConverter });
  const worker = await createHubWorker({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.config.temporal.taskQueue,
    activities: createHubActivities({ deps, pipelines: PIPELINES, client, ledgerPolicy: ledgerBackoff(o.config) }),
    ...(o.identity ? { identity: o.identity } : {}),
    ...(o.maxConcurrentActivities ? { maxConcurrentActivities: o.maxConcurrentActivities } : {}),
    shutdown: { graceMs: SHUTDOWN_GRACE_MS, forceMs: SHUTDOWN_FORCE_MS },
  });
  const hintWorker = await createHintWorker({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.config.temporal.taskQueue,
    ...(o.identity ? { identity: `${o.identity}/webhooks` } : {}),
    shutdown: { graceMs: SHUTDOWN_GRACE_MS, forceMs: SHUTDOWN_FORCE_MS },
  });
  const mainDone = worker.run();
  const hintsDone = hintWorker.run();
  const done = Promise.all([mainDone, hintsDone]).then(() => undefined);
  return {
    worker,
    hintWorker,
    done,
    stop: async () => {
      await Promise.all([stopHubWorker(worker, mainDone), stopHubWorker(hintWorker, hintsDone)]);
    },
  };
}

export function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(target.connectionOptions);
}

let runtimeInstalled = false;

/**
 * An operator's console: one line per worker log message (level, run, text) instead of the
 * SDK's multi-line dump of activity metadata (task tokens and the like). Once per process,
 * before the first worker; a runtime that already exists is kept.
 */
export function installOperatorRuntime(print: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const logger = new DefaultLogger('WARN', (entry) => {
    const meta = (entry.meta ?? {}) as { workflowId?: unknown };
    const where = typeof meta.workflowId === 'string' ? ` ${meta.workflowId}` : '';
    print(`[worker] ${entry.level}${where}: ${entry.message}`);
  });
  try {
    Runtime.install({ logger });
  } catch {
    // A runtime exists already (e.g. created by an earlier worker in this process): keep it.
  }
}
