/**
 * No oversell: the quantity pushed to Shopify never exceeds what B1 can still sell after the
 * Shopify orders B1 does not have yet, in every interleaving of sales, imports and stock runs.
 * Real sync-run workflow on the Temporal dev server, both simulators over HTTP; interleavings are
 * driven by wrapping the worker's own connector calls (no timing).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import type { MappingConfig } from '../../src/mapping/config';
import { mismatches, pendingInShopify, shopifyAvailable } from './support-inventory';
import { ensureGuestPartner } from './support-shopify-to-b1';

describe('inventory never sells what Shopify already sold', { timeout: 180_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let mapping: MappingConfig;
  let loc: { locationId: string; warehouses: string[] };
  const codes = [...DEMO_ITEM_CODES];
  const used = new Set<string>();

  before(async () => {
    fx = await startHubFixture({ items: 30 });
    mapping = fx.deps.mapping;
    loc = mapping.locations[0]!;
    await ensureGuestPartner(fx);
    worker = await fx.startWorker();
    await fx.runSync('inventory', { mode: 'full' });
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  /** An item no open Shopify order touches at the location (the seed places some), with B1 stock 10 − 0 pushed. */
  async function freshItem(): Promise<{ sku: string; variantId: number }> {
    let sku = codes.find(
      (c) =>
        !used.has(c) &&
        pendingInShopify(fx.b1Sim, fx.shopifySim, c, loc.locationId) === 0 &&
        fx.shopifySim.state.variantsBySku(c).length === 1,
    );
    if (!sku) {
      // Every SKU served a test already: retire a used one's orders (cancelled in both systems).
      sku = [...used].find((c) => fx.shopifySim.state.variantsBySku(c).length === 1);
      assert.ok(sku, 'a SKU to reuse');
      for (const o of Object.values(fx.shopifySim.state.data.orders)) {
        if (!o.cancelledAt && o.lineItems.some((l) => l.sku === sku)) fx.shopifySim.cancelOrder(o.id, { restock: true });
      }
      for (const d of [...fx.b1Sim.state.store('Orders').values()]) {
        if (
          d.DocumentStatus === 'bost_Open' &&
          ((d.DocumentLines as { ItemCode?: string }[] | undefined) ?? []).some((l) => l.ItemCode === sku)
        )
          fx.b1Sim.state.orderAction(String(d.DocEntry), 'Cancel');
      }
      used.delete(sku);
    }
    assert.equal(pendingInShopify(fx.b1Sim, fx.shopifySim, sku, loc.locationId), 0, 'a SKU without open orders');
    used.add(sku);
    fx.b1Sim.state.setStock(sku, loc.warehouses[0]!, { InStock: 10, Committed: 0, Ordered: 0 });
    for (const wh of loc.warehouses.slice(1)) fx.b1Sim.state.setStock(sku, wh, { InStock: 0, Committed: 0, Ordered: 0 });
    await fx.runSync('inventory', { mode: 'ids', ids: [sku] });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 10);
    return { sku, variantId: fx.shopifySim.state.variantsBySku(sku)[0]!.id };
  }

  function sell(
    variantId: number,
    quantity: number,
    financialStatus: 'PAID' | 'PENDING' = 'PAID',
    extra: { sku: string; quantity: number }[] = [],
  ): string {
    const o = fx.shopifySim.createOrder({
      email: 'buyer@example.com',
      financialStatus,
      lines: [{ variantId, quantity, locationId: Number(loc.locationId.split('/').pop()) }, ...extra],
    });
    return `gid://shopify/Order/${o.id}`;
  }

  /** What the order pipeline's import does to B1's stock: a sales order carrying the Shopify id. */
  async function importIntoB1(orderId: string, sku: string, quantity: number): Promise<void> {
    await fx.deps.b1.createOrder({
      CardCode: 'C00001',
      DocDueDate: '2030-01-31',
      U_ShopifyId: orderId,
      DocumentLines: [{ ItemCode: sku, Quantity: quantity, WarehouseCode: loc.warehouses[0]! }],
    } as never);
  }

  /** The B1 sales order (DocEntry) carrying the Shopify order, as the simulator holds it. */
  function b1DocEntry(orderId: string): number {
    const doc = [...fx.b1Sim.state.store('Orders').values()].find((o) => o.U_ShopifyId === orderId);
    assert.ok(doc, `a B1 sales order for ${orderId}`);
    return Number(doc.DocEntry);
  }

  function b1Stock(sku: string): { InStock: number; Committed: number } {
    const row = (
      fx.b1Sim.state.get('Items', sku) as { ItemWarehouseInfoCollection: { WarehouseCode: string; InStock: number; Committed: number }[] }
    ).ItemWarehouseInfoCollection.find((w) => w.WarehouseCode === loc.warehouses[0]);
    return { InStock: row?.InStock ?? 0, Committed: row?.Committed ?? 0 };
  }

  /** An order edit in Shopify after the import: the line sells `more` units (Shopify commits them at once). */
  function raiseInShopify(orderId: string, sku: string, more: number): void {
    const o = fx.shopifySim.state.order(Number(orderId.split('/').pop()));
    const line = o?.lineItems.find((l) => l.sku === sku);
    assert.ok(o && line && line.locationId !== null);
    line.quantity += more;
    line.currentQuantity += more;
    const item = fx.shopifySim.state.inventoryItem(fx.shopifySim.state.variantsBySku(sku)[0]!.inventoryItemId)!;
    fx.shopifySim.state.commit(item, line.locationId, more);
  }

  test('a quantity raised in Shopify after the import is deducted (B1 holds 3 of 5: 10 − 3 − 2 = 5, not 7)', async () => {
    const { sku, variantId } = await freshItem();
    const orderId = sell(variantId, 3);
    await importIntoB1(orderId, sku, 3);
    raiseInShopify(orderId, sku, 2);
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 5, 'Shopify took the 2 extra units out of available');
    const { result } = await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(result.counts.failed, 0);
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 5);
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, mapping, codes), []);
  });

  test('a B1 sales order closed by hand while Shopify has not shipped keeps the units off sale (10 − 0 − 3 = 7, not 10)', async () => {
    const { sku, variantId } = await freshItem();
    const orderId = sell(variantId, 3);
    await importIntoB1(orderId, sku, 3);
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 7);
    fx.b1Sim.state.orderAction(String(b1DocEntry(orderId)), 'Close');
    assert.deepEqual(b1Stock(sku), { InStock: 10, Committed: 0 }, 'closing releases Committed and ships nothing');
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 7);
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, mapping, codes), []);
  });

  test('a B1 line closed by hand, or removed, while Shopify has not shipped keeps its units off sale', async () => {
    for (const how of ['close-line', 'remove-line'] as const) {
      const { sku, variantId } = await freshItem();
      const orderId = sell(variantId, 3);
      // A second line keeps the sales order open: only the SKU's line leaves Committed.
      await fx.deps.b1.createOrder({
        CardCode: 'C00001',
        DocDueDate: '2030-01-31',
        U_ShopifyId: orderId,
        DocumentLines: [
          { ItemCode: sku, Quantity: 3, WarehouseCode: loc.warehouses[0]! },
          { ItemCode: 'A00001', Quantity: 1, WarehouseCode: loc.warehouses[0]! },
        ],
      } as never);
      const key = String(b1DocEntry(orderId));
      if (how === 'close-line') fx.b1Sim.state.update('Orders', key, { DocumentLines: [{ LineNum: 0, LineStatus: 'bost_Close' }] }, false);
      else fx.b1Sim.state.update('Orders', key, { DocumentLines: [{ LineNum: 1 }] }, true);
      assert.equal(b1Stock(sku).Committed, 0, how);
      await fx.runSync('inventory', { mode: 'delta' });
      assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 7, how);
    }
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, mapping, codes), []);
  });

  test('units delivered in B1 but not fulfilled in Shopify are deducted once (they left InStock), not twice', async () => {
    const { sku, variantId } = await freshItem();
    const orderId = sell(variantId, 4);
    await importIntoB1(orderId, sku, 4);
    const docEntry = b1DocEntry(orderId);
    fx.b1Sim.state.deliver(docEntry, [{ LineNum: 0, Quantity: 1 }]);
    assert.deepEqual(b1Stock(sku), { InStock: 9, Committed: 3 });
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 6, 'partly delivered: 9 − 3, the delivered unit not deducted again');
    fx.b1Sim.state.deliver(docEntry, [{ LineNum: 0, Quantity: 3 }]);
    assert.equal(fx.b1Sim.state.get('Orders', String(docEntry))?.DocumentStatus, 'bost_Close', 'fully delivered: the order closes');
    assert.deepEqual(b1Stock(sku), { InStock: 6, Committed: 0 });
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 6, 'fully delivered, Shopify still unfulfilled: 6, not 2');
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, mapping, codes), []);
  });

  test('a B1 order closed by hand during a run, after its lines were read, is still deducted', async () => {
    // The close lands between the run's first look at B1's sales orders and its stock re-read:
    // the re-read no longer has the units in Committed, so the run must see the close too.
    const { sku, variantId } = await freshItem();
    const orderId = sell(variantId, 3);
    await importIntoB1(orderId, sku, 3);
    const b1 = fx.deps.b1;
    const list = b1.list.bind(b1);
    let closed = false;
    b1.list = (async (set: string, ...rest: unknown[]) => {
      const out = await (list as (...a: unknown[]) => Promise<unknown[]>)(set, ...rest);
      if (set === 'Orders' && !closed) {
        closed = true;
        fx.b1Sim.state.orderAction(String(b1DocEntry(orderId)), 'Close');
      }
      return out;
    }) as typeof b1.list;
    try {
      const { result } = await fx.runSync('inventory', { mode: 'delta' });
      assert.equal(result.counts.failed, 0);
    } finally {
      b1.list = list;
    }
    assert.ok(closed, 'the run read the sales order before it was closed');
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 7, 'never 10: the closed order no longer holds the units');
  });

  test('a sale not yet imported into B1 is not put back on sale (10 in stock, 3 sold → 7, not 10)', async () => {
    const { sku, variantId } = await freshItem();
    sell(variantId, 3);
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 7, 'Shopify takes the sold units out of available at once');
    const { result } = await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 7);
    assert.equal(result.counts.failed, 0);
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, mapping, codes), []);
  });

  test('an order waiting for payment (never imported by the order filter) keeps its units off sale', async () => {
    const { sku, variantId } = await freshItem();
    const orderId = sell(variantId, 4, 'PENDING');
    const orders = await fx.runSync('order', { mode: 'ids', ids: [orderId] });
    assert.equal(orders.result.counts.skipped, 1, 'the order pipeline skips an unpaid order');
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 6);
  });

  test('an order that failed to import keeps its units off sale', async () => {
    const { sku, variantId } = await freshItem();
    // A second line whose SKU B1 does not know: the order pipeline fails the whole order.
    const orderId = sell(variantId, 2, 'PAID', [{ sku: 'NOT-IN-B1', quantity: 1 }]);
    const orders = await fx.runSync('order', { mode: 'ids', ids: [orderId] });
    assert.equal(orders.result.counts.failed, 1, 'the order failed to import');
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 8);
  });

  test('an order imported between two stock runs is deducted once, not twice', async () => {
    const { sku, variantId } = await freshItem();
    const orderId = sell(variantId, 3);
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 7);
    const orders = await fx.runSync('order', { mode: 'ids', ids: [orderId] });
    assert.equal(orders.result.counts.created, 1, 'imported by the order pipeline');
    const row = (
      fx.b1Sim.state.get('Items', sku) as { ItemWarehouseInfoCollection: { WarehouseCode: string; Committed: number }[] }
    ).ItemWarehouseInfoCollection.find((w) => w.WarehouseCode === loc.warehouses[0]);
    assert.equal(row?.Committed, 3, 'B1 now commits the units');
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 7);
  });

  test('an order imported during a stock run, before or after its membership check, is counted exactly once', async () => {
    // Import right before the run looks the Shopify orders up in B1 (after B1's stock was read):
    // the stale stock read does not hold the order yet, so it must be read again.
    for (const when of ['before-check', 'after-check'] as const) {
      const { sku, variantId } = await freshItem();
      const orderId = sell(variantId, 3);
      const b1 = fx.deps.b1;
      const list = b1.list.bind(b1);
      let done = false;
      b1.list = (async (set: string, ...rest: unknown[]) => {
        if (set === 'Orders' && !done) {
          done = true;
          if (when === 'before-check') await importIntoB1(orderId, sku, 3);
          const out = await (list as (...a: unknown[]) => Promise<unknown[]>)(set, ...rest);
          if (when === 'after-check') await importIntoB1(orderId, sku, 3);
          return out;
        }
        return (list as (...a: unknown[]) => Promise<unknown[]>)(set, ...rest);
      }) as typeof b1.list;
      try {
        const { result } = await fx.runSync('inventory', { mode: 'delta' });
        assert.ok(done, 'the run looked the order up');
        assert.equal(result.counts.failed, 0);
      } finally {
        b1.list = list;
      }
      // After the check: deducted and committed for this one run (7 − 3 = 4 would be double: allowed
      // only as a transient undersell); before the check: exactly once.
      const have = shopifyAvailable(fx.shopifySim, sku, loc.locationId)!;
      if (when === 'before-check') assert.equal(have, 7, when);
      else assert.ok(have === 7 || have === 4, `${when}: ${have}`);
      assert.ok(have <= 7, `${when}: never above what B1 can sell (${have})`);
      await fx.runSync('inventory', { mode: 'delta' });
      assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 7, `${when}: the next run settles on exactly once`);
    }
  });

  test('a sale between the read and the write is not overwritten: compare-and-set fails, the item is read again', async () => {
    const { sku, variantId } = await freshItem();
    fx.b1Sim.state.setStock(sku, loc.warehouses[0]!, { InStock: 12, Committed: 0, Ordered: 0 });
    const shopify = fx.deps.shopify;
    const set = shopify.setInventoryQuantities.bind(shopify);
    let calls = 0;
    shopify.setInventoryQuantities = (async (...args: Parameters<typeof set>) => {
      // The sale lands after the run read Shopify's levels, just before the first write.
      if (calls++ === 0) sell(variantId, 2);
      return set(...args);
    }) as typeof shopify.setInventoryQuantities;
    try {
      const { result } = await fx.runSync('inventory', { mode: 'delta' });
      assert.equal(result.counts.failed, 0, 'a stale value never fails the item or the run');
      assert.ok(calls >= 2, `the item was written again after the re-read (${calls} calls)`);
    } finally {
      shopify.setInventoryQuantities = set;
    }
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 10, '12 in B1, 2 sold in Shopify');
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, mapping, codes), []);
  });

  test('cancelling an unimported order in Shopify gives its units back', async () => {
    const { sku, variantId } = await freshItem();
    const orderId = sell(variantId, 5);
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 5);
    fx.shopifySim.cancelOrder(orderId, { restock: true });
    await fx.runSync('inventory', { mode: 'delta' });
    assert.equal(shopifyAvailable(fx.shopifySim, sku, loc.locationId), 10);
  });

  test('a run of several pages reads open orders from one bulk export; a sale after the export is still deducted', async () => {
    const a = await freshItem();
    const b = await freshItem();
    sell(a.variantId, 3);
    const pageSize = fx.deps.pageSizes.inventory;
    fx.deps.pageSizes.inventory = 5;
    fx.shopifySim.faults.add({ kind: 'latency', ms: 0, times: 1_000, match: 'InventoryOpenOrders' });
    const queriesBefore = fx.shopifySim.faults.injected.latency;
    const bulkBefore = Object.keys(fx.shopifySim.state.data.bulkOperations).length;
    const exec = fx.deps.shopify.executor;
    const call = exec.call.bind(exec);
    let sold = false;
    exec.call = (async (...args: Parameters<typeof call>) => {
      const out = await call(...args);
      // Once the orders export is complete, B sells 4 units: the export cannot know them.
      const done = Object.values(fx.shopifySim.state.data.bulkOperations).some(
        (op) => op.query.includes('BulkExportOpenOrders') && op.status === 'COMPLETED',
      );
      if (done && !sold) {
        sold = true;
        sell(b.variantId, 4);
      }
      return out;
    }) as typeof exec.call;
    try {
      const { result } = await fx.runSync('inventory', { mode: 'delta' });
      assert.equal(result.counts.failed, 0);
    } finally {
      exec.call = call;
      fx.deps.pageSizes.inventory = pageSize;
      fx.shopifySim.faults.clear();
    }
    assert.ok(sold, 'the sale landed during the run');
    assert.equal(Object.keys(fx.shopifySim.state.data.bulkOperations).length - bulkBefore, 2, 'one export of levels, one of open orders');
    assert.equal(shopifyAvailable(fx.shopifySim, a.sku, loc.locationId), 7);
    assert.equal(shopifyAvailable(fx.shopifySim, b.sku, loc.locationId), 6);
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, mapping, codes), []);
    // Items the export explains need no per-request order query (only items whose committed units disagree with it).
    const queries = fx.shopifySim.faults.injected.latency - queriesBefore;
    assert.ok(queries <= 2, `per-request open-order queries: ${queries}`);
  });
});
