/**
 * The CLI's side of the scheduler message interface: status queries with a deadline (a query
 * needs a worker, and without one it would hang), Sync Now with a request id, waiting for the
 * run that serves a request, and schedule updates.
 *
 * Truthful about what happened: a signal the server accepted is delivered (it is in the
 * scheduler's history and is applied once a worker runs the workflow task), whatever a later
 * query says. A query or update that no worker answers in time is not "no worker": a worker that
 * just died holds the scheduler's next workflow task on its sticky queue until the sticky
 * schedule-to-start timeout (src/hub/worker.ts), and the others take it over after that.
 * "No worker" is said only when the task queue's pollers show none (describeTaskQueue).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { schedulerHandle } from '../temporal/schedulers';
import { changeScheduleUpdate, statusQuery, syncNowSignal } from '../workflows/messages';
import { schedulerWorkflowId, type SyncObject } from '../shared/sync-object';
import type { SchedulerStatus, SyncNowRequest, SyncRunResult } from '../shared/sync-types';
import type { ScheduleSpec } from '../schedule/spec';
import type { syncRunWorkflow } from '../workflows/sync-run';
import { CliError } from './errors';

export type StatusWithNext = SchedulerStatus & { nextFireTimes: string[] };

const QUERY_TIMEOUT_MS = 10_000;
/**
 * A live worker long-polls its task queue without pause (a poll lasts up to ~70 s before it is
 * renewed); the server lists pollers it has seen in the last few minutes. One seen within this
 * window counts as polling.
 */
const POLLER_ALIVE_MS = 120_000;

/**
 * The call ran out of the deadline we gave it. The native client usually says DEADLINE_EXCEEDED,
 * but on a loaded machine it can surface our own deadline as `CANCELLED: Call cancelled`: once
 * the deadline has passed, that is the same silence, not an unreachable server.
 */
function isDeadline(err: unknown, deadlineAt?: number): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  if (/DEADLINE_EXCEEDED|deadline/i.test(text)) return true;
  return deadlineAt !== undefined && Date.now() >= deadlineAt && /\bCANCELLED\b/.test(text);
}

function missingScheduler(object: SyncObject): CliError {
  return new CliError(
    `the ${object} scheduler (${schedulerWorkflowId(object)}) does not exist`,
    'it is created by `b1hub up` or `b1hub worker`; start one of them first',
  );
}

/** The workers polling the scheduler's task queue for workflow tasks, as the server sees them. */
export interface Pollers {
  taskQueue: string;
  /** Pollers seen within POLLER_ALIVE_MS, newest first. */
  alive: Array<{ identity: string; lastSeenMs: number }>;
  /** When the newest poller (alive or not) was last seen, if any is listed. */
  lastSeenMs?: number;
}

export async function schedulerPollers(client: Client, object: SyncObject): Promise<Pollers> {
  const desc = await schedulerHandle(client, object).describe();
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: desc.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  const now = Date.now();
  const seen = (res.pollers ?? [])
    .map((p) => ({
      identity: p.identity ?? '',
      lastSeenMs: p.lastAccessTime ? Number(p.lastAccessTime.seconds ?? 0) * 1000 + Math.floor((p.lastAccessTime.nanos ?? 0) / 1e6) : 0,
    }))
    .sort((a, b) => b.lastSeenMs - a.lastSeenMs);
  return {
    taskQueue: desc.taskQueue,
    alive: seen.filter((p) => now - p.lastSeenMs <= POLLER_ALIVE_MS),
    ...(seen[0] ? { lastSeenMs: seen[0].lastSeenMs } : {}),
  };
}

/** "1 worker polls task queue 'x'" / "no worker polls task queue 'x' (last poll 5 min ago)". */
export function describePollers(p: Pollers): string {
  if (p.alive.length)
    return `${p.alive.length} worker${p.alive.length === 1 ? '' : 's'} poll${p.alive.length === 1 ? 's' : ''} its task queue '${p.taskQueue}'`;
  const last = p.lastSeenMs ? ` (last poll ${Math.round((Date.now() - p.lastSeenMs) / 1000)} s ago)` : '';
  return `no worker polls its task queue '${p.taskQueue}'${last}`;
}

