/**
 * The four schedulers on the real Temporal dev server (full server: visibility, search
 * attributes), driven through the client exactly as the CLI drives them.
 * With RECORD_HISTORIES=1 it also refreshes the histories the replay test checks;
 * RECORD_HISTORIES=<tag> writes them as *-<tag>.json instead, keeping the older recordings
 * (record one after each workflow change that is guarded by `patched`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { createDevServerEnv } from '../../src/testing/temporal-servers';
import { HUB_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { createHubWorker } from '../../src/hub/worker';
import { createLedgerActivities, withLedger } from '../../src/activities/ledger-activities';
import { ledgerWorkflowId, openErrorsQuery } from '../../src/workflows/ledger-messages';
import { ensureSchedulers, schedulerHandle } from '../../src/temporal/schedulers';
import { pauseSignal, setScheduleSignal, statusQuery, syncNowSignal } from '../../src/workflows/messages';
import { SYNC_OBJECTS, type SyncObject } from '../../src/shared/sync-object';
import type { ScheduleSpec } from '../../src/schedule/spec';
import type { FetchPageInput, FetchPageResult, MapPageInput, MappedRecord, PostPageInput } from '../../src/pipelines/contract';
import type { RecordOutcome } from '../../src/mapping/outcome';
import { waitFor } from '../support/wait-for';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let client: Client;
const taskQueue = `dev-${randomUUID()}`;
const fetched: FetchPageInput[] = [];

// Far-away slots: nothing fires on its own during the test; runs come from Sync Now.
const quiet: ScheduleSpec = { kind: 'weekly', days: ['sun'], times: ['03:00'], timezone: 'Pacific/Auckland' };

before(async () => {
  env = await createDevServerEnv({ searchAttributes: HUB_SEARCH_ATTRIBUTES });
  client = env.client;
  const scripted = {
    // Two pages of two records, the second record of page 2 failing: enough to see counts,
    // watermarks and search attributes flow through a real server.
    async fetchPage(input: FetchPageInput): Promise<FetchPageResult> {
      fetched.push(input);
      // A retry of open errors (the ledger) re-reads exactly those ids.
      if (input.mode === 'ids') return { records: (input.ids ?? []).map((id) => ({ id, data: { n: 1 } })) };
      const page = input.pageIndex;
      return {
        records: [0, 1].map((i) => ({ id: `${input.object}-${page}-${i}`, data: { n: i } })),
        nextCursor: page === 0 ? 'p1' : undefined,
        watermark: `2026-11-26T10:0${page}:00.000Z`,
      };
    },
    async mapPage(input: MapPageInput): Promise<MappedRecord[]> {
      return input.records.map((r) =>
        r.id.endsWith('-1-1')
          ? {
              id: r.id,
              ok: false as const,
              outcome: {
                object: input.object,
                sourceId: r.id,
                outcome: 'failed' as const,
                reason: 'email: not an e-mail address',
                field: 'email',
              },
            }
          : { id: r.id, ok: true as const, payload: r.data },
      );
    },
    async postPage(input: PostPageInput): Promise<RecordOutcome[]> {
      return input.records.map((r) => ({ object: input.object, sourceId: r.id, outcome: 'created' as const, targetId: `T${r.id}` }));
    },
    async logOutcomes(): Promise<void> {},
  };
  // The real ledger: every page's outcomes recorded, open errors retried by the next run.
  worker = await createHubWorker({
    connection: env.nativeConnection,
    taskQueue,
    activities: withLedger(scripted, createLedgerActivities({ client: env.client })),
  });
  running = worker.run();
});

after(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

/** A queued request names its run before the scheduler starts it: wait for it to exist. */
async function resultOf(workflowId: string) {
  await waitFor(`${workflowId} started`, async () =>
    client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => true,
        () => undefined,
      ),
  );
  return client.workflow.getHandle(workflowId).result();
}

