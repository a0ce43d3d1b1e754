import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clientFor, pagesOf, startSim } from './helpers';
import type { ShopifySimulator } from '../../src/sim/shopify';
import { trimOrder } from '../../src/pipelines/order/trim';
import type { ShopifyOrder } from '../../src/connectors/shopify';

const SKUS = Array.from({ length: 12 }, (_, i) => `OR-${i + 1}`);

/**
 * Order reads are sized for the usual order; longer ones must still arrive complete, and the
 * bulk export used for long runs must give the mapping exactly what the paged read gives.
 */
describe('order reads: cost-sized pages, long orders complete, bulk export equal to paged reads', () => {
  let sim: ShopifySimulator;
  let locations: number[];
  let longId: string;
  before(async () => {
    sim = await startSim({
      seed: { customers: 30, orders: 40, skus: SKUS, locations: ['Warehouse 01', 'Warehouse 02', 'Warehouse 03'] },
      plan: 'plus',
    });
    locations = Object.values(sim.state.data.locations).map((l) => l.id);
    const customer = Object.values(sim.state.data.customers)[0]!;
    // 23 lines over three locations (three fulfillment orders) and three shipping lines: beyond
    // every first page of OrdersPage (5 lines, 1 shipping line, 2 fulfillment orders).
    const long = sim.createOrder({
      customerId: customer.id,
      lines: Array.from({ length: 23 }, (_, i) => ({
        sku: SKUS[i % SKUS.length],
        quantity: 1 + (i % 3),
        unitPrice: `${10 + i}.00`,
        locationId: locations[i % 3],
      })),
      shipping: [
        { title: 'Standard', price: '4.90' },
        { title: 'Express surcharge', price: '3.00' },
        { title: 'Bulky goods', price: '12.00' },
      ],
      taxRate: 0.19,
    });
    longId = `gid://shopify/Order/${long.id}`;
  });
  after(async () => sim.close());

  function assertComplete(o: ShopifyOrder | undefined): void {
    assert.ok(o, 'the long order was read');
    const rec = sim.state.data.orders[Number(o.id.split('/').pop())]!;
    assert.equal(o.lineItems.length, 23, 'every line, not just the first page');
    assert.deepEqual(
      o.lineItems.map((l) => [l.sku, l.currentQuantity, l.originalUnitPriceSet.shopMoney.amount, l.locationId]),
      rec.lineItems.map((l) => [l.sku, l.currentQuantity, l.unitPrice, `gid://shopify/Location/${l.locationId}`]),
      'each line with its own fulfillment location',
    );
    assert.deepEqual(
      o.shippingLines.map((s) => [s.title, s.currentDiscountedPriceSet.shopMoney.amount]),
      [
        ['Standard', '4.90'],
        ['Express surcharge', '3.00'],
        ['Bulky goods', '12.00'],
      ],
    );
  }

  test('an order longer than every first page is read completely (by id and through delta pages)', async () => {
    const client = clientFor(sim);
    const [byId] = await client.ordersByIds([longId]);
    assertComplete(byId);
    let paged: ShopifyOrder | undefined;
    for await (const p of pagesOf((after) => client.ordersPage({ updatedSince: null, after })))
      paged ??= p.items.find((o) => o.id === longId);
    assertComplete(paged);
    assert.equal(sim.stats.maxCostExceeded, 0);
  });

  test('a page of usual orders costs under 60 points per order, in calls that never wait for a throttle', async (t) => {
    const client = clientFor(sim);
    const ids = new Set<string>();
    for await (const p of pagesOf((after) => client.ordersPage({ query: `-id:${longId.split('/').pop()}`, updatedSince: null, after })))
      for (const o of p.items) ids.add(o.id);
    assert.equal(ids.size, 40);
    const perOrder = client.executor.stats.actualPoints / ids.size;
    // The seeded orders have 1–4 lines over 3 locations; before the diet a 4-order call of them
    // was charged ~105 points per order.
    assert.ok(perOrder < 60, `${perOrder.toFixed(1)} points per order`);
    // Four pages of up to 11 orders (the query limit at the default sizes), and at most one
    // batched follow-up per page for orders with a third fulfillment order.
    assert.ok(client.executor.stats.requests <= 8, `${client.executor.stats.requests} calls for 40 orders`);
    t.diagnostic(`${perOrder.toFixed(1)} points per order, ${client.executor.stats.requests} calls`);
    assert.equal(client.executor.stats.throttled, 0);
  });

  test('the bulk export gives the mapping exactly what the paged read gives, every order once', async () => {
    const client = clientFor(sim);
    const paged: ShopifyOrder[] = [];
    for await (const p of pagesOf((after) => client.ordersPage({ updatedSince: null, after }))) paged.push(...p.items);
    const op = await client.bulkExports.orders.start(null);
    assert.ok(op, 'export started');
    const exported = await client.bulkExports.orders.await(op, 30_000);
    assert.equal(exported.kind, 'ready');
    if (exported.kind !== 'ready') return;
    assert.equal(exported.orders.length, paged.length);
    const byId = new Map(exported.orders.map((o) => [o.id, o]));
    for (const o of paged) assert.deepEqual(trimOrder(byId.get(o.id)!), trimOrder(o), o.name);
    assertComplete(byId.get(longId));
    const keys = exported.orders.map((o) => `${o.updatedAt}|${o.id}`);
    assert.deepEqual(keys, [...keys].sort(), 'sorted by updatedAt, then id');
  });

  test('customers are read with as many addresses as the mapping keeps (maxAddresses), 10 by default', async () => {
    const client = clientFor(sim);
    const c = sim.createCustomer({
      firstName: 'Many',
      lastName: 'Addresses',
      email: 'many@example.com',
      addresses: Array.from({ length: 12 }, (_, i) => ({ address1: `Street ${i + 1}`, city: 'Berlin', countryCode: 'DE', zip: '10115' })),
    });
    const id = `gid://shopify/Customer/${c.id}`;
    const [byDefault] = await client.customersByIds([id]);
    assert.equal(byDefault!.addressesV2.length, 10);
    const [twelve] = await client.customersByIds([id], { addressesFirst: 12 });
    assert.equal(twelve!.addressesV2.length, 12);
  });
});
