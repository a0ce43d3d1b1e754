/**
 * The worker's shared request slots (kit/slots.ts): never more than `size` at once, and a freed
 * slot goes to the waiting request of lowest priority, first come among equals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSlots } from '../../src/pipelines/kit/slots';

/** A task the test ends by hand, so the order is decided by the slots, not by timers. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

test('at most size at once; a freed slot goes to the lowest priority, then to the first come', async () => {
  const slots = createSlots(2);
  const started: string[] = [];
  let now = 0;
  let peak = 0;
  const gates = new Map<string, ReturnType<typeof gate>>();
  const task = (name: string, priority?: number): Promise<void> => {
    const g = gate();
    gates.set(name, g);
    return slots.run(async () => {
      started.push(name);
      peak = Math.max(peak, ++now);
      await g.promise;
      now--;
    }, priority);
  };
  const all = [task('a', 5), task('b', 5), task('late-1', 3), task('late-2', 3), task('early', 1), task('read', Number.NEGATIVE_INFINITY)];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, ['a', 'b'], 'two slots, taken in arrival order while free');
  gates.get('a')!.open();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started.slice(2), ['read']);
  for (const next of ['early', 'late-1', 'late-2']) {
    gates.get(started[started.length - 1]!)!.open();
    await new Promise((r) => setImmediate(r));
    assert.equal(started[started.length - 1], next);
  }
  for (const g of gates.values()) g.open();
  await Promise.all(all);
  assert.equal(peak, 2);
});

test('a failing task frees its slot', async () => {
  const slots = createSlots(1);
  await assert.rejects(
    slots.run(() => Promise.reject(new Error('refused'))),
    /refused/,
  );
  assert.equal(await slots.run(() => Promise.resolve(7)), 7);
});
