import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ITEM_CODES, demoItemCodes, generateB1Seed, startB1Simulator } from '../../src/sim/b1';
import { clientFor } from './helpers';

describe('B1 simulator runtime', () => {
  test('seed is deterministic and documents its SKUs', () => {
    const a = generateB1Seed({ items: 30, customers: 5, seed: 9 });
    const b = generateB1Seed({ items: 30, customers: 5, seed: 9 });
    assert.deepEqual(a, b);
    assert.deepEqual(
      a.Items.map((i) => i.ItemCode),
      demoItemCodes(30),
    );
    assert.equal(DEMO_ITEM_CODES[0], 'A00001');
    assert.equal(DEMO_ITEM_CODES.length, 20);
    assert.deepEqual(
      a.Items.filter((i) => i.U_ShopifySync === 'Y').map((i) => i.ItemCode),
      [...DEMO_ITEM_CODES],
    );
    assert.deepEqual(
      a.ItemGroups.map((g) => g.Number),
      [100, 101, 102, 103, 104, 105],
    );
  });

  test('state survives a restart through the state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b1-state-'));
    const stateFile = join(dir, 'b1.json');
    try {
      const s1 = await startB1Simulator({ port: 0, seed: { items: 5, customers: 2 }, stateFile });
      const c1 = clientFor(s1.url);
      const o = await c1.createOrder({
        CardCode: 'C00001',
        DocDueDate: '2026-09-01',
        DocumentLines: [{ ItemCode: 'A00001', Quantity: 2 }],
      });
      await s1.close();
      const s2 = await startB1Simulator({ port: 0, seed: { items: 50, customers: 20 }, stateFile });
      const c2 = clientFor(s2.url);
      assert.equal((await c2.getOrder(o.DocEntry!, ['DocEntry'])).DocEntry, o.DocEntry);
      assert.equal(s2.state.count('Items'), 5, 'loaded from the file, not re-seeded');
      const o2 = await c2.createOrder({
        CardCode: 'C00001',
        DocDueDate: '2026-09-01',
        DocumentLines: [{ ItemCode: 'A00001', Quantity: 1 }],
      });
      assert.equal(o2.DocEntry, o.DocEntry! + 1, 'numbering continues');
      await s2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('tsx src/sim/b1/main.ts prints one start-up line with the URL and serves it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/b1/main.ts', '--port', '0', '--items', '7', '--customers', '2'], {
      cwd: join(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
        setTimeout(() => reject(new Error('no start-up line')), 20_000);
      });
      const url = /(http:\/\/127\.0\.0\.1:\d+\/b1s\/v1)/.exec(line)?.[1];
      assert.ok(url, line);
      assert.equal(await clientFor(url).count('Items'), 7);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
