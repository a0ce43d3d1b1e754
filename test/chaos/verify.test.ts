/**
 * The chaos suite's verdict, without the hub: the two simulators are put by hand into a state
 * where everything is in sync, and then into each broken state the suite must find (a second
 * open sales order, a second partner, a lost order, a failure reported with a transient or a
 * conflict reason, stock that oversells), through the Service Layer and the Admin API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startB1Simulator } from '../../src/sim/b1';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { startShopifySimulator } from '../../src/sim/shopify';
import { embeddedHubConfig } from '../../src/config/hub-config';
import { demoLocationMapping } from '../../src/config/demo';
import { AdminProbe, ServiceLayerProbe } from '../../src/sim/chaos/probes';
import { classifyReason, expectedAvailable, verify, type ReportedFailure } from '../../src/sim/chaos/verify';

test('the stock formulas and the failure reasons', () => {
  const facts = { warehouses: [{ InStock: 10, Committed: 2, Ordered: 5 }], shopifyNotInB1: 3 };
  assert.equal(expectedAvailable('b1-sellable', facts), 8);
  assert.equal(expectedAvailable('b1-sellable-minus-shopify-open', facts), 5);
  assert.equal(expectedAvailable('b1-sellable-minus-shopify-open', { ...facts, shopifyNotInB1: 20 }), 0);
  assert.equal(classifyReason("email 'x@@y' must contain exactly one '@'"), 'data');
  assert.equal(classifyReason('network error ECONNRESET'), 'transient');
  assert.equal(
    classifyReason(
      'order #1015: a sales order for it may still be committing in SAP B1 (reserved by b1-shopify-hub/d8f2 at …, no DocEntry yet)',
    ),
    'in-doubt',
  );
  assert.equal(classifyReason('Service Layer answered 502 (HTML page)'), 'transient');
  assert.equal(classifyReason("1320000140 - Business partner code 'SC1' already assigned to a business partner"), 'conflict');
});

test('verify finds duplicates, lost records and oversold stock through the two APIs', async () => {
  const b1Sim = await startB1Simulator({ port: 0, seed: { items: 4, customers: 2 } });
  const shopifySim = await startShopifySimulator({ port: 0, seed: { skus: demoItemCodes(4), customers: 0, orders: 0 } });
  try {
    const sl = new ServiceLayerProbe(b1Sim.url);
    const admin = new AdminProbe(shopifySim.url, shopifySim.accessToken);
    const locations = (await admin.all<{ id: string; name: string }>('locations', 'id name', 10)).map((l) => ({ id: l.id, name: l.name }));
    const mapping = demoLocationMapping(
      embeddedHubConfig({ b1BaseUrl: b1Sim.url, shopifyEndpoint: shopifySim.url, shop: shopifySim.shopDomain }).mapping,
      locations,
    );
    const codes = demoItemCodes(4);
    for (const code of codes) await sl.patch(`Items('${code}')`, { U_ShopifySync: 'Y' });
    // The state a correct push leaves: Shopify available = Σ(InStock − Committed) per location.
    const pushStock = async (): Promise<void> => {
      const items = await sl.list<{
        ItemCode: string;
        ItemWarehouseInfoCollection: { WarehouseCode: string; InStock: number; Committed: number }[];
      }>('Items', { select: ['ItemCode', 'ItemWarehouseInfoCollection'] });
      for (const i of items.filter((x) => codes.includes(x.ItemCode))) {
        for (const loc of mapping.locations) {
          const rows = i.ItemWarehouseInfoCollection.filter((w) => loc.warehouses.includes(w.WarehouseCode));
          shopifySim.setAvailable(
            i.ItemCode,
            loc.locationId,
            Math.max(
              0,
              rows.reduce((a, w) => a + w.InStock - w.Committed, 0),
            ),
          );
        }
      }
    };
    await pushStock();
    const check = (failures: ReportedFailure[] = [], formula: 'b1-sellable' | 'b1-sellable-minus-shopify-open' = 'b1-sellable') =>
      verify({ sl, admin, mapping, formula, failures });

    let v = await check();
    assert.deepEqual([v.duplicates, v.lost, v.inventoryMismatches], [0, 0, 0], JSON.stringify(v.findings));
    assert.equal(v.counts.stockRows, 4 * mapping.locations.length);

    // A Shopify customer without a partner is lost; with one it is not; a second partner is a duplicate.
    const customer = shopifySim.createCustomer({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });
    const customerGid = `gid://shopify/Customer/${customer.id}`;
    v = await check();
    assert.equal(v.lost, 1);
    assert.equal(v.findings[0]?.object, 'customer');
    assert.equal(
      (await check([{ object: 'customer', sourceId: customerGid, reason: "email 'ada' is not valid" }])).lost,
      0,
      'a data failure in the log excuses it',
    );
    assert.equal(
      (await check([{ object: 'customer', sourceId: customerGid, reason: 'network error ECONNRESET' }])).lost,
      1,
      'a transient failure does not',
    );
    assert.equal(
      (await check([{ object: 'customer', sourceId: customerGid, reason: "Business partner code 'SC9' already assigned" }])).lost,
      1,
      'a conflict does not',
    );
    for (const card of ['SC1', 'SC2'])
      await sl.post('BusinessPartners', { CardCode: card, CardName: 'Ada Lovelace', CardType: 'cCustomer', U_ShopifyId: customerGid });
    v = await check();
    assert.deepEqual([v.duplicates, v.lost], [1, 0]);
    assert.equal(v.findings.find((f) => f.kind === 'duplicate')?.object, 'customer');

    // A paid order: lost until B1 has it; Shopify's sale is held back by the formula that counts it.
    const location = mapping.locations[0]!;
    const order = shopifySim.createOrder({
      customerId: customer.id,
      lines: [{ sku: codes[0]!, quantity: 3, locationId: Number(/\d+$/.exec(location.locationId)![0]) }],
      financialStatus: 'PAID',
    });
    const orderGid = `gid://shopify/Order/${order.id}`;
    v = await check();
    assert.equal(v.lost, 1);
    assert.equal(v.inventoryMismatches, 1, 'available fell by 3 in Shopify: no longer B1 InStock − Committed');
    assert.equal((await check([], 'b1-sellable-minus-shopify-open')).inventoryMismatches, 0);
    // Today's push writes B1's value back over Shopify's sale: that oversells under either formula.
    await pushStock();
    v = await check();
    assert.equal(v.inventoryMismatches, 1);
    assert.match(v.findings.find((f) => f.kind === 'inventory')!.detail, /oversells/);
    assert.equal((await check([], 'b1-sellable-minus-shopify-open')).inventoryMismatches, 1);

    // Imported (B1 commits it) and pushed: clean. A second open sales order for it is a duplicate.
    const salesOrder = {
      CardCode: 'SC1',
      DocDueDate: '2026-12-31',
      U_ShopifyId: orderGid,
      DocumentLines: [{ ItemCode: codes[0], Quantity: 3, WarehouseCode: location.orderWarehouse ?? location.warehouses[0] }],
    };
    const imported = await sl.post<{ DocEntry: number }>('Orders', salesOrder);
    await pushStock();
    v = await check();
    assert.deepEqual([v.duplicates, v.lost, v.inventoryMismatches], [1, 0, 0], JSON.stringify(v.findings));
    const { DocEntry } = await sl.post<{ DocEntry: number }>('Orders', salesOrder);
    await pushStock();
    v = await check();
    assert.equal(v.duplicates, 2);
    assert.ok(v.findings.some((f) => f.kind === 'duplicate' && f.object === 'order' && f.id === orderGid));
    // Cancelled, the younger copy no longer counts.
    await sl.post(`Orders(${DocEntry})/Cancel`, {});
    await pushStock();
    assert.equal((await check()).duplicates, 1);

    // Closed by hand in B1 while Shopify has not shipped: B1 no longer commits the 3 units that
    // Shopify still has to ship. B1's figure alone oversells; with the 3 deducted it is clean.
    await sl.post(`Orders(${imported.DocEntry})/Close`, {});
    await pushStock();
    v = await check([], 'b1-sellable-minus-shopify-open');
    assert.equal(v.inventoryMismatches, 1, JSON.stringify(v.findings));
    assert.match(v.findings.find((f) => f.kind === 'inventory')!.detail, /oversells/);
    const pushed =
      shopifySim.state.inventoryItem(shopifySim.state.variantsBySku(codes[0]!)[0]!.inventoryItemId)!.levels[
        Number(/\d+$/.exec(location.locationId)![0])
      ]!.quantities.available ?? 0;
    shopifySim.setAvailable(codes[0]!, location.locationId, pushed - 3);
    v = await check([], 'b1-sellable-minus-shopify-open');
    assert.equal(v.inventoryMismatches, 0, JSON.stringify(v.findings));

    // An open copy next to the closed (delivered) one ships twice: a duplicate too.
    await sl.post('Orders', salesOrder);
    v = await check();
    assert.equal(v.duplicates, 2, JSON.stringify(v.findings));
    assert.ok(v.findings.some((f) => f.kind === 'duplicate' && f.object === 'order' && f.id === orderGid));

    // A line sold under an older SKU still holds its variant's units: B1's figure alone oversells.
    const variantId = shopifySim.state.variantsBySku(codes[1]!)[0]!.id;
    const renamed = shopifySim.createOrder({
      customerId: null,
      email: 'renamed@example.com',
      lines: [{ variantId, quantity: 2, locationId: Number(/\d+$/.exec(location.locationId)![0]) }],
      financialStatus: 'PAID',
    });
    shopifySim.state.order(renamed.id)!.lineItems[0]!.sku = `${codes[1]!}-OLD`;
    b1Sim.state.setStock(codes[1]!, location.warehouses[0]!, { InStock: 10, Committed: 0, Ordered: 0 });
    await pushStock();
    v = await check([], 'b1-sellable-minus-shopify-open');
    assert.ok(
      v.findings.some((f) => f.kind === 'inventory' && f.id.startsWith(`${codes[1]!}@`) && /oversells/.test(f.detail)),
      JSON.stringify(v.findings),
    );

    // "In doubt" excuses a missing order only while B1 holds a reservation for it.
    const renamedGid = `gid://shopify/Order/${renamed.id}`;
    const held: ReportedFailure[] = [
      {
        object: 'order',
        sourceId: renamedGid,
        reason: 'order #9: a sales order for it may still be committing in SAP B1 (reserved by x at y, no DocEntry yet)',
      },
    ];
    const without = await check(held);
    assert.equal(without.inDoubt.length, 0);
    assert.ok(without.findings.some((f) => f.kind === 'lost' && f.id === renamedGid));
    await sl.post('U_B1H_ORDER_RES', {
      Code: `Order-${renamed.id}`,
      Name: `Order-${renamed.id}`,
      U_ResKey: renamedGid,
      U_TakenAt: new Date().toISOString(),
      U_Holder: 'test',
    });
    const withRow = await check(held);
    assert.deepEqual(
      withRow.inDoubt.map((f) => f.sourceId),
      [renamedGid],
    );
    assert.equal(withRow.lost, without.lost - 1);
    // "Waiting for approval" likewise only with a pending draft carrying the id.
    const approval: ReportedFailure[] = [
      { object: 'order', sourceId: renamedGid, reason: 'order #9: waiting for approval in SAP B1 (draft 7)' },
    ];
    assert.equal((await check(approval)).inDoubt.length, 0);
  } finally {
    await shopifySim.close();
    await b1Sim.close();
  }
});
