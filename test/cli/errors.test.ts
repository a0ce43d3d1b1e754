/**
 * Operator errors from the real binary, without any server: one clear line naming what is
 * wrong and how to fix it, a non-zero exit, and no stack trace unless --verbose.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePorts, runCli, STACK_LINE } from './cli-helpers';

describe('b1hub errors', { concurrency: 3 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'b1hub-err-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('unknown object names the valid ones', async () => {
    const r = await runCli(['--data-dir', dir, 'sync', 'invoice']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^b1hub: unknown object 'invoice' — use one of customer, product, shopify-product, order, inventory, delivery\n$/,
    );
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  test('a bad time is rejected before anything is sent', async () => {
    const r = await runCli(['--data-dir', dir, '--temporal-address', '127.0.0.1:1', 'schedule', 'set', 'order', '--daily', '02:00,25:00']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid schedule: times\.1: expected a 24-hour time HH:MM/);
    assert.doesNotMatch(r.stderr, /cannot reach Temporal/);
    const tz = await runCli(['--data-dir', dir, 'schedule', 'set', 'order', '--every', '2h', '--tz', 'Mars/Olympus']);
    assert.equal(tz.code, 1);
    assert.match(tz.stderr, /unknown IANA time zone 'Mars\/Olympus'/);
    const two = await runCli(['--data-dir', dir, 'schedule', 'set', 'order', '--every', '2h', '--cron', '0 * * * *']);
    assert.match(two.stderr, /choose one of --every, --cron/);
  });

  test('unreachable Temporal says where and how to fix it; --verbose adds the stack trace', async () => {
    const [port] = await freePorts(1);
    const r = await runCli(['--data-dir', dir, '--temporal-address', `127.0.0.1:${port}`, 'schedule', 'show']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot reach Temporal at 127\\.0\\.0\\.1:${port} .*— start the hub with \`npm start\``));
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.doesNotMatch(r.stderr, STACK_LINE);
    const v = await runCli(['--verbose', '--data-dir', dir, 'items', 'list']);
    assert.match(v.stderr, /no configuration/);
    assert.match(v.stderr, STACK_LINE);
  });

  test('an invalid config key is named', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        b1: { baseUrl: 'https://sap.example.com:50000/b1s/v1', companyDb: 'X', userName: 'u', pageSize: 5000 },
        shopify: { shop: 'x.myshopify.com' },
        mapping: {},
        colour: 'blue',
      }),
    );
    const r = await runCli(['--config', file, 'init', '--check-only'], { env: { B1_PASSWORD: 'x', SHOPIFY_ACCESS_TOKEN: 'y' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /b1\.pageSize: /);
    assert.match(r.stderr, /colour/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  test('commands that need the hub say how to start it', async () => {
    const r = await runCli(['--data-dir', dir, 'items', 'list']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no configuration: .* — start the demo hub with `npm start`, or pass --config <file>/);
  });

  test('up refuses a busy Temporal port clearly', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const busy = (server.address() as net.AddressInfo).port;
    try {
      const [ui, b1, shop] = await freePorts(3);
      const r = await runCli([
        '--data-dir',
        path.join(dir, 'up'),
        'up',
        '--temporal-port',
        String(busy),
        '--ui-port',
        String(ui),
        '--b1-port',
        String(b1),
        '--shopify-port',
        String(shop),
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`port ${busy} \\(Temporal\\) is already in use.*--temporal-port`));
    } finally {
      server.close();
    }
  });

  test('the exit codes are in the help of the commands that send requests', async () => {
    for (const args of [
      ['sync', '--help'],
      ['schedule', '--help'],
    ]) {
      const r = await runCli(['--data-dir', dir, ...args]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /Exit codes:\n {2}0 {2}done[\s\S]* {2}2 {2}the run ended, some records failed[\s\S]* {2}3 {2}delivered \(accepted by Temporal\) but not yet confirmed by the scheduler/,
      );
    }
  });
});
