import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesce, compactTimestamp, isValidRequestId, MAX_COALESCED_IDS, type QueuedRequest } from '../../src/schedule/run-queue';

const req = (over: Partial<QueuedRequest>): QueuedRequest => ({
  workflowId: `sync:order:${over.requestId ?? 'x'}`,
  trigger: 'manual',
  mode: 'delta',
  queuedAt: '2026-11-26T10:00:00.000Z',
  ...over,
});

test('the first request becomes the pending run and keeps its workflow id', () => {
  const p = coalesce(undefined, req({ requestId: 'a', trigger: 'schedule', scheduledFor: '2026-11-26T10:00:00.000Z' }));
  assert.equal(p.workflowId, 'sync:order:a');
  assert.deepEqual(p.requestIds, ['a']);
  assert.equal(p.scheduledFor, '2026-11-26T10:00:00.000Z');
});

test('later requests fold into the same run; every request id is kept', () => {
  let p = coalesce(undefined, req({ requestId: 'a' }));
  p = coalesce(p, req({ requestId: 'b' }));
  p = coalesce(p, req({ requestId: 'c' }));
  assert.equal(p.workflowId, 'sync:order:a');
  assert.deepEqual(p.requestIds, ['a', 'b', 'c']);
});

test('full absorbs delta and ids; ids survive a delta run (a resync is never dropped)', () => {
  const idsThenDelta = coalesce(
    coalesce(undefined, req({ mode: 'ids', ids: ['1', '2'], trigger: 'resync' })),
    req({ mode: 'delta', trigger: 'schedule' }),
  );
  assert.equal(idsThenDelta.mode, 'delta');
  assert.deepEqual(idsThenDelta.ids, ['1', '2']);
  assert.equal(idsThenDelta.trigger, 'resync', 'the human trigger names the run, not the schedule');
  const thenFull = coalesce(idsThenDelta, req({ mode: 'full' }));
  assert.equal(thenFull.mode, 'full');
  assert.equal(thenFull.ids, undefined);
  const fullThenIds = coalesce(thenFull, req({ mode: 'ids', ids: ['3'] }));
  assert.equal(fullThenIds.mode, 'full');
});

test('id lists are unioned without duplicates', () => {
  const p = coalesce(coalesce(undefined, req({ mode: 'ids', ids: ['1', '2', '2'] })), req({ mode: 'ids', ids: ['2', '3'] }));
  assert.equal(p.mode, 'ids');
  assert.deepEqual(p.ids, ['1', '2', '3']);
});

test('too many ids turn the follow-up into a full run instead of an unbounded payload', () => {
  const many = Array.from({ length: MAX_COALESCED_IDS }, (_, i) => `a${i}`);
  const p = coalesce(coalesce(undefined, req({ mode: 'ids', ids: many })), req({ mode: 'ids', ids: ['extra'] }));
  assert.equal(p.mode, 'full');
  assert.equal(p.ids, undefined);
});

test('compact timestamps and request id rules', () => {
  assert.equal(compactTimestamp(Date.parse('2026-11-26T14:03:12.345Z')), '20261126T140312Z');
  assert.ok(isValidRequestId('cli-1732630000-ab12'));
  assert.ok(!isValidRequestId('has space'));
  assert.ok(!isValidRequestId('a:b'));
  assert.ok(!isValidRequestId(''));
  assert.ok(!isValidRequestId('x'.repeat(65)));
});
