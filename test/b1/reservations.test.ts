/**
 * Reservations in a user-defined table whose Code B1 keeps unique: the simulator's UDT support
 * (UserTablesMD, `U_<TABLE>` rows, duplicate Code refused) and the connector primitive on top.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  B1BusinessRuleError,
  ORDER_RESERVATIONS,
  ReservationSetupError,
  Reservations,
  ensureUserTables,
  type ReservationTable,
} from '../../src/connectors/b1';
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
    const mk = await http('/UserTablesMD', {
      method: 'POST',
      body: JSON.stringify({ TableName: 'TESTTBL', TableDescription: 'Test', TableType: 'bott_NoObject' }),
    });
    assert.equal(mk.status, 201);
    assert.equal(((await mk.json()) as { TableType: string }).TableType, 'bott_NoObject');
    assert.equal((await http('/UserTablesMD', { method: 'POST', body: JSON.stringify({ TableName: 'TESTTBL' }) })).status, 400);
    const fld = await http('/UserFieldsMD', {
      method: 'POST',
      body: JSON.stringify({ TableName: '@TESTTBL', Name: 'Note', Type: 'db_Alpha', Size: 20 }),
    });
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
    assert.equal(
      (await http('/UserFieldsMD', { method: 'POST', body: JSON.stringify({ TableName: '@NOTABLE', Name: 'X' }) })).status,
      400,
      'fields only on existing tables',
    );
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
    const mk = (holder: string) => new Reservations(clientFor(sim.url), { holder, staleAfterMs: 60_000 });
    const a = mk('a');
    const key = 'gid://shopify/Order/2002';
    const first = await a.reserve(ORDER_RESERVATIONS, key);
    assert.ok(first.mine);
    const others = [mk('b'), mk('c'), mk('d')];
    const seen = await others[0]!.find(ORDER_RESERVATIONS, key);
    assert.ok(seen);
    assert.equal(others[0]!.isStale(seen), false);
    // B1's clock moves on; the next answer tells the hub.
    sim.state.clock.advance(61_000);
    try {
      await others[0]!.find(ORDER_RESERVATIONS, key);
      assert.equal(others[0]!.isStale(seen), true);
    } finally {
      sim.state.clock.advance(-61_000);
    }
    const takes = await Promise.all(others.map((r) => r.takeOver(seen)));
    assert.equal(takes.filter((t) => t.mine).length, 1);
    const current = await a.find(ORDER_RESERVATIONS, key);
    assert.equal(current?.generation, 2);
    assert.equal(current?.code, 'Order-2002#2');
  });

  test('simulator: every answer carries an HTTP Date from the server clock (error pages of the balancer too)', async () => {
    const http = await rawSession(sim.url);
    sim.state.clock.set(new Date('2031-02-03T04:05:06Z'));
    try {
      assert.equal((await http('/Items?$top=1')).headers.get('date'), 'Mon, 03 Feb 2031 04:05:06 GMT');
      assert.equal((await http("/Items('NOPE')")).headers.get('date'), 'Mon, 03 Feb 2031 04:05:06 GMT', 'a 404 too');
      sim.faults.failNext({ kind: '502', match: /^GET \/b1s\/v1\/Items/ });
      assert.equal((await http('/Items?$top=1')).headers.get('date'), 'Mon, 03 Feb 2031 04:05:06 GMT', 'an Apache error page too');
    } finally {
      sim.state.clock.set(null);
    }
  });

  test("clocks that disagree: reservations are stamped and judged on B1 time, whatever the hubs' clocks say", async () => {
    const HOURS = 3 * 3_600_000;
    const hub = (holder: string, skewMs: number) =>
      new Reservations(clientFor(sim.url, { localClock: () => Date.now() + skewMs }), { holder });
    const key = 'gid://shopify/Order/5005';
    // Hub A's clock runs hours behind: its stamp is still B1's time.
    const a = hub('hub-a', -HOURS);
    const got = await a.reserve(ORDER_RESERVATIONS, key);
    assert.ok(got.mine);
    assert.ok(
      Math.abs(Date.parse(got.reservation.takenAt) - sim.state.clock.now().getTime()) < 5_000,
      `stamped ${got.reservation.takenAt} on B1's clock`,
    );
    const ahead = hub('hub-ahead', HOURS);
    const behind = hub('hub-behind', -HOURS);
    const check = async (r: Reservations) => {
      const held = await r.find(ORDER_RESERVATIONS, key);
      assert.ok(held && !held.target);
      return r.isStale(held);
    };
    assert.equal(await check(ahead), false, 'a hub hours ahead does not see a fresh reservation as stale');
    assert.equal(await check(behind), false);
    const step = (ms: number) => sim.state.clock.advance(ms);
    let moved = 0;
    try {
      step(14 * 60_000);
      moved += 14 * 60_000;
      assert.equal(await check(ahead), false, '14 minutes of B1 time: still held');
      assert.equal(await check(behind), false);
      step(2 * 60_000);
      moved += 2 * 60_000;
      assert.equal(await check(ahead), true, '16 minutes of B1 time: stale for the hub ahead');
      assert.equal(await check(behind), true, 'and for the hub behind (not hours later)');
      const held = (await ahead.find(ORDER_RESERVATIONS, key))!;
      const takes = await Promise.all([ahead.takeOver(held), behind.takeOver(held)]);
      assert.equal(takes.filter((t) => t.mine).length, 1);
    } finally {
      step(-moved);
    }
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
    await assert.rejects(
      r.reserve({ name: 'NO_SUCH_RES', description: '' }, 'k'),
      (e: unknown) => e instanceof ReservationSetupError && e instanceof B1BusinessRuleError && /init --fix/.test((e as Error).message),
    );
  });
});
