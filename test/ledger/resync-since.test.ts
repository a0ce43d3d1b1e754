/**
 * `b1hub resync --failed --since <period>` (the real binary, dev server, hub worker, schedulers,
 * both simulators): only the open errors whose last failure is within the period are resynced;
 * without --since every open error is. --since with ids or --run is refused.
 *
 * The ledger is seeded with a carried state (as continue-as-new hands it on) holding one order
 * that last failed three days ago and one that failed ten minutes ago, so the period boundary
 * lies days away from both, whatever the machine's speed. Both orders are then fixable (their
 * items are created in B1), so a retried order is created and an order left out stays open.
 * The runs' own retry phase is off here (the fixture's ledgerRetries), so what runs is what the
 * command requested.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { ensureGuestPartner, salesOrdersByShopifyId } from '../pipelines/support-shopify-to-b1';
import { runCli } from '../cli/cli-helpers';
import { ensureSchedulers } from '../../src/temporal/schedulers';
import { SYNC_OBJECTS, type SyncObject } from '../../src/shared/sync-object';
import type { ScheduleSpec } from '../../src/schedule/spec';
import { serverSkipReason } from '../../src/testing/temporal-servers';
import { ledgerWorkflow } from '../../src/workflows/ledger';
import { ledgerWorkflowId, openErrorsQuery } from '../../src/workflows/ledger-messages';
import { LedgerState } from '../../src/workflows/ledger-state';

const quiet: ScheduleSpec = { kind: 'weekly', days: ['sun'], times: ['03:00'], timezone: 'Pacific/Auckland' };
const DAY = 86_400_000;

describe('b1hub resync --failed --since', { skip: serverSkipReason('dev-server') }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let dir: string;
  const cli = (...args: string[]) => runCli(['--data-dir', dir, '--temporal-address', fx.env.address, ...args], { timeoutMs: 90_000 });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'b1hub-resync-since-'));
    fx = await startHubFixture({ shopifyOrders: 0, shopifyCustomers: 2, b1Customers: 1 });
    await ensureGuestPartner(fx);
    worker = await fx.startWorker();
    await ensureSchedulers(fx.env.client, {
      taskQueue: fx.taskQueue,
      schedules: Object.fromEntries(SYNC_OBJECTS.map((o) => [o, quiet])) as Record<SyncObject, ScheduleSpec>,
    });
  });

  after(async () => {
    for (const o of SYNC_OBJECTS)
      await fx?.env.client.workflow
        .getHandle(`schedule:${o}`)
        .terminate('test done')
        .catch(() => undefined);
    await fx?.env.client.workflow
      .getHandle(ledgerWorkflowId('order'))
      .terminate('test done')
      .catch(() => undefined);
    await worker?.stop();
    await fx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('--since with ids or --run is refused, saying what goes with what', async () => {
    const r = await cli('resync', 'order', '1001', '--since', '24h');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /--since goes with --failed only/);
    const bad = await cli('resync', '--failed', '--since', 'yesterday');
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /--since 'yesterday' is not a duration/);
  });

  test('only the open errors that failed within the period are resynced; without --since, all', async () => {
    const sim = fx.shopifySim;
    const loc = Object.values(sim.state.data.locations)[0]!.id;
    const cust = Object.values(sim.state.data.customers)[0]!.id;
    const old = sim.createOrder({ customerId: cust, lines: [{ sku: 'ZZ-SINCE-OLD', quantity: 1, locationId: loc }] });
    const recent = sim.createOrder({ customerId: cust, lines: [{ sku: 'ZZ-SINCE-NEW', quantity: 1, locationId: loc }] });
    const [oldId, recentId] = [old, recent].map((o) => `gid://shopify/Order/${o.id}`) as [string, string];

    const state = new LedgerState();
    const now = Date.now();
    state.record(
      {
        runId: 'sync:order:three-days-ago',
        pageIndex: 0,
        outcomes: [{ sourceId: oldId, outcome: 'failed', reason: 'SKU ZZ-SINCE-OLD not in B1', field: 'lineItems[0].sku' }],
      },
      now - 3 * DAY,
    );
    state.record(
      {
        runId: 'sync:order:ten-minutes-ago',
        pageIndex: 0,
        outcomes: [{ sourceId: recentId, outcome: 'failed', reason: 'SKU ZZ-SINCE-NEW not in B1', field: 'lineItems[0].sku' }],
      },
      now - 10 * 60_000,
    );
    const ledger = await fx.env.client.workflow.start(ledgerWorkflow, {
      taskQueue: fx.taskQueue,
      workflowId: ledgerWorkflowId('order'),
      args: [{ object: 'order', state: state.carry() }],
    });
    assert.equal((await ledger.query(openErrorsQuery, { limit: 10 })).total, 2);
    // The filter as the command asks it: by last failure, `total` counts within it.
    const lastDay = await ledger.query(openErrorsQuery, { limit: 10, lastFailedFromMs: now - DAY });
    assert.deepEqual([lastDay.total, lastDay.entries.map((e) => e.sourceId)], [1, [recentId]]);

    // Both are fixable now: whichever is retried is created.
    await fx.deps.b1.createItem({ ItemCode: 'ZZ-SINCE-OLD', ItemName: 'Since old', ItemsGroupCode: 104 });
    await fx.deps.b1.createItem({ ItemCode: 'ZZ-SINCE-NEW', ItemName: 'Since new', ItemsGroupCode: 104 });

    const none = await cli('resync', '--failed', '--object', 'order', '--since', '5m');
    assert.equal(none.code, 0, none.stdout + none.stderr);
    assert.match(none.stdout, /nothing to resync: no failed records found that failed within 5m/);

    const day = await cli('resync', '--failed', '--object', 'order', '--since', '1d', '--wait');
    assert.equal(day.code, 0, day.stdout + day.stderr);
    assert.match(day.stdout, /order: done — 1 records: 1 created/);
    assert.equal(salesOrdersByShopifyId(fx, recentId).length, 1);
    assert.equal(salesOrdersByShopifyId(fx, oldId).length, 0, 'an open error that last failed before the period was resynced');
    const open = await ledger.query(openErrorsQuery, { limit: 10 });
    assert.deepEqual(
      open.entries.map((e) => e.sourceId),
      [oldId],
    );

    const all = await cli('resync', '--failed', '--object', 'order', '--wait');
    assert.equal(all.code, 0, all.stdout + all.stderr);
    assert.equal(salesOrdersByShopifyId(fx, oldId).length, 1);
    assert.equal((await ledger.query(openErrorsQuery, { limit: 10 })).total, 0);
  });
});
