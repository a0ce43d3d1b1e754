/**
 * The CLI's side of the scheduler message interface: status queries with a deadline (a query
 * needs a worker, and without one it would hang), Sync Now with a request id, and waiting for
 * the run that serves a request.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { schedulerHandle } from '../temporal/schedulers';
import { statusQuery, syncNowSignal } from '../workflows/messages';
import { schedulerWorkflowId, type SyncObject } from '../shared/sync-object';
import type { SchedulerStatus, SyncNowRequest, SyncRunResult } from '../shared/sync-types';
import type { syncRunWorkflow } from '../workflows/sync-run';
import { CliError } from './errors';

export type StatusWithNext = SchedulerStatus & { nextFireTimes: string[] };

const QUERY_TIMEOUT_MS = 10_000;

function isDeadline(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  return /DEADLINE_EXCEEDED|deadline/i.test(text);
}

export async function queryStatus(client: Client, object: SyncObject, nextCount = 1): Promise<StatusWithNext> {
  try {
    return await client.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => schedulerHandle(client, object).query(statusQuery, { nextCount }));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new CliError(`the ${object} scheduler (${schedulerWorkflowId(object)}) does not exist`, 'it is created by `b1hub up` or `b1hub worker`; start one of them first');
    }
    if (isDeadline(err)) {
      throw new CliError(`no worker answered the ${object} scheduler within ${QUERY_TIMEOUT_MS / 1000} s`, 'start a worker: `b1hub up` (demo) or `b1hub worker --config <file>`');
    }
    throw err;
  }
}

export function newRequestId(prefix: string): string {
  return `${prefix}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
}

export async function sendSyncNow(client: Client, object: SyncObject, req: SyncNowRequest): Promise<void> {
  try {
    await schedulerHandle(client, object).signal(syncNowSignal, req);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new CliError(`the ${object} scheduler (${schedulerWorkflowId(object)}) does not exist`, 'it is created by `b1hub up` or `b1hub worker`; start one of them first');
    }
    throw err;
  }
}

export interface RunProgress {
  workflowId: string;
  details?: string;
}

/** The workflow id of the run serving a request, once the scheduler has recorded it. */
export async function runForRequest(client: Client, object: SyncObject, requestId: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await queryStatus(client, object);
    const wf = status.requests[requestId];
    if (wf) return wf;
    if (status.lastRejected && status.lastRejected.reason.includes(requestId)) throw new CliError(`the ${object} scheduler rejected the request: ${status.lastRejected.reason}`);
    if (Date.now() > deadline) throw new CliError(`the ${object} scheduler did not record request ${requestId} within ${timeoutMs / 1000} s`, 'check the worker is running (`b1hub status`)');
    await new Promise((r) => setTimeout(r, 300));
  }
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
