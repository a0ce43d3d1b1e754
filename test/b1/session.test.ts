import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { B1SessionError } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, loginCount, startSim, CREDS } from './helpers';

describe('B1 session handling over HTTP', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startSim({ sessionTimeoutMinutes: 30 });
  });
  after(() => sim.close());

  test('login sets B1SESSION and ROUTEID; wrong credentials get 401/-304', async () => {
    const ok = await fetch(`${sim.url}/Login`, {
      method: 'POST',
      body: JSON.stringify({ CompanyDB: 'SBODEMOUS', UserName: 'manager', Password: '1234' }),
    });
    assert.equal(ok.status, 200);
    const cookies = ok.headers.getSetCookie();
    assert.ok(cookies.some((c) => c.startsWith('B1SESSION=')));
    assert.ok(cookies.some((c) => c.startsWith('ROUTEID=')));
    const body = (await ok.json()) as Record<string, unknown>;
    assert.equal(body.SessionTimeout, 30);
    assert.match(String(body['odata.metadata']), /\$metadata#B1Sessions\/@Element$/);

    const bad = await fetch(`${sim.url}/Login`, {
      method: 'POST',
      body: JSON.stringify({ CompanyDB: 'SBODEMOUS', UserName: 'manager', Password: 'nope' }),
    });
    assert.equal(bad.status, 401);
    assert.deepEqual(await bad.json(), { error: { code: -304, message: { lang: 'en-us', value: 'Fail to get DB Credentials from SLD' } } });
  });

  test('paths are case-sensitive and need a session: POST /login → 401/301', async () => {
    const r = await fetch(`${sim.url}/login`, {
      method: 'POST',
      body: JSON.stringify({ CompanyDB: 'SBODEMOUS', UserName: 'manager', Password: '1234' }),
    });
    assert.equal(r.status, 401);
    const j = (await r.json()) as { error: { code: number } };
    assert.equal(j.error.code, 301);
  });

  test('concurrent callers share one login (single-flight)', async () => {
    const c = clientFor(sim.url);
    const before = loginCount(sim);
    const items = await Promise.all(Array.from({ length: 8 }, (_, i) => c.getItem(`A0000${i + 1}`, ['ItemCode'])));
    assert.equal(items.length, 8);
    assert.equal(loginCount(sim) - before, 1);
  });

  test('a rejected login is not retried in a loop and never leaks the password', async () => {
    const c = clientFor(sim.url, { password: 'secret-wrong' });
    const before = loginCount(sim);
    await assert.rejects(c.getItem('A00001'), (e: unknown) => {
      assert.ok(e instanceof B1SessionError);
      assert.doesNotMatch(e.message, /secret-wrong/);
      assert.match(e.message, /Fail to get DB Credentials from SLD/);
      return true;
    });
    await assert.rejects(c.getItem('A00002'), B1SessionError);
    assert.equal(loginCount(sim) - before, 1, 'the second call fails fast within the cool-down');
  });

  test('idle timeout mid-paging: 401/301, one re-login, paging completes', async () => {
    const c = clientFor(sim.url, { maxPageSize: 10 });
    const before = loginCount(sim);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of c.pages('Items', { select: ['ItemCode'], orderby: 'ItemCode' })) {
      pages++;
      seen.push(...page.value.map((i) => String(i.ItemCode)));
      // Let the session idle past SessionTimeout on the server between pages (server clock only).
      if (pages === 2) sim.state.clock.advance(31 * 60_000);
    }
    assert.equal(seen.length, 60);
    assert.equal(new Set(seen).size, 60);
    assert.equal(loginCount(sim) - before, 2, 'initial login + exactly one re-login');
    sim.state.clock.set(null);
  });

  test('forced expiry (fault switch) is healed by one re-login and replay', async () => {
    const c = clientFor(sim.url);
    await c.login();
    sim.faults.expireSessions();
    const before = loginCount(sim);
    const it = await c.getItem('A00003', ['ItemCode', 'ItemName']);
    assert.equal(it.ItemCode, 'A00003');
    assert.equal(loginCount(sim) - before, 1);
  });

  test('many requests hitting an expired session at once cause exactly one re-login', async () => {
    const c = clientFor(sim.url);
    await c.login();
    sim.faults.expireSessions();
    const before = loginCount(sim);
    const got = await Promise.all(Array.from({ length: 10 }, (_, i) => c.getItem(`A000${String(i + 10)}`, ['ItemCode'])));
    assert.equal(got.length, 10);
    assert.equal(loginCount(sim) - before, 1);
  });

  test('logout invalidates the session on the server', async () => {
    const r = await fetch(`${sim.url}/Login`, {
      method: 'POST',
      body: JSON.stringify({ CompanyDB: CREDS.companyDb, UserName: CREDS.userName, Password: CREDS.password }),
    });
    const cookie = r.headers
      .getSetCookie()
      .map((x) => x.split(';')[0])
      .join('; ');
    assert.equal((await fetch(`${sim.url}/Items('A00001')?$select=ItemCode`, { headers: { Cookie: cookie } })).status, 200);
    assert.equal((await fetch(`${sim.url}/Logout`, { method: 'POST', headers: { Cookie: cookie } })).status, 204);
    assert.equal((await fetch(`${sim.url}/Items('A00001')?$select=ItemCode`, { headers: { Cookie: cookie } })).status, 401);
  });
});
