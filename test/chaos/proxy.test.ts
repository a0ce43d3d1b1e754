/**
 * The chaos suite's fault proxy: each fault does what its name says to a write (applied or not,
 * answered or not, when), and the choice of faults is a function of the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFaultProxy, type FaultKind, type FaultProxy } from '../../src/sim/chaos/proxy';

interface Upstream {
  url: string;
  /** Arrival time (ms since start) of every request the upstream applied. */
  applied: number[];
  close(): Promise<void>;
}

async function upstream(): Promise<Upstream> {
  const t0 = Date.now();
  const applied: number[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      applied.push(Date.now() - t0);
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    applied,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function withProxy(kind: FaultKind | null, fn: (p: FaultProxy, up: Upstream) => Promise<void>): Promise<void> {
  const up = await upstream();
  const p = await startFaultProxy({
    name: 't',
    target: up.url,
    seed: 1,
    rates: kind ? { [kind]: 1 } : {},
    clientTimeoutMs: 300,
    slowMarginMs: [200, 200],
    flavor: 'b1',
  });
  try {
    await fn(p, up);
  } finally {
    await p.close();
    await up.close();
  }
}

const post = (url: string, timeoutMs = 2000): Promise<Response> =>
  fetch(`${url}/b1s/v1/Orders`, {
    method: 'POST',
    body: '{}',
    headers: { 'Content-Type': 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });

test('no fault: forwarded and answered', async () => {
  await withProxy(null, async (p, up) => {
    const res = await post(p.url);
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { ok: true });
    assert.equal(up.applied.length, 1);
  });
});

test('html-5xx: an Apache page, the write applied (the node committed, then Apache gave up) or not', async () => {
  await withProxy('html-5xx', async (p, up) => {
    const statuses = new Set<number>();
    for (let i = 0; i < 24; i++) {
      const res = await post(p.url);
      statuses.add(res.status);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), /Apache/);
    }
    assert.deepEqual([...statuses].sort(), [502, 503]);
    assert.ok(up.applied.length > 0 && up.applied.length < 24, `applied ${up.applied.length} of 24: both variants drawn`);
    assert.equal(p.stats.writeFaults['html-5xx'], 24);
  });
});

test('throttle-429: Retry-After, nothing applied', async () => {
  await withProxy('throttle-429', async (p, up) => {
    const res = await post(p.url);
    assert.equal(res.status, 429);
    assert.match(res.headers.get('retry-after') ?? '', /^[12]$/);
    assert.equal(up.applied.length, 0);
  });
});

test('reset-before: the connection fails and nothing is applied', async () => {
  await withProxy('reset-before', async (p, up) => {
    await assert.rejects(post(p.url));
    assert.equal(up.applied.length, 0);
  });
});

test('reset-after: the connection fails but the write is applied', async () => {
  await withProxy('reset-after', async (p, up) => {
    await assert.rejects(post(p.url));
    assert.equal(up.applied.length, 1);
  });
});

test('slow-commit: the client times out first, the write lands after it', async () => {
  await withProxy('slow-commit', async (p, up) => {
    const t = Date.now();
    await assert.rejects(post(p.url, 300));
    assert.equal(up.applied.length, 0, 'not applied before the client gave up');
    assert.ok(await p.idle(3000));
    assert.equal(up.applied.length, 1);
    assert.ok(Date.now() - t >= 450, 'applied after the client timeout plus the margin');
  });
});

test('slow-response: applied at once, answered after the client gave up', async () => {
  await withProxy('slow-response', async (p, up) => {
    await assert.rejects(post(p.url, 300));
    assert.equal(up.applied.length, 1);
    assert.ok(await p.idle(3000));
  });
});

test('targeted rule: every n-th matching write gets the fault; setRates({}) stops it', async () => {
  const up = await upstream();
  const p = await startFaultProxy({
    name: 't',
    target: up.url,
    seed: 1,
    rates: {},
    clientTimeoutMs: 300,
    flavor: 'b1',
    rules: [{ method: 'POST', path: /\/Orders$/, kind: 'reset-before', every: 2 }],
  });
  try {
    const outcomes: boolean[] = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(
        await post(p.url).then(
          () => true,
          () => false,
        ),
      );
    assert.deepEqual(outcomes, [true, false, true, false]);
    p.setRates({});
    for (let i = 0; i < 2; i++) assert.equal((await post(p.url)).status, 201);
  } finally {
    await p.close();
    await up.close();
  }
});

test('the fault sequence is a function of the seed', async () => {
  const up = await upstream();
  const sequence = async (seed: number): Promise<number[]> => {
    const p = await startFaultProxy({
      name: 'b1',
      target: up.url,
      seed,
      rates: { 'html-5xx': 0.3, 'throttle-429': 0.3 },
      clientTimeoutMs: 300,
      flavor: 'b1',
    });
    try {
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await post(p.url)).status);
      return out;
    } finally {
      await p.close();
    }
  };
  try {
    const a = await sequence(5);
    assert.deepEqual(await sequence(5), a);
    assert.notDeepEqual(await sequence(6), a);
    assert.ok(a.some((s) => s === 201) && a.some((s) => s !== 201));
  } finally {
    await up.close();
  }
});
