import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawGraphQL, startSim } from './helpers';
import type { ShopifySimulator } from '../../src/sim/shopify';

describe('Shopify simulator wire protocol', () => {
  let sim: ShopifySimulator;
  before(async () => {
    sim = await startSim({ seed: { customers: 3, orders: 2, skus: ['P-1', 'P-2'] } });
  });
  after(async () => sim.close());

  test("401 with Shopify's body without or with a wrong access token", async () => {
    for (const token of [null, 'shpat_wrong']) {
      const r = await rawGraphQL(sim, '{ shop { name } }', undefined, token);
      assert.equal(r.status, 401);
      assert.match(r.body.errors, /Invalid API key or access token/);
    }
  });

  test('every answer carries extensions.cost with throttleStatus', async () => {
    const r = await rawGraphQL(sim, '{ customers(first: 2) { nodes { id } } }');
    assert.equal(r.status, 200);
    const c = r.body.extensions.cost;
    assert.equal(c.requestedQueryCost, 4); // 2 + 2 × 1
    assert.equal(c.actualQueryCost, 4);
    assert.equal(c.throttleStatus.maximumAvailable, 2000);
    assert.equal(c.throttleStatus.restoreRate, 100);
  });

  test('actual cost refunds what was not returned', async () => {
    const r = await rawGraphQL(sim, '{ locations(first: 50) { nodes { id } } }');
    assert.equal(r.body.extensions.cost.requestedQueryCost, 52);
    assert.equal(r.body.extensions.cost.actualQueryCost, 4);
  });

  test('invalid GraphQL gets a parse error', async () => {
    const r = await rawGraphQL(sim, '{ customers(first: 2 { id }');
    assert.equal(r.status, 200);
    assert.match(r.body.errors[0].message, /^Parse error/);
    assert.ok(r.body.errors[0].locations[0].line >= 1);
    assert.equal(r.body.data, undefined);
  });

  test('unknown fields are rejected by the real schema, Shopify style', async () => {
    const r = await rawGraphQL(sim, '{ customers(first: 2) { nodes { id favouriteColour } } }');
    assert.equal(r.body.errors[0].message, "Field 'favouriteColour' doesn't exist on type 'Customer'");
    assert.equal(r.body.errors[0].extensions.code, 'undefinedField');
  });

  test('wrong variable types are rejected with INVALID_VARIABLE', async () => {
    const r = await rawGraphQL(sim, 'query Q($n: Int!) { customers(first: $n) { nodes { id } } }', { n: 'ten' });
    assert.equal(r.body.errors[0].extensions.code, 'INVALID_VARIABLE');
    assert.match(r.body.errors[0].message, /Variable \$n of type Int! was provided invalid value/);
    const r2 = await rawGraphQL(sim, 'query Q($id: ID!) { customer(id: $id) { id } }', {});
    assert.equal(r2.body.errors[0].extensions.code, 'INVALID_VARIABLE');
  });

  test('input arrays over 250 are rejected before execution', async () => {
    const quantities = Array.from({ length: 251 }, (_, i) => ({
      inventoryItemId: `gid://shopify/InventoryItem/${i + 1}`,
      locationId: 'gid://shopify/Location/1',
      quantity: 1,
      changeFromQuantity: null,
    }));
    const r = await rawGraphQL(
      sim,
      'mutation M($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) @idempotent(key: "k-251") { userErrors { code message } } }',
      { input: { name: 'available', reason: 'correction', quantities } },
    );
    assert.equal(r.body.errors[0].extensions.code, 'MAX_INPUT_SIZE_EXCEEDED');
    assert.equal(r.body.errors[0].message, 'The input array size of 251 is greater than the maximum allowed of 250.');
    assert.equal(r.body.data, undefined);
  });

  test('page sizes: first over 250 and a missing first/last are errors', async () => {
    const r = await rawGraphQL(sim, '{ customers(first: 251) { nodes { id } } }');
    assert.match(r.body.errors[0].message, /cannot exceed 250/);
    const r2 = await rawGraphQL(sim, '{ customers { nodes { id } } }');
    assert.equal(r2.body.errors[0].message, 'you must provide one of first or last');
  });

  test('MAX_COST_EXCEEDED over 1000 requested points, nothing deducted', async () => {
    const before = (await rawGraphQL(sim, '{ shop { name } }')).body.extensions.cost.throttleStatus.currentlyAvailable;
    const r = await rawGraphQL(sim, '{ orders(first: 50) { nodes { id lineItems(first: 50) { nodes { id variant { id } } } } } }');
    assert.equal(r.body.errors[0].extensions.code, 'MAX_COST_EXCEEDED');
    assert.match(r.body.errors[0].message, /^Query cost is \d+, which exceeds the single query max cost limit \(1000\)/);
    assert.equal(r.body.extensions.cost.actualQueryCost, null);
    assert.ok(r.body.extensions.cost.throttleStatus.currentlyAvailable >= before - 1);
  });

  test('THROTTLED (HTTP 200) when the bucket is short, actualQueryCost null', async () => {
    const tight = await startSim({ seed: { customers: 250, orders: 0, skus: [] }, plan: { restoreRate: 10, bucketSize: 300 } });
    try {
      const q = '{ customers(first: 250) { nodes { id } } }';
      const first = await rawGraphQL(tight, q);
      assert.equal(first.body.extensions.cost.requestedQueryCost, 252);
      const second = await rawGraphQL(tight, q);
      assert.equal(second.status, 200);
      assert.equal(second.body.errors[0].extensions.code, 'THROTTLED');
      assert.equal(second.body.errors[0].message, 'Throttled');
      assert.equal(second.body.extensions.cost.actualQueryCost, null);
      assert.ok(second.body.extensions.cost.throttleStatus.currentlyAvailable < 252);
    } finally {
      await tight.close();
    }
  });

  test('mutations cost 10; productSet adds its documented dynamic cost', async () => {
    const r = await rawGraphQL(
      sim,
      'mutation { customerCreate(input: { firstName: "Cost", email: "cost@example.com" }) { customer { id } userErrors { message } } }',
    );
    assert.equal(r.body.extensions.cost.requestedQueryCost, 10);
    const variants = Array.from({ length: 10 }, (_, i) => ({
      optionValues: [{ optionName: 'Size', name: `S${i}` }],
      price: '1.00',
      metafields: [{ namespace: 'custom', key: 'k', type: 'single_line_text_field', value: 'v' }],
    }));
    const r2 = await rawGraphQL(
      sim,
      'mutation P($input: ProductSetInput!) { productSet(input: $input, synchronous: true) { product { id } userErrors { message } } }',
      {
        input: { title: 'Cost probe', productOptions: [{ name: 'Size', values: variants.map((_, i) => ({ name: `S${i}` })) }], variants },
      },
    );
    // 10 + 10 × 0.2 (variants) + 10 × 0.4 (variant metafields) = 16
    assert.equal(r2.body.extensions.cost.requestedQueryCost, 16);
    assert.deepEqual(r2.body.data.productSet.userErrors, []);
  });

  test('a valid field the simulator does not implement says so', async () => {
    const r = await rawGraphQL(sim, '{ shop { name contactEmail } }');
    assert.match(r.body.errors[0].message, /Shop\.contactEmail' is not implemented by the simulator/);
    assert.equal(r.body.errors[0].extensions.code, 'NOT_IMPLEMENTED_BY_SIMULATOR');
  });

  test('inventorySetQuantities: idempotency key required, replayed, and rejected with other variables', async () => {
    const loc = Object.values(sim.state.data.locations)[0]!;
    const item = Object.values(sim.state.data.inventoryItems)[0]!;
    const m =
      'mutation S($input: InventorySetQuantitiesInput!, $k: String!) { inventorySetQuantities(input: $input) @idempotent(key: $k) { inventoryAdjustmentGroup { id changes { name delta } } userErrors { code field message } } }';
    const input = (q: number, from: number | null) => ({
      name: 'available',
      reason: 'correction',
      referenceDocumentUri: 'gid://b1hub/Test/1',
      quantities: [
        {
          inventoryItemId: `gid://shopify/InventoryItem/${item.id}`,
          locationId: `gid://shopify/Location/${loc.id}`,
          quantity: q,
          changeFromQuantity: from,
        },
      ],
    });
    const noKey = await rawGraphQL(
      sim,
      'mutation S($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { code } } }',
      { input: input(1, null) },
    );
    assert.match(noKey.body.errors[0].message, /@idempotent directive is required/);

    const current = item.levels[loc.id]!.quantities.available!;
    const a = await rawGraphQL(sim, m, { input: input(current + 7, current), k: 'key-1' });
    assert.deepEqual(a.body.data.inventorySetQuantities.userErrors, []);
    const replay = await rawGraphQL(sim, m, { input: input(current + 7, current), k: 'key-1' });
    assert.deepEqual(replay.body.data, a.body.data, 'same key, same variables: the first result is replayed');
    assert.equal(item.levels[loc.id]!.quantities.available, current + 7, 'applied once');

    const mismatch = await rawGraphQL(sim, m, { input: input(3, null), k: 'key-1' });
    assert.equal(mismatch.body.data.inventorySetQuantities.userErrors[0].code, 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH');

    const stale = await rawGraphQL(sim, m, { input: input(3, current), k: 'key-2' });
    assert.equal(stale.body.data.inventorySetQuantities.userErrors[0].code, 'CHANGE_FROM_QUANTITY_STALE');
    const omitted = await rawGraphQL(sim, m, {
      input: { ...input(3, null), quantities: [{ ...input(3, null).quantities[0], changeFromQuantity: undefined }] },
      k: 'key-3',
    });
    assert.equal(omitted.body.data.inventorySetQuantities.userErrors[0].code, 'COMPARE_QUANTITY_REQUIRED');
    assert.equal(item.levels[loc.id]!.quantities.available, current + 7, 'failed calls change nothing');
  });

  test('ITEM_NOT_STOCKED_AT_LOCATION until inventoryActivate', async () => {
    const loc = sim.state.addLocation({ name: 'Popup' });
    const item = Object.values(sim.state.data.inventoryItems)[0]!;
    const vars = {
      input: {
        name: 'available',
        reason: 'correction',
        quantities: [
          {
            inventoryItemId: `gid://shopify/InventoryItem/${item.id}`,
            locationId: `gid://shopify/Location/${loc.id}`,
            quantity: 4,
            changeFromQuantity: null,
          },
        ],
      },
    };
    const m =
      'mutation S($input: InventorySetQuantitiesInput!, $k: String!) { inventorySetQuantities(input: $input) @idempotent(key: $k) { userErrors { code } } }';
    const r = await rawGraphQL(sim, m, { ...vars, k: 'ns-1' });
    assert.equal(r.body.data.inventorySetQuantities.userErrors[0].code, 'ITEM_NOT_STOCKED_AT_LOCATION');
    const act = await rawGraphQL(
      sim,
      `mutation { inventoryActivate(inventoryItemId: "gid://shopify/InventoryItem/${item.id}", locationId: "gid://shopify/Location/${loc.id}") { inventoryLevel { quantities(names: ["available"]) { quantity } } userErrors { message } } }`,
    );
    assert.deepEqual(act.body.data.inventoryActivate.userErrors, []);
    const r2 = await rawGraphQL(sim, m, { ...vars, k: 'ns-2' });
    assert.deepEqual(r2.body.data.inventorySetQuantities.userErrors, []);
    assert.equal(item.levels[loc.id]!.quantities.available, 4);
  });

  test('a sale at a location that does not stock its item is refused (nothing committed); once stocked there, it commits there', async () => {
    const loc = sim.state.addLocation({ name: 'Kiosk' });
    const variant = Object.values(sim.state.data.variants).find((v) => v.sku && sim.state.inventoryItem(v.inventoryItemId)?.tracked)!;
    const item = sim.state.inventoryItem(variant.inventoryItemId)!;
    const orders = Object.keys(sim.state.data.orders).length;
    const sell = (): Promise<Response> =>
      fetch(`${sim.url}/_sim/orders`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': sim.accessToken },
        body: JSON.stringify({ email: 'kiosk@example.com', lines: [{ sku: variant.sku, quantity: 2, locationId: loc.id }] }),
      });
    const refused = await sell();
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), new RegExp(`order line 1 \\(${variant.sku}\\): .*not stocked at location ${loc.id}`));
    assert.equal(Object.keys(sim.state.data.orders).length, orders, 'no order was created');
    sim.state.activate(item, loc.id, 5);
    const sold = await sell();
    assert.equal(sold.status, 201, await sold.clone().text());
    assert.deepEqual(
      { available: item.levels[loc.id]!.quantities.available, committed: item.levels[loc.id]!.quantities.committed },
      { available: 3, committed: 2 },
    );
  });

  test('client credentials: token issued with expires_in, wrong secret refused', async () => {
    const cc = await startSim({ seed: false, clientId: 'cid', clientSecret: 'csecret', tokenLifetimeSec: 60 });
    try {
      const bad = await fetch(`${cc.url}/admin/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'cid', client_secret: 'nope', grant_type: 'client_credentials' }),
      });
      assert.equal(bad.status, 401);
      const ok = await fetch(`${cc.url}/admin/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'cid', client_secret: 'csecret', grant_type: 'client_credentials' }),
      });
      const body = (await ok.json()) as { access_token: string; expires_in: number; scope: string };
      assert.equal(body.expires_in, 60);
      assert.match(body.access_token, /^shpat_/);
      const r = await rawGraphQL(cc, '{ shop { name } }', undefined, body.access_token);
      assert.equal(r.status, 200);
    } finally {
      await cc.close();
    }
  });

  test('search syntax: quoted date ranges, OR, NOT and sku prefix', async () => {
    const s2 = await startSim({ seed: false });
    try {
      const a = s2.createCustomer({ firstName: 'Old', email: 'old@example.com' });
      a.updatedAt = '2026-01-01T00:00:00Z';
      const b = s2.createCustomer({ firstName: 'New', email: 'new@example.com', tags: ['vip'] });
      b.updatedAt = '2026-06-01T00:00:00Z';
      const q = async (query: string) =>
        (
          await rawGraphQL(s2, 'query Q($q: String) { customers(first: 10, query: $q, sortKey: UPDATED_AT) { nodes { firstName } } }', {
            q: query,
          })
        ).body.data.customers.nodes.map((n: { firstName: string }) => n.firstName);
      assert.deepEqual(await q("updated_at:>'2026-03-01T00:00:00Z'"), ['New']);
      assert.deepEqual(await q("updated_at:<='2026-03-01T00:00:00Z' OR tag:vip"), ['Old', 'New']);
      assert.deepEqual(await q('-tag:vip'), ['Old']);
      assert.deepEqual(await q('email:old@example.com'), ['Old']);
    } finally {
      await s2.close();
    }
  });
});

