import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { B1TransientError } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, startSim } from './helpers';

describe('B1 client under load-balancer faults', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startSim();
  });
  after(() => sim.close());

  test('HTML 502 on a read is transient and retried; the read succeeds', async () => {
    const c = clientFor(sim.url);
    await c.login();
    sim.faults.failNext({ kind: '502', match: /^GET \/b1s\/v1\/Items\('A00007'\)/ }, 2);
    const it = await c.getItem('A00007', ['ItemCode']);
    assert.equal(it.ItemCode, 'A00007');
    assert.equal(sim.faults.log.filter((l) => l.startsWith("GET /b1s/v1/Items('A00007')")).length, 3);
  });

  test('persistent 502 surfaces as B1TransientError with the HTML title, after bounded retries', async () => {
    const c = clientFor(sim.url, { maxRetries: 2 });
    await c.login();
    sim.faults.failNext({ kind: '502', match: /Items\('A00008'\)/ }, 10);
    await assert.rejects(c.getItem('A00008'), (e: unknown) => {
      assert.ok(e instanceof B1TransientError);
      assert.equal(e.status, 502);
      assert.match(e.message, /Proxy Error: Error reading from remote server/);
      assert.equal(e.context.entity, 'Items');
      return true;
    });
    assert.equal(sim.faults.log.filter((l) => l.includes("Items('A00008')")).length, 3);
    sim.faults.reset();
  });

  test('a POST that failed after the server applied it is not replayed', async () => {
    const c = clientFor(sim.url);
    await c.login();
    const before = sim.state.count('Orders');
    sim.faults.failNext({ kind: '502', when: 'after', match: /^POST \/b1s\/v1\/Orders/ });
    await assert.rejects(
      c.createOrder({
        CardCode: 'C00001',
        DocDueDate: '2026-07-01',
        U_ShopifyId: 'gid://shopify/Order/77',
        DocumentLines: [{ ItemCode: 'A00001', Quantity: 1 }],
      }),
      (e: unknown) => {
        assert.ok(e instanceof B1TransientError);
        assert.equal(e.mayHaveBeenApplied, true);
        return true;
      },
    );
    assert.equal(sim.state.count('Orders'), before + 1, 'exactly one order: the client did not retry the write');
    const found = await c.findOrdersByShopifyId('gid://shopify/Order/77', ['DocEntry']);
    assert.equal(found.length, 1, 'the hub can find the order it may have created');
  });

  test('connection reset on a read is retried; on a write it is reported, not replayed', async () => {
    const c = clientFor(sim.url);
    await c.login();
    sim.faults.failNext({ kind: 'reset', match: /^GET \/b1s\/v1\/Items\('A00009'\)/ });
    assert.equal((await c.getItem('A00009', ['ItemCode'])).ItemCode, 'A00009');
    sim.faults.failNext({ kind: 'reset', match: /^PATCH/ });
    await assert.rejects(
      c.patchItem('A00009', { ItemName: 'After reset' }),
      (e: unknown) => e instanceof B1TransientError && e.mayHaveBeenApplied,
    );
    assert.equal(sim.faults.log.filter((l) => l.startsWith("PATCH /b1s/v1/Items('A00009')")).length, 1);
  });

  test('connection refused: nothing was sent, so even a write may be retried, then fails as not applied', async () => {
    const dead = await startSim({ seed: false });
    const url = dead.url;
    await dead.close();
    const c = clientFor(url, { maxRetries: 1, password: 'Pw-Do-Not-Leak-77' });
    await assert.rejects(c.createItem({ ItemCode: 'Z1' }), (e: unknown) => {
      assert.ok(e instanceof B1TransientError);
      assert.doesNotMatch(inspect(e, { depth: 20 }), /Pw-Do-Not-Leak-77/);
      return true;
    });
  });

  test('errors never carry the session cookie or the password, even with causes', async () => {
    const c = clientFor(sim.url, { password: '1234' });
    await c.login();
    sim.faults.failNext({ kind: 'reset', match: /^PATCH \/b1s\/v1\/Items\('A00012'\)/ });
    const sid = [...sim.state.sessions.keys()].at(-1)!;
    await assert.rejects(c.patchItem('A00012', { ItemName: 'x' }), (e: unknown) => {
      assert.ok(e instanceof B1TransientError);
      assert.equal(e.mayHaveBeenApplied, true, 'a reset write may have been applied');
      const dump = inspect(e, { depth: 20, showHidden: true });
      assert.ok(!dump.includes(sid), 'no session id');
      assert.doesNotMatch(dump, /B1SESSION=|"Password"/);
      return true;
    });
  });

  test('latency and slow responses: a client timeout is transient', async () => {
    const c = clientFor(sim.url, { timeoutMs: 150, maxRetries: 0 });
    await c.login();
    sim.faults.failNext({ kind: 'slow', slowMs: 400, match: /Items\('A00010'\)/ });
    await assert.rejects(c.getItem('A00010'), B1TransientError);
    sim.faults.set({ latencyMs: 30 });
    const t0 = Date.now();
    await c.getItem('A00011', ['ItemCode']);
    assert.ok(Date.now() - t0 >= 30);
    sim.faults.reset();
  });

  test('random 502s at a fixed rate are absorbed by read retries', async () => {
    const c = clientFor(sim.url, { maxPageSize: 5, maxRetries: 6 });
    await c.login();
    sim.faults.set({ html502Rate: 0.3, seed: 7 });
    const all = await c.list('Items', { select: ['ItemCode'], orderby: 'ItemCode' });
    sim.faults.reset();
    assert.equal(all.length, 60);
  });
});
