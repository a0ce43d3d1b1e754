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
    assert.equal(
      deltaFilter({ date: '2030-03-02', time: '00:01:30' }, 2),
      "(UpdateDate gt '2030-03-01') or (UpdateDate eq '2030-03-01' and UpdateTime ge '23:59')",
    );
    assert.equal(
      deltaFilter({ date: '2030-01-01', time: '00:00' }, 1),
      "(UpdateDate gt '2029-12-31') or (UpdateDate eq '2029-12-31' and UpdateTime ge '23:59')",
    );
    assert.equal(
      deltaFilter({ date: '2030-03-02', time: '12:00:00' }, 0),
      "(UpdateDate gt '2030-03-02') or (UpdateDate eq '2030-03-02' and UpdateTime ge '12:00')",
    );
  });

  test('changes on both sides of midnight are found; the naive filter would miss the later day', async () => {
    touchAt('A00012', '2030-03-01T10:00:00'); // before the cursor: must not come back
    touchAt('A00010', '2030-03-01T23:59:40');
    touchAt('A00011', '2030-03-02T00:00:20');
    const c = clientFor(sim.url);
    const cursor: DeltaCursor = { date: '2030-03-01', time: '23:58:00' };
    const found = await c.list('Items', { select: ['ItemCode'], filter: deltaFilter(cursor, 0), orderby: 'ItemCode' });
    assert.deepEqual(
      found.map((i) => i.ItemCode),
      ['A00010', 'A00011'],
    );
    const naive = await c.list('Items', { select: ['ItemCode'], filter: "UpdateDate ge '2030-03-01' and UpdateTime ge '23:58'" });
    assert.deepEqual(
      naive.map((i) => i.ItemCode),
      ['A00010'],
      'the naive form loses the early-morning change',
    );
  });
});
