/**
 * The scheduler workflow on the Java time-skipping test server: weeks of simulated time in
 * seconds, real workflow code, real signals/queries/updates, real child workflows.
 * The sync pass itself is a scripted activity here (the pipelines are tested elsewhere).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../../src/testing/temporal-servers';
import { createHubWorker } from '../../src/hub/worker';
import { ensureHubSearchAttributes } from '../../src/temporal/search-attributes';
import { schedulerWorkflow } from '../../src/workflows/scheduler';
import {
  changeScheduleUpdate,
  pauseSignal,
  resumeSignal,
  setScheduleSignal,
  statusQuery,
  syncNowSignal,
} from '../../src/workflows/messages';
import { nextFireTimes, type ScheduleSpec } from '../../src/schedule/spec';
import type { FetchPageInput, FetchPageResult, MapPageInput, MappedRecord, PostPageInput } from '../../src/pipelines/contract';
import type { RecordOutcome } from '../../src/mapping/outcome';

let env: TestWorkflowEnvironment;

before(async () => {
  env = await createTimeSkippingEnv();
  await ensureHubSearchAttributes(env.connection, env.namespace ?? 'default');
});

after(async () => {
  await env?.teardown();
});

/** A scripted sync pass: records every call; `gate` can hold a run open to test overlap. */
function scriptedPass() {
  const calls: FetchPageInput[] = [];
  let gate: Promise<void> | undefined;
  let release: () => void = () => {};
  let failNext: string | undefined;
  return {
    calls,
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release() {
      release();
      gate = undefined;
    },
    failNextWith(message: string) {
      failNext = message;
    },
    /** The four pipeline steps with one record per run, so the real sync-run workflow drives them. */
    activities: {
      async fetchPage(input: FetchPageInput): Promise<FetchPageResult> {
        calls.push(input);
        if (gate) await gate;
        if (failNext) {
          const message = failNext;
          failNext = undefined;
          throw ApplicationFailure.nonRetryable(message, 'ScriptedFailure');
        }
        // Watermark = how many passes ran so far, zero-padded so string order is numeric order.
        return { records: [{ id: `rec-${calls.length}`, data: {} }], watermark: `wm-${String(calls.length).padStart(4, '0')}` };
      },
      async mapPage(input: MapPageInput): Promise<MappedRecord[]> {
        return input.records.map((r) => ({ id: r.id, ok: true as const, payload: r.data }));
      },
      async postPage(input: PostPageInput): Promise<RecordOutcome[]> {
        return input.records.map((r) => ({ object: input.object, sourceId: r.id, outcome: 'created' as const, targetId: `t-${r.id}` }));
      },
      async logOutcomes(): Promise<void> {},
      async openErrorsDue(): Promise<string[]> {
        return [];
      },
    },
  };
}

async function withScheduler(
  spec: ScheduleSpec,
  body: (ctx: {
    handle: WorkflowHandle<typeof schedulerWorkflow>;
    pass: ReturnType<typeof scriptedPass>;
    startedAt: number;
    worker: Worker;
  }) => Promise<void>,
  opts: { continueAsNewAfterIterations?: number } = {},
) {
  const taskQueue = `sched-${randomUUID()}`;
  const pass = scriptedPass();
  const worker = await createHubWorker({ connection: env.nativeConnection, taskQueue, activities: pass.activities });
  await worker.runUntil(async () => {
    const startedAt = await env.currentTimeMs();
    const handle = await env.client.workflow.start(schedulerWorkflow, {
      taskQueue,
      workflowId: `schedule:test-${randomUUID()}`,
      args: [{ object: 'order', spec, continueAsNewAfterIterations: opts.continueAsNewAfterIterations }],
    });
    try {
      await body({ handle, pass, startedAt, worker });
    } finally {
      await handle.terminate('test done');
    }
  });
}

