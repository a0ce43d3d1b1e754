/**
 * One faulted write costs one record, not a page: a run of 100 orders (pages of 25) while ~10 %
 * of all B1 requests meet Apache 502 pages (plus some POSTs that commit and still answer 502).
 * Prints what the run cost (postPage attempts per page, orders created in the run, in doubt, after
 * the catch-up) and holds the promise: no order twice, none missing after the catch-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture } from '../support/hub-fixture';
import { ensureGuestPartner, salesOrders } from './support-shopify-to-b1';

test('~10 % B1 faults: pages are not retried for one record; nothing twice, nothing missing after the catch-up', async () => {
  const fx = await startHubFixture({ shopifyCustomers: 10, shopifyOrders: 100, b1Customers: 2, plan: 'plus' });
  const worker = await fx.startWorker();
  try {
    await ensureGuestPartner(fx);
    const faults = fx.b1Sim.faults;
    faults.set({ html502Rate: 0.1, seed: 7 });
    faults.failNext({ kind: '502', match: /^POST \/b1s\/v1\/Orders(\?|$)/, when: 'after' }, 5);
    const started = Date.now();
    const { result, workflowId } = await fx.runSync('order', { mode: 'full' });
    const seconds = (Date.now() - started) / 1000;
    faults.reset();

    // postPage attempts per page, from the run's history (the attempt that completed).
    const history = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
    const postIds = new Set<string>();
    const attempts: number[] = [];
    for (const e of history.events ?? []) {
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'postPage') postIds.add(String(e.eventId));
      const s = e.activityTaskStartedEventAttributes;
      if (s && postIds.has(String(s.scheduledEventId))) attempts.push(s.attempt ?? 1);
    }
    const createdInRun = result.counts.created;
    // The catch-up: a later run past the reservation window, faults over.
    // B1's clock moves past the window (reservations are judged on it).
    fx.b1Sim.state.clock.advance(fx.deps.b1.reservations.staleAfterMs + 1_000);
    const catchUp = await fx.runSync('order', { mode: 'full' });
    const byId = new Map<string, number>();
    for (const o of salesOrders(fx))
      if (o.Cancelled !== 'tYES') byId.set(String(o.U_ShopifyId), (byId.get(String(o.U_ShopifyId)) ?? 0) + 1);
    const duplicates = [...byId.values()].filter((n) => n > 1).length;
    const report = {
      seconds,
      pages: attempts.length,
      postPageAttempts: attempts,
      maxAttempts: Math.max(...attempts),
      createdInRun,
      failedInRun: result.counts.failed,
      createdByCatchUp: catchUp.result.counts.created,
      openOrders: byId.size,
      duplicates,
    };
    console.log(`order fault-rate report ${JSON.stringify(report)}`);
    assert.equal(duplicates, 0);
    assert.equal(catchUp.result.counts.failed, 0, 'every eligible order is in B1 after the catch-up');
  } finally {
    await worker.stop();
    await fx.close();
  }
});
