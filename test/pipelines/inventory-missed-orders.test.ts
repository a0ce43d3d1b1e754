/**
 * No oversell when the order search misses an order Shopify already counts as committed: the
 * search index lags, a line carries an older SKU, an unfulfilled order was archived, or it is
 * older than the 60 days a shop without read_all_orders can read. Shopify's `committed` at the
 * location still holds its units; whatever of it the orders read do not explain is deducted.
 * Real sync-run workflow on the Temporal dev server, both simulators over HTTP.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import { mismatches, pendingInShopify, shopifyAvailable, shopifyQuantity } from './support-inventory';
import { ensureGuestPartner } from './support-shopify-to-b1';

describe('inventory: an open order the sku: search does not return', { timeout: 180_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  before(async () => {
    fx = await startHubFixture({ items: 30 });
    await ensureGuestPartner(fx);
    worker = await fx.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('a line under an older SKU: Shopify committed 3 that B1 does not have, available stays ≤ B1 sellable − 3', async () => {
    const loc = fx.deps.mapping.locations[0]!;
    const openOn = (c: string) =>
      Object.values(fx.shopifySim.state.data.orders).some((o) => !o.cancelledAt && o.lineItems.some((l) => l.sku === c));
    const sku = [...DEMO_ITEM_CODES].find((c) => fx.shopifySim.state.variantsBySku(c).length === 1 && !openOn(c));
    assert.ok(sku, 'a SKU with one variant and no open order');
    fx.b1Sim.state.setStock(sku, loc.warehouses[0]!, { InStock: 10, Committed: 0, Ordered: 0 });
    for (const wh of loc.warehouses.slice(1)) fx.b1Sim.state.setStock(sku, wh, { InStock: 0, Committed: 0, Ordered: 0 });
    await fx.runSync('inventory', { mode: 'ids', ids: [sku] });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 10);

    const variantId = fx.shopifySim.state.variantsBySku(sku)[0]!.id;
    const o = fx.shopifySim.createOrder({
      email: 'older.sku@example.com',
      financialStatus: 'PENDING',
      lines: [{ variantId, quantity: 3, locationId: Number(loc.locationId.split('/').pop()) }],
    });
    // The line keeps the SKU it was sold under (renamed since): `sku:` search no longer finds it.
    fx.shopifySim.state.order(o.id)!.lineItems[0]!.sku = `${sku}-OLD`;
    assert.equal(shopifyQuantity(fx.shopifySim, sku, loc.locationId, 'committed'), 3);
    // The helper counts the order by its variant, whatever the line's SKU says.
    assert.equal(pendingInShopify(fx.b1Sim, fx.shopifySim, sku, loc.locationId, loc.warehouses), 3);

    // B1 stock changes (a goods receipt of 1), so the run has a reason to write.
    fx.b1Sim.state.setStock(sku, loc.warehouses[0]!, { InStock: 11, Committed: 0, Ordered: 0 });
    await fx.runSync('inventory', { mode: 'ids', ids: [sku] });
    const avail = shopifyAvailable(fx.shopifySim, sku, loc.locationId) ?? 0;
    assert.ok(avail <= 8, `oversell: available ${avail} > 8 (B1 sellable 11, 3 sold in Shopify and not in B1)`);
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, fx.deps.mapping, [sku]), []);
  });
});
