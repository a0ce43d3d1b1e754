import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSim } from './helpers';

/** A CA and a server certificate for 127.0.0.1, made with openssl for this run only. */
function makeCerts(dir: string): { ca: string; key: string; cert: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=b1hub test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run([
    'x509',
    '-req',
    '-in',
    'srv.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'srv.pem',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  ]);
  return { ca: join(dir, 'ca.pem'), key: join(dir, 'srv.key'), cert: join(dir, 'srv.pem') };
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

test(
  'https simulator: the production client reaches it when the CA is trusted, and refuses it otherwise',
  { skip: hasOpenssl() ? false : 'openssl is not installed' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shopify-tls-'));
    const certs = makeCerts(dir);
    const sim = await startSim({ seed: false, tls: { key: readFileSync(certs.key), cert: readFileSync(certs.cert) } });
    try {
      assert.equal(sim.protocol, 'https');
      const script = join(dir, 'probe.ts');
      writeFileSync(
        script,
        `import { ShopifyClient, Secret } from ${JSON.stringify(resolve(__dirname, '../../src/connectors/shopify'))};
const c = new ShopifyClient({ shop: 'tls-probe.myshopify.com', endpoint: ${JSON.stringify(sim.url)}, auth: { kind: 'accessToken', accessToken: new Secret('shpat_demo') } }, { maxAttempts: 1 });
c.shop().then((s) => console.log('OK ' + s.myshopifyDomain), (e) => console.log('FAIL ' + e.message));
`,
      );
      const probe = (env: NodeJS.ProcessEnv) =>
        new Promise<string>((res) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script], {
            env,
            stdio: ['ignore', 'pipe', 'pipe'],
            cwd: resolve(__dirname, '../..'),
          });
          let out = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.on('exit', () => res(out.trim()));
        });
      const trusted = await probe({ ...process.env, NODE_EXTRA_CA_CERTS: certs.ca });
      assert.match(trusted, /^OK b1hub-demo\.myshopify\.com$/);
      const untrusted = await probe({ ...process.env, NODE_EXTRA_CA_CERTS: '' });
      assert.match(untrusted, /^FAIL .*(CERT|SIGNATURE|certificate)/i, untrusted);
    } finally {
      await sim.close();
    }
  },
);
