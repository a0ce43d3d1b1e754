import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFor, pagesOf, startSim } from './helpers';
import { DEMO_MAPPING_CONFIG, type MappingConfig } from '../../src/mapping/config';
import { mapCustomerToBusinessPartner } from '../../src/mapping/customer';
import { mapOrderToSalesOrder } from '../../src/mapping/order';

/**
 * The connector's values go into src/mapping unchanged (mapping mirrors Shopify's field names):
 * customers and orders read over HTTP from the simulator map to B1 documents, and each order line
 * lands in the warehouse of the location its fulfillment order is assigned to.
 */
test('client output feeds the mapping layer as is', async () => {
  const skus = ['A00001', 'A00002', 'A00003'];
  const sim = await startSim({ seed: { customers: 8, orders: 0, skus }, plan: 'plus' });
  try {
    const client = clientFor(sim);
    const [wh1, wh2] = await client.locations();
    const config: MappingConfig = {
      ...DEMO_MAPPING_CONFIG,
      locations: [
        { ...DEMO_MAPPING_CONFIG.locations[0]!, locationId: wh1!.id, warehouses: ['01'], orderWarehouse: '01' },
        { ...DEMO_MAPPING_CONFIG.locations[0]!, locationId: wh2!.id, warehouses: ['02'], orderWarehouse: '02' },
      ],
    };
    const customers = [];
    for await (const page of pagesOf((after, first) => client.customersPage({ updatedSince: null, after, first })))
      customers.push(...page.items);
    const named = customers.filter((c) => c.firstName && c.defaultAddress);
    assert.ok(named.length > 0);
    for (const c of named) {
      const bp = mapCustomerToBusinessPartner(c, config);
      assert.ok(bp.ok, JSON.stringify(!bp.ok && bp.errors));
      assert.equal(bp.value.U_ShopifyId, c.id);
      assert.equal(bp.value.EmailAddress, c.defaultEmailAddress?.emailAddress);
    }
    const buyer = sim.state.customer(Number(named[0]!.id.split('/').pop()))!;
    const o = sim.createOrder({
      customerId: buyer.id,
      lines: [
        { sku: 'A00001', quantity: 2, locationId: Number(wh1!.id.split('/').pop()) },
        { sku: 'A00002', quantity: 1, locationId: Number(wh2!.id.split('/').pop()) },
      ],
      shipping: [{ title: 'Standard', price: '4.90' }],
    });
    const [order] = await client.ordersByIds([`gid://shopify/Order/${o.id}`]);
    const so = mapOrderToSalesOrder(order!, config, { cardCode: 'C0001', itemCodeBySku: new Map(skus.map((s) => [s, s])) });
    assert.ok(so.ok, JSON.stringify(!so.ok && so.errors));
    const lines = so.value.DocumentLines.map((l) => [l.ItemCode, l.Quantity, l.WarehouseCode]);
    assert.deepEqual(lines, [
      ['A00001', 2, '01'],
      ['A00002', 1, '02'],
    ]);
  } finally {
    await sim.close();
  }
});
