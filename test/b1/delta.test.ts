import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deltaFilter, type DeltaCursor } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, startSim } from './helpers';

describe('B1 delta reads on UpdateDate/UpdateTime', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startSim();
  });
  after(() => sim.close());

  const touchAt = (item: string, at: string): void => {
    sim.state.clock.set(at);
    sim.state.touch('Items', item);
    sim.state.clock.set(null);
  };

  test('filter text: two branches, minutes precision, overlap crossing midnight moves the date back', () => {
    assert.equal(deltaFilter({ date: '2030-03-02', time: '00:01:30' }, 2), "(UpdateDate gt '2030-03-01') or (UpdateDate eq '2030-03-01' and UpdateTime ge '23:59')");
    assert.equal(deltaFilter({ date: '2030-01-01', time: '00:00' }, 1), "(UpdateDate gt '2029-12-31') or (UpdateDate eq '2029-12-31' and UpdateTime ge '23:59')");
    assert.equal(deltaFilter({ date: '2030-03-02', time: '12:00:00' }, 0), "(UpdateDate gt '2030-03-02') or (UpdateDate eq '2030-03-02' and UpdateTime ge '12:00')");
  });

  test('changes on both sides of midnight are found; the naive filter would miss the later day', async () => {
    touchAt('A00012', '2030-03-01T10:00:00'); // before the cursor: must not come back
    touchAt('A00010', '2030-03-01T23:59:40');
    touchAt('A00011', '2030-03-02T00:00:20');
    const c = clientFor(sim.url);
    const cursor: DeltaCursor = { date: '2030-03-01', time: '23:58:00' };
    const run = c.delta('Items', { cursor, overlapMinutes: 0, select: ['ItemCode'] });
    const got: string[] = [];
    for await (const r of run.records) got.push(String(r.ItemCode));
    assert.deepEqual(got, ['A00010', 'A00011']);
    const naive = await c.list('Items', { select: ['ItemCode'], filter: "UpdateDate ge '2030-03-01' and UpdateTime ge '23:58'" });
    assert.deepEqual(naive.map((i) => i.ItemCode), ['A00010'], 'the naive form loses the early-morning change');
    const next = run.next();
    assert.equal(next.date, '2030-03-02');
    assert.equal(next.time, '00:00:20');
  });

  test('overlap re-reads are de-duplicated; same-minute and repeated changes are delivered', async () => {
    const c = clientFor(sim.url, { maxPageSize: 2 });
    const drain = async (cursor: DeltaCursor): Promise<{ got: string[]; next: DeltaCursor }> => {
      const run = c.delta('Items', { cursor, overlapMinutes: 2, filter: "U_ShopifySync eq 'Y'", select: ['ItemCode'], pageSize: 2 });
      const got: string[] = [];
      for await (const r of run.records) got.push(String(r.ItemCode));
      return { got, next: run.next() };
    };
    touchAt('A00001', '2031-06-01T08:00:05');
    touchAt('A00002', '2031-06-01T08:00:40');
    touchAt('A00003', '2031-06-01T08:01:10');
    touchAt('A00050', '2031-06-01T08:01:15'); // not synced: filtered out by the extra condition
    const r1 = await drain({ date: '2031-06-01', time: '08:00:00' });
    assert.deepEqual(r1.got, ['A00001', 'A00002', 'A00003']);
    const r2 = await drain(r1.next);
    assert.deepEqual(r2.got, [], 'everything in the overlap window was already delivered');
    touchAt('A00004', '2031-06-01T08:01:50'); // same minute as the cursor
    touchAt('A00002', '2031-06-01T08:02:05'); // changed again
    const r3 = await drain(r2.next);
    assert.deepEqual(r3.got, ['A00002', 'A00004']);
    const r4 = await drain(r3.next);
    assert.deepEqual(r4.got, []);
    assert.ok((r4.next.seen ?? []).length <= 4, 'the seen list only keeps the overlap window');
  });
});
