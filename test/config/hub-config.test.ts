import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SCHEDULES,
  HubConfigError,
  ledgerBackoff,
  loadHubConfigFile,
  loadHubSecrets,
  parseHubConfig,
  webhooksEnabled,
} from '../../src/config/hub-config';
import { DEMO_MAPPING_CONFIG } from '../../src/mapping/config';

const valid = {
  b1: { baseUrl: 'https://sap.example.com:50000/b1s/v1', companyDb: 'SBODEMOUS', userName: 'manager' },
  shopify: { shop: 'acme.myshopify.com' },
  mapping: DEMO_MAPPING_CONFIG,
};

function problems(raw: unknown): string[] {
  try {
    parseHubConfig(raw, 'hub.json');
  } catch (err) {
    assert.ok(err instanceof HubConfigError);
    return err.problems;
  }
  return [];
}

test('a minimal file gets defaults for temporal and schedules', () => {
  const cfg = parseHubConfig(valid);
  assert.equal(cfg.temporal.taskQueue, 'b1-shopify-hub');
  assert.equal(cfg.temporal.namespace, 'default');
  assert.deepEqual(cfg.schedules, DEFAULT_SCHEDULES);
  assert.equal(cfg.b1.insecureSkipTlsVerify, false, 'TLS verification stays on unless turned off');
});

test('configured schedules replace the defaults per object', () => {
  const cfg = parseHubConfig({ ...valid, schedules: { order: { kind: 'interval', everyMinutes: 5, timezone: 'Europe/Berlin' } } });
  assert.equal(cfg.schedules.order.kind, 'interval');
  assert.deepEqual(cfg.schedules.customer, DEFAULT_SCHEDULES.customer);
});

test('every bad key is named with the reason', () => {
  const p = problems({
    ...valid,
    b1: { ...valid.b1, baseUrl: 'https://sap.example.com:50000/odata' },
    shopify: { shop: 'acme.com' },
    schedules: { order: { kind: 'daily', times: ['25:00'], timezone: 'UTC' } },
    temporal: { address: 'no-port' },
    colour: 'blue',
  });
  const text = p.join('\n');
  assert.match(text, /hub\.json: b1\.baseUrl: must end with \/b1s\/v1 or \/b1s\/v2/);
  assert.match(text, /hub\.json: shopify\.shop: must be <name>\.myshopify\.com/);
  assert.match(text, /hub\.json: schedules\.order\.times\.0: expected a 24-hour time/);
  assert.match(text, /hub\.json: temporal\.address: must be host:port/);
  assert.match(text, /colour/);
});

test('file errors name the file: unreadable and not JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hubcfg-'));
  assert.throws(() => loadHubConfigFile(join(dir, 'missing.json')), /missing\.json: cannot read the file \(ENOENT\)/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{ "b1": ');
  assert.throws(() => loadHubConfigFile(bad), /bad\.json: not valid JSON/);
});

test('secrets come from the environment, errors name the variable but never a value', () => {
  const cfg = parseHubConfig(valid);
  assert.throws(
    () => loadHubSecrets(cfg, {}),
    (err: unknown) => {
      const m = (err as Error).message;
      return /B1_PASSWORD: not set/.test(m) && /SHOPIFY_ACCESS_TOKEN: not set/.test(m);
    },
  );
  const secrets = loadHubSecrets(cfg, { B1_PASSWORD: 'pw-1', SHOPIFY_ACCESS_TOKEN: 'shpat_x' });
  assert.equal(secrets.b1Password, 'pw-1');
  const cc = parseHubConfig({ ...valid, shopify: { shop: 'acme.myshopify.com', auth: 'clientCredentials' } });
  assert.throws(() => loadHubSecrets(cc, { B1_PASSWORD: 'pw-1' }), /SHOPIFY_CLIENT_SECRET: not set[\s\S]*shopify\.clientId: not set/);
});

