import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SCHEDULES, HubConfigError, loadHubConfigFile, loadHubSecrets, parseHubConfig } from '../../src/config/hub-config';
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
  assert.throws(() => loadHubSecrets(cfg, {}), (err: unknown) => {
    const m = (err as Error).message;
    return /B1_PASSWORD: not set/.test(m) && /SHOPIFY_ACCESS_TOKEN: not set/.test(m);
  });
  const secrets = loadHubSecrets(cfg, { B1_PASSWORD: 'pw-1', SHOPIFY_ACCESS_TOKEN: 'shpat_x' });
  assert.equal(secrets.b1Password, 'pw-1');
  const cc = parseHubConfig({ ...valid, shopify: { shop: 'acme.myshopify.com', auth: 'clientCredentials' } });
  assert.throws(() => loadHubSecrets(cc, { B1_PASSWORD: 'pw-1' }), /SHOPIFY_CLIENT_SECRET: not set[\s\S]*shopify\.clientId: not set/);
});
