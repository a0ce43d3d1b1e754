/**
 * The CLI as a user runs it: `b1hub up` (what `npm start` runs) from a clean data folder on
 * free ports, then the real binary against it — status, schedule set/show, sync --wait, an
 * induced failure found with log --failed and fixed by resync after the source data is
 * corrected, items select, init on a correct and a broken config file — and a clean Ctrl-C.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { B1Client } from '../../src/connectors/b1/client';
import { ShopifyClient } from '../../src/connectors/shopify/client';
import { Secret } from '../../src/connectors/shopify/secret';
import type { HubStatusFile } from '../../src/hub/status-file';
import { portInUse } from '../../src/hub/dev-server';
import { serverSkipReason } from '../../src/testing/temporal-servers';
import { Client, Connection } from '@temporalio/client';
import { hubDataConverter } from '../../src/temporal/data-converter';
import { INITIAL_LOAD_WORKFLOW_ID, type initialLoadWorkflow } from '../../src/workflows/initial-load';
import { BIN, freePorts, runCli, spawnCli, STACK_LINE, until } from './cli-helpers';

const skip = serverSkipReason('dev-server');

describe('b1hub up and the commands against it', { skip }, () => {
  let dir: string;
  let up: ReturnType<typeof spawnCli>;
  let status: HubStatusFile;
  let ports: { temporal: number; ui: number; b1: number; shopify: number };
  let codecPort: number | undefined;
  let b1: B1Client;
  let shopify: ShopifyClient;
  const cli = (...args: string[]) => runCli(['--data-dir', dir, ...args], { timeoutMs: 90_000 });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'b1hub-up-'));
    const [temporal, ui, b1Port, shopifyPort] = await freePorts(4);
    ports = { temporal: temporal!, ui: ui!, b1: b1Port!, shopify: shopifyPort! };
    up = spawnCli([
      '--data-dir',
      dir,
      'up',
      '--temporal-port',
      String(ports.temporal),
      '--ui-port',
      String(ports.ui),
      '--b1-port',
      String(ports.b1),
      '--shopify-port',
      String(ports.shopify),
      '--items',
      '30',
      '--customers',
      '8',
      '--orders',
      '6',
    ]);
    const file = path.join(dir, 'hub-status.json');
    status = await until(
      'hub-status.json',
      () => {
        if (up.exitCode !== null) throw new Error(`b1hub up exited early (${up.exitCode}):\n${up.output()}`);
        return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HubStatusFile) : undefined;
      },
      60_000,
    );
    b1 = new B1Client({ baseUrl: status.b1.baseUrl, companyDb: 'SBODEMOUS', userName: 'manager', password: '1234' });
    shopify = new ShopifyClient({
      shop: status.shopify.shop,
      endpoint: status.shopify.endpoint,
      apiVersion: status.shopify.apiVersion,
      auth: { kind: 'accessToken', accessToken: new Secret('shpat_demo') },
    });
    // First start: the initial load runs in the background; later steps need its fixes (guest customer).
    await until(
      'the initial load',
      () => {
        const s = JSON.parse(readFileSync(file, 'utf8')) as HubStatusFile;
        return s.initialization && s.initialization.state !== 'running' ? s : undefined;
      },
      60_000,
    );
  });

  after(async () => {
    if (up && up.exitCode === null) {
      up.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('up reports ready: banner, status file and `status --json` endpoints', async () => {
    assert.match(up.output(), /Temporal UI\s+http:\/\/localhost:\d+/);
    assert.match(up.output(), /npx b1hub sync order --wait/);
    assert.equal(status.temporal.address, `127.0.0.1:${ports.temporal}`);
    assert.ok(existsSync(path.join(dir, 'temporal.db')), 'Temporal state in the data folder');
    // The initial load is a workflow, and its result is the record; no state file any more.
    assert.equal(existsSync(path.join(dir, 'initialized.json')), false, 'no initialized.json');
    const connection = await Connection.connect({ address: status.temporal.address });
    try {
      const load = await new Client({ connection, dataConverter: hubDataConverter }).workflow
        .getHandle<typeof initialLoadWorkflow>(INITIAL_LOAD_WORKFLOW_ID)
        .result();
      assert.equal(load.how, 'completed', JSON.stringify(load.problems));
      assert.deepEqual(Object.keys(load.results).sort(), ['customer', 'inventory', 'product', 'shopify-product']);
    } finally {
      await connection.close();
    }
    const r = await cli('status', '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      running: boolean;
      endpoints: { temporal: { address: string; uiUrl: string }; b1: { baseUrl: string }; shopify: { graphqlUrl: string } };
      schedulers: Record<string, { description: string; recentRuns: Array<{ trigger: string }> }>;
    };
    assert.equal(s.running, true);
    assert.equal(s.endpoints.temporal.address, `127.0.0.1:${ports.temporal}`);
    assert.equal(s.endpoints.temporal.uiUrl, `http://localhost:${ports.ui}`);
    assert.match(s.endpoints.b1.baseUrl, new RegExp(`^http://127\\.0\\.0\\.1:${ports.b1}/b1s/v1$`));
    assert.match(
      s.endpoints.shopify.graphqlUrl,
      new RegExp(`^http://127\\.0\\.0\\.1:${ports.shopify}/admin/api/\\d{4}-\\d{2}/graphql\\.json$`),
    );
    assert.deepEqual(Object.keys(s.schedulers).sort(), ['customer', 'delivery', 'inventory', 'order', 'product', 'shopify-product']);
    // Webhook hints may have run since (products/create echoes of the initial push hint shopify-product).
    for (const o of ['customer', 'product', 'shopify-product', 'inventory'])
      assert.ok(
        s.schedulers[o]!.recentRuns.some((r) => r.trigger === 'init'),
        `${o} initial load ran: ${JSON.stringify(s.schedulers[o]!.recentRuns.map((r) => r.trigger))}`,
      );

    // The embedded UI decodes compressed payloads through the codec endpoint `up` started.
    const codecUrl = /Codec endpoint\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(up.output())?.[1];
    assert.ok(codecUrl, `codec endpoint in the banner:\n${up.output()}`);
    const settings = (await (await fetch(`http://localhost:${ports.ui}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    assert.equal(settings.Codec?.Endpoint, codecUrl, 'the UI is configured with it');
    const pre = await fetch(`${codecUrl}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: `http://localhost:${ports.ui}`,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    assert.equal(pre.headers.get('access-control-allow-origin'), `http://localhost:${ports.ui}`, 'the UI origin may call it');
    codecPort = Number(new URL(codecUrl).port);

    const second = await cli('up', '--temporal-port', String(ports.temporal));
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`\`b1hub up\` already runs on .* \\(pid ${status.pid}\\)`));
  });

  test('schedule set changes the next fire times; show lists them', async () => {
    const before = JSON.parse((await cli('schedule', 'show', 'order', '--json')).stdout) as { order: { nextFireTimes: string[] } };
    const set = await cli('schedule', 'set', 'order', '--weekly', 'mon,thu@02:00', '--tz', 'Europe/Berlin');
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /weekly on mon,thu at 02:00 \(Europe\/Berlin\)/);
    const after = JSON.parse((await cli('schedule', 'show', 'order', '--json', '--count', '4')).stdout) as {
      order: { nextFireTimes: string[]; description: string };
    };
    assert.notDeepEqual(after.order.nextFireTimes, before.order.nextFireTimes);
    assert.equal(after.order.nextFireTimes.length, 4);
    for (const t of after.order.nextFireTimes) {
      const local = new Date(t).toLocaleString('en-GB', {
        timeZone: 'Europe/Berlin',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      });
      assert.match(local, /^(Mon|Thu) 02:00$/, `${t} is ${local} in Berlin`);
    }
    const pause = await cli('schedule', 'pause', 'order');
    assert.equal(pause.code, 0, pause.stderr);
    const paused = JSON.parse((await cli('schedule', 'show', 'order', '--json')).stdout) as {
      order: { paused: boolean; nextFireTimes: string[] };
    };
    assert.equal(paused.order.paused, true);
    assert.deepEqual(paused.order.nextFireTimes, []);
    assert.equal((await cli('schedule', 'resume', 'order')).code, 0);
  });

  test('sync --wait; an induced failure is listed by log --failed and fixed by resync after the data is corrected', async () => {
    // A fresh paid order first: the demo's 15-minute schedule may already have synced the seeded
    // ones before the previous test moved it to a weekly slot, and this run must create something.
    const fresh = await cli('sim', 'order', '--json');
    assert.equal(fresh.code, 0, fresh.stderr);
    const freshId = (JSON.parse(fresh.stdout) as { id: string }).id;
    const first = await cli('sync', 'order', '--wait');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /order: done — [1-9]\d* records: \d+ created, \d+ updated, \d+ unchanged, \d+ skipped, 0 failed/);
    // The shop's orders/create webhook may have started a run for it before this one (which then
    // reads it unchanged): either way the sales order is in B1, once.
    assert.equal((await b1.findOrdersByShopifyId(freshId)).length, 1, `${freshId}: one sales order`);

    // A paid order for a SKU the company does not have (the walkthrough's helper): that record fails, naming the field.
    const added = await cli('sim', 'order', '--lines', 'ZZ-NEW-1:2', '--email', 'new.buyer@example.com', '--json');
    assert.equal(added.code, 0, added.stderr);
    const orderId = (JSON.parse(added.stdout) as { id: string }).id;
    assert.match(orderId, /^gid:\/\/shopify\/Order\/\d+$/);
    const failing = await cli('sync', 'order', '--wait');
    assert.equal(failing.code, 2, failing.stdout + failing.stderr);
    assert.match(failing.stdout, /1 failed/);

    const log = await cli('log', '--failed', '--object', 'order', '--json');
    assert.equal(log.code, 0, log.stderr);
    const failures = JSON.parse(log.stdout) as Array<{ sourceId: string; field?: string; reason?: string; run: string }>;
    const mine = failures.find((f) => f.sourceId === orderId);
    assert.ok(mine, `${orderId} listed in ${log.stdout}`);
    assert.equal(mine.field, 'lineItems[0].sku');
    assert.match(mine.reason ?? '', /ZZ-NEW-1/);

    const show = await cli('log', 'show', mine.run);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`Temporal UI: http://localhost:${ports.ui}/namespaces/default/workflows/`));
    assert.match(show.stdout, /source payload of failed order/);
    assert.ok(show.stdout.includes('ZZ-NEW-1'), 'the source payload (read through the codec when compressed) shows the order line');

    // Correct the source of the problem in B1, then resync: the record is re-read and posted.
    await b1.createItem({ ItemCode: 'ZZ-NEW-1', ItemName: 'New gadget', ItemsGroupCode: 104 });
    const resync = await cli('resync', '--failed', '--object', 'order', '--wait');
    assert.equal(resync.code, 0, resync.stdout + resync.stderr);
    assert.match(resync.stdout, /order: done — 1 records: 1 created/);
    const orders = await b1.findOrdersByShopifyId(orderId);
    assert.equal(orders.length, 1, 'the sales order exists in B1');
    const after = JSON.parse((await cli('log', '--failed', '--object', 'order', '--json')).stdout) as unknown[];
    assert.deepEqual(after, []);
  });

  test('items select --all flags the range in B1', async () => {
    const r = await cli('items', 'select', '--all', '--from', 'A00021', '--to', 'A00025');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /5 of 5 matching items selected for sync/);
    for (const code of ['A00021', 'A00023', 'A00025'])
      assert.equal((await b1.getItem(code, ['ItemCode', 'U_ShopifySync'])).U_ShopifySync, 'Y', code);
    assert.equal((await b1.getItem('A00026', ['ItemCode', 'U_ShopifySync'])).U_ShopifySync, 'N', 'outside the range');
    const list = JSON.parse((await cli('items', 'list', '--selected', '--json')).stdout) as Array<{ itemCode: string }>;
    assert.equal(list.length, 25);
    const un = await cli('items', 'select', '--all', '--unselect', '--from', 'A00025', '--to', 'A00025');
    assert.match(un.stdout, /1 of 1 matching items deselected/);
    assert.equal((await b1.getItem('A00025', ['ItemCode', 'U_ShopifySync'])).U_ShopifySync, 'N');
  });

  test(
    'items select --interactive: ticked items are flagged, through a real terminal',
    { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a pseudo-terminal' },
    async () => {
      // script(1) gives the CLI a pseudo-terminal, as an operator's shell would; keys go in through it.
      const cmd = [BIN, '--data-dir', dir, 'items', 'select', '--interactive', '--from', 'A00026', '--to', 'A00028']
        .map((a) => `'${a}'`)
        .join(' ');
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, TERM: 'xterm' },
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      await until('the checkbox prompt', () => (out.includes('A00028') ? true : undefined), 30_000);
      const press = async (keys: string) => {
        child.stdin.write(keys);
        await new Promise((r) => setTimeout(r, 150));
      };
      await press(' '); // tick A00026
      await press('\x1b[B');
      await press('\x1b[B');
      await press(' '); // tick A00028
      await press('\r');
      assert.equal(await exited, 0, out);
      assert.match(out, /2 of 3 matching items selected for sync/);
      assert.equal((await b1.getItem('A00026', ['ItemCode', 'U_ShopifySync'])).U_ShopifySync, 'Y');
      assert.equal((await b1.getItem('A00027', ['ItemCode', 'U_ShopifySync'])).U_ShopifySync, 'N');
      assert.equal((await b1.getItem('A00028', ['ItemCode', 'U_ShopifySync'])).U_ShopifySync, 'Y');
    },
  );

  test('init --check-only passes on a correct config file and fails naming the check on a broken one', async () => {
    const locations = await shopify.locations();
    const shop = await shopify.shop();
    const config = (mapping: { warehouse: string; priceList: number }) => ({
      temporal: { address: status.temporal.address, namespace: 'default', taskQueue: status.temporal.taskQueue },
      b1: { baseUrl: status.b1.baseUrl, companyDb: 'SBODEMOUS', userName: 'manager' },
      shopify: { shop: status.shopify.shop, endpoint: status.shopify.endpoint, apiVersion: status.shopify.apiVersion },
      mapping: {
        customer: { cardCode: { mode: 'prefix', prefix: 'C' }, groupCode: 100, currency: '##', guestCardCode: 'SHOPGUEST' },
        product: {
          priceList: mapping.priceList,
          shopCurrency: shop.currencyCode,
          shopCurrencyAliases: ['$'],
          weightUnits: { '1': 'KILOGRAMS', '2': 'GRAMS', '3': 'POUNDS', '4': 'OUNCES' },
        },
        order: {
          timeZone: 'America/New_York',
          defaultWarehouse: '01',
          freightExpenseCode: 1,
          tax: { mode: 'taxCode', defaultTaxCode: 'CA', exemptTaxCode: 'EX' },
        },
        locations: locations.map((l, i) => ({ locationId: l.id, warehouses: [i === 0 ? mapping.warehouse : '02'] })),
      },
    });
    const good = path.join(dir, 'good.json');
    const broken = path.join(dir, 'broken.json');
    writeFileSync(good, JSON.stringify(config({ warehouse: '01', priceList: 1 })));
    writeFileSync(broken, JSON.stringify(config({ warehouse: '99', priceList: 1 })));
    const env = { B1_PASSWORD: '1234', SHOPIFY_ACCESS_TOKEN: 'shpat_demo' };

    const ok = await runCli(['--config', good, 'init', '--check-only'], { env });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /SAP B1 Service Layer login\s+PASS/);
    assert.match(ok.stdout, /Temporal reachable, search attributes\s+PASS/);
    assert.match(ok.stdout, /all checks passed/);

    const bad = await runCli(['--config', broken, 'init', '--check-only'], { env });
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stdout, /Warehouses exist in B1\s+FAIL\s+not in B1: 99/);
    assert.match(bad.stderr, /^b1hub: configuration check failed: Warehouses exist in B1 — correct mapping\.locations/m);
    assert.doesNotMatch(bad.stderr, STACK_LINE);

    // The same file runs a production worker (a second one on the hub's task queue, as for scale).
    const worker = spawnCli(['--config', good, 'worker', '--identity', 'cli-test-worker'], env);
    await until(
      'worker ready',
      () => {
        if (worker.exitCode !== null) throw new Error(`b1hub worker exited early (${worker.exitCode}):\n${worker.output()}`);
        return /worker ready: task queue/.test(worker.output()) ? true : undefined;
      },
      30_000,
    );
    const workerExit = new Promise<number | null>((resolve) => worker.once('exit', (c) => resolve(c)));
    worker.kill('SIGINT');
    assert.equal(await workerExit, 0, worker.output());

    const noSecret = await runCli(['--config', good, 'init', '--check-only'], {
      env: { B1_PASSWORD: '', SHOPIFY_ACCESS_TOKEN: 'shpat_demo' },
    });
    assert.equal(noSecret.code, 1);
    assert.match(noSecret.stderr, /B1_PASSWORD: not set/);
  });

  test('Ctrl-C stops everything it started, cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
    up.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref())]);
    assert.equal(code, 0, up.output());
    assert.match(up.output(), /stopped/);
    assert.equal(existsSync(path.join(dir, 'hub-status.json')), false, 'status file removed');
    assert.equal(await portInUse(ports.temporal), false, 'Temporal dev server stopped');
    assert.equal(await portInUse(ports.b1), false, 'B1 simulator stopped');
    assert.equal(await portInUse(ports.shopify), false, 'Shopify simulator stopped');
    if (codecPort !== undefined) assert.equal(await portInUse(codecPort), false, 'codec endpoint stopped');
    assert.ok(
      existsSync(path.join(dir, 'shopify-sim.json')) && existsSync(path.join(dir, 'b1-sim.json')),
      'simulator state kept for the next start',
    );
  });

  test('a second start reuses the data: schedules, synced records and no second initial load', async () => {
    up = spawnCli([
      '--data-dir',
      dir,
      'up',
      '--temporal-port',
      String(ports.temporal),
      '--ui-port',
      String(ports.ui),
      '--b1-port',
      String(ports.b1),
      '--shopify-port',
      String(ports.shopify),
    ]);
    await until(
      'hub-status.json',
      () => {
        if (up.exitCode !== null) throw new Error(`b1hub up exited early (${up.exitCode}):\n${up.output()}`);
        return existsSync(path.join(dir, 'hub-status.json')) ? true : undefined;
      },
      60_000,
    );
    assert.match(up.output(), /Data reused from the previous start/);
    const s = JSON.parse((await cli('status', '--json')).stdout) as {
      initialization?: unknown;
      schedulers: Record<string, { description: string; recentRuns: unknown[] }>;
    };
    assert.equal(s.initialization, undefined, 'no initial load on a second start');
    assert.equal(s.schedulers.order!.description, 'weekly on mon,thu at 02:00 (Europe/Berlin)', 'the schedule set before the restart');
    assert.ok(s.schedulers.order!.recentRuns.length >= 3, 'run history kept');
    assert.equal((await b1.getItem('A00021', ['ItemCode', 'U_ShopifySync'])).U_ShopifySync, 'Y', 'B1 simulator state kept');
    const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
    up.kill('SIGTERM');
    assert.equal(await exited, 0, up.output());
  });
});
