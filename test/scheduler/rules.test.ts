/**
 * The scheduler's rules without a server (SchedulerRules is plain state and methods; the
 * workflow only wires messages to it). The time-skipping tests in scheduler.test.ts prove the
 * same rules through real signals, timers and child workflows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialSchedulerState, SchedulerRules, validateSchedule } from '../../src/workflows/scheduler-state';
import type { ScheduleSpec } from '../../src/schedule/spec';

const hourly: ScheduleSpec = { kind: 'interval', everyMinutes: 60, timezone: 'UTC' };
const rulesFor = (spec: ScheduleSpec = hourly) => new SchedulerRules('order', initialSchedulerState(spec));

test('never two runs at once: triggers during a run fold into one follow-up that keeps every id', () => {
  const rules = rulesFor();
  rules.syncNow({ requestId: 'first' });
  const first = rules.startNext();
  assert.equal(first?.run.workflowId, 'sync:order:first');
  rules.syncNow({ requestId: 'resync-a', trigger: 'resync', ids: ['1', '2'] });
  rules.syncNow({ requestId: 'resync-b', trigger: 'resync', ids: ['2', '3'] });
  rules.slotFired(Date.now());
  assert.equal(rules.startNext(), undefined, 'a run is in progress');
  assert.deepEqual(rules.state.pending?.ids, ['1', '2', '3']);
  assert.equal(rules.state.pending?.mode, 'delta', 'the slot made it a delta run that carries the ids');
  assert.equal(rules.state.requests['resync-b'], rules.state.pending?.workflowId);
  rules.finishRun(first!.summary, { outcome: 'completed' }, 'wm-1');
  const second = rules.startNext();
  assert.equal(second?.input.since, 'wm-1');
  assert.deepEqual(second?.input.ids, ['1', '2', '3']);
  assert.ok(rules.state.pending === undefined && !rules.idle());
});

test('a retried Sync Now is served once; a bad request id is reported, not queued', () => {
  const rules = rulesFor();
  rules.syncNow({ requestId: 'r1' });
  const run = rules.startNext();
  rules.finishRun(run!.summary, { outcome: 'completed' });
  rules.syncNow({ requestId: 'r1' });
  assert.equal(rules.state.pending, undefined);
  rules.syncNow({ requestId: 'has space' });
  assert.equal(rules.state.pending, undefined);
  assert.match(rules.state.lastRejected?.reason ?? '', /invalid requestId/);
});

test('only finished delta or full runs move the watermark, and only forward', () => {
  const rules = rulesFor();
  const finish = (mode: 'delta' | 'full' | 'ids', wm: string) => {
    rules.syncNow(mode === 'ids' ? { ids: ['x'] } : { full: mode === 'full' });
    const r = rules.startNext()!;
    rules.finishRun(r.summary, { outcome: 'completed' }, wm);
  };
  finish('delta', 'wm-2');
  finish('ids', 'wm-9');
  assert.equal(rules.state.watermark, 'wm-2');
  finish('full', 'wm-1');
  assert.equal(rules.state.watermark, 'wm-2');
  rules.syncNow({ full: true });
  assert.equal(rules.startNext()?.input.since, undefined, 'a full run reads everything');
});

test('paused: no next slot and a late timer does not queue a run; resume does not make up slots', () => {
  const rules = rulesFor();
  const next = rules.nextFireTime();
  assert.ok(next !== undefined && next > Date.now());
  rules.pause('stock count');
  assert.equal(rules.nextFireTime(), undefined);
  rules.slotFired(next);
  assert.equal(rules.state.pending, undefined);
  rules.resume();
  assert.ok((rules.state.lastSlot ?? 0) <= Date.now() && rules.nextFireTime()! > Date.now());
});

test('both schedule paths store the parsed spec; the update validator and the signal refuse a bad one', () => {
  const rules = rulesFor();
  const extra = { ...hourly, everyMinutes: 30, note: 'x' } as ScheduleSpec;
  assert.deepEqual(rules.changeSchedule(extra).spec, { kind: 'interval', everyMinutes: 30, timezone: 'UTC' });
  rules.setSchedule({ ...extra, everyMinutes: 15 });
  assert.deepEqual(rules.state.spec, { kind: 'interval', everyMinutes: 15, timezone: 'UTC' });
  const bad = { kind: 'daily', times: ['24:00'], timezone: 'UTC' } as ScheduleSpec;
  assert.throws(() => validateSchedule(bad), /invalid schedule: times\.0/);
  const changesBefore = rules.changes;
  rules.setSchedule(bad);
  assert.equal(rules.state.spec.kind, 'interval');
  assert.match(rules.state.lastRejected?.reason ?? '', /times\.0/);
  assert.equal(rules.changes, changesBefore + 1, 'a rejection still wakes the loop (status shows it)');
});
