import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { shopifyConfigFromEnv, Secret, updatedSinceQuery, searchValue } from '../../src/connectors/shopify';

test('config from the environment: access token or client credentials, errors name variables not values', () => {
  const a = shopifyConfigFromEnv({ SHOPIFY_SHOP: 'acme.myshopify.com', SHOPIFY_ACCESS_TOKEN: 'shpat_secret_value' });
  assert.equal(a.auth.kind, 'accessToken');
  assert.equal(a.apiVersion, '2026-07');
  assert.ok(!JSON.stringify(a).includes('shpat_secret_value'));
  assert.ok(!inspect(a, { depth: 5 }).includes('shpat_secret_value'));
  assert.ok(!`${a.auth.kind === 'accessToken' ? a.auth.accessToken : ''}`.includes('shpat_secret_value'));
  const cc = shopifyConfigFromEnv({
    SHOPIFY_SHOP: 'acme.myshopify.com',
    SHOPIFY_CLIENT_ID: 'id',
    SHOPIFY_CLIENT_SECRET: 'cs_value',
    SHOPIFY_ENDPOINT: 'http://127.0.0.1:8081',
  });
  assert.equal(cc.auth.kind, 'clientCredentials');
  assert.equal(cc.endpoint, 'http://127.0.0.1:8081');
  assert.throws(
    () => shopifyConfigFromEnv({ SHOPIFY_SHOP: 'acme.myshopify.com' }),
    /SHOPIFY_ACCESS_TOKEN, or SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET/,
  );
  assert.throws(
    () => shopifyConfigFromEnv({ SHOPIFY_SHOP: 'not a shop', SHOPIFY_ACCESS_TOKEN: 'shpat_secret_value' }),
    (e: unknown) => e instanceof Error && /SHOPIFY_SHOP/.test(e.message) && !e.message.includes('shpat_secret_value'),
  );
  assert.equal(new Secret('x').reveal(), 'x');
});

test('delta query: watermark minus overlap, quoted, and search values escaped', () => {
  assert.equal(updatedSinceQuery('2026-11-01T10:00:00Z', 5 * 60_000), "updated_at:>='2026-11-01T09:55:00Z'");
  assert.equal(updatedSinceQuery(null), null);
  assert.throws(() => updatedSinceQuery('yesterday'), RangeError);
  assert.equal(searchValue("O'Neil\\"), "'O\\'Neil\\\\'");
});
