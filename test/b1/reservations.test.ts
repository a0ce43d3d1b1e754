/**
 * Reservations in a user-defined table whose Code B1 keeps unique: the simulator's UDT support
 * (UserTablesMD, `U_<TABLE>` rows, duplicate Code refused) and the connector primitive on top.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { B1BusinessRuleError, ORDER_RESERVATIONS, ReservationSetupError, Reservations, ensureUserTables, type ReservationTable } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, rawSession, startSim } from './helpers';

describe('B1 reservations (user-defined table, unique Code)', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startSim({ seed: { items: 2, customers: 1 } });
  });
  after(() => sim.close());

  test('simulator: UserTablesMD creates U_<TABLE>; a second row with the same Code is refused (400/-2035)', async () => {
    const http = await rawSession(sim.url);
    assert.equal((await http('/U_TESTTBL')).status, 400, 'no such table yet');
    const mk = await http('/UserTablesMD', { method: 'POST', body: JSON.stringify({ TableName: 'TESTTBL', TableDescription: 'Test', TableType: 'bott_NoObject' }) });
    assert.equal(mk.status, 201);
    assert.equal(((await mk.json()) as { TableType: string }).TableType, 'bott_NoObject');
    assert.equal((await http('/UserTablesMD', { method: 'POST', body: JSON.stringify({ TableName: 'TESTTBL' }) })).status, 400);
    const fld = await http('/UserFieldsMD', { method: 'POST', body: JSON.stringify({ TableName: '@TESTTBL', Name: 'Note', Type: 'db_Alpha', Size: 20 }) });
    assert.equal(fld.status, 201);
    const a = await http('/U_TESTTBL', { method: 'POST', body: JSON.stringify({ Code: 'K1', Name: 'K1', U_Note: 'first' }) });
    assert.equal(a.status, 201);
    const dup = await http('/U_TESTTBL', { method: 'POST', body: JSON.stringify({ Code: 'K1', Name: 'K1', U_Note: 'second' }) });
    assert.equal(dup.status, 400);
    assert.equal(((await dup.json()) as { error: { code: number } }).error.code, -2035);
    const row = (await (await http("/U_TESTTBL('K1')")).json()) as Record<string, unknown>;
    assert.equal(row.U_Note, 'first');
    assert.equal((await http('/U_TESTTBL', { method: 'POST', body: JSON.stringify({ Name: 'no code' }) })).status, 400);
    assert.equal((await http("/U_TESTTBL('K1')", { method: 'PATCH', body: JSON.stringify({ U_Note: 'patched' }) })).status, 204);
    assert.equal((await http("/U_TESTTBL('K1')", { method: 'DELETE' })).status, 204);
    assert.equal((await http("/U_TESTTBL('K1')")).status, 404);
    assert.equal((await http('/UserFieldsMD', { method: 'POST', body: JSON.stringify({ TableName: '@NOTABLE', Name: 'X' }) })).status, 400, 'fields only on existing tables');
  });

  test('init: the demo company has the reservation tables; a missing one is created with its fields', async () => {
    const c = clientFor(sim.url);
    const r = await ensureUserTables(c, undefined, { create: false });
    assert.deepEqual(r.missing, []);
    const extra: ReservationTable = { name: 'B1H_TEST_RES', description: 'test' };
    const check = await ensureUserTables(c, [extra], { create: false });
    assert.deepEqual(check.missing, ['B1H_TEST_RES']);
    const made = await ensureUserTables(c, [extra]);
    assert.deepEqual(made.created, ['B1H_TEST_RES']);
    assert.equal(made.fields.created.length, 4);
    assert.equal(made.restartRequired, true);
    const res = await c.reservations.reserve(extra, 'gid://shopify/Order/1');
    assert.equal(res.mine, true);
  });

  test('one writer of many gets a key; the others learn the holder; settle records the target', async () => {
    const clients = [0, 1, 2, 3, 4].map((i) => new Reservations(clientFor(sim.url), { holder: `hub-${i}` }));
    const key = 'gid://shopify/Order/1001';
    const results = await Promise.all(clients.map((r) => r.reserve(ORDER_RESERVATIONS, key)));
    const winners = results.filter((r) => r.mine);
    assert.equal(winners.length, 1);
    const won = winners[0]!.mine ? winners[0]!.reservation : undefined;
    assert.ok(won);
    assert.equal(won.code, 'Order-1001');
    for (const r of results) if (!r.mine) assert.equal(r.holder.holder, won.holder);
    await clients[0]!.settle(won, '42');
    const again = await clients[3]!.reserve(ORDER_RESERVATIONS, key);
    assert.equal(again.mine, false);
    assert.equal(!again.mine && again.holder.target, '42');
    assert.equal(clients[3]!.isStale(!again.mine ? again.holder : won), false, 'a settled reservation is never stale');
  });

  test('a stale reservation is taken over by exactly one writer (generation 2); a fresh one is not stale', async () => {
    let now = Date.parse('2030-01-01T10:00:00Z');
    const mk = (holder: string) => new Reservations(clientFor(sim.url), { holder, staleAfterMs: 60_000, now: () => now });
    const a = mk('a');
    const key = 'gid://shopify/Order/2002';
    const first = await a.reserve(ORDER_RESERVATIONS, key);
    assert.ok(first.mine);
    const others = [mk('b'), mk('c'), mk('d')];
    const seen = await others[0]!.find(ORDER_RESERVATIONS, key);
    assert.ok(seen);
    assert.equal(others[0]!.isStale(seen), false);
    now += 61_000;
    assert.equal(others[0]!.isStale(seen), true);
    const takes = await Promise.all(others.map((r) => r.takeOver(seen)));
    assert.equal(takes.filter((t) => t.mine).length, 1);
    const current = await a.find(ORDER_RESERVATIONS, key);
    assert.equal(current?.generation, 2);
    assert.equal(current?.code, 'Order-2002#2');
  });

  test('a lost answer to the reservation POST is resolved by re-reading the row (no second row, still mine)', async () => {
    const r = new Reservations(clientFor(sim.url), { holder: 'lossy' });
    sim.faults.failNext({ kind: '502', match: /^POST \/b1s\/v1\/U_B1H_ORDER_RES/, when: 'after' });
    const got = await r.reserve(ORDER_RESERVATIONS, 'gid://shopify/Order/3003');
    assert.equal(got.mine, true);
    sim.faults.failNext({ kind: 'reset', match: /^POST \/b1s\/v1\/U_B1H_ORDER_RES/, when: 'before' });
    const got2 = await r.reserve(ORDER_RESERVATIONS, 'gid://shopify/Order/3004');
    assert.equal(got2.mine, true);
    const rows = [...sim.state.store('U_B1H_ORDER_RES').values()].filter((x) => String(x.Code).startsWith('Order-300'));
    assert.equal(rows.length, 2);
  });

  test('a company without the table: a setup error naming init --fix, not a data error', async () => {
    const r = new Reservations(clientFor(sim.url));
    await assert.rejects(r.reserve({ name: 'NO_SUCH_RES', description: '' }, 'k'), (e: unknown) => e instanceof ReservationSetupError && e instanceof B1BusinessRuleError && /init --fix/.test((e as Error).message));
  });
});
