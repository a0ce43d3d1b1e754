/**
 * Latency profiles (src/sim/latency.ts): each operation class a profile names is delayed by at
 * least its figure, measured over HTTP. Only lower bounds: an upper bound would depend on how
 * loaded the machine is.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { buildBatchBody } from '../../src/connectors/b1';
import { parseLatency, REALISTIC_LATENCY } from '../../src/sim/latency';
import type { B1Simulator } from '../../src/sim/b1';
import type { ShopifySimulator } from '../../src/sim/shopify';
import { CREDS, startSim as startB1 } from '../b1/helpers';
import { rawGraphQL, startSim as startShopify } from '../shopify/helpers';

/** Timers may fire up to a millisecond early against performance.now(). */
const SLACK = 2;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

describe('latency profile: Service Layer simulator', () => {
  let sim: B1Simulator;
  const l = { loginMs: 300, readMs: 120, writeMs: 220, batchMs: 60 };
  before(async () => {
    sim = await startB1({ latency: l });
  });
  after(() => sim.close());

  test('login, read, write and $batch (overhead plus each part) are each delayed by their own figure', async () => {
    const login = await timed(() =>
      fetch(`${sim.url}/Login`, {
        method: 'POST',
        body: JSON.stringify({ CompanyDB: CREDS.companyDb, UserName: CREDS.userName, Password: CREDS.password }),
      }),
    );
    assert.equal(login.value.status, 200);
    assert.ok(login.ms >= l.loginMs - SLACK, `login took ${login.ms} ms`);
    const cookie = login.value.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const call = (path: string, init: RequestInit = {}) =>
      timed(async () => {
        const r = await fetch(`${sim.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), Cookie: cookie } });
        await r.arrayBuffer();
        return r.status;
      });

    const read = await call(`/Items('A00001')?$select=ItemCode`);
    assert.equal(read.value, 200);
    assert.ok(read.ms >= l.readMs - SLACK, `read took ${read.ms} ms`);

    const write = await call(`/Items('A00001')`, { method: 'PATCH', body: JSON.stringify({ ItemName: 'slow write' }) });
    assert.equal(write.value, 204);
    assert.ok(write.ms >= l.writeMs - SLACK, `write took ${write.ms} ms`);

    // Two writes in their own changesets: the batch costs its overhead plus both writes.
    const { contentType, body } = buildBatchBody('/b1s/v1', [
      [{ method: 'PATCH', path: `Items('A00002')`, body: { ItemName: 'batched 1' } }],
      [{ method: 'PATCH', path: `Items('A00003')`, body: { ItemName: 'batched 2' } }],
    ]);
    const batch = await call('/$batch', { method: 'POST', body, headers: { 'Content-Type': contentType } });
    assert.ok(batch.value < 300, `$batch answered ${batch.value}`);
    assert.equal(sim.state.get('Items', 'A00003')!.ItemName, 'batched 2');
    const expected = l.batchMs + 2 * l.writeMs;
    assert.ok(batch.ms >= expected - SLACK, `$batch of 2 writes took ${batch.ms} ms, expected at least ${expected}`);
  });
});

describe('latency profile: Shopify simulator', () => {
  let sim: ShopifySimulator;
  const l = { queryMs: 150, mutationMs: 300, bulkBaseMs: 200, bulkQueryPerRowMs: 20, bulkMutationPerRowMs: 0 };
  before(async () => {
    sim = await startShopify({ seed: { customers: 2, orders: 0, skus: ['L-1', 'L-2', 'L-3'] }, latency: l });
  });
  after(() => sim.close());

  test('queries and mutations are delayed by their own figures', async () => {
    const q = await timed(() => rawGraphQL(sim, '# a comment first\nquery { shop { name } }'));
    assert.equal(q.value.status, 200);
    assert.ok(q.ms >= l.queryMs - SLACK, `query took ${q.ms} ms`);
    const m = await timed(() =>
      rawGraphQL(sim, 'mutation { bulkOperationCancel(id: "gid://shopify/BulkOperation/999999") { userErrors { message } } }'),
    );
    assert.ok(m.ms >= l.mutationMs - SLACK, `mutation took ${m.ms} ms`);
  });

  test('a bulk export runs for the base time plus the per-row time of its rows', async () => {
    const start = await rawGraphQL(
      sim,
      'mutation { bulkOperationRunQuery(query: "{ products { edges { node { id variants { edges { node { id sku } } } } } } }", groupObjects: false) { bulkOperation { id } userErrors { message } } }',
    );
    assert.deepEqual(start.body.data.bulkOperationRunQuery.userErrors, []);
    const id = start.body.data.bulkOperationRunQuery.bulkOperation.id as string;
    const t = performance.now();
    sim.latency = { ...l, queryMs: 0 }; // polls answer at once, so the bound below is the operation's own
    let op: { status: string; objectCount: string };
    for (;;) {
      op = (await rawGraphQL(sim, `query { bulkOperation(id: "${id}") { status objectCount } }`)).body.data.bulkOperation;
      if (op.status !== 'CREATED' && op.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - t;
    sim.latency = l;
    assert.equal(op.status, 'COMPLETED');
    const rows = Number(op.objectCount);
    assert.equal(rows, 6, 'three products and their variants');
    const expected = l.bulkBaseMs + rows * l.bulkQueryPerRowMs;
    assert.ok(ms >= expected - SLACK, `bulk export of ${rows} rows completed after ${ms} ms, expected at least ${expected}`);
  });
});

describe('parseLatency', () => {
  test('a named profile with overrides; unknown names and fields are refused', () => {
    const p = parseLatency('realistic,b1.writeMs=300,shopify.queryMs=100');
    assert.equal(p.b1.writeMs, 300);
    assert.equal(p.shopify.queryMs, 100);
    assert.equal(p.b1.readMs, REALISTIC_LATENCY.b1.readMs);
    assert.equal(parseLatency('b1.readMs=7').shopify.queryMs, 0);
    assert.throws(() => parseLatency('fast'), /unknown latency profile fast/);
    assert.throws(() => parseLatency('realistic,b1.nope=1'), /bad latency override b1\.nope=1/);
  });
});
