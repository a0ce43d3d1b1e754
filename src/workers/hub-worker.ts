/**
 * The hub's Temporal worker: the scheduler and sync workflows plus the activities that do
 * all I/O. Activities are passed in (built by factories with their clients injected), so the
 * same worker code runs in production, in `npm start` on the simulators, and in tests.
 */
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { hubDataConverter } from '../temporal/data-converter';

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

export type WorkflowBundle = { code: string };

/** Bundling costs ~1–2 s on 2 cores: do it once per process and reuse it for every worker. */
let bundlePromise: Promise<WorkflowBundle> | undefined;
export function hubWorkflowBundle(): Promise<WorkflowBundle> {
  bundlePromise ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  return bundlePromise;
}

export interface HubWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  activities: object;
  /** Per-worker activity concurrency: sized to what the external APIs take, not to CPU. */
  maxConcurrentActivities?: number;
  identity?: string;
  extra?: Partial<WorkerOptions>;
}

export async function createHubWorker(opts: HubWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowBundle: await hubWorkflowBundle(),
    activities: opts.activities,
    // Large payloads (record pages) are stored compressed: see src/temporal/zlib-codec.ts.
    dataConverter: hubDataConverter,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? 20,
    // Only a handful of long-lived workflows are open at once (4 schedulers + their runs).
    maxCachedWorkflows: 200,
    stickyQueueScheduleToStartTimeout: STICKY_SCHEDULE_TO_START_TIMEOUT,
    ...(opts.identity ? { identity: opts.identity } : {}),
    ...opts.extra,
  });
}
