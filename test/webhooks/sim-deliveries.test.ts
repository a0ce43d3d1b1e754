/**
 * The simulator's webhook side without Temporal: subscription API against the real schema,
 * retries on non-2xx and on the 5-second budget (compressed), faults, and the receiver's answer
 * when Temporal cannot take the hint (5xx, so Shopify retries).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { startShopifySimulator, signWebhook, SHOPIFY_RETRY_DELAYS_MS, type ShopifySimulator } from '../../src/sim/shopify';
import { Secret } from '../../src/connectors/shopify/secret';
import { checkSubscriptions } from '../../src/connectors/shopify/webhook-subscriptions';
import { startWebhookReceiver } from '../../src/webhooks';

type Hit = { headers: IncomingMessage['headers']; body: string; at: number };

async function receiver(answer: (n: number) => number | 'hang'): Promise<{ url: string; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const a = answer(hits.length);
      if (a === 'hang') return; // never answers: the sender's time limit decides
      res.writeHead(a).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    hits,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('simulator webhooks', () => {
  let sim: ShopifySimulator;
  const secret = 'shpss_test';
  before(async () => {
    sim = await startShopifySimulator({ seed: false, clientSecret: secret, webhooks: { secret, timeScale: 0.0005, timeoutMs: 300 } });
  });
  after(async () => sim?.close());

  const gql = async (query: string, variables: Record<string, unknown> = {}, version = '2026-07') => {
    const res = await fetch(`${sim.url}/admin/api/${version}/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': sim.accessToken },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- GraphQL answers are checked field by field
      data?: Record<string, any>;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  };
  const CREATE = `mutation($topic: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: $s) { webhookSubscription { id topic uri callbackUrl apiVersion { handle } format } userErrors { field message } } }`;
  const clear = async () => {
    const list = await gql('{ webhookSubscriptions(first: 50) { nodes { id } } }');
    for (const n of list.data!.webhookSubscriptions.nodes)
      await gql('mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }', {
        id: n.id,
      });
  };

  test('subscription API: uri or deprecated callbackUrl, userErrors, topic and version filters, unsupported arguments refused', async () => {
    const rx = await receiver(() => 200);
    try {
      const a = await gql(CREATE, { topic: 'ORDERS_CREATE', s: { uri: rx.url, format: 'JSON' } }, '2026-04');
      assert.deepEqual(a.data!.webhookSubscriptionCreate.userErrors, []);
      assert.equal(a.data!.webhookSubscriptionCreate.webhookSubscription.apiVersion.handle, '2026-04');
      assert.equal(a.data!.webhookSubscriptionCreate.webhookSubscription.callbackUrl, rx.url);
      const old = await gql(CREATE, { topic: 'ORDERS_PAID', s: { uri: rx.url } }, '2025-07');
      assert.match(old.errors?.[0]?.message ?? '', /'uri'.*not defined in API version 2025-07/, 'uri arrived in 2025-10');
      const b = await gql(CREATE, { topic: 'ORDERS_CREATE', s: { callbackUrl: rx.url } });
      assert.match(b.data!.webhookSubscriptionCreate.userErrors[0].message, /already been taken/);
      const c = await gql(CREATE, { topic: 'ORDERS_CREATE', s: {} });
      assert.deepEqual(c.data!.webhookSubscriptionCreate.userErrors[0], {
        field: ['webhookSubscription', 'uri'],
        message: "Address can't be blank",
      });
      const d = await gql(CREATE, { topic: 'ORDERS_CREATE', s: { uri: 'https://example.com/hooks' } });
      assert.match(d.data!.webhookSubscriptionCreate.userErrors[0].message, /loopback/);
      const e = await gql(CREATE, { topic: 'NOT_A_TOPIC', s: { uri: rx.url } });
      assert.ok(e.errors?.length, 'an unknown enum value is a GraphQL error');
      const f = await gql(CREATE, { topic: 'CUSTOMERS_CREATE', s: { uri: rx.url, filter: 'id:1' } });
      assert.match(f.data!.webhookSubscriptionCreate.userErrors[0].message, /not implemented/);
      await gql(CREATE, { topic: 'CUSTOMERS_CREATE', s: { uri: rx.url } });
      const byTopic = await gql('{ webhookSubscriptions(first: 10, topics: [CUSTOMERS_CREATE]) { nodes { topic uri } } }');
      assert.deepEqual(byTopic.data!.webhookSubscriptions.nodes, [{ topic: 'CUSTOMERS_CREATE', uri: rx.url }]);
      const q = await gql('{ webhookSubscriptions(first: 10, query: "topic:x") { nodes { id } } }');
      assert.equal(q.errors?.[0]?.extensions?.code, 'NOT_IMPLEMENTED');
      const missing = await gql(
        'mutation { webhookSubscriptionDelete(id: "gid://shopify/WebhookSubscription/1") { deletedWebhookSubscriptionId userErrors { field message } } }',
      );
      assert.deepEqual(missing.data!.webhookSubscriptionDelete.userErrors, [
        { field: ['id'], message: 'Webhook subscription does not exist' },
      ]);
    } finally {
      await clear();
      await rx.close();
    }
  });

  test('a delivery: Shopify headers, HMAC of the raw body, REST-shaped payload; one event id across subscriptions', async () => {
    const rx1 = await receiver(() => 200);
    const rx2 = await receiver(() => 200);
    try {
      await gql(CREATE, { topic: 'CUSTOMERS_CREATE', s: { uri: rx1.url } });
      await gql(CREATE, { topic: 'CUSTOMERS_CREATE', s: { uri: rx2.url } });
      const c = sim.createCustomer({ email: 'hook@example.com', firstName: 'Hook' });
      const [h1, h2] = await waitFor('both deliveries', () =>
        rx1.hits.length && rx2.hits.length ? [rx1.hits[0]!, rx2.hits[0]!] : undefined,
      );
      assert.equal(h1.headers['x-shopify-topic'], 'customers/create');
      assert.equal(h1.headers['x-shopify-hmac-sha256'], signWebhook(h1.body, secret));
      assert.equal(h1.headers['x-shopify-shop-domain'], sim.shopDomain);
      assert.equal(h1.headers['x-shopify-api-version'], '2026-07');
      assert.ok(h1.headers['x-shopify-triggered-at']);
      assert.equal(h1.headers['x-shopify-event-id'], h2.headers['x-shopify-event-id'], 'one event');
      assert.notEqual(h1.headers['x-shopify-webhook-id'], h2.headers['x-shopify-webhook-id'], 'two deliveries');
      const body = JSON.parse(h1.body) as Record<string, unknown>;
      assert.equal(body.id, c.id);
      assert.equal(body.admin_graphql_api_id, `gid://shopify/Customer/${c.id}`);
      assert.ok(body.updated_at);
    } finally {
      await clear();
      await rx1.close();
      await rx2.close();
    }
  });

  test("non-2xx and a receiver past the time limit are retried on Shopify's schedule (compressed), with the same bytes and ids", async () => {
    const rx = await receiver((n) => (n === 1 ? 500 : n === 2 ? 'hang' : 200));
    try {
      await gql(CREATE, { topic: 'CUSTOMERS_CREATE', s: { uri: rx.url } });
      sim.createCustomer({ email: 'retry@example.com' });
      await waitFor('the third attempt', () => rx.hits.length >= 3);
      const [a, b, c] = rx.hits as [Hit, Hit, Hit];
      assert.equal(new Set([a.body, b.body, c.body]).size, 1, 'the payload is frozen');
      assert.equal(new Set([a, b, c].map((h) => h.headers['x-shopify-webhook-id'])).size, 1);
      // 60 s × 0.0005 = 30 ms after the 500; the hang costs the 300 ms limit plus 120 s × 0.0005 = 60 ms.
      assert.ok(b.at - a.at >= SHOPIFY_RETRY_DELAYS_MS[0]! * 0.0005 - 5);
      assert.ok(c.at - b.at >= 300 + SHOPIFY_RETRY_DELAYS_MS[1]! * 0.0005 - 5);
      const d = sim.webhooks.deliveries.at(-1)!;
      await waitFor('delivered', () => d.delivered);
      assert.deepEqual(
        d.log.map((x) => x.status ?? x.error),
        [500, 'timeout', 200],
      );
    } finally {
      await clear();
      await rx.close();
    }
  });

  test('faults: duplicated deliveries repeat the ids, reordered ones arrive newest first, delayed ones late', async () => {
    const rx = await receiver(() => 200);
    try {
      await gql(CREATE, { topic: 'CUSTOMERS_CREATE', s: { uri: rx.url } });
      sim.webhooks.setFaults({ duplicate: 1 });
      sim.createCustomer({ email: 'dup@example.com' });
      await waitFor('two copies', () => rx.hits.length >= 2);
      assert.equal(rx.hits[0]!.headers['x-shopify-event-id'], rx.hits[1]!.headers['x-shopify-event-id']);
      rx.hits.length = 0;
      sim.webhooks.setFaults({ reorderWindowMs: 100 });
      const first = sim.createCustomer({ email: 'one@example.com' });
      const second = sim.createCustomer({ email: 'two@example.com' });
      await waitFor('both', () => rx.hits.length >= 2);
      assert.deepEqual(
        rx.hits.map((h) => (JSON.parse(h.body) as { id: number }).id),
        [second.id, first.id],
      );
      rx.hits.length = 0;
      sim.webhooks.setFaults({ reorderWindowMs: 0, delayMs: 300 });
      const t0 = Date.now();
      sim.createCustomer({ email: 'late@example.com' });
      await waitFor('late one', () => rx.hits.length >= 1);
      assert.ok(rx.hits[0]!.at - t0 >= 290);
    } finally {
      sim.webhooks.setFaults({ delayMs: 0 });
      await clear();
      await rx.close();
    }
  });

  test('a subscription whose delivery fails through every retry is removed, as Shopify does', async () => {
    const own = await startShopifySimulator({ seed: false, clientSecret: secret, webhooks: { secret, retryDelaysMs: [10, 10, 10] } });
    const rx = await receiver(() => 500);
    try {
      const res = await fetch(`${own.graphqlUrl}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': own.accessToken },
        body: JSON.stringify({ query: CREATE, variables: { topic: 'CUSTOMERS_CREATE', s: { uri: rx.url } } }),
      });
      assert.equal(res.status, 200);
      own.createCustomer({ email: 'gone@example.com' });
      const d = await waitFor('retries exhausted', () => own.webhooks.deliveries.find((x) => x.failed));
      assert.equal(d.attempts, 4, 'the first attempt and three retries');
      assert.deepEqual(Object.keys(own.state.data.webhookSubscriptions ?? {}), []);
    } finally {
      await rx.close();
      await own.close();
    }
  });

  test('checkSubscriptions names missing topics, wrong addresses and wrong API versions', () => {
    const desired = {
      uri: 'https://hub.example/webhooks/shopify',
      topics: ['orders/create', 'orders/paid', 'customers/create', 'app/uninstalled'],
      apiVersion: '2026-07',
    };
    const f = checkSubscriptions(desired, [
      { id: '1', topic: 'ORDERS_CREATE', uri: desired.uri, format: 'JSON', apiVersion: '2026-07', includeFields: [] },
      { id: '2', topic: 'ORDERS_PAID', uri: 'https://old.example/hooks', format: 'JSON', apiVersion: '2026-07', includeFields: [] },
      { id: '3', topic: 'CUSTOMERS_CREATE', uri: desired.uri, format: 'JSON', apiVersion: '2025-10', includeFields: [] },
      { id: '4', topic: 'ORDERS_CREATE', uri: 'https://old.example/hooks', format: 'JSON', apiVersion: '2026-07', includeFields: [] },
    ]);
    assert.deepEqual(
      f.map((x) => `${x.topic} ${x.status}`),
      ['ORDERS_CREATE ok', 'ORDERS_PAID wrong-uri', 'CUSTOMERS_CREATE wrong-api-version', 'APP_UNINSTALLED missing', 'ORDERS_CREATE extra'],
    );
  });

  test('the receiver answers 503 when Temporal cannot take the hint, so Shopify retries', async () => {
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 200 }) });
    const rx = await startWebhookReceiver({ client, taskQueue: 'none', secrets: [new Secret(secret)], handoverTimeoutMs: 1000 });
    try {
      const body = JSON.stringify({ id: 5, admin_graphql_api_id: 'gid://shopify/Order/5', updated_at: '2026-12-01T00:00:00Z' });
      const t0 = Date.now();
      const res = await fetch(rx.url, {
        method: 'POST',
        body,
        headers: {
          'X-Shopify-Topic': 'orders/create',
          'X-Shopify-Hmac-Sha256': signWebhook(body, secret),
          'X-Shopify-Event-Id': 'e-503',
          'X-Shopify-Shop-Domain': sim.shopDomain,
        },
      });
      assert.equal(res.status, 503);
      assert.ok(Date.now() - t0 < 5000, "within Shopify's 5-second budget");
      assert.equal(rx.stats.snapshot()['orders/create']?.failed, 1);
    } finally {
      await rx.close();
      await client.connection.close().catch(() => undefined);
    }
  });
});
