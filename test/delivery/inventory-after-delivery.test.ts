/**
 * Stock stays right through a delivery (README "Stock formula"): a Shopify sale is deducted once
 * whether B1 has no sales order for it yet, holds it in Committed, or has shipped part of it
 * before Shopify knows (delivered, not yet fulfilled), and once the delivery has become a Shopify
 * fulfillment. At every step the pushed `available` is B1's InStock − Committed less what Shopify
 * sold that B1 does not account for: never a double decrement, never an oversell. Temporal dev
 * server, both simulators over HTTP, the delivery posted through the Service Layer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { ensureGuestPartner, salesOrdersByShopifyId } from '../pipelines/support-shopify-to-b1';
import { shopifyAvailable } from '../pipelines/support-inventory';
import { deliver, statusOf } from './support';

type Rec = Record<string, unknown>;

describe('inventory with deliveries: no double decrement', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  const SKU = 'A00007';

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 0, shopifyOrders: 0, b1Customers: 1, plan: 'plus' });
    await ensureGuestPartner(fx);
    worker = await fx.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('sold in Shopify, imported, partly delivered in B1, fulfilled in Shopify: available moves by the sale once', async () => {
    const loc = fx.deps.mapping.locations[0]!;
    const wh = loc.warehouses[0]!;
    const locId = Number(/\d+$/.exec(loc.locationId)![0]);
    const b1Row = () =>
      ((fx.b1Sim.state.get('Items', SKU)!.ItemWarehouseInfoCollection as Rec[]).find((w) => w.WarehouseCode === wh) ?? {}) as {
        InStock?: number;
        Committed?: number;
      };
    const sellable = () => Number(b1Row().InStock ?? 0) - Number(b1Row().Committed ?? 0);
    const push = async (): Promise<number> => {
      await fx.runSync('inventory', { mode: 'full' });
      return shopifyAvailable(fx.shopifySim, SKU, loc.locationId)!;
    };

    const start = await push();
    assert.equal(start, sellable(), 'nothing sold yet: available is B1’s sellable stock');
    assert.ok(start >= 3, `need stock to sell, have ${start}`);

    const o = fx.shopifySim.createOrder({
      email: 'stock@example.com',
      customerId: null,
      lines: [{ sku: SKU, quantity: 3, locationId: locId }],
    } as never);
    const gid = `gid://shopify/Order/${o.id}`;
    // Sold in Shopify, not in B1 yet: deducted by the hub (B1 still shows it sellable).
    assert.equal(await push(), start - 3);
    assert.equal(sellable(), start);

    await fx.runSync('order', { mode: 'ids', ids: [gid] });
    const [so] = salesOrdersByShopifyId(fx, gid);
    assert.ok(so);
    // Imported: B1 commits it, the hub deducts nothing more.
    assert.equal(sellable(), start - 3);
    assert.equal(await push(), start - 3);

    // The warehouse ships 2 in B1 before Shopify knows: InStock −2, Committed −2.
    const line = (so.DocumentLines as Rec[])[0]!;
    const delivery = await deliver(fx, Number(so.DocEntry), [{ line: Number(line.LineNum), qty: 2 }], { TrackingNumber: 'STOCK-1' });
    assert.ok(delivery > 0);
    assert.equal(sellable(), start - 3);
    assert.equal(await push(), start - 3, 'delivered in B1, unfulfilled in Shopify: not deducted twice');

    // The delivery becomes a Shopify fulfillment: Shopify's committed and on hand drop by 2.
    await fx.runSync('delivery', { mode: 'ids', ids: [String(delivery)] });
    assert.equal(await statusOf(fx, gid), 'PARTIALLY_FULFILLED');
    assert.equal(await push(), start - 3, 'fulfilled: still deducted once');

    // The rest ships and is fulfilled.
    const rest = await deliver(fx, Number(so.DocEntry), [{ line: Number(line.LineNum), qty: 1 }]);
    assert.equal(await push(), start - 3);
    await fx.runSync('delivery', { mode: 'ids', ids: [String(rest)] });
    assert.equal(await statusOf(fx, gid), 'FULFILLED');
    assert.equal(await push(), start - 3);
    assert.equal(sellable(), start - 3);
  });
});
