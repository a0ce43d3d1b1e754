/**
 * The open-error ledger end to end: Java time-skipping server (server time moves in seconds),
 * the real scheduler, sync-run and ledger workflows, the real order and customer pipelines
 * against both simulators. A failed record stays open until a later run of its object succeeds
 * with it, skips it by a rule, or an operator dismisses it, and the back-off decides which run
 * retries it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { ensureGuestPartner, salesOrdersByShopifyId } from '../pipelines/support-shopify-to-b1';
import { ensureSchedulers } from '../../src/temporal/schedulers';
import { statusQuery } from '../../src/workflows/messages';
import type { schedulerWorkflow } from '../../src/workflows/scheduler';
import { dismissUpdate, ledgerSummaryQuery, ledgerWorkflowId, openErrorsQuery } from '../../src/workflows/ledger-messages';
import { OpenErrorsKey } from '../../src/shared/search-attributes';
import type { SyncObject } from '../../src/shared/sync-object';
import type { ScheduleSpec } from '../../src/schedule/spec';
import { serverSkipReason } from '../../src/testing/temporal-servers';
import { NO_LONGER_IN_SOURCE } from '../../src/workflows/sync-run';

const skip = serverSkipReason('time-skipping');
const MIN = 60_000;

describe('open-error ledger (time-skipping server, real pipelines)', { skip }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;

  before(async () => {
    fx = await startHubFixture({ temporal: 'time-skipping', ledgerRetries: true, shopifyOrders: 2, shopifyCustomers: 3, b1Customers: 2 });
    await ensureGuestPartner(fx);
    worker = await fx.startWorker();
  });

  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  const ledger = (object: SyncObject) => fx.env.client.workflow.getHandle(ledgerWorkflowId(object));
  const openErrors = (object: SyncObject) => ledger(object).query(openErrorsQuery, { limit: 1000 });
  const open = async (object: SyncObject, sourceId: string) => (await openErrors(object)).entries.find((e) => e.sourceId === sourceId);
  const resolved = async (object: SyncObject, sourceId: string) =>
    (await ledger(object).query(ledgerSummaryQuery, { resolved: 50 })).recentlyResolved.find((r) => r.sourceId === sourceId);
  const location = () => Object.values(fx.shopifySim.state.data.locations)[0]!.id;
  const customer = () => Object.values(fx.shopifySim.state.data.customers)[0]!.id;
  const orderGid = (o: { id: number }) => `gid://shopify/Order/${o.id}`;

  /** Polls a query (answers come from the workers; nothing here waits for time to pass). */
  async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Skips server time to the scheduler's next slot and waits for the run it starts to end. */
  async function nextScheduledRun(handle: WorkflowHandle<typeof schedulerWorkflow>) {
    const s = await handle.query(statusQuery, {});
    const finished = s.recentRuns.length;
    const now = await fx.env.currentTimeMs();
    await fx.env.sleep(Math.max(Date.parse(s.nextFireAt!) - now, 0) + 1);
    const done = await until(`the run of slot ${s.nextFireAt}`, async () => {
      const st = await handle.query(statusQuery, {});
      return st.recentRuns.length > finished && !st.running ? st : undefined;
    });
    const run = done.recentRuns[0]!;
    assert.equal(run.trigger, 'schedule');
    return { run, status: done };
  }

  test('an order that failed (SKU not in B1) is created by a plain scheduled delta long after the overlap window', async () => {
    const sim = fx.shopifySim;
    // The paid order arrived yesterday; a newer order moves the watermark to today, so the delta
    // window (watermark − 5 min overlap) is a day past the failed order: only the ledger brings it back.
    const late = sim.createOrder({ customerId: customer(), lines: [{ sku: 'ZZ-LATE-1', quantity: 2, locationId: location() }] });
    const serverNow = await fx.env.currentTimeMs();
    late.updatedAt = new Date(Date.now() - 24 * 60 * MIN).toISOString().replace(/\.\d{3}Z$/, 'Z');
    sim.createOrder({ customerId: customer(), lines: [{ sku: 'A00001', quantity: 1, locationId: location() }] });
    const lateId = orderGid(late);

    const spec: ScheduleSpec = { kind: 'interval', everyMinutes: 30, timezone: 'UTC' };
    const handles = await ensureSchedulers(fx.env.client, {
      taskQueue: fx.taskQueue,
      schedules: { order: spec } as Record<SyncObject, ScheduleSpec>,
      objects: ['order'],
    });
    const scheduler = handles.order;
    try {
      const first = await nextScheduledRun(scheduler);
      assert.equal(first.run.outcome, 'completed_with_failures', JSON.stringify(first.run));
      assert.equal(first.run.counts!.failed, 1);
      assert.equal(salesOrdersByShopifyId(fx, lateId).length, 0);

      // The ledger holds it before the scheduler stored the watermark that passes it.
      const entry = await open('order', lateId);
      assert.ok(entry, `${lateId} is an open error`);
      assert.equal(entry.field, 'lineItems[0].sku');
      assert.match(entry.reason, /ZZ-LATE-1/);
      assert.equal(entry.label, late.name);
      assert.equal(entry.attempts, 1);
      assert.equal(entry.lastRun, first.run.workflowId);
      assert.ok(Date.parse(entry.firstSeen) >= serverNow, 'first seen in server time');
      const watermark = first.status.watermark!;
      assert.ok(
        Date.parse(watermark) - Date.parse(late.updatedAt) > 60 * MIN,
        `watermark ${watermark} is far past the failed order (${late.updatedAt})`,
      );
      const described = await ledger('order').describe();
      assert.equal(described.typedSearchAttributes.get(OpenErrorsKey), 1);

      // The item is created in B1; nothing about the order changes in Shopify.
      await fx.deps.b1.createItem({ ItemCode: 'ZZ-LATE-1', ItemName: 'Late gadget', ItemsGroupCode: 104 });
      const second = await nextScheduledRun(scheduler);
      assert.equal(second.run.outcome, 'completed', JSON.stringify(second.run));
      assert.equal(salesOrdersByShopifyId(fx, lateId).length, 1, 'the scheduled delta created the sales order');
      assert.equal(await open('order', lateId), undefined);
      const how = await resolved('order', lateId);
      assert.deepEqual(how?.resolution, { how: 'succeeded', run: second.run.workflowId, outcome: 'created' });
      assert.equal(how?.attempts, 1);

      // Resolved once: the next run neither retries nor posts it again.
      const third = await nextScheduledRun(scheduler);
      assert.equal(third.run.counts!.created, 0, JSON.stringify(third.run));
      assert.equal(salesOrdersByShopifyId(fx, lateId).length, 1);
      await until('OpenErrors = 0 in visibility', async () =>
        (await ledger('order').describe()).typedSearchAttributes.get(OpenErrorsKey) === 0 ? true : undefined,
      );
    } finally {
      await scheduler.terminate('test done');
    }
  });

  test('an open error whose order is cancelled before it could sync resolves as skipped, with the rule', async () => {
    const bad = fx.shopifySim.createOrder({ customerId: customer(), lines: [{ sku: 'ZZ-NEVER-1', quantity: 1, locationId: location() }] });
    const id = orderGid(bad);
    const failing = await fx.runSync('order', { mode: 'ids', ids: [id] });
    assert.equal(failing.result.counts.failed, 1);
    assert.ok(await open('order', id));

    fx.shopifySim.cancelOrder(bad.id, { reason: 'CUSTOMER' });
    // Any later run of the object retries it first (here a delta that reads nothing new of its own).
    const later = await fx.runSync('order', { mode: 'delta', since: '2099-01-01T00:00:00Z' });
    assert.equal(later.result.counts.skipped, 1, JSON.stringify(later.result.counts));
    assert.equal(await open('order', id), undefined);
    assert.deepEqual((await resolved('order', id))?.resolution, { how: 'skipped', run: later.workflowId, rule: 'cancelled' });
  });

  test('back-off: every run in the first hour, then once an hour; a run in between does not retry it', async () => {
    const broken = fx.shopifySim.createCustomer({ firstName: 'Broken', lastName: 'Mail', email: 'broken-ledger@@example' });
    const id = `gid://shopify/Customer/${broken.id}`;
    // Runs that read nothing of their own: whatever they touch, they touch through the ledger.
    const run = () => fx.runSync('customer', { mode: 'delta', since: '2099-01-01T00:00:00Z' });
    const first = await fx.runSync('customer', { mode: 'ids', ids: [id] });
    assert.equal(first.result.counts.failed, 1);
    assert.equal((await open('customer', id))?.attempts, 1);

    const inFirstHour = await run();
    assert.equal(inFirstHour.result.counts.failed, 1, 'due: first hour, every run');
    assert.equal((await open('customer', id))?.attempts, 2);

    await fx.env.sleep(65 * MIN);
    const hourLater = await run();
    assert.equal(hourLater.result.counts.failed, 1, 'due: an hour since the last try');
    assert.deepEqual(await open('customer', id).then((e) => [e?.attempts, e?.lastRun]), [3, hourLater.workflowId]);

    const rightAfter = await run();
    assert.equal(rightAfter.result.counts.failed, 0, 'not due: tried minutes ago and older than an hour');
    assert.deepEqual(await open('customer', id).then((e) => [e?.attempts, e?.lastRun]), [3, hourLater.workflowId]);

    await fx.env.sleep(61 * MIN);
    const nextHour = await run();
    assert.equal(nextHour.result.counts.failed, 1);
    assert.equal((await open('customer', id))?.attempts, 4);
  });

  test('dismiss closes an open error with a reason and who; an id that is not open is refused', async () => {
    const broken = fx.shopifySim.createCustomer({ firstName: 'Also', lastName: 'Broken', email: 'also-broken@@example' });
    const id = `gid://shopify/Customer/${broken.id}`;
    await fx.runSync('customer', { mode: 'ids', ids: [id] });
    assert.ok(await open('customer', id));

    await assert.rejects(
      ledger('customer').executeUpdate(dismissUpdate, {
        args: [{ ids: [id, 'gid://shopify/Customer/999999'], reason: 'test', by: 'ops' }],
      }),
      (err: unknown) =>
        err instanceof WorkflowUpdateFailedError &&
        /not an open error of customer: gid:\/\/shopify\/Customer\/999999/.test(String((err.cause as Error)?.message)),
    );
    assert.ok(await open('customer', id), 'a refused dismissal changes nothing');

    const res = await ledger('customer').executeUpdate(dismissUpdate, {
      args: [{ ids: [id], reason: 'test account, deleted', by: 'ops' }],
    });
    assert.equal(res.dismissed, 1);
    assert.equal(await open('customer', id), undefined);
    assert.deepEqual((await resolved('customer', id))?.resolution, { how: 'dismissed', reason: 'test account, deleted', by: 'ops' });
    // A retry would fail it again and reopen it.
    await fx.runSync('customer', { mode: 'delta', since: '2099-01-01T00:00:00Z' });
    assert.equal(await open('customer', id), undefined, 'a dismissed error is not retried');
  });

  test('an open error whose record the source no longer has resolves as skipped ("no longer in the source")', async () => {
    const broken = fx.shopifySim.createCustomer({ firstName: 'Gone', lastName: 'Soon', email: 'gone-soon@@example' });
    const id = `gid://shopify/Customer/${broken.id}`;
    await fx.runSync('customer', { mode: 'ids', ids: [id] });
    assert.ok(await open('customer', id));
    delete (fx.shopifySim.state.data.customers as Record<string, unknown>)[String(broken.id)];
    const later = await fx.runSync('customer', { mode: 'delta', since: '2099-01-01T00:00:00Z' });
    assert.equal(await open('customer', id), undefined);
    assert.deepEqual((await resolved('customer', id))?.resolution, { how: 'skipped', run: later.workflowId, rule: NO_LONGER_IN_SOURCE });
  });
});
