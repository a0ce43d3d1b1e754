import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { B1TlsError } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { capturingLogger, clientFor, startSim } from './helpers';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throw-away CA and a server certificate for 127.0.0.1 signed by it. */
function makePki(dir: string): { caFile: string; key: Buffer; cert: Buffer } {
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=b1hub test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    'srv.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'srv.crt',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  return { caFile: join(dir, 'ca.crt'), key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.crt')) };
}

describe('B1 client TLS', { skip: hasOpenssl() ? false : 'openssl not available' }, () => {
  let sim: B1Simulator;
  let dir: string;
  let caFile: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'b1-tls-'));
    const pki = makePki(dir);
    caFile = pki.caFile;
    sim = await startSim({ tls: { key: pki.key, cert: pki.cert }, seed: { items: 3, customers: 1 } });
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('simulator serves https', () => {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+\/b1s\/v1$/);
  });

  test('custom CA file: verified connection works', async () => {
    const logger = capturingLogger();
    const c = clientFor(sim.url, { tls: { caFile }, logger });
    assert.equal((await c.getItem('A00001', ['ItemCode'])).ItemCode, 'A00001');
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 0);
  });

  test('without the CA the certificate is rejected with a typed, non-retried error', async () => {
    const c = clientFor(sim.url);
    await assert.rejects(c.getItem('A00001'), (e: unknown) => {
      assert.ok(e instanceof B1TlsError, String(e));
      assert.match(e.message, /caFile/);
      return true;
    });
  });

  test('insecure switch works only when asked, and says so', async () => {
    const logger = capturingLogger();
    const c = clientFor(sim.url, { tls: { insecure: true }, logger });
    assert.equal((await c.getItem('A00002', ['ItemCode'])).ItemCode, 'A00002');
    const warns = logger.lines.filter((l) => l.level === 'warn');
    assert.equal(warns.length, 1);
    assert.match(warns[0]!.msg ?? '', /verification .* DISABLED/);
  });
});
