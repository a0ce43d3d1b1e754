/**
 * The initial load as a workflow, on the dev server with the simulators and the real schedulers:
 * two starts at once make one load, a second start after it finished changes nothing, and a
 * worker SIGKILLed in the middle of the load leaves it to the next worker, which finishes it
 * without a second run of any object.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { startHubFixture, type HubFixture, type WorkerProcess } from '../support/hub-fixture';
import { serverSkipReason } from '../../src/testing/temporal-servers';
import { ensureSchedulers } from '../../src/temporal/schedulers';
import { DEFAULT_SCHEDULES } from '../../src/config/hub-config';
import { initialLoadState, startInitialLoad } from '../../src/hub/initial-load';
import { queryStatus } from '../../src/hub/scheduler-ops';
import { INIT_OBJECTS, INITIAL_LOAD_WORKFLOW_ID, type InitialLoadResult } from '../../src/workflows/initial-load';
import { until } from '../cli/cli-helpers';

const skip = serverSkipReason('dev-server');

/** The init runs each scheduler has run (newest first), by workflow id. */
async function initRuns(client: Client): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const o of INIT_OBJECTS)
    out[o] = (await queryStatus(client, o)).recentRuns.filter((r) => r.trigger === 'init').map((r) => r.workflowId);
  return out;
}

function assertClean(r: InitialLoadResult): void {
  assert.equal(r.how, 'completed', JSON.stringify(r));
  assert.deepEqual(Object.keys(r.results).sort(), ['customer', 'inventory', 'product', 'shopify-product']);
  for (const o of INIT_OBJECTS) assert.ok(!('error' in r.results[o]!), `${o}: ${JSON.stringify(r.results[o])}`);
}

describe('initial load: two starts, then a second start', { skip, concurrency: 1 }, () => {
  let fx: HubFixture;
  const workers: WorkerProcess[] = [];
  before(async () => {
    fx = await startHubFixture({ items: 30 });
    // Two workers (processes: one process polls a task queue once) either of which may take the load.
    workers.push(await fx.startWorkerProcess(), await fx.startWorkerProcess());
    await ensureSchedulers(fx.env.client, { taskQueue: fx.taskQueue, schedules: DEFAULT_SCHEDULES });
  });
  after(async () => {
    for (const w of workers) await w.kill();
    await fx?.close();
  });

  test('two starts at once: one workflow, one init run per object', async () => {
    const client = fx.env.client;
    assert.equal(await initialLoadState(client), 'none');
    const [a, b] = await Promise.all([
      startInitialLoad(client, { taskQueue: fx.taskQueue }),
      startInitialLoad(client, { taskQueue: fx.taskQueue }),
    ]);
    const [ra, rb] = await Promise.all([a.result(), b.result()]);
    assert.deepEqual(ra, rb, 'both starts see the same load');
    assertClean(ra);
    const runs = await initRuns(client);
    for (const o of INIT_OBJECTS) assert.equal(runs[o]!.length, 1, `${o}: ${JSON.stringify(runs[o])}`);
    const listed: string[] = [];
    for await (const w of client.workflow.list({ query: `WorkflowId = '${INITIAL_LOAD_WORKFLOW_ID}'` })) listed.push(w.runId);
    assert.equal(listed.length, 1, 'one execution of initial-load');
    // `RECORD_HISTORIES=1 npm test -- initial-load` refreshes the history the replay test checks.
    if (process.env.RECORD_HISTORIES) {
      const { historyToJSON } = await import('@temporalio/common/lib/proto-utils');
      const tag = process.env.RECORD_HISTORIES === '1' ? '' : `-${process.env.RECORD_HISTORIES}`;
      const history = await client.workflow.getHandle(INITIAL_LOAD_WORKFLOW_ID).fetchHistory();
      writeFileSync(join(__dirname, '..', 'histories', `initial-load${tag}.json`), historyToJSON(history));
    }
  });

  test('a start after it finished does not load again', async () => {
    const client = fx.env.client;
    assert.equal(await initialLoadState(client), 'done');
    const before = await initRuns(client);
    const first = await client.workflow.getHandle(INITIAL_LOAD_WORKFLOW_ID).result();
    const again = await (await startInitialLoad(client, { taskQueue: fx.taskQueue })).result();
    assert.deepEqual(again, first, 'the finished load is returned, not repeated');
    assert.deepEqual(await initRuns(client), before, 'no new init run');
  });
});

describe('initial load: a worker killed mid-load', { skip, concurrency: 1 }, () => {
  let fx: HubFixture;
  const procs: WorkerProcess[] = [];
  before(async () => {
    fx = await startHubFixture({ items: 30 });
  });
  after(async () => {
    for (const p of procs) await p.kill();
    await fx?.close();
  });

  test('the next worker finishes it, no object runs twice', async () => {
    const client = fx.env.client;
    procs.push(await fx.startWorkerProcess());
    await ensureSchedulers(client, { taskQueue: fx.taskQueue, schedules: DEFAULT_SCHEDULES });
    const handle = await startInitialLoad(client, { taskQueue: fx.taskQueue });
    const tag = (await handle.describe()).runId.slice(0, 8);
    // Mid-load: the product run (which inventory waits for) has been started by its scheduler.
    await until(
      'the product init run',
      async () => {
        try {
          return await client.workflow.getHandle(`sync:product:init-${tag}`).describe();
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return undefined;
          throw err;
        }
      },
      60_000,
    );
    await procs[0]!.kill();
    assert.equal((await handle.describe()).status.name, 'RUNNING', 'killed before the load finished');

    procs.push(await fx.startWorkerProcess());
    const result = await handle.result();
    assertClean(result);
    const runs = await initRuns(client);
    for (const o of INIT_OBJECTS) assert.deepEqual(runs[o], [`sync:${o}:init-${tag}`], `${o}: one run, the one the load requested`);
    // The kill hit the load's activity: it ran again on the second worker.
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? []).flatMap((e) =>
      e.activityTaskStartedEventAttributes?.attempt ? [e.activityTaskStartedEventAttributes.attempt] : [],
    );
    assert.ok(
      attempts.some((n) => n > 1),
      `an initialSync attempt after the kill (attempts: ${attempts.join(', ')})`,
    );
  });
});
