/**
 * Each client reaches its own endpoint: routing is per client (its own fetch), not a process-wide
 * table where the last client made for a shop name redirects every other client's requests.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShopifyClient, Secret } from '../../src/connectors/shopify';
import { startSim } from './helpers';
import type { ShopifySimulator } from '../../src/sim/shopify';

let a: ShopifySimulator;
let b: ShopifySimulator;

before(async () => {
  a = await startSim({ shopName: 'shop-a' });
  b = await startSim({ shopName: 'shop-b' });
});

after(async () => {
  await a?.close();
  await b?.close();
});

function client(sim: ShopifySimulator, endpoint = sim.url): ShopifyClient {
  return new ShopifyClient({
    shop: 'same-name.myshopify.com',
    endpoint,
    auth: { kind: 'accessToken', accessToken: new Secret(sim.accessToken) },
  });
}

test('two clients for the same shop name each reach their own endpoint', async () => {
  const first = client(a);
  const second = client(b);
  // Interleaved, and concurrently: neither client's requests follow the other's endpoint.
  assert.equal((await first.shop()).name, 'shop-a');
  assert.equal((await second.shop()).name, 'shop-b');
  const [x, y] = await Promise.all([first.shop(), second.shop()]);
  assert.deepEqual([x.name, y.name], ['shop-a', 'shop-b']);
});

test('an endpoint override is validated when the client is made: plain http only for loopback', () => {
  assert.throws(() => client(a, 'http://shop.example.com:8080'), /plain http is only allowed for loopback/);
  assert.throws(() => client(a, 'ftp://127.0.0.1:21'), /unsupported scheme/);
});