const START_WORKER = 'start a worker: `b1hub up` (demo) or `b1hub worker --config <file>`';

/**
 * The scheduler did not answer in time. `pollers` says whether any worker polls its task queue:
 * with none, nothing will answer until one starts; with some, the answer is late (typically a
 * worker just died and its sticky tasks are moving to the others).
 */
export class SchedulerSilentError extends CliError {
  constructor(
    readonly object: SyncObject,
    readonly pollers: Pollers | undefined,
    waitedMs: number,
  ) {
    const who = pollers ? describePollers(pollers) : 'its task queue could not be described';
    const noWorker = pollers !== undefined && pollers.alive.length === 0;
    super(
      noWorker
        ? `the ${object} scheduler did not answer: ${who}`
        : `the ${object} scheduler did not answer within ${Math.round(waitedMs / 1000)} s; ${who}`,
      noWorker ? START_WORKER : 'a worker that just stopped holds its tasks for a few seconds before the others take them over; ask again',
    );
    this.name = 'SchedulerSilentError';
  }

  get noWorker(): boolean {
    return this.pollers !== undefined && this.pollers.alive.length === 0;
  }
}

async function silent(client: Client, object: SyncObject, waitedMs: number): Promise<SchedulerSilentError> {
  const pollers = await schedulerPollers(client, object).catch(() => undefined);
  return new SchedulerSilentError(object, pollers, waitedMs);
}

export async function queryStatus(client: Client, object: SyncObject, nextCount = 1): Promise<StatusWithNext> {
  const deadlineAt = Date.now() + QUERY_TIMEOUT_MS;
  try {
    return await client.connection.withDeadline(deadlineAt, () => schedulerHandle(client, object).query(statusQuery, { nextCount }));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw missingScheduler(object);
    if (isDeadline(err, deadlineAt)) throw await silent(client, object, QUERY_TIMEOUT_MS);
    throw err;
  }
}

