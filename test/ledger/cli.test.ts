/**
 * The ledger's operator surface as the real `bin/b1hub` binary, against the dev server with a
 * hub worker and the four schedulers: `log --failed` lists the open errors (age, attempts,
 * reason, field, last run), `status` counts them per object, `dismiss` closes one (and refuses
 * an id that is not open), `resync --failed` retries the rest now.
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

// Far-away slots: runs come from the commands only.
const quiet: ScheduleSpec = { kind: 'weekly', days: ['sun'], times: ['03:00'], timezone: 'Pacific/Auckland' };

describe('b1hub log --failed, status, dismiss, resync --failed (the ledger)', { skip: serverSkipReason('dev-server') }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let dir: string;
  const cli = (...args: string[]) => runCli(['--data-dir', dir, '--temporal-address', fx.env.address, ...args], { timeoutMs: 90_000 });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'b1hub-ledger-'));
    fx = await startHubFixture({ ledgerRetries: true, shopifyOrders: 2, shopifyCustomers: 3, b1Customers: 2 });
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
    await worker?.stop();
    await fx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('open errors listed, counted, one dismissed, the other retried now and resolved', async () => {
    const sim = fx.shopifySim;
    const loc = Object.values(sim.state.data.locations)[0]!.id;
    const cust = Object.values(sim.state.data.customers)[0]!.id;
    const a = sim.createOrder({ customerId: cust, lines: [{ sku: 'ZZ-CLI-1', quantity: 1, locationId: loc }] });
    const b = sim.createOrder({ customerId: cust, lines: [{ sku: 'ZZ-CLI-2', quantity: 1, locationId: loc }] });
    const [aId, bId] = [a, b].map((o) => `gid://shopify/Order/${o.id}`);
    const failing = await fx.runSync('order', { mode: 'ids', ids: [aId!, bId!] });
    assert.equal(failing.result.counts.failed, 2);

    const listed = await cli('log', '--failed', '--object', 'order', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const entries = JSON.parse(listed.stdout) as Array<{
      object: string;
      sourceId: string;
      label?: string;
      reason: string;
      field?: string;
      run: string;
      attempts: number;
      ageMs: number;
    }>;
    assert.deepEqual(entries.map((e) => e.sourceId).sort(), [aId, bId].sort());
    const ea = entries.find((e) => e.sourceId === aId)!;
    assert.equal(ea.object, 'order');
    assert.equal(ea.label, a.name);
    assert.equal(ea.field, 'lineItems[0].sku');
    assert.match(ea.reason, /ZZ-CLI-1/);
    assert.equal(ea.run, failing.workflowId);
    assert.equal(ea.attempts, 1);
    assert.ok(ea.ageMs >= 0);

    const table = await cli('log', '--failed');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /age\s+attempts\s+reason/);
    assert.ok(table.stdout.includes(a.name) && table.stdout.includes(failing.workflowId), table.stdout);

    const status = await cli('status', '--json');
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as { openErrors: Record<string, number> }).openErrors, {
      customer: 0,
      product: 0,
      'shopify-product': 0,
      order: 2,
      inventory: 0,
      delivery: 0,
    });

    const refused = await cli('dismiss', 'order', String(b.id), '999999', '--reason', 'duplicate of another order');
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /dismiss refused: not an open error of order: gid:\/\/shopify\/Order\/999999/);
    const dismissed = await cli('dismiss', 'order', String(b.id), '--reason', 'duplicate of another order', '--by', 'ops');
    assert.equal(dismissed.code, 0, dismissed.stderr);
    assert.match(dismissed.stdout, /order: 1 open error dismissed; 1 still open/);

    // The missing item is created in B1; `resync --failed` retries what is open, now.
    await fx.deps.b1.createItem({ ItemCode: 'ZZ-CLI-1', ItemName: 'CLI gadget', ItemsGroupCode: 104 });
    const resync = await cli('resync', '--failed', '--object', 'order', '--wait');
    assert.equal(resync.code, 0, resync.stdout + resync.stderr);
    assert.match(resync.stdout, /order: done — 1 records: 1 created/);
    assert.equal(salesOrdersByShopifyId(fx, aId!).length, 1);
    assert.equal(salesOrdersByShopifyId(fx, bId!).length, 0, 'a dismissed error is not retried');

    assert.deepEqual(JSON.parse((await cli('log', '--failed', '--json')).stdout), []);
    const none = await cli('log', '--failed');
    assert.match(none.stdout, /no open errors/);
    const after = await cli('status');
    assert.match(after.stdout, /open errors/);
  });
});
