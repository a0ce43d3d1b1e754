/**
 * `b1hub sync` tells the truth when a worker dies: two workers (real processes) poll the task
 * queue, the one holding the product scheduler's sticky queue is SIGKILLed just before the
 * command, and the command must report the delivered Sync Now as delivered (exit 0 with the run
 * id, or EXIT_NOT_CONFIRMED) instead of "no worker answered", and the run must start. With no
 * worker at all, it says so (from the task queue's pollers) and still reports the request as
 * delivered.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { startHubFixture, type HubFixture, type WorkerProcess } from '../support/hub-fixture';
import { serverSkipReason } from '../../src/testing/temporal-servers';
import { ensureSchedulers, schedulerHandle } from '../../src/temporal/schedulers';
import { DEFAULT_SCHEDULES } from '../../src/config/hub-config';
import { statusQuery } from '../../src/workflows/messages';
import { EXIT_NOT_CONFIRMED } from '../../src/hub/errors';
import { runCli, until } from './cli-helpers';

const skip = serverSkipReason('dev-server');

/** Identity (`pid@host`) of the worker that ran the workflow's latest workflow task: the one holding its sticky queue. */
async function stickyHolder(fx: HubFixture, workflowId: string): Promise<string> {
  const history = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
  const started = (history.events ?? []).filter((e) => e.workflowTaskStartedEventAttributes);
  const last = started[started.length - 1]?.workflowTaskStartedEventAttributes?.identity;
  assert.ok(last, `${workflowId} has run a workflow task`);
  return last;
}

describe('b1hub sync when a worker dies', { skip, concurrency: 1 }, () => {
  let fx: HubFixture;
  let dir: string;
  const workers: WorkerProcess[] = [];
  const cli = (...args: string[]) =>
    runCli(['--data-dir', dir, '--temporal-address', fx.env.address, '--namespace', fx.env.namespace ?? 'default', ...args], {
      timeoutMs: 120_000,
    });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'b1hub-kill-'));
    fx = await startHubFixture({ items: 30 });
  });
  after(async () => {
    for (const w of workers) await w.kill();
    await fx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the worker holding the scheduler is SIGKILLed just before `sync`: delivered, and the run starts', async (t) => {
    workers.push(await fx.startWorkerProcess(), await fx.startWorkerProcess());
    await ensureSchedulers(fx.env.client, { taskQueue: fx.taskQueue, schedules: DEFAULT_SCHEDULES, objects: ['product'] });
    // The scheduler has run (its first workflow task is done): it now sits in one worker's cache.
    await until(
      'the product scheduler answers',
      () =>
        schedulerHandle(fx.env.client, 'product')
          .query(statusQuery, { nextCount: 1 })
          .catch(() => undefined),
      60_000,
    );
    const holder = await stickyHolder(fx, 'schedule:product');
    const victim = workers.find((w) => holder.startsWith(`${w.child.pid}@`));
    assert.ok(victim, `the sticky holder ${holder} is one of the two worker processes (${workers.map((w) => w.child.pid).join(', ')})`);
    await victim.kill();

    const started = Date.now();
    const r = await cli('sync', 'product');
    const took = Date.now() - started;
    t.diagnostic(`sync product after the kill: exit ${r.code} in ${took} ms: ${JSON.stringify(r.stdout + r.stderr)}`);
    assert.ok(r.code === 0 || r.code === EXIT_NOT_CONFIRMED, `exit ${r.code} after ${took} ms:\n${r.stdout}${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, /no worker/, 'a worker still polls: "no worker" would be false');
    const requestId = /\b(cli-\d{8}T\d{6}-[0-9a-f]{8})\b/.exec(r.stdout)?.[1] ?? /sync:product:(cli-[\w-]+)/.exec(r.stdout)?.[1];
    assert.ok(requestId, `the output names the request or its run:\n${r.stdout}`);
    if (r.code === 0) assert.match(r.stdout, new RegExp(`product: requested sync:product:${requestId}`));

    // The run starts afterwards, on the surviving worker.
    const run = await until(
      'the requested run',
      async () => {
        try {
          return await fx.env.client.workflow.getHandle(`sync:product:${requestId}`).describe();
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return undefined;
          throw err;
        }
      },
      60_000,
    );
    assert.ok(['RUNNING', 'COMPLETED'].includes(run.status.name), `run ${run.workflowId} is ${run.status.name}`);
  });

  test("sync --wait after the scheduler's worker is SIGKILLed waits for the run and reports its end", async (t) => {
    workers.push(await fx.startWorkerProcess());
    const holder = await stickyHolder(fx, 'schedule:product');
    const victim = workers.find((w) => holder.startsWith(`${w.child.pid}@`) && w.child.exitCode === null && w.child.signalCode === null);
    assert.ok(victim, `the sticky holder ${holder} is a live worker process`);
    await victim.kill();
    const r = await cli('sync', 'product', '--wait');
    t.diagnostic(`sync product --wait after the kill: exit ${r.code}: ${JSON.stringify(r.stdout + r.stderr)}`);
    assert.ok(r.code === 0 || r.code === 2, `exit ${r.code}:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /product: running sync:product:cli-[\w-]+\n[\s\S]*product: done — \d+ records/);
  });

  test('no worker polls the task queue: the request is reported delivered, and why nothing answers', async () => {
    for (const w of workers) await w.kill();
    // A scheduler on a task queue no worker ever polled (the killed ones stay listed for a while).
    const taskQueue = `${fx.taskQueue}-idle`;
    await ensureSchedulers(fx.env.client, { taskQueue, schedules: DEFAULT_SCHEDULES, objects: ['customer'] });
    const r = await cli('sync', 'customer');
    assert.equal(r.code, EXIT_NOT_CONFIRMED, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /customer: delivered, not yet confirmed \(request cli-[\w-]+\): the customer scheduler did not answer: no worker polls its task queue/,
    );
    assert.match(r.stdout, /do not resend/);
    const json = await cli('sync', 'customer', '--json');
    assert.equal(json.code, EXIT_NOT_CONFIRMED, json.stdout + json.stderr);
    const [entry] = JSON.parse(json.stdout) as Array<{ delivered: boolean; confirmed: boolean; unconfirmed?: string }>;
    assert.equal(entry?.delivered, true);
    assert.equal(entry?.confirmed, false);
    assert.match(entry?.unconfirmed ?? '', /no worker polls/);
  });
});
