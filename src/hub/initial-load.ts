/**
 * The initial load's client side: its activity (request one object's full sync from the
 * scheduler, wait for the run) and starting or joining the `initial-load` workflow
 * (src/workflows/initial-load.ts) from `b1hub up` and `b1hub init`.
 *
 * Upgrade in place: a data folder of an earlier version kept the load's state in JSON files.
 * `initialized.json` (the load is done) becomes a recorded load; `init-state.json` (a load under
 * way) hands its request ids to the workflow, so the runs it already had are not repeated. After
 * that the files are not read again: the workflow is the record.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { errorChainText } from '../shared/error-chain';
import {
  INITIAL_LOAD_WORKFLOW_ID,
  initialLoadWorkflow,
  type InitialLoadActivities,
  type InitialLoadInput,
  type InitialLoadResult,
} from '../workflows/initial-load';
import { runForRequest, sendSyncNow, waitForRun } from './scheduler-ops';

export function createInitialLoadActivities(client: Client): InitialLoadActivities {
  return {
    async initialSync({ object, requestId }) {
      const ctx = Context.current();
      // Waiting for a long run: the heartbeat says this worker is alive; when it dies, another retries.
      const beat = setInterval(() => ctx.heartbeat(), 10_000);
      try {
        // A request id the scheduler has served is ignored: a retry joins the run it started.
        await sendSyncNow(client, object, { requestId, trigger: 'init', full: true });
        const workflowId = await runForRequest(client, object, requestId);
        try {
          const result = await waitForRun(client, workflowId, () => ctx.heartbeat());
          return { workflowId, counts: result.counts };
        } catch (err) {
          // The run ended failed: that is this object's outcome. Anything else (Temporal unreachable) is retried.
          if (err instanceof WorkflowFailedError) return { workflowId, error: errorChainText(err) };
          throw err;
        }
      } finally {
        clearInterval(beat);
      }
    },
  };
}

export type InitialLoadState = 'none' | 'running' | 'done' | 'failed';

function handle(client: Client): WorkflowHandle<typeof initialLoadWorkflow> {
  return client.workflow.getHandle<typeof initialLoadWorkflow>(INITIAL_LOAD_WORKFLOW_ID);
}

/** Where the hub's initial load stands: never started, running, done, or ended without a result (terminated, cancelled). */
export async function initialLoadState(client: Client): Promise<InitialLoadState> {
  try {
    const { status } = await handle(client).describe();
    if (status.name === 'RUNNING') return 'running';
    return status.name === 'COMPLETED' ? 'done' : 'failed';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'none';
    throw err;
  }
}

/** What an earlier version's state files in the data folder say, as the workflow's input. */
export function legacyInitialLoadInput(dataDir: string): InitialLoadInput | undefined {
  const read = (name: string): unknown => {
    const file = path.join(dataDir, name);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch {
      return undefined; // A torn file: as if absent (worst case one extra full run per object).
    }
  };
  const done = read('initialized.json') as { at?: string; how?: string } | undefined;
  if (done) return { recorded: { how: done.how ?? 'completed', ...(done.at ? { at: done.at } : {}) } };
  const state = read('init-state.json') as { requests?: InitialLoadInput['requestIds'] } | undefined;
  return state?.requests ? { requestIds: state.requests } : undefined;
}

/**
 * Starts the initial load, or joins the one that exists: the fixed workflow id makes it one per
 * hub however many start it at once. A load that ended without a result (terminated) may be
 * started again; a completed one is never repeated.
 */
export async function startInitialLoad(
  client: Client,
  o: { taskQueue: string; input?: InitialLoadInput },
): Promise<WorkflowHandle<typeof initialLoadWorkflow>> {
  try {
    return await client.workflow.start(initialLoadWorkflow, {
      workflowId: INITIAL_LOAD_WORKFLOW_ID,
      taskQueue: o.taskQueue,
      args: [o.input ?? {}],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return handle(client);
    throw err;
  }
}

/** Lines for the operator: one per object, then the verdict. */
export function describeInitialLoad(r: InitialLoadResult): string[] {
  const lines = Object.entries(r.results).map(([object, res]) => {
    if ('error' in res) return `${object}: run failed: ${res.error}`;
    const c = res.counts;
    return `${object}: ${c.created + c.updated + c.unchanged + c.skipped + c.failed} records — ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed (${res.workflowId})`;
  });
  lines.push(
    r.problems.length
      ? `initial load finished with problems (${r.problems.join('; ')}); see \`b1hub log --failed\``
      : `initial load ${r.how === 'completed' ? 'finished' : r.how}`,
  );
  return lines;
}

/**
 * Starts (or joins) the initial load and waits for it: `b1hub init`, and `up` on a first start.
 * Resolves to a failure summary, or undefined when every object ran clean.
 */
export async function runInitialLoad(
  client: Client,
  o: { dataDir: string; taskQueue: string; print: (line: string) => void },
): Promise<string | undefined> {
  const h = await startInitialLoad(client, { taskQueue: o.taskQueue, input: legacyInitialLoadInput(o.dataDir) });
  o.print(`workflow ${INITIAL_LOAD_WORKFLOW_ID} running (customers, and products then inventory)`);
  const result = await h.result();
  for (const line of describeInitialLoad(result)) o.print(line);
  return result.problems.length ? result.problems.join('; ') : undefined;
}