describe('API version switches', () => {
  test('2025-10: no idempotency key or changeFromQuantity required, one bulk query at a time', async () => {
    const sim = await startSim({ seed: { customers: 0, orders: 0, skus: ['V-1'] }, bulkStepMs: 300 });
    try {
      const url = sim.graphqlUrl.replace('2026-07', '2025-10');
      const post = async (query: string, variables?: unknown) =>
        (await (
          await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-shopify-access-token': sim.accessToken },
            body: JSON.stringify({ query, variables }),
          })
        ).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      const item = Object.values(sim.state.data.inventoryItems)[0]!;
      const loc = Object.values(sim.state.data.locations)[0]!;
      const current = item.levels[loc.id]!.quantities.available!;
      const q = (extra: Record<string, unknown>) => ({
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [
            {
              inventoryItemId: `gid://shopify/InventoryItem/${item.id}`,
              locationId: `gid://shopify/Location/${loc.id}`,
              quantity: current + 1,
              ...extra,
            },
          ],
        },
      });
      const m = 'mutation S($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { code } } }';
      // Documents are validated against the 2026-07 schema for every version; only runtime rules switch.
      assert.deepEqual(
        (await post(m, q({}))).data.inventorySetQuantities.userErrors,
        [],
        'no key and no changeFromQuantity needed before 2026-04',
      );
      assert.equal(item.levels[loc.id]!.quantities.available, current + 1);
      const start =
        'mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }", groupObjects: false) { userErrors { code } } }';
      assert.deepEqual((await post(start)).data.bulkOperationRunQuery.userErrors, []);
      assert.equal((await post(start)).data.bulkOperationRunQuery.userErrors[0].code, 'OPERATION_IN_PROGRESS');
    } finally {
      await sim.close();
    }
  });
});