/** Queries race with signal processing; poll until the state shows what the signal did. */
async function statusWhen(
  handle: WorkflowHandle<typeof schedulerWorkflow>,
  ok: (s: Awaited<ReturnType<typeof getStatus>>) => boolean,
  what: string,
) {
  for (let i = 0; i < 100; i++) {
    const s = await getStatus(handle);
    if (ok(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for: ${what}; last status ${JSON.stringify(await getStatus(handle))}`);
}
/**
 * Advances server time to `untilMs`, stopping just after every schedule slot on the way and
 * letting the run it starts finish before going on. The Java test server skips time while a
 * workflow task is at the worker (it times tasks out if one `env.sleep` spans several slots),
 * so a simulated week is walked slot by slot, the way a real clock would pass it.
 */
async function advanceTo(handle: WorkflowHandle<typeof schedulerWorkflow>, untilMs: number) {
  for (;;) {
    const now = await env.currentTimeMs();
    const s = await getStatus(handle);
    const next = s.nextFireAt ? Date.parse(s.nextFireAt) : undefined;
    if (next === undefined || next > untilMs) {
      if (untilMs > now) await env.sleep(untilMs - now);
      return;
    }
    const finished = s.recentRuns.length;
    await env.sleep(Math.max(next - now, 0) + 1);
    await statusWhen(handle, (st) => st.recentRuns.length > finished && !st.running && !st.pending, `run for slot ${s.nextFireAt}`);
  }
}
function getStatus(handle: WorkflowHandle<typeof schedulerWorkflow>, nextCount = 1) {
  return handle.query(statusQuery, { nextCount });
}

describe('scheduler workflow (time-skipping server)', () => {
  test('a weekly schedule fires exactly at its slots over three simulated weeks', async () => {
    const spec: ScheduleSpec = { kind: 'weekly', days: ['mon', 'thu'], times: ['02:00', '14:30'], timezone: 'Europe/Berlin' };
    await withScheduler(spec, async ({ handle, pass, startedAt }) => {
      const expected = nextFireTimes(spec, startedAt, 12).map((t) => new Date(t).toISOString());
      await advanceTo(handle, startedAt + 21 * 86_400_000);
      const s = await statusWhen(handle, (st) => st.recentRuns.length >= 12 && !st.running, '12 finished runs');
      const fired = [...s.recentRuns].reverse().map((r) => r.scheduledFor);
      assert.deepEqual(fired, expected);
      for (const run of s.recentRuns) {
        // Never early; late only by the worker's own latency (seconds on a loaded machine), never
        // by a schedule tick: the slots themselves are checked exactly above.
        const lateMs = Date.parse(run.startedAt) - Date.parse(run.scheduledFor!);
        assert.ok(lateMs >= 0 && lateMs < 30_000, `run ${run.workflowId} started ${lateMs} ms after its slot`);
        assert.equal(run.trigger, 'schedule');
        assert.equal(run.outcome, 'completed');
        assert.match(run.workflowId, /^sync:order:\d{8}T\d{6}Z-\d+$/);
      }
      assert.equal(pass.calls.length, 12, 'exactly one sync pass per slot');
    });
  });

  test('a schedule change moves the next fire time at once (signal and validated update)', async () => {
    await withScheduler({ kind: 'daily', times: ['02:00'], timezone: 'UTC' }, async ({ handle, startedAt }) => {
      const before = await getStatus(handle);
      assert.equal(
        before.nextFireAt,
        new Date(nextFireTimes({ kind: 'daily', times: ['02:00'], timezone: 'UTC' }, startedAt, 1)[0]!).toISOString(),
      );

      const every5: ScheduleSpec = { kind: 'interval', everyMinutes: 5, timezone: 'UTC' };
      await handle.signal(setScheduleSignal, every5);
      const after = await statusWhen(handle, (s) => s.spec.kind === 'interval', 'interval spec applied');
      assert.deepEqual(after.spec, every5);
      const now = await env.currentTimeMs();
      assert.ok(
        Date.parse(after.nextFireAt!) - now <= 5 * 60_000,
        `next fire ${after.nextFireAt} should be within 5 minutes of ${new Date(now).toISOString()}`,
      );

      // The update answers with the new status, and its validator keeps bad specs out of history.
      // Both paths store the parsed spec: a key the schema does not know is not kept.
      const withExtra = { kind: 'daily', times: ['23:45'], timezone: 'Asia/Tokyo', note: 'not part of a schedule' } as ScheduleSpec;
      const viaUpdate = await handle.executeUpdate(changeScheduleUpdate, { args: [withExtra] });
      assert.equal(viaUpdate.description, 'daily at 23:45 (Asia/Tokyo)');
      assert.deepEqual(viaUpdate.spec, { kind: 'daily', times: ['23:45'], timezone: 'Asia/Tokyo' });
      await assert.rejects(
        handle.executeUpdate(changeScheduleUpdate, { args: [{ kind: 'daily', times: ['24:00'], timezone: 'UTC' } as ScheduleSpec] }),
        (err: unknown) =>
          err instanceof WorkflowUpdateFailedError && /times\.0: expected a 24-hour time/.test(String((err.cause as Error)?.message)),
      );
      const history = await handle.fetchHistory();
      const rejectedInHistory = (history.events ?? []).some((e) => JSON.stringify(e).includes('24:00'));
      assert.equal(rejectedInHistory, false, 'a rejected update leaves no trace in history');

      // A bad spec sent as a signal is reported in status and does not replace the schedule.
      await handle.signal(setScheduleSignal, { kind: 'cron', expression: 'every day', timezone: 'UTC' } as ScheduleSpec);
      const rejected = await statusWhen(handle, (s) => s.lastRejected !== undefined, 'rejection recorded');
      assert.match(rejected.lastRejected!.reason, /expression: cron expression 'every day' must have 5 fields/);
      assert.equal(rejected.spec.kind, 'daily');
    });
  });

  test('pause stops scheduled runs; resume restarts them without making up missed slots; syncNow runs while paused', async () => {
    await withScheduler({ kind: 'interval', everyMinutes: 60, timezone: 'UTC' }, async ({ handle, pass }) => {
      await handle.signal(pauseSignal, { reason: 'year-end closing' });
      const paused = await statusWhen(handle, (s) => s.paused, 'paused');
      assert.equal(paused.nextFireAt, undefined);
      await env.sleep('1 day');
      assert.equal(pass.calls.length, 0, 'no scheduled run while paused');

      await handle.signal(syncNowSignal, { requestId: 'while-paused' });
      const ran = await statusWhen(handle, (s) => s.recentRuns.length === 1 && !s.running, 'manual run finished');
      assert.equal(ran.recentRuns[0]!.trigger, 'manual');
      assert.equal(ran.recentRuns[0]!.workflowId, 'sync:order:while-paused');
      assert.equal(ran.requests['while-paused'], 'sync:order:while-paused');

      await handle.signal(resumeSignal);
      await statusWhen(handle, (s) => !s.paused, 'resumed');
      const resumedAt = await env.currentTimeMs();
      await advanceTo(handle, resumedAt + 3 * 3_600_000);
      const s = await statusWhen(handle, (st) => st.recentRuns.length >= 4 && !st.running, 'three scheduled runs after resume');
      const scheduled = s.recentRuns.filter((r) => r.trigger === 'schedule');
      assert.equal(scheduled.length, 3, 'the 24 slots missed while paused were not made up');
      for (const r of scheduled) assert.ok(Date.parse(r.scheduledFor!) > resumedAt);
    });
  });

  test('triggers during a running sync coalesce into one follow-up run; never two at once', async () => {
    await withScheduler({ kind: 'daily', times: ['03:00'], timezone: 'UTC' }, async ({ handle, pass }) => {
      pass.hold();
      await handle.signal(syncNowSignal, { requestId: 'first' });
      await statusWhen(handle, (s) => s.running?.workflowId === 'sync:order:first', 'first run running');
      await statusWhen(handle, () => pass.calls.length === 1, 'first pass started');

      await handle.signal(syncNowSignal, { requestId: 'second' });
      await handle.signal(syncNowSignal, { requestId: 'third', ids: ['gid://shopify/Order/7'], trigger: 'resync' });
      await handle.signal(syncNowSignal, { requestId: 'second' }); // a retried signal is served once
      const queued = await statusWhen(handle, (s) => s.pending?.requestIds.length === 2, 'two requests queued');
      assert.equal(queued.pending!.workflowId, 'sync:order:second');
      assert.deepEqual(queued.pending!.ids, ['gid://shopify/Order/7'], 'the resync ids ride along with the delta run');
      assert.equal(queued.requests['third'], 'sync:order:second');
      assert.equal(pass.calls.length, 1, 'no second run while the first is busy');

      pass.release();
      const s = await statusWhen(handle, (st) => st.recentRuns.length === 2 && !st.running && !st.pending, 'both runs done');
      assert.equal(pass.calls.length, 2);
      assert.deepEqual(
        s.recentRuns.map((r) => r.workflowId),
        ['sync:order:second', 'sync:order:first'],
      );
      assert.equal(s.recentRuns[0]!.trigger, 'manual', 'a Sync Now outranks the resync it absorbed');
      assert.equal(pass.calls[1]!.since, 'wm-0001', "the follow-up starts from the first run's watermark");
      assert.deepEqual(pass.calls[1]!.ids, ['gid://shopify/Order/7']);
      assert.equal(s.watermark, 'wm-0002');
    });
  });

  test('a failed run is logged, keeps the watermark, and the schedule goes on', async () => {
    await withScheduler({ kind: 'interval', everyMinutes: 30, timezone: 'UTC' }, async ({ handle, pass }) => {
      await handle.signal(syncNowSignal, { requestId: 'ok-1' });
      await statusWhen(handle, (s) => s.watermark === 'wm-0001', 'first watermark');
      pass.failNextWith('Service Layer rejected the login (check B1_PASSWORD)');
      await handle.signal(syncNowSignal, { requestId: 'bad-2' });
      const s = await statusWhen(handle, (st) => st.recentRuns[0]?.workflowId === 'sync:order:bad-2' && !st.running, 'failed run logged');
      assert.equal(s.recentRuns[0]!.outcome, 'failed');
      assert.match(s.recentRuns[0]!.error!, /Service Layer rejected the login/);
      assert.equal(s.watermark, 'wm-0001');
      await advanceTo(handle, (await env.currentTimeMs()) + 31 * 60_000);
      const later = await statusWhen(
        handle,
        (st) => st.recentRuns[0]?.trigger === 'schedule' && !st.running,
        'scheduled run after failure',
      );
      assert.equal(later.recentRuns[0]!.outcome, 'completed');
    });
  });

  test('full runs carry no watermark; id-scoped runs do not move it', async () => {
    await withScheduler({ kind: 'daily', times: ['04:00'], timezone: 'UTC' }, async ({ handle, pass }) => {
      await handle.signal(syncNowSignal, { requestId: 'd1' });
      await statusWhen(handle, (s) => s.watermark === 'wm-0001', 'delta watermark');
      await handle.signal(syncNowSignal, { requestId: 'ids1', ids: ['C1'] });
      await statusWhen(handle, (s) => s.recentRuns.length === 2 && !s.running, 'ids run done');
      assert.equal((await getStatus(handle)).watermark, 'wm-0001');
      await handle.signal(syncNowSignal, { requestId: 'full1', full: true });
      await statusWhen(handle, (s) => s.recentRuns.length === 3 && !s.running, 'full run done');
      assert.equal(pass.calls[2]!.mode, 'full');
      assert.equal(pass.calls[2]!.since, undefined);
      assert.equal(pass.calls[1]!.mode, 'ids');
      assert.equal((await getStatus(handle)).watermark, 'wm-0003');
    });
  });

  test('continue-as-new keeps schedule, pause state, watermark and run log', async () => {
    await withScheduler(
      { kind: 'interval', everyMinutes: 10, timezone: 'UTC' },
      async ({ handle, pass }) => {
        const firstRunId = (await handle.describe()).runId;
        // Driven by signals. The Java test server's time-skipping lock is not reliable across
        // continue-as-new (time may or may not skip), so a schedule slot may fire in between:
        // the checks look at the Sync Now runs and at the newest watermark, whatever else ran.
        const manual = (s: Awaited<ReturnType<typeof getStatus>>) =>
          s.recentRuns.filter((r) => r.trigger === 'manual').map((r) => r.workflowId);
        for (const requestId of ['can-1', 'can-2', 'can-3']) {
          await handle.signal(syncNowSignal, { requestId });
          await statusWhen(handle, (s) => manual(s)[0] === `sync:order:${requestId}` && !s.running && !s.pending, `${requestId} done`);
        }
        await handle.signal(setScheduleSignal, { kind: 'weekly', days: ['sat'], times: ['06:00'], timezone: 'America/Chicago' });
        await handle.signal(pauseSignal, { reason: 'inventory count' });
        const s = await statusWhen(handle, (st) => st.paused && st.spec.kind === 'weekly', 'paused with new spec');
        const described = await handle.describe();
        assert.notEqual(described.runId, firstRunId, 'the scheduler continued as new');
        assert.equal(described.status.name, 'RUNNING');
        assert.deepEqual(manual(s), ['sync:order:can-3', 'sync:order:can-2', 'sync:order:can-1']);
        // The scripted watermark counts the passes: the newest one is kept across continue-as-new.
        assert.equal(s.watermark, `wm-${String(pass.calls.length).padStart(4, '0')}`);
        assert.ok(pass.calls.length >= 3);
        assert.equal(s.requests['can-1'], 'sync:order:can-1');
        assert.equal(s.pending, undefined);
        assert.equal(s.description, 'weekly on sat at 06:00 (America/Chicago)');
      },
      { continueAsNewAfterIterations: 2 },
    );
  });
});
