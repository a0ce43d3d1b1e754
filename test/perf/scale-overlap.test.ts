/**
 * The overlap rule with several workers: two worker processes on one task queue, the object's
 * scheduler started the way the hub starts it (ensureSchedulers), and Sync Now sent the way
 * `b1hub sync` sends it (sendSyncNow, awaitRequestedRun), two requests at once, twice: once on an
 * idle scheduler and once while the first run is held in a slow Service Layer call. Whichever
 * worker runs the scheduler or a run's activities, no two runs of the object are ever open at
 * the same time (their Temporal start and close times, as the server records them).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startHubFixture, type HubFixture, type WorkerProcess } from '../support/hub-fixture';
import { ensureSchedulers } from '../../src/temporal/schedulers';
import { awaitRequestedRun, sendSyncNow } from '../../src/hub/scheduler-ops';
import { SYNC_OBJECTS, type SyncObject } from '../../src/shared/sync-object';
import type { ScheduleSpec } from '../../src/schedule/spec';
import { waitFor } from '../support/wait-for';

let fx: HubFixture;
const workers: WorkerProcess[] = [];

// Far-away slots: nothing fires on its own during the test; runs come from Sync Now.
const quiet: ScheduleSpec = { kind: 'weekly', days: ['sun'], times: ['03:00'], timezone: 'Pacific/Auckland' };
const HOLD_MS = 6_000;

before(async () => {
  fx = await startHubFixture({ shopifyCustomers: 40 });
  workers.push(await fx.startWorkerProcess(), await fx.startWorkerProcess());
});

after(async () => {
  for (const w of workers) await w.kill();
  await fx?.close();
});

/** Two Sync Now requests sent at once; resolves to the run each was recorded against. */
async function twoAtOnce(object: SyncObject): Promise<string[]> {
  const ids = [0, 1].map((i) => `scale-${i}-${randomUUID().slice(0, 8)}`);
  await Promise.all(ids.map((requestId) => sendSyncNow(fx.env.client, object, { requestId })));
  return Promise.all(
    ids.map(async (requestId) => {
      const outcome = await awaitRequestedRun(fx.env.client, object, requestId, { timeoutMs: 60_000 });
      assert.equal(outcome.kind, 'recorded', `request ${requestId} recorded`);
      return (outcome as { workflowId: string }).workflowId;
    }),
  );
}

test('two Sync Now of one object sent at once, with two workers, never run at once', async () => {
  const object: SyncObject = 'customer';
  const schedules = Object.fromEntries(SYNC_OBJECTS.map((o) => [o, quiet])) as Record<SyncObject, ScheduleSpec>;
  await ensureSchedulers(fx.env.client, { taskQueue: fx.taskQueue, schedules, objects: [object] });

  // The first run's partner creation is held in the Service Layer, so the second burst
  // arrives while it is open: the moment a second run could start beside it.
  fx.b1Sim.faults.failNext({ kind: 'slow', slowMs: HOLD_MS, match: /^POST \/b1s\/v[12]\/\$batch/ });
  const first = await twoAtOnce(object);
  const firstRun = first[0]!;
  await waitFor('the first run to reach the held $batch', async () =>
    fx.b1Sim.faults.log.some((l) => l.startsWith('POST') && l.includes('$batch')) ? true : undefined,
  );
  const secondSentAt = Date.now();
  const second = await twoAtOnce(object);

  const runIds = [...new Set([...first, ...second])];
  // The second burst came after the first run started, so it cannot join it: at least two runs.
  assert.ok(runIds.length >= 2, `distinct runs: ${runIds.join(', ')}`);
  assert.ok(!second.includes(firstRun), 'the second burst is served by a later run');

  const spans = await Promise.all(
    runIds.map(async (id) => {
      const handle = fx.env.client.workflow.getHandle(id);
      // A queued request names its run before the scheduler starts it.
      await waitFor(
        `${id} started`,
        () =>
          handle.describe().then(
            () => true,
            () => undefined,
          ),
        120_000,
      );
      const result = await handle.result();
      const d = await handle.describe();
      return { id, start: d.startTime.getTime(), close: d.closeTime!.getTime(), counts: result.counts };
    }),
  );
  spans.sort((a, b) => a.start - b.start);
  // The interesting interleaving did happen: the first run was still open when the second burst was sent.
  assert.equal(spans[0]!.id, firstRun);
  assert.ok(spans[0]!.close > secondSentAt, 'the first run was still running when the second burst was sent');
  for (let i = 1; i < spans.length; i++)
    assert.ok(
      spans[i]!.start >= spans[i - 1]!.close,
      `${spans[i]!.id} started ${spans[i - 1]!.close - spans[i]!.start} ms before ${spans[i - 1]!.id} ended`,
    );
  // Nothing lost, nothing twice: the 40 Shopify customers were created once, by the first run.
  assert.equal(spans[0]!.counts.created, 40);
  for (const s of spans.slice(1)) assert.equal(s.counts.created, 0, `${s.id} created nothing again`);

  // Both worker processes took part (scheduler tasks or run activities), or the test proved nothing about scale-out.
  const identities = new Set<string>();
  for (const id of [...runIds, `schedule:${object}`]) {
    const events = (await fx.env.client.workflow.getHandle(id).fetchHistory()).events ?? [];
    for (const e of events) {
      const who = e.activityTaskStartedEventAttributes?.identity ?? e.workflowTaskStartedEventAttributes?.identity;
      if (who) identities.add(who);
    }
  }
  assert.ok(identities.size >= 2, `workers seen: ${[...identities].join(', ')}`);
});
