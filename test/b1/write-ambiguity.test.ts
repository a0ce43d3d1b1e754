/**
 * Whether a failed write may have been applied: Apache's 502/503/504 pages may come after the
 * request reached a node (reference §3), and resets after it was sent: all leave it in doubt.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { B1TransientError } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, startSim } from './helpers';

describe('B1 write failures: applied or not', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startSim({ seed: { items: 2, customers: 1 } });
  });
  after(() => sim.close());

  for (const [kind, applied] of [
    ['503', true],
    ['502', true],
    ['504', true],
    ['reset', true],
  ] as const) {
    test(`${kind} on a POST: mayHaveBeenApplied = ${applied}`, async () => {
      const c = clientFor(sim.url);
      await c.login();
      sim.faults.failNext({ kind, match: /^POST \/b1s\/v1\/Orders/ });
      const e = await c
        .createOrder({ CardCode: 'C00001', DocDueDate: '2026-08-01', DocumentLines: [{ ItemCode: 'A00001', Quantity: 1 }] })
        .then(
          () => undefined,
          (x: unknown) => x,
        );
      assert.ok(e instanceof B1TransientError);
      assert.equal(e.mayHaveBeenApplied, applied);
    });
  }
});
