import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { B1BusinessRuleError, B1NotFoundError, B1TransientError } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, rawSession, startSim } from './helpers';

describe('B1 $batch with changesets', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startSim();
  });
  after(() => sim.close());

  test('bulk PATCH of U_ShopifySync in one changeset: 202, per-part 204, all applied', async () => {
    const c = clientFor(sim.url);
    const codes = ['A00030', 'A00031', 'A00032', 'A00033'];
    const r = await c.setItemsShopifySync(codes, 'Y');
    assert.deepEqual(r.updated, codes);
    assert.equal(r.failed, undefined);
    for (const code of codes) assert.equal(sim.state.get('Items', code)!.U_ShopifySync, 'Y');
  });

  test('a failing part rolls the whole changeset back and names the failed item', async () => {
    const c = clientFor(sim.url);
    const r = await c.setItemsShopifySync(['A00040', 'A00041', 'NOPE', 'A00042'], 'Y');
    assert.deepEqual(r.updated, []);
    assert.equal(r.failed?.itemCode, 'NOPE');
    assert.ok(r.failed?.error instanceof B1NotFoundError);
    for (const code of ['A00040', 'A00041', 'A00042'])
      assert.equal(sim.state.get('Items', code)!.U_ShopifySync, 'N', `${code} rolled back`);
  });

  test('Content-ID references, order create+cancel in one changeset, stock consistent after rollback', async () => {
    const c = clientFor(sim.url);
    const committed = (): number =>
      Number(
        (sim.state.get('Items', 'A00045')!.ItemWarehouseInfoCollection as Array<Record<string, unknown>>).find(
          (w) => w.WarehouseCode === '01',
        )!.Committed,
      );
    const before = committed();
    const ok = await c.batch([
      {
        method: 'POST',
        path: 'Orders',
        body: { CardCode: 'C00001', DocDueDate: '2026-07-01', DocumentLines: [{ ItemCode: 'A00045', Quantity: 4, WarehouseCode: '01' }] },
      },
      { method: 'PATCH', path: '$1', body: { Comments: 'from batch' } },
    ]);
    assert.equal(ok.failed, undefined);
    assert.deepEqual(
      ok.results.map((p) => [p.contentId, p.status]),
      [
        ['1', 201],
        ['2', 204],
      ],
    );
    assert.match(ok.results[0]!.headers.location ?? '', /^\/b1s\/v1\/Orders\(\d+\)$/);
    assert.equal(committed(), before + 4);

    const bad = await c.batch([
      {
        method: 'POST',
        path: 'Orders',
        body: { CardCode: 'C00001', DocDueDate: '2026-07-01', DocumentLines: [{ ItemCode: 'A00045', Quantity: 6, WarehouseCode: '01' }] },
      },
      { method: 'PATCH', path: "Items('A00045')", body: { ItemName: 'x'.repeat(500) } },
    ]);
    assert.ok(bad.failed?.error instanceof B1BusinessRuleError);
    assert.equal(bad.failed?.index, 1);
    assert.equal(bad.failed?.error.context.field, 'ItemName');
    assert.equal(committed(), before + 4, 'the order of the failed changeset was rolled back with its stock effect');
    assert.equal(bad.results.length, 1, 'one error part for the failed changeset');
  });

  test('batchEach: one changeset per write, refused ones fail alone, the rest land (re-sent after the server stops)', async () => {
    const c = clientFor(sim.url);
    const ops = [
      { method: 'PATCH' as const, path: "Items('A00050')", body: { ItemName: 'each 50' } },
      { method: 'PATCH' as const, path: "Items('A00051')", body: { ItemName: 'x'.repeat(500) } },
      { method: 'PATCH' as const, path: "Items('A00052')", body: { ItemName: 'each 52' } },
      { method: 'PATCH' as const, path: "Items('NOPE')", body: { ItemName: 'nobody' } },
      { method: 'PATCH' as const, path: "Items('A00053')", body: { ItemName: 'each 53' } },
      { method: 'PATCH' as const, path: "Items('A00054')", body: { ItemName: 'each 54' } },
      { method: 'PATCH' as const, path: "Items('A00055')", body: { ItemName: 'each 55' } },
    ];
    const at = sim.faults.log.length;
    const r = await c.batchEach(ops, { chunkSize: 4 });
    assert.deepEqual(
      r.map((x) => x.ok),
      [true, false, true, false, true, true, true],
    );
    const long = r[1]!;
    assert.ok(
      !long.ok && long.error instanceof B1BusinessRuleError && long.error.context.field === 'ItemName',
      'the over-long name is refused naming the field',
    );
    const nope = r[3]!;
    assert.ok(!nope.ok && nope.error instanceof B1NotFoundError);
    for (const code of ['A00050', 'A00052', 'A00053', 'A00054', 'A00055'])
      assert.equal(sim.state.get('Items', code)!.ItemName, `each ${code.slice(-2)}`);
    assert.notEqual(sim.state.get('Items', 'A00051')!.ItemName, 'x'.repeat(500));
    // [50, 51✗] stops at 51; [52, NOPE✗] stops at NOPE; [53, 54, 55] in one.
    assert.deepEqual(
      sim.faults.log.slice(at).filter((l) => !/\/Login\b/.test(l)),
      ['POST /b1s/v1/$batch', 'POST /b1s/v1/$batch', 'POST /b1s/v1/$batch'],
    );
  });

  test('batchEach: a lost $batch answer is retried when the writes are idempotent, thrown otherwise', async () => {
    const c = clientFor(sim.url);
    const ops = (name: string) =>
      ['A00056', 'A00057'].map((code) => ({ method: 'PATCH' as const, path: `Items('${code}')`, body: { ItemName: `${name} ${code}` } }));
    sim.faults.failNext({ kind: '502', match: /\$batch/, when: 'after' });
    const r = await c.batchEach(ops('retried'), { idempotent: true });
    assert.deepEqual(
      r.map((x) => x.ok),
      [true, true],
    );
    assert.equal(sim.state.get('Items', 'A00057')!.ItemName, 'retried A00057');
    sim.faults.failNext({ kind: '502', match: /\$batch/ });
    await assert.rejects(c.batchEach(ops('not retried')), B1TransientError);
    assert.equal(sim.state.get('Items', 'A00057')!.ItemName, 'retried A00057');
  });

  test('framing errors and GET inside a changeset, v1 202 vs v2 200, v2 requires Content-ID', async () => {
    const raw = await rawSession(sim.url);
    const incomplete = await raw('/$batch', {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/mixed;boundary=batch_1' },
      body: '--batch_1\r\nContent-Type: application/http\r\n\r\nGET /b1s/v1/Items HTTP/1.1\r\n',
    });
    assert.equal(incomplete.status, 400);
    assert.deepEqual(await incomplete.json(), {
      error: { code: -1000, message: { lang: 'en-us', value: 'Incomplete Batch Request Body!' } },
    });

    const cs = (ver: string, withId: boolean, method = 'PATCH'): string =>
      '--batch_X\r\nContent-Type: multipart/mixed;boundary=changeset_Y\r\n\r\n--changeset_Y\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n' +
      (withId ? 'Content-ID: 1\r\n' : '') +
      `\r\n${method} /b1s/${ver}/Items('A00046')\r\nContent-Type: application/json\r\n\r\n${method === 'GET' ? '' : '{"ItemName":"Renamed 46"}'}\r\n--changeset_Y--\r\n--batch_X--\r\n`;
    const v1 = await raw('/$batch', {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/mixed;boundary=batch_X' },
      body: cs('v1', false),
    });
    assert.equal(v1.status, 202);
    assert.match(await v1.text(), /HTTP\/1\.1 204 No Content/);

    const withGet = await raw('/$batch', {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/mixed;boundary=batch_X' },
      body: cs('v1', true, 'GET'),
    });
    assert.match(await withGet.text(), /Query can't be included in change-std::set!/);

    const raw2 = await rawSession(sim.urlV2);
    const v2 = await raw2('/$batch', {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/mixed;boundary=batch_X' },
      body: cs('v2', false),
    });
    assert.equal(v2.status, 200);
    const text = await v2.text();
    assert.match(text, /HTTP\/1\.1 400/);
    assert.match(text, /"code":"244","message":"Content ID should be specified in each change set request."/);
  });
});