test('SHOPIFY_CLIENT_ID is read with the secrets, so the pipelines get it injected and never read the environment', () => {
  const cc = parseHubConfig({ ...valid, shopify: { shop: 'acme.myshopify.com', auth: 'clientCredentials' } });
  const secrets = loadHubSecrets(cc, { B1_PASSWORD: 'pw-1', SHOPIFY_CLIENT_SECRET: 's', SHOPIFY_CLIENT_ID: 'cid-1' });
  assert.equal(secrets.shopifyClientId, 'cid-1');
  const inFile = parseHubConfig({ ...valid, shopify: { shop: 'acme.myshopify.com', auth: 'clientCredentials', clientId: 'cid-file' } });
  assert.equal(
    loadHubSecrets(inFile, { B1_PASSWORD: 'pw-1', SHOPIFY_CLIENT_SECRET: 's', SHOPIFY_CLIENT_ID: '' }).shopifyClientId,
    undefined,
  );
});

test('b1.baseUrl: plain http to another host is refused; loopback http and the logged opt-out are allowed', () => {
  const at = (baseUrl: string, extra: Record<string, unknown> = {}) => ({ ...valid, b1: { ...valid.b1, baseUrl, ...extra } });
  for (const url of ['http://sap.example.com:50001/b1s/v1', 'http://10.0.0.5:50001/b1s/v2', 'http://[fe80::1]:50001/b1s/v1']) {
    const p = problems(at(url));
    assert.equal(p.length, 1, `${url}: ${p.join('; ')}`);
    assert.match(
      p[0]!,
      /^hub\.json: b1\.baseUrl: plain http to another host sends the B1 password and session cookie unencrypted; use https .*b1\.allowInsecureHttp: true/,
    );
  }
  for (const url of [
    'http://localhost:50001/b1s/v1',
    'http://127.0.0.1:4711/b1s/v2',
    'http://[::1]:50001/b1s/v1',
    'https://sap.example.com:50000/b1s/v1',
  ]) {
    const warnings: string[] = [];
    assert.doesNotThrow(() => parseHubConfig(at(url), 'hub.json', (m) => warnings.push(m)), url);
    assert.deepEqual(warnings, [], url);
  }
  const warnings: string[] = [];
  const cfg = parseHubConfig(at('http://sap.example.com:50001/b1s/v1', { allowInsecureHttp: true }), 'hub.json', (m) => warnings.push(m));
  assert.equal(cfg.b1.allowInsecureHttp, true);
  assert.deepEqual(warnings, [
    'hub.json: b1.allowInsecureHttp: the SAP B1 password and session cookie travel unencrypted to sap.example.com:50001; use https',
  ]);
  assert.equal(parseHubConfig(valid).b1.allowInsecureHttp, false, 'off unless set');
});

test('retries: the open-error back-off from the file, in minutes, defaults for what is left out; bad values named', () => {
  assert.deepEqual(ledgerBackoff(parseHubConfig(valid)), {}, 'nothing set: the ledger keeps its defaults');
  assert.deepEqual(ledgerBackoff(parseHubConfig({ ...valid, retries: { everyRunForMinutes: 30, maxPerRun: 100 } })), {
    everyRunForMs: 1_800_000,
    maxPerRun: 100,
  });
  assert.ok(problems({ ...valid, retries: { thenEveryMinutes: 0 } }).some((p) => p.startsWith('hub.json: retries.thenEveryMinutes')));
  assert.ok(
    problems({ ...valid, retries: { everyRun: 5 } }).some((p) => p.startsWith('hub.json: retries')),
    'unknown keys are refused',
  );
});

test('webhooks: off without a public URL, on with one; the secret is not a setting', () => {
  const off = parseHubConfig(valid);
  assert.equal(webhooksEnabled(off), false);
  assert.deepEqual(off.webhooks, { port: 8235, host: '127.0.0.1', path: '/webhooks/shopify' });
  const on = parseHubConfig({ ...valid, webhooks: { publicUrl: 'https://hub.example.com/webhooks/shopify', port: 9000 } });
  assert.equal(webhooksEnabled(on), true);
  assert.equal(on.webhooks.port, 9000);
  assert.equal(webhooksEnabled(parseHubConfig({ ...valid, webhooks: { publicUrl: 'https://hub.example.com/wh', enabled: false } })), false);
  assert.match(
    problems({ ...valid, webhooks: { publicUrl: 'not a url' } })[0]!,
    /hub\.json: webhooks\.publicUrl: must be the receiver's public URL/,
  );
  assert.match(problems({ ...valid, webhooks: { secret: 'x' } })[0]!, /hub\.json: webhooks/);
});