export function newRequestId(prefix: string): string {
  return `${prefix}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
}

/** Signals Sync Now. Once this returns, the request is delivered: it is in the scheduler's history. */
export function sendSyncNow(client: Client, object: SyncObject, req: SyncNowRequest): Promise<void> {
  return signalScheduler(client, object, syncNowSignal, req);
}

/** What became of a delivered request within the wait. */
export type RequestOutcome =
  | { kind: 'recorded'; workflowId: string }
  /** Delivered, but the scheduler has not answered (`silent`) or not recorded it yet. */
  | { kind: 'unconfirmed'; silent?: SchedulerSilentError };

/**
 * The workflow id of the run serving a delivered request, once the scheduler has recorded it.
 * A scheduler that does not answer is asked again until `timeoutMs` (Infinity: until it
 * answers; a bounded wait stops early when no worker polls its task queue); `onSilent` is told
 * when it falls silent. A rejected request is an error; anything else that cannot
 * be confirmed in time is `unconfirmed`, never a failure: the request is in its history.
 */
export async function awaitRequestedRun(
  client: Client,
  object: SyncObject,
  requestId: string,
  o: { timeoutMs?: number; onSilent?: (e: SchedulerSilentError) => void } = {},
): Promise<RequestOutcome> {
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  let silentErr: SchedulerSilentError | undefined;
  for (;;) {
    try {
      const status = await queryStatus(client, object);
      const wf = status.requests[requestId];
      if (wf) return { kind: 'recorded', workflowId: wf };
      if (status.lastRejected && status.lastRejected.reason.includes(requestId))
        throw new CliError(`the ${object} scheduler rejected the request: ${status.lastRejected.reason}`);
      silentErr = undefined;
    } catch (err) {
      if (!(err instanceof SchedulerSilentError)) throw err;
      if (!silentErr) o.onSilent?.(err);
      silentErr = err;
      // Nothing answers until a worker starts: a bounded wait need not run out.
      if (err.noWorker && Number.isFinite(deadline)) return { kind: 'unconfirmed', silent: err };
    }
    if (Date.now() > deadline) return { kind: 'unconfirmed', ...(silentErr ? { silent: silentErr } : {}) };
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The scheduler's status after a delivered signal (pause, resume): asked again while it does
 * not answer, up to `timeoutMs`; `unconfirmed` after that (the signal stays delivered).
 */
export async function statusAfterSignal(
  client: Client,
  object: SyncObject,
  nextCount = 1,
  timeoutMs = 30_000,
): Promise<{ kind: 'answered'; status: StatusWithNext } | { kind: 'unconfirmed'; silent: SchedulerSilentError }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return { kind: 'answered', status: await queryStatus(client, object, nextCount) };
    } catch (err) {
      if (!(err instanceof SchedulerSilentError)) throw err;
      if (err.noWorker || Date.now() > deadline) return { kind: 'unconfirmed', silent: err };
    }
  }
}

/** A signal (pause, resume) to the scheduler; delivered once this returns. */
export async function signalScheduler<Args extends unknown[]>(
  client: Client,
  object: SyncObject,
  signal: SignalDefinition<Args>,
  ...args: Args
): Promise<void> {
  try {
    await schedulerHandle(client, object).signal(signal, ...args);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw missingScheduler(object);
    throw err;
  }
}

export type UpdateOutcome<R> = { kind: 'applied'; result: R } | { kind: 'unconfirmed'; silent: SchedulerSilentError };

/**
 * Changes the schedule through the scheduler's update. An update is only durable once a worker
 * accepts it, so a slow answer is asked for again with the same update id (the server joins a
 * repeated id to the first one, nothing is applied twice) until `timeoutMs`; after that the
 * change was sent but not confirmed, and may still be applied.
 */
export async function changeSchedule(
  client: Client,
  object: SyncObject,
  spec: ScheduleSpec,
  timeoutMs = 30_000,
): Promise<UpdateOutcome<SchedulerStatus>> {
  const updateId = newRequestId('schedule');
  const started = Date.now();
  for (;;) {
    const deadlineAt = Date.now() + QUERY_TIMEOUT_MS;
    try {
      const result = await client.connection.withDeadline(deadlineAt, () =>
        schedulerHandle(client, object).executeUpdate(changeScheduleUpdate, { args: [spec], updateId }),
      );
      return { kind: 'applied', result };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw missingScheduler(object);
      if (err instanceof WorkflowUpdateFailedError)
        throw new CliError(`the ${object} scheduler rejected the schedule: ${(err.cause as Error | undefined)?.message ?? err.message}`);
      if (!isDeadline(err, deadlineAt)) throw err;
      const waited = Date.now() - started;
      const quiet = await silent(client, object, waited);
      // No worker polls: nothing accepts the update until one starts.
      if (waited >= timeoutMs || quiet.noWorker) return { kind: 'unconfirmed', silent: quiet };
    }
  }
}

export interface RunProgress {
  workflowId: string;
  details?: string;
}

/** The workflow id of the run serving a delivered request; an error when it is not confirmed within `timeoutMs`. */
export async function runForRequest(client: Client, object: SyncObject, requestId: string, timeoutMs = 30_000): Promise<string> {
  const outcome = await awaitRequestedRun(client, object, requestId, { timeoutMs });
  if (outcome.kind === 'recorded') return outcome.workflowId;
  if (outcome.silent) throw outcome.silent;
  throw new CliError(
    `the ${object} scheduler did not record request ${requestId} within ${timeoutMs / 1000} s`,
    'check the worker is running (`b1hub status`)',
  );
}

/**
 * Waits for a sync run to end, reporting its live details (the run's "current details":
 * page and counts so far) whenever they change. A coalesced request may wait behind a running
 * sync before its run exists, so "not found yet" is waited out.
 */
export async function waitForRun(client: Client, workflowId: string, onProgress: (p: RunProgress) => void): Promise<SyncRunResult> {
  const handle = client.workflow.getHandle<typeof syncRunWorkflow>(workflowId);
  let last: string | undefined;
  for (;;) {
    try {
      const desc = await handle.describe();
      if (desc.status.name !== 'RUNNING') break;
      try {
        const meta = await client.connection.withDeadline(Date.now() + 5_000, () =>
          handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata'),
        );
        if (meta.currentDetails && meta.currentDetails !== last) {
          last = meta.currentDetails;
          onProgress({ workflowId, details: last });
        }
      } catch {
        // Progress is best-effort; the result below is what counts.
      }
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    await new Promise((r) => setTimeout(r, 700));
  }
  return handle.result();
}