test('four schedulers start once, keep their schedule across a redeploy, and run Sync Now end to end', async () => {
  const schedules = Object.fromEntries(SYNC_OBJECTS.map((o) => [o, quiet])) as Record<SyncObject, ScheduleSpec>;
  const handles = await ensureSchedulers(client, { taskQueue, schedules });
  for (const object of SYNC_OBJECTS) {
    const d = await handles[object].describe();
    assert.equal(d.workflowId, `schedule:${object}`);
    assert.equal(d.status.name, 'RUNNING');
  }

  // Change one schedule, then "redeploy": ensureSchedulers again must not reset it.
  const every15: ScheduleSpec = {
    kind: 'interval',
    everyMinutes: 15,
    between: { start: '08:00', end: '18:00' },
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    timezone: 'Europe/Berlin',
  };
  await schedulerHandle(client, 'inventory').signal(setScheduleSignal, every15);
  await waitFor('inventory schedule applied', async () => {
    const s = await schedulerHandle(client, 'inventory').query(statusQuery, { nextCount: 3 });
    return s.spec.kind === 'interval' ? s : undefined;
  });
  const firstRunIds = await Promise.all(SYNC_OBJECTS.map(async (o) => (await schedulerHandle(client, o).describe()).runId));
  await ensureSchedulers(client, { taskQueue, schedules });
  const inv = await schedulerHandle(client, 'inventory').query(statusQuery, { nextCount: 3 });
  assert.equal(inv.description, 'every 15m between 08:00-18:00 on mon,tue,wed,thu,fri (Europe/Berlin)');
  assert.equal(inv.nextFireTimes.length, 3);
  assert.deepEqual(
    await Promise.all(SYNC_OBJECTS.map(async (o) => (await schedulerHandle(client, o).describe()).runId)),
    firstRunIds,
    'no scheduler was restarted',
  );

  // Sync Now through the signal, as `b1hub sync order` does.
  const requestId = `cli-${randomUUID().slice(0, 8)}`;
  await schedulerHandle(client, 'order').signal(syncNowSignal, { requestId });
  const runId = await waitFor(
    'request mapped to a run',
    async () => (await schedulerHandle(client, 'order').query(statusQuery)).requests[requestId],
  );
  assert.equal(runId, `sync:order:${requestId}`);
  const result = await resultOf(runId);
  assert.deepEqual(result.counts, { created: 3, updated: 0, unchanged: 0, skipped: 0, failed: 1 });
  assert.equal(result.watermark, '2026-11-26T10:01:00.000Z');

  const status = await waitFor('run logged in the scheduler', async () => {
    const s = await schedulerHandle(client, 'order').query(statusQuery);
    return s.recentRuns[0]?.workflowId === runId ? s : undefined;
  });
  assert.equal(status.recentRuns[0]!.outcome, 'completed_with_failures');

  // History shape of a current run: map is a local activity (its input, a copy of the fetch
  // result, is not stored; its result is a marker), and every page's outcomes are logged.
  const events = (await client.workflow.getHandle(runId).fetchHistory()).events ?? [];
  const scheduled = events.flatMap((e) =>
    e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : [],
  );
  assert.ok(!scheduled.includes('mapPage'), `no mapPage activity task: ${scheduled.join(', ')}`);
  assert.equal(
    events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
    2,
    'one map marker per page',
  );
  assert.deepEqual(scheduled.filter((n) => n === 'logOutcomes').length, 2, 'both pages logged');
  assert.equal(status.watermark, '2026-11-26T10:01:00.000Z');

  // Findable the way `b1hub log --failed` finds runs: by search attributes.
  const found = await waitFor('visibility to index the run', async () => {
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query: `SyncObject = "order" AND FailedCount > 0 AND WorkflowId = "${runId}"` }))
      ids.push(wf.workflowId);
    return ids.length ? ids : undefined;
  });
  assert.deepEqual(found, [runId]);

  // The next delta run of the object starts from the watermark the scheduler kept.
  const second = `cli-${randomUUID().slice(0, 8)}`;
  await schedulerHandle(client, 'order').signal(syncNowSignal, { requestId: second });
  const secondRun = await waitFor('second run', async () => (await schedulerHandle(client, 'order').query(statusQuery)).requests[second]);
  await resultOf(secondRun);
  const orderFetches = fetched.filter((f) => f.object === 'order' && f.pageIndex === 0);
  assert.equal(orderFetches.at(-1)!.since, '2026-11-26T10:01:00.000Z');
  // …after retrying the open error the first run left in the ledger (due: its first hour).
  const retried = fetched.filter((f) => f.object === 'order' && f.mode === 'ids');
  assert.deepEqual(
    retried.map((f) => [f.pageIndex, f.ids]),
    [[-1, ['order-1-1']]],
  );
  const ledgerPage = await client.workflow.getHandle(ledgerWorkflowId('order')).query(openErrorsQuery, {});
  // Attempts: the first run, the second run's retry, and its own delta (this scripted source
  // ignores the watermark, so the record is read again; a newer read is never dropped).
  assert.deepEqual(
    ledgerPage.entries.map((e) => [e.sourceId, e.attempts, e.lastRun]),
    [['order-1-1', 3, secondRun]],
  );

  await schedulerHandle(client, 'customer').signal(pauseSignal, { reason: 'go-live check' });
  await waitFor('paused', async () => ((await schedulerHandle(client, 'customer').query(statusQuery)).paused ? true : undefined));

  if (process.env.RECORD_HISTORIES) {
    const dir = join(__dirname, '..', 'histories');
    mkdirSync(dir, { recursive: true });
    const scheduler = await schedulerHandle(client, 'order').fetchHistory();
    const run = await client.workflow.getHandle(runId).fetchHistory();
    const { historyToJSON } = await import('@temporalio/common/lib/proto-utils');
    const tag = process.env.RECORD_HISTORIES === '1' ? '' : `-${process.env.RECORD_HISTORIES}`;
    writeFileSync(join(dir, `scheduler-order${tag}.json`), historyToJSON(scheduler));
    writeFileSync(join(dir, `sync-run-order${tag}.json`), historyToJSON(run));
    // The second run: it retried the ledger's open error first (patched 'open-error-ledger').
    writeFileSync(join(dir, `sync-run-order-retry${tag}.json`), historyToJSON(await client.workflow.getHandle(secondRun).fetchHistory()));
    writeFileSync(
      join(dir, `ledger-order${tag}.json`),
      historyToJSON(await client.workflow.getHandle(ledgerWorkflowId('order')).fetchHistory()),
    );
  }
});
