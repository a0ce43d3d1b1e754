import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clientFor, rawGraphQL, startSim } from './helpers';
import type { ShopifySimulator } from '../../src/sim/shopify';
import type { ShopifyClient, ProductUpsert } from '../../src/connectors/shopify';

const item = (code: string, over: Partial<ProductUpsert> = {}): ProductUpsert => ({
  customId: code,
  title: `Item ${code}`,
  sku: code,
  barcode: `400${code.replace(/\D/g, '').padStart(10, '0')}`,
  price: '12.50',
  weight: { value: 0.75, unit: 'KILOGRAMS' },
  tracked: true,
  taxable: true,
  status: 'ACTIVE',
  ...over,
});

describe('Shopify client writes', () => {
  let sim: ShopifySimulator;
  let client: ShopifyClient;
  let locations: string[];
  before(async () => {
    sim = await startSim({ seed: { customers: 3, orders: 0, skus: [] }, plan: 'plus' });
    client = clientFor(sim);
    await client.ensureCustomIdDefinitions();
    locations = (await client.locations()).map((l) => l.id);
  });
  after(async () => sim.close());

  test('custom-id definitions are ensured once, as type id', async () => {
    const again = await client.ensureCustomIdDefinitions();
    const defs = Object.values(sim.state.data.metafieldDefinitions);
    assert.equal(defs.length, 2);
    assert.ok(defs.every((d) => d.type === 'id'));
    assert.equal(again.product, `gid://shopify/MetafieldDefinition/${defs.find((d) => d.ownerType === 'PRODUCT')!.id}`);
  });

  test('productSet upsert: created once, then updated in place (same product, variant, inventory item, stock)', async () => {
    const created = await client.upsertProduct(item('B1-0001', { initialQuantities: [{ locationId: locations[0]!, available: 9 }] }));
    assert.ok(created.ok);
    const again = await client.upsertProduct(item('B1-0001'));
    assert.ok(again.ok);
    assert.deepEqual({ ...again.value, updatedAt: '' }, { ...created.value, updatedAt: '' }, 'no duplicate on retry');
    const updated = await client.upsertProduct(
      item('B1-0001', { title: 'Renamed', price: '15.00', barcode: null, weight: { value: 800, unit: 'GRAMS' } }),
    );
    assert.ok(updated.ok);
    assert.equal(updated.value.variantId, created.value.variantId);
    assert.equal(updated.value.inventoryItemId, created.value.inventoryItemId);
    const p = await client.productByCustomId('B1-0001');
    assert.equal(p?.title, 'Renamed');
    assert.equal(p?.variants[0]?.price, '15.00');
    assert.equal(p?.variants[0]?.barcode, null);
    assert.deepEqual(p?.variants[0]?.inventoryItem.measurement.weight, { unit: 'GRAMS', value: 800 });
    const levels = await client.inventoryLevels([created.value.inventoryItemId]);
    assert.equal(levels.find((l) => l.locationId === locations[0])?.available, 9, 'stock survives the update');
    assert.equal(Object.values(sim.state.data.products).filter((x) => x.title === 'Renamed' || x.title === 'Item B1-0001').length, 1);
  });

  test('productSet replaces list fields: the simulator deletes variants missing from the input', async () => {
    const m =
      'mutation P($id: ProductSetIdentifiers, $input: ProductSetInput!) { productSet(identifier: $id, input: $input, synchronous: true) { product { variants(first: 10) { nodes { sku } } } userErrors { code message } } }';
    const input = (sizes: string[]) => ({
      title: 'Shirt',
      productOptions: [{ name: 'Size', values: sizes.map((name) => ({ name })) }],
      variants: sizes.map((s) => ({ optionValues: [{ optionName: 'Size', name: s }], sku: `SHIRT-${s}`, price: '20.00' })),
    });
    const a = await rawGraphQL(sim, m, { id: { handle: 'shirt' }, input: { ...input(['S', 'M', 'L']), handle: 'shirt' } });
    assert.equal(a.body.data.productSet.product.variants.nodes.length, 3);
    const b = await rawGraphQL(sim, m, { id: { handle: 'shirt' }, input: input(['M']) });
    assert.deepEqual(
      b.body.data.productSet.product.variants.nodes.map((n: { sku: string }) => n.sku),
      ['SHIRT-M'],
    );
  });

  test('upsertProduct refuses to drop variants a merchant added in Shopify', async () => {
    const created = await client.upsertProduct(item('B1-0002'));
    assert.ok(created.ok);
    // The merchant turns it into a two-variant product in the admin.
    const r = await rawGraphQL(
      sim,
      'mutation P($id: ProductSetIdentifiers, $input: ProductSetInput!) { productSet(identifier: $id, input: $input, synchronous: true) { userErrors { message } } }',
      {
        id: { customId: { namespace: 'b1hub', key: 'item_code', value: 'B1-0002' } },
        input: {
          productOptions: [{ name: 'Colour', values: [{ name: 'Red' }, { name: 'Blue' }] }],
          variants: [
            { optionValues: [{ optionName: 'Colour', name: 'Red' }], sku: 'B1-0002' },
            { optionValues: [{ optionName: 'Colour', name: 'Blue' }], sku: 'B1-0002-B' },
          ],
        },
      },
    );
    assert.deepEqual(r.body.data.productSet.userErrors, []);
    const refused = await client.upsertProduct(item('B1-0002', { price: '99.00' }));
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.userErrors[0]?.code, 'VARIANTS_WOULD_BE_DROPPED');
    const p = await client.productByCustomId('B1-0002');
    assert.equal(p?.variants.length, 2);
  });

  test('userErrors come back as typed per-record failures', async () => {
    const r = await client.upsertProduct(item('B1-0003', { title: '   ' }));
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.userErrors[0]?.field, ['input', 'title']);
    const mf = await client.setMetafields([{ ownerId: 'gid://shopify/Customer/1', namespace: 'b1hub', key: 'card_code', value: 'C001' }]);
    assert.equal(mf.ok, false);
    await assert.rejects(
      client.setMetafields(
        Array.from({ length: 26 }, (_, i) => ({
          ownerId: 'x',
          namespace: 'b1hub',
          key: `k${i}`,
          value: 'v',
          type: 'single_line_text_field',
        })),
      ),
      RangeError,
    );
  });

  test('metafieldsSet with id definitions makes customers findable by custom id; values are unique', async () => {
    const [c1, c2] = Object.values(sim.state.data.customers);
    const ok = await client.setMetafields([
      { ownerId: `gid://shopify/Customer/${c1!.id}`, namespace: 'b1hub', key: 'card_code', value: 'C20000' },
    ]);
    assert.ok(ok.ok);
    const found = await client.customerByCustomId('C20000');
    assert.equal(found?.id, `gid://shopify/Customer/${c1!.id}`);
    const taken = await client.setMetafields([
      { ownerId: `gid://shopify/Customer/${c2!.id}`, namespace: 'b1hub', key: 'card_code', value: 'C20000' },
    ]);
    assert.equal(taken.ok, false);
    assert.equal(!taken.ok && taken.userErrors[0]?.code, 'TAKEN');
  });

  test('inventory: batches of ≤250 rows, replay-safe keys, compare-and-swap, activation of unstocked locations', async () => {
    const products = [];
    for (let i = 0; i < 7; i++) {
      const r = await client.upsertProduct(item(`INV-${i}`));
      assert.ok(r.ok);
      products.push(r.value);
    }
    // 7 items × 2 stocked locations = 14 rows; add 600 synthetic rows by repeating with other locations.
    for (let i = 0; i < 300; i++) sim.state.addLocation({ name: `Shelf ${i}` });
    const locs = await client.locations();
    const rows = [];
    for (const p of products)
      for (const l of locs.slice(0, 90))
        rows.push({ inventoryItemId: p.inventoryItemId, locationId: l.id, quantity: 3, changeFromQuantity: null });
    assert.equal(rows.length, 630);
    const requests = sim.stats.requests;
    const first = await client.setInventoryQuantitiesBatched(rows, { idempotencyKey: 'sync-1', activateMissing: true });
    assert.equal(first.length, 3);
    assert.deepEqual(
      first.map((b) => b.rows.length),
      [250, 250, 130],
    );
    assert.ok(
      first.every((b) => b.result.ok),
      JSON.stringify(first.find((b) => !b.result.ok)?.result),
    );
    const groups = Object.keys(sim.state.data.adjustmentGroups).length;
    // The same run again (e.g. an activity retry) replays instead of applying twice.
    const replay = await client.setInventoryQuantitiesBatched(rows, { idempotencyKey: 'sync-1', activateMissing: true });
    assert.ok(replay.every((b) => b.result.ok));
    assert.equal(Object.keys(sim.state.data.adjustmentGroups).length, groups);
    assert.ok(sim.stats.requests > requests);
    const levels = await client.inventoryLevels(
      products.map((p) => p.inventoryItemId),
      locs.slice(0, 90).map((l) => l.id),
    );
    assert.equal(levels.length, 630);
    assert.ok(levels.every((l) => l.available === 3 && l.onHand === 3));
    const item0 = products[0]!;
    const stale = await client.setInventoryQuantities(
      [{ inventoryItemId: item0.inventoryItemId, locationId: locs[0]!.id, quantity: 10, changeFromQuantity: 99 }],
      { idempotencyKey: 'cas-1' },
    );
    assert.equal(!stale.ok && stale.userErrors[0]?.code, 'CHANGE_FROM_QUANTITY_STALE');
    const cas = await client.setInventoryQuantities(
      [{ inventoryItemId: item0.inventoryItemId, locationId: locs[0]!.id, quantity: 10, changeFromQuantity: 3 }],
      { idempotencyKey: 'cas-2' },
    );
    assert.ok(cas.ok);
    await assert.rejects(client.setInventoryQuantities(rows.slice(0, 251), { idempotencyKey: 'too-many' }), RangeError);
  });
});
