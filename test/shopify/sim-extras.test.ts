import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { shopifyApi, ApiVersion, LogSeverity } from '@shopify/shopify-api';
import '../../src/connectors/shopify';
import { clientFor, ensureSchema, rawGraphQL, startSim } from './helpers';
import { generateShopifySeed, signWebhook } from '../../src/sim/shopify';

async function receiver(): Promise<{
  url: string;
  got: { headers: IncomingMessage['headers']; body: string; req: IncomingMessage }[];
  close: () => Promise<void>;
  failFirst: { n: number };
}> {
  const got: { headers: IncomingMessage['headers']; body: string; req: IncomingMessage }[] = [];
  const failFirst = { n: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failFirst.n > 0) {
        failFirst.n--;
        res.writeHead(500).end();
        return;
      }
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), req });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    got,
    failFirst,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('simulator extras', () => {
  test('seed generator is deterministic and references the given SKUs', () => {
    const a = generateShopifySeed({ customers: 20, orders: 15, skus: ['X1', 'X2', 'X3'], seed: 7, badCustomers: 3 });
    const b = generateShopifySeed({ customers: 20, orders: 15, skus: ['X1', 'X2', 'X3'], seed: 7, badCustomers: 3 });
    assert.deepEqual(a, b);
    assert.equal(Object.keys(a.customers).length, 23);
    assert.deepEqual(
      Object.values(a.locations).map((l) => l.name),
      ['Warehouse 01', 'Warehouse 02'],
    );
    const skus = new Set(Object.values(a.orders).flatMap((o) => o.lineItems.map((l) => l.sku)));
    assert.ok([...skus].every((s) => ['X1', 'X2', 'X3'].includes(s as string)));
    assert.ok(Object.values(a.orders).every((o) => o.financialStatus === 'PAID'));
    assert.ok(
      Object.values(a.customers).some((c) => c.email === null || !/^[^@]+@[^@]+\.[^@]+$/.test(c.email)),
      'bad data when asked',
    );
    const clean = generateShopifySeed({ customers: 20, orders: 0, skus: [], seed: 7 });
    assert.ok(Object.values(clean.customers).every((c) => c.email && /^[^@]+@[^@.]+\.\w+$/.test(c.email)));
  });

  test('webhooks: signed exactly as Shopify (validated by @shopify/shopify-api), duplicates and retries', async () => {
    const rx = await receiver();
    const secret = 'whsec-test-secret';
    const sim = await startSim({ seed: false, webhooks: { url: rx.url, secret, mode: 'duplicate', retryDelaysMs: [20, 20] } });
    try {
      rx.failFirst.n = 1; // first delivery attempt fails: retried
      const c = sim.createCustomer({ firstName: 'Hook', email: 'hook@example.com' });
      await until(() => rx.got.length >= 2);
      const d = rx.got[0]!;
      assert.equal(d.headers['x-shopify-topic'], 'customers/create');
      assert.equal(d.headers['x-shopify-hmac-sha256'], signWebhook(d.body, secret));
      for (const h of [
        'x-shopify-shop-domain',
        'x-shopify-api-version',
        'x-shopify-webhook-id',
        'x-shopify-event-id',
        'x-shopify-triggered-at',
      ])
        assert.ok(d.headers[h], h);
      const body = JSON.parse(d.body) as { id: number; admin_graphql_api_id: string; email: string };
      assert.equal(body.id, c.id);
      assert.equal(body.admin_graphql_api_id, `gid://shopify/Customer/${c.id}`);
      assert.equal(rx.got[1]!.headers['x-shopify-webhook-id'], d.headers['x-shopify-webhook-id'], 'duplicate keeps the webhook id');
      const lib = shopifyApi({
        apiSecretKey: secret,
        apiVersion: ApiVersion.July26,
        hostName: 'hub.invalid',
        isEmbeddedApp: false,
        isCustomStoreApp: true,
        adminApiAccessToken: 'shpat_x',
        logger: { level: LogSeverity.Error, log: async () => undefined },
      });
      const valid = await lib.webhooks.validate({ rawBody: d.body, rawRequest: d.req, rawResponse: {} as never });
      assert.equal(valid.valid, true);
      const tampered = await lib.webhooks.validate({
        rawBody: d.body.replace('Hook', 'Hack'),
        rawRequest: d.req,
        rawResponse: {} as never,
      });
      assert.equal(tampered.valid, false);
    } finally {
      await sim.close();
      await rx.close();
    }
  });

  test('webhooks: out-of-order mode releases held deliveries newest first', async () => {
    const rx = await receiver();
    const sim = await startSim({
      seed: false,
      webhooks: { url: rx.url, secret: 's', mode: 'out-of-order', holdMs: 50, topics: ['customers/create'] },
    });
    try {
      const ids = [
        sim.createCustomer({ firstName: 'A' }).id,
        sim.createCustomer({ firstName: 'B' }).id,
        sim.createCustomer({ firstName: 'C' }).id,
      ];
      await until(() => rx.got.length >= 3);
      assert.deepEqual(
        rx.got.map((g) => (JSON.parse(g.body) as { id: number }).id),
        [...ids].reverse(),
      );
    } finally {
      await sim.close();
      await rx.close();
    }
  });

  test('control API for an out-of-process simulator, and latency injection', async () => {
    const sim = await startSim({ seed: { customers: 2, orders: 0, skus: ['CT-1'] } });
    try {
      const post = (path: string, body: unknown, token = sim.accessToken) =>
        fetch(`${sim.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
          body: JSON.stringify(body),
        });
      assert.equal((await post('/_sim/orders', { lines: [{ sku: 'CT-1', quantity: 2 }] }, 'nope')).status, 401);
      const created = (await (
        await post('/_sim/orders', { customerId: Object.keys(sim.state.data.customers)[0], lines: [{ sku: 'CT-1', quantity: 2 }] })
      ).json()) as { id: string };
      assert.match(created.id, /^gid:\/\/shopify\/Order\/\d+$/);
      assert.equal((await post(`/_sim/orders/${encodeURIComponent(created.id)}/cancel`, { reason: 'STAFF' })).status, 200);
      assert.equal((await post('/_sim/inventory', { sku: 'CT-1', location: 'Warehouse 01', available: 77 })).status, 200);
      const client = clientFor(sim);
      const [v] = (await client.variantsBySkus(['CT-1'])).get('CT-1')!;
      const levels = await client.inventoryLevels([v!.inventoryItem.id]);
      assert.ok(levels.some((l) => l.available === 77));
      const [o] = await client.ordersByIds([created.id]);
      assert.equal(o?.cancelReason, 'STAFF');
      sim.faults.add({ kind: 'latency', ms: 300 });
      const t = Date.now();
      await client.shop();
      assert.ok(Date.now() - t >= 300);
    } finally {
      await sim.close();
    }
  });

  test('state file: data survives a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'shopify-sim-')), 'state.json');
    const a = await startSim({ stateFile: file, seed: { customers: 1, orders: 0, skus: [] } });
    const c = a.createCustomer({ firstName: 'Persisted', email: 'persisted@example.com' });
    await a.close();
    assert.ok(existsSync(file));
    const b = await startSim({ stateFile: file });
    try {
      const r = await rawGraphQL(b, `{ customer(id: "gid://shopify/Customer/${c.id}") { firstName } }`);
      assert.equal(r.body.data.customer.firstName, 'Persisted');
    } finally {
      await b.close();
    }
  });

  test('a sort key the schema allows but the simulator does not model is refused, never replaced by ID order', async () => {
    ensureSchema();
    const sim = await startSim({ seed: { customers: 0, orders: 0, skus: ['SK-1', 'SK-2'] } });
    try {
      const ok = await rawGraphQL(sim, '{ products(first: 2, sortKey: TITLE) { nodes { title } } }');
      assert.equal(ok.status, 200);
      assert.equal(ok.body.errors, undefined, JSON.stringify(ok.body.errors));
      const refused = await rawGraphQL(sim, '{ productVariants(first: 2, sortKey: FULL_TITLE) { nodes { id } } }');
      assert.equal(refused.body.errors?.[0]?.extensions?.code, 'NOT_IMPLEMENTED', JSON.stringify(refused.body));
      assert.match(refused.body.errors[0].message, /sortKey FULL_TITLE/);
    } finally {
      await sim.close();
    }
  });

  test('asynchronous productSet reports through productOperation', async () => {
    const sim = await startSim({ seed: false });
    try {
      const r = await rawGraphQL(
        sim,
        'mutation { productSet(input: { title: "Async" }, synchronous: false) { product { id } productSetOperation { id status } userErrors { message } } }',
      );
      assert.equal(r.body.data.productSet.product, null);
      const opId = r.body.data.productSet.productSetOperation.id as string;
      await new Promise((res) => setTimeout(res, 50));
      const op = await rawGraphQL(sim, `{ productOperation(id: "${opId}") { status product { title } } }`);
      assert.equal(op.body.data.productOperation.status, 'COMPLETE');
      assert.equal(op.body.data.productOperation.product.title, 'Async');
    } finally {
      await sim.close();
    }
  });

  test('standalone entry point prints one start-up line with the scheme and URL', async () => {
    ensureSchema();
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../src/sim/shopify/main.ts'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((res, rej) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) res(out.split('\n')[0] as string);
        });
        child.on('exit', (code) => rej(new Error(`exited ${code}`)));
        setTimeout(() => rej(new Error('no start-up line')), 20_000).unref();
      });
      assert.match(line, /^Shopify simulator listening over http at http:\/\/127\.0\.0\.1:\d+\/admin\/api\/2026-07\/graphql\.json/);
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
      const r = await fetch(`${url}/admin/api/2026-07/graphql.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-access-token': 'shpat_demo' },
        body: JSON.stringify({ query: '{ shop { name } }' }),
      });
      assert.equal(r.status, 200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
