/** The one back-off both connectors use: exponential, capped, equal jitter, floor honoured. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs } from '../../src/shared/backoff';

test('doubles from the base, jitters within the upper half of the step, never above the cap', () => {
  const o = { baseMs: 500, maxMs: 30_000 };
  assert.deepEqual(
    [1, 2, 3, 4].map((a) => backoffDelayMs(a, { ...o, random: () => 0 })),
    [250, 500, 1000, 2000],
  );
  assert.deepEqual([1, 2, 3, 4].map((a) => backoffDelayMs(a, { ...o, random: () => 0.999999 })).map(Math.round), [500, 1000, 2000, 4000]);
  assert.equal(backoffDelayMs(20, { ...o, random: () => 0.999999 }) <= 30_000, true);
  assert.equal(backoffDelayMs(20, { ...o, random: () => 0 }), 15_000);
});

test('a server floor (Retry-After) wins over a shorter step, the cap over both', () => {
  assert.equal(backoffDelayMs(1, { baseMs: 500, maxMs: 30_000, floorMs: 2_000, random: () => 0.5 }), 2_000);
  assert.equal(backoffDelayMs(1, { baseMs: 500, maxMs: 30_000, floorMs: 90_000, random: () => 0.5 }), 30_000);
});
