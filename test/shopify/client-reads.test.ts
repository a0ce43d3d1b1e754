import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clientFor, pagesOf, startSim } from './helpers';
import type { ShopifySimulator } from '../../src/sim/shopify';
import type { ShopifyClient } from '../../src/connectors/shopify';

const SKUS = ['A00001', 'A00002', 'A00003', 'A00004'];

describe('Shopify client reads over HTTP against the simulator', () => {
  let sim: ShopifySimulator;
  let client: ShopifyClient;
  before(async () => {
    sim = await startSim({
      seed: { customers: 57, orders: 23, skus: SKUS, locations: ['Warehouse 01', 'Warehouse 02', 'Outlet'], badCustomers: 3 },
      plan: 'plus',
    });
    client = clientFor(sim);
  });
  after(async () => sim.close());

  test('locations: every page, in order', async () => {
    for (let i = 0; i < 120; i++) sim.state.addLocation({ name: `Store ${i}` });
    const all = await client.locations();
    assert.equal(all.length, 123);
    assert.equal(new Set(all.map((l) => l.id)).size, 123);
    assert.deepEqual(
      all.slice(0, 2).map((l) => l.name),
      ['Warehouse 01', 'Warehouse 02'],
    );
  });

  test('customers: cursor pagination returns each customer exactly once, sorted by updatedAt', async () => {
    const seen: string[] = [];
    let pages = 0;
    let last = '';
    for await (const page of pagesOf((after, first) => client.customersPage({ updatedSince: null, after, first: first ?? 10 }))) {
      pages++;
      for (const c of page.items) {
        assert.ok(c.updatedAt >= last, 'UPDATED_AT order');
        last = c.updatedAt;
        seen.push(c.id);
      }
    }
    assert.equal(seen.length, 60);
    assert.equal(new Set(seen).size, 60);
    assert.equal(pages, 6);
    const withAddress = (await client.customersByIds(seen.slice(0, 30))).filter((c) => c.defaultAddress);
    assert.ok(withAddress.length > 10);
    assert.ok(withAddress.every((c) => c.addressesV2.length >= 1 && c.defaultAddress?.countryCodeV2));
  });

  test('customers delta: watermark minus overlap picks up edits, updatedAt bumped on write', async () => {
    let watermark = '';
    for await (const page of pagesOf((after, first) => client.customersPage({ updatedSince: null, after, first })))
      for (const c of page.items) if (c.updatedAt > watermark) watermark = c.updatedAt;
    const target = Object.values(sim.state.data.customers)[5]!;
    await new Promise((r) => setTimeout(r, 1100)); // DateTime has second precision
    sim.updateCustomer(target.id, { note: 'changed in Shopify admin' });
    const changed = [];
    for await (const page of pagesOf((after, first) => client.customersPage({ overlapMs: 0, updatedSince: watermark, after, first })))
      changed.push(...page.items);
    assert.ok(changed.some((c) => c.id === `gid://shopify/Customer/${target.id}` && c.note === 'changed in Shopify admin'));
    assert.ok(changed.every((c) => c.updatedAt >= watermark));
    const withOverlap = [];
    for await (const page of pagesOf((after, first) =>
      client.customersPage({ overlapMs: 3600_000 * 24 * 365, updatedSince: watermark, after, first }),
    ))
      withOverlap.push(...page.items);
    assert.ok(withOverlap.length > changed.length, 'the overlap window re-reads older changes');
  });

  test('orders: all line items, current quantities after refund and cancellation, money fields', async () => {
    const customer = Object.values(sim.state.data.customers)[0]!;
    const big = sim.createOrder({
      customerId: customer.id,
      lines: Array.from({ length: 27 }, (_, i) => ({
        sku: SKUS[i % SKUS.length],
        quantity: 2,
        unitPrice: '10.00',
        discount: i === 0 ? '2.00' : '0.00',
      })),
      shipping: [{ title: 'Express', price: '7.90' }],
      discountCodes: ['SPRING'],
      taxRate: 0.19,
    });
    sim.refundOrder(big.id, [{ lineItemId: big.lineItems[1]!.id, quantity: 1, restock: true }]);
    const cancelled = sim.createOrder({ customerId: customer.id, lines: [{ sku: SKUS[0], quantity: 1 }] });
    sim.cancelOrder(cancelled.id, { reason: 'CUSTOMER' });
    const [o, c] = await client.ordersByIds([`gid://shopify/Order/${big.id}`, `gid://shopify/Order/${cancelled.id}`]);
    assert.ok(o && c);
    assert.equal(o.lineItems.length, 27, 'line items beyond the first page are fetched');
    assert.equal(o.lineItems[1]!.quantity, 2);
    assert.equal(o.lineItems[1]!.currentQuantity, 1);
    assert.equal(o.lineItems[0]!.originalUnitPriceSet.shopMoney.amount, '10.00');
    assert.equal(o.lineItems[0]!.discountedUnitPriceAfterAllDiscountsSet.shopMoney.amount, '9.00');
    assert.equal(o.lineItems[0]!.taxLines[0]!.rate, 0.19);
    assert.equal(o.shippingLines[0]!.title, 'Express');
    assert.equal(o.shippingLines[0]!.currentDiscountedPriceSet.shopMoney.amount, '7.90');
    assert.equal(o.displayFinancialStatus, 'PARTIALLY_REFUNDED');
    assert.equal(o.customer?.id, `gid://shopify/Customer/${customer.id}`);
    assert.ok(Number(o.currentTotalTaxSet.shopMoney.amount) > 0);
    assert.equal(
      o.lineItems.reduce((s, l) => s + l.currentQuantity, 0),
      53,
    );
    const wh = sim.state.location(big.lineItems[0]!.locationId!)!;
    assert.ok(
      o.lineItems.every((l) => l.locationId === `gid://shopify/Location/${wh.id}`),
      'lines carry their fulfillment location',
    );
    assert.ok(c.cancelledAt);
    assert.equal(c.cancelReason, 'CUSTOMER');
    assert.equal(c.lineItems[0]!.currentQuantity, 0);
    assert.equal(c.displayFinancialStatus, 'REFUNDED');
  });

  test('orders delta pages include every order once and respect the cost limit', async () => {
    const ids = new Set<string>();
    for await (const page of pagesOf((after) => client.ordersPage({ first: 4, updatedSince: '2020-01-01T00:00:00Z', after })))
      for (const o of page.items) ids.add(o.id);
    assert.equal(ids.size, Object.keys(sim.state.data.orders).length);
    assert.equal(sim.stats.maxCostExceeded, 0);
  });

  test('variants by SKU: SKU is not unique, unknown SKUs map to nothing', async () => {
    await client.ensureCustomIdDefinitions();
    const dup = await client.upsertProduct({
      customId: 'DUP-1',
      title: 'Duplicate SKU',
      sku: 'A00002',
      price: '1.00',
      tracked: true,
      taxable: true,
      status: 'DRAFT',
    });
    assert.ok(dup.ok);
    const odd = await client.upsertProduct({
      customId: 'ODD-1',
      title: 'Odd SKU',
      sku: "O'Brien\\x 1",
      price: '1.00',
      tracked: true,
      taxable: true,
      status: 'DRAFT',
    });
    assert.ok(odd.ok);
    const map = await client.variantsBySkus(['A00001', 'A00002', "O'Brien\\x 1", 'NOPE']);
    assert.equal(map.get('A00001')!.length, 1);
    assert.equal(map.get('A00002')!.length, 2);
    assert.equal(map.get("O'Brien\\x 1")!.length, 1, 'quotes, backslashes and spaces survive the search syntax');
    assert.equal(map.get('NOPE')!.length, 0);
  });

  test('inventory levels for items at locations (available, on_hand, committed)', async () => {
    const variants = [...(await client.variantsBySkus(SKUS)).values()].flat();
    const locs = await client.locations();
    const wh1 = locs.find((l) => l.name === 'Warehouse 01')!;
    const levels = await client.inventoryLevels(
      variants.map((v) => v.inventoryItem.id),
      [wh1.id],
    );
    assert.ok(levels.length >= SKUS.length);
    for (const l of levels) {
      assert.equal(l.locationId, wh1.id);
      const rec = sim.state.inventoryItem(Number(l.inventoryItemId.split('/').pop()))!.levels[Number(wh1.id.split('/').pop())]!;
      assert.equal(l.available, rec.quantities.available);
      assert.equal(l.onHand, rec.quantities.on_hand);
      assert.equal(l.committed, rec.quantities.committed);
    }
  });

  test('products changed since a watermark, with the hub custom id when present', async () => {
    const items = [];
    for await (const page of pagesOf((after, first) => client.productsPage({ updatedSince: null, after, first: first ?? 3 })))
      items.push(...page.items);
    assert.equal(items.length, Object.keys(sim.state.data.products).length);
    const dup = items.find((p) => p.customId === 'DUP-1');
    assert.ok(dup);
    assert.equal(dup.variants[0]!.sku, 'A00002');
    assert.ok(items.filter((p) => p.customId === null).length >= SKUS.length, 'merchant-created products have no custom id');
  });
});
