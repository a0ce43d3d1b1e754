/**
 * Order pipeline end to end: Temporal dev server, the real sync-run workflow and activities, both
 * simulators over HTTP. Shopify orders become B1 sales orders once; later cancellations and
 * quantity edits follow while the B1 order is open.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMappingConfig } from '../../src/mapping/config';
import { orderPipeline } from '../../src/pipelines/order';
import { settleDuplicates } from '../../src/pipelines/order/exactly-once';
import { failBulkQueries } from '../../src/sim/shopify/bulk';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import {
  b1Writes,
  committedTotal,
  ensureGuestPartner,
  gidNumber,
  partners,
  partnersByShopifyId,
  runLog,
  salesOrders,
  salesOrdersByShopifyId,
} from './support-shopify-to-b1';

type Line = { ItemCode: string; Quantity: number; WarehouseCode: string; LineNum: number };

describe('order pipeline (Shopify → B1 sales orders)', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let watermark: string | undefined;
  const ids: Record<string, string> = {};
  const gid = (o: { id: number }) => `gid://shopify/Order/${o.id}`;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 6, shopifyOrders: 14, b1Customers: 3, plan: 'plus' });
    await ensureGuestPartner(fx);
    // No default warehouse: a line fulfilled from an unmapped location must fail its order.
    fx.deps.mapping = parseMappingConfig({ ...fx.deps.mapping, order: { ...fx.deps.mapping.order, defaultWarehouse: undefined } });
    const sim = fx.shopifySim;
    const [loc1, loc2] = Object.values(sim.state.data.locations);
    const popup = sim.state.addLocation({ name: 'Popup Store', countryCode: 'DE', city: 'Berlin' });
    const zoe = sim.createCustomer({
      firstName: 'Zoë',
      lastName: 'Ærøskøbing 東京',
      email: 'zoe.orders@example.com',
      addresses: [{ address1: 'Königstraße 7', city: 'München', zip: '80331', countryCode: 'DE' }],
    });
    ids.zoe = `gid://shopify/Customer/${zoe.id}`;
    ids.unicode = gid(
      sim.createOrder({
        customerId: zoe.id,
        processedAt: '2026-03-09T03:30:00Z',
        lines: [
          { sku: 'A00001', quantity: 3, locationId: loc1!.id },
          { sku: 'A00002', quantity: 1, locationId: loc2!.id },
        ],
        shipping: [{ title: 'Express', price: '9.90' }],
        taxesIncluded: true,
        taxRate: 0.19,
      }),
    );
    ids.unknownSku = gid(
      sim.createOrder({
        customerId: zoe.id,
        lines: [
          { sku: 'A00003', quantity: 1, locationId: loc1!.id },
          { sku: 'NOPE-1', quantity: 2, locationId: loc1!.id },
        ],
      }),
    );
    // A store the hub has no mapping for, stocking the item (Shopify sells only where an item is stocked).
    const a4 = sim.state.variantsBySku('A00004')[0]!;
    sim.state.activate(sim.state.inventoryItem(a4.inventoryItemId)!, popup.id, 3);
    ids.popup = gid(sim.createOrder({ customerId: zoe.id, lines: [{ sku: 'A00004', quantity: 1, locationId: popup.id }] }));
    ids.pending = gid(sim.createOrder({ customerId: zoe.id, financialStatus: 'PENDING', lines: [{ sku: 'A00005', quantity: 1 }] }));
    ids.test = gid(sim.createOrder({ customerId: zoe.id, test: true, lines: [{ sku: 'A00005', quantity: 1 }] }));
    ids.guest = gid(
      sim.createOrder({
        customerId: null,
        email: 'walk-in@example.com',
        lines: [{ sku: 'A00006', quantity: 2, locationId: loc2!.id }],
        shipping: [{ title: 'Standard', price: '4.90' }],
      }),
    );
    worker = await fx.startWorker();
  });

  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('a first delta run creates each sales order once; bad orders fail alone, filtered ones are skipped', async () => {
    const shopifyOrders = Object.values(fx.shopifySim.state.data.orders);
    const committedBefore = committedTotal(fx);
    const { result, workflowId } = await fx.runSync('order', { mode: 'delta' });
    const c = result.counts;
    assert.deepEqual(
      { failed: c.failed, skipped: c.skipped, created: c.created },
      { failed: 2, skipped: 2, created: shopifyOrders.length - 4 },
      JSON.stringify(c),
    );
    watermark = result.watermark;

    const { outcomes, historyBytes, events } = await runLog(fx, workflowId);
    const by = (id: string) => outcomes.find((o) => o.sourceId === id);
    assert.equal(by(ids.unknownSku!)?.field, 'lineItems[1].sku');
    assert.match(by(ids.unknownSku!)?.reason ?? '', /SKU 'NOPE-1' has no B1 item/);
    assert.equal(by(ids.popup!)?.field, 'lineItems[0].locationId');
    assert.match(by(ids.popup!)?.reason ?? '', /SKU 'A00004'.*no B1 warehouse/);
    assert.equal(by(ids.pending!)?.rule, 'financial-status:PENDING');
    assert.equal(by(ids.test!)?.rule, 'test-order');
    assert.equal(salesOrdersByShopifyId(fx, ids.unknownSku!).length, 0, 'never half-posted');
    assert.equal(salesOrdersByShopifyId(fx, ids.popup!).length, 0);
    console.log(
      `order run: ${shopifyOrders.length} orders, history ${historyBytes} bytes / ${events} events (${Math.round(historyBytes / shopifyOrders.length)} B per order)`,
    );

    // Every created order: once, with its lines, reference, customer and freight.
    let qty = 0;
    for (const o of shopifyOrders) {
      const want = by(gid(o))?.outcome;
      if (want !== 'created') continue;
      const docs = salesOrdersByShopifyId(fx, gid(o));
      assert.equal(docs.length, 1, `one sales order for ${o.name}`);
      const doc = docs[0]!;
      assert.equal(doc.NumAtCard, o.name);
      assert.equal(String(doc.DocEntry), by(gid(o))?.targetId);
      const lines = doc.DocumentLines as Line[];
      assert.deepEqual(
        lines.map((l) => [l.ItemCode, l.Quantity]),
        o.lineItems.map((l) => [l.sku, l.currentQuantity]),
      );
      qty += o.lineItems.reduce((s, l) => s + l.currentQuantity, 0);
      const shipping = o.shippingLines.reduce((s, l) => s + Number(l.discountedPrice), 0);
      const freight = (doc.DocumentAdditionalExpenses as { ExpenseCode: number; LineTotal: number }[] | undefined) ?? [];
      assert.equal(freight.length, shipping > 0 ? 1 : 0, `freight of ${o.name}`);
      if (o.customerId === null) assert.equal(doc.CardCode, 'SHOPGUEST');
      else
        assert.equal(doc.CardCode, partnersByShopifyId(fx, `gid://shopify/Customer/${o.customerId}`)[0]?.CardCode, `partner of ${o.name}`);
    }
    assert.equal(committedTotal(fx) - committedBefore, qty, 'Committed grows by the ordered quantities');

    const uni = salesOrdersByShopifyId(fx, ids.unicode!)[0]!;
    assert.equal(uni.DocDate, '2026-03-08', 'processedAt 03:30 UTC is 23:30 the day before in New York');
    assert.deepEqual(
      (uni.DocumentLines as Line[]).map((l) => l.WarehouseCode),
      ['01', '02'],
      'warehouse from the fulfillment location',
    );
    assert.equal((uni.AddressExtension as { ShipToStreet?: string }).ShipToStreet, 'Königstraße 7');
    const freight = (uni.DocumentAdditionalExpenses as { LineTotal: number }[])[0]!;
    assert.ok(Math.abs(freight.LineTotal - 9.9 / 1.19) < 0.01, `net freight ${freight.LineTotal}`);
    // The customer was created on the fly, once, although four of its orders were in the run.
    const zoe = partnersByShopifyId(fx, ids.zoe!);
    assert.equal(zoe.length, 1);
    assert.equal(zoe[0]!.CardName, 'Zoë Ærøskøbing 東京');
    assert.equal(uni.CardCode, zoe[0]!.CardCode);
    for (const p of partners(fx)) if (p.U_ShopifyId) assert.equal(partnersByShopifyId(fx, String(p.U_ShopifyId)).length, 1);
  });

  test('a second delta run changes nothing and writes nothing', async () => {
    const from = fx.b1Sim.faults.log.length;
    const count = salesOrders(fx).length;
    const { result } = await fx.runSync('order', { mode: 'delta', since: watermark });
    assert.equal(result.counts.created + result.counts.updated, 0, JSON.stringify(result.counts));
    assert.ok(result.counts.unchanged >= 1, 'the overlap window re-reads the latest orders');
    assert.deepEqual(b1Writes(fx.b1Sim.faults.log.slice(from)), []);
    assert.equal(salesOrders(fx).length, count);
  });

  test('a full run of several pages reads past its first page from one bulk export: every order once, nothing written', async () => {
    const pageSize = fx.deps.pageSizes.order;
    const tuning = fx.deps.tuning;
    fx.deps.pageSizes.order = 4;
    // The fixture's shop is on Plus, where paging is fast enough: make the export worth it.
    fx.deps.tuning = { ...tuning, order: { ...tuning.order, bulkMinPageSeconds: 0 } };
    try {
      const from = fx.b1Sim.faults.log.length;
      const bulkBefore = Object.values(fx.shopifySim.state.data.bulkOperations).filter((b) => b.type === 'QUERY').length;
      const shopifyOrders = Object.keys(fx.shopifySim.state.data.orders).length;
      const { result } = await fx.runSync('order', { mode: 'full' });
      const c = result.counts;
      assert.equal(c.created + c.updated, 0, JSON.stringify(c));
      assert.equal(
        c.created + c.updated + c.unchanged + c.skipped + c.failed,
        shopifyOrders,
        `each of the ${shopifyOrders} orders exactly once: ${JSON.stringify(c)}`,
      );
      assert.deepEqual({ failed: c.failed, skipped: c.skipped }, { failed: 2, skipped: 2 });
      assert.deepEqual(b1Writes(fx.b1Sim.faults.log.slice(from)), []);
      const exports = Object.values(fx.shopifySim.state.data.bulkOperations).filter((b) => b.type === 'QUERY');
      assert.equal(exports.length, bulkBefore + 1, 'one export for the pages after the first');
      assert.equal(exports.at(-1)?.status, 'COMPLETED');
    } finally {
      fx.deps.pageSizes.order = pageSize;
      fx.deps.tuning = tuning;
    }
  });

  test('on a fast plan (Plus: 1000 points/s) a run of several pages keeps paging, no export', async () => {
    const pageSize = fx.deps.pageSizes.order;
    fx.deps.pageSizes.order = 4;
    try {
      const exports = () => Object.values(fx.shopifySim.state.data.bulkOperations).filter((b) => b.type === 'QUERY').length;
      const before = exports();
      const { result } = await fx.runSync('order', { mode: 'full' });
      assert.equal(result.counts.created + result.counts.updated, 0, JSON.stringify(result.counts));
      assert.equal(exports(), before);
    } finally {
      fx.deps.pageSizes.order = pageSize;
    }
  });

  test('an export that fails (INTERNAL_SERVER_ERROR) is abandoned: paging resumes where it started, every order once', async () => {
    const pageSize = fx.deps.pageSizes.order;
    const tuning = fx.deps.tuning;
    fx.deps.pageSizes.order = 4;
    fx.deps.tuning = { ...tuning, order: { ...tuning.order, bulkMinPageSeconds: 0 } };
    failBulkQueries(fx.shopifySim.runtime, { errorCode: 'INTERNAL_SERVER_ERROR', times: 1, match: 'BulkExportOrders' });
    try {
      const from = fx.b1Sim.faults.log.length;
      const shopifyOrders = Object.keys(fx.shopifySim.state.data.orders).length;
      const { result } = await fx.runSync('order', { mode: 'full' });
      const c = result.counts;
      assert.equal(c.created + c.updated + c.unchanged + c.skipped + c.failed, shopifyOrders, JSON.stringify(c));
      assert.equal(c.created + c.updated, 0, JSON.stringify(c));
      assert.deepEqual(b1Writes(fx.b1Sim.faults.log.slice(from)), []);
      const last = Object.values(fx.shopifySim.state.data.bulkOperations)
        .filter((b) => b.type === 'QUERY')
        .at(-1);
      assert.deepEqual([last?.status, last?.errorCode], ['FAILED', 'INTERNAL_SERVER_ERROR']);
    } finally {
      fx.deps.pageSizes.order = pageSize;
      fx.deps.tuning = tuning;
    }
  });

  test('an export Shopify no longer knows (expired, wrong id) is not trusted: paging resumes where it started', async () => {
    const start = await fx.deps.shopify.ordersPage({ first: 3 });
    assert.ok(start.endCursor && start.hasNextPage);
    const expected: string[] = [];
    for (let after: string | null = start.endCursor, more = true; more;) {
      const p = await fx.deps.shopify.ordersPage({ after, first: 25 });
      expected.push(...p.items.map((o) => o.id));
      more = p.hasNextPage && !!p.endCursor;
      after = p.endCursor;
    }
    const lost = `bulk:${JSON.stringify({ op: 'gid://shopify/BulkOperation/424242', after: start.endCursor, startedAt: Date.now(), since: start.items.at(-1)!.updatedAt, seen: [] })}`;
    const page = await orderPipeline.fetch(fx.deps, { object: 'order', syncId: 'bulk-gone', mode: 'full', cursor: lost, pageIndex: 1 });
    assert.deepEqual(
      page.records.map((r) => r.id),
      expected.slice(0, fx.deps.pageSizes.order),
    );
    assert.ok(!page.nextCursor?.startsWith('bulk:'), 'no second export is started mid-run');
  });

  test('a cancellation in Shopify cancels the open B1 order and releases Committed; a refund lowers the line quantity', async () => {
    const committedBefore = committedTotal(fx);
    const cancelled = fx.shopifySim.cancelOrder(gidNumber(ids.guest!));
    const uni = fx.shopifySim.state.order(gidNumber(ids.unicode!))!;
    fx.shopifySim.refundOrder(uni.id, [{ lineItemId: uni.lineItems[0]!.id, quantity: 1, restock: true }]);
    const { result, workflowId } = await fx.runSync('order', { mode: 'delta', since: watermark });
    assert.equal(result.counts.updated, 2, JSON.stringify(result.counts));
    assert.equal(result.counts.created, 0, JSON.stringify(result.counts));
    // The overlap window re-reads this test's unmappable orders: they fail again, nothing else does.
    const { outcomes } = await runLog(fx, workflowId);
    assert.deepEqual(
      outcomes
        .filter((o) => o.outcome === 'failed')
        .map((o) => o.sourceId)
        .sort(),
      [ids.unknownSku!, ids.popup!].sort(),
    );
    assert.deepEqual(
      outcomes
        .filter((o) => o.outcome === 'updated')
        .map((o) => o.sourceId)
        .sort(),
      [ids.guest!, ids.unicode!].sort(),
    );
    const guestDoc = salesOrdersByShopifyId(fx, ids.guest!)[0]!;
    assert.equal(guestDoc.Cancelled, 'tYES');
    assert.equal(committedTotal(fx), committedBefore - 2 - 1, `Committed released (${cancelled.name}: 2, refund: 1)`);
    assert.deepEqual(
      (salesOrdersByShopifyId(fx, ids.unicode!)[0]!.DocumentLines as Line[]).map((l) => l.Quantity),
      [2, 1],
    );
  });

  test('a quantity edit after B1 closed the order is reported, not forced', async () => {
    const o = Object.values(fx.shopifySim.state.data.orders).find(
      (x) =>
        x.customerId !== null &&
        !x.cancelledAt &&
        x.lineItems[0]!.currentQuantity >= 1 &&
        gid(x) !== ids.unicode &&
        salesOrdersByShopifyId(fx, gid(x)).length === 1,
    )!;
    const doc = salesOrdersByShopifyId(fx, gid(o))[0]!;
    await fx.deps.b1.closeOrder(Number(doc.DocEntry));
    fx.shopifySim.refundOrder(o.id, [{ lineItemId: o.lineItems[0]!.id, quantity: 1 }]);
    const from = fx.b1Sim.faults.log.length;
    const { result, workflowId } = await fx.runSync('order', { mode: 'ids', ids: [gid(o)] });
    assert.equal(result.counts.failed, 1);
    const [out] = (await runLog(fx, workflowId)).outcomes;
    assert.equal(out?.field, 'lineItems');
    assert.match(out?.reason ?? '', new RegExp(`quantity edits not applied: item '${o.lineItems[0]!.sku}'.*closed`));
    assert.equal(out?.targetId, String(doc.DocEntry));
    assert.deepEqual(b1Writes(fx.b1Sim.faults.log.slice(from)), []);
  });

  test('resync by ids re-reads the orders; unknown ids are reported', async () => {
    const { result } = await fx.runSync('order', { mode: 'ids', ids: [ids.unknownSku!, ids.guest!, 'gid://shopify/Order/424242'] });
    assert.deepEqual({ failed: result.counts.failed, unchanged: result.counts.unchanged }, { failed: 2, unchanged: 1 });
  });

  test('setup problems stop the run with the setting named, before anything is written', async () => {
    const noWarehouse = {
      ...fx.deps,
      mapping: parseMappingConfig({ ...fx.deps.mapping, locations: [], order: { ...fx.deps.mapping.order, defaultWarehouse: undefined } }),
    };
    await assert.rejects(orderPipeline.fetch(noWarehouse, { object: 'order', syncId: 't', mode: 'full', pageIndex: 0 }), {
      name: 'PipelineSetupError',
      message: /order\.defaultWarehouse/,
    });

    const noGuest = {
      ...fx.deps,
      mapping: parseMappingConfig({ ...fx.deps.mapping, customer: { ...fx.deps.mapping.customer, guestCardCode: 'NOGUEST' } }),
    };
    const sim = fx.shopifySim;
    const walkIn = gid(
      sim.createOrder({ customerId: null, email: 'another.walk-in@example.com', lines: [{ sku: 'A00007', quantity: 1 }] }),
    );
    const page = await orderPipeline.fetch(noGuest, { object: 'order', syncId: 't', mode: 'ids', ids: [walkIn], pageIndex: 0 });
    const mapped = await orderPipeline.map(noGuest, { object: 'order', syncId: 't', records: page.records });
    const records = mapped.flatMap((m) => (m.ok ? [{ id: m.id, payload: m.payload }] : []));
    assert.equal(records.length, 1);
    const from = fx.b1Sim.faults.log.length;
    await assert.rejects(orderPipeline.post(noGuest, { object: 'order', syncId: 't', pageIndex: 0, records }), {
      name: 'PipelineSetupError',
      message: /customer\.guestCardCode: business partner 'NOGUEST'/,
    });
    assert.deepEqual(b1Writes(fx.b1Sim.faults.log.slice(from)), []);
  });

  test('overlapping runs over the same orders create each sales order once', async () => {
    const sim = fx.shopifySim;
    const fresh = [1, 2, 3].map((i) =>
      gid(sim.createOrder({ customerId: null, email: `overlap-${i}@example.com`, lines: [{ sku: 'A00008', quantity: i }] })),
    );
    const runs = await Promise.all([
      fx.runSync('order', { mode: 'ids', ids: fresh }),
      fx.runSync('order', { mode: 'ids', ids: [...fresh].reverse() }),
    ]);
    const created = runs.reduce((n, r) => n + r.result.counts.created, 0);
    const unchanged = runs.reduce((n, r) => n + r.result.counts.unchanged, 0);
    assert.deepEqual({ created, unchanged }, { created: 3, unchanged: 3 });
    for (const id of fresh) assert.equal(salesOrdersByShopifyId(fx, id).length, 1, id);
  });

  test('a copy made by a racing writer is cancelled; the oldest sales order stands', async () => {
    const id = gid(fx.shopifySim.createOrder({ customerId: null, email: 'race@example.com', lines: [{ sku: 'A00009', quantity: 4 }] }));
    const doc = {
      CardCode: 'SHOPGUEST',
      DocDate: '2026-11-01',
      DocDueDate: '2026-11-01',
      NumAtCard: 'race',
      U_ShopifyId: id,
      DocumentLines: [{ ItemCode: 'A00009', Quantity: 4, WarehouseCode: '01' }],
    };
    const committed = committedTotal(fx);
    const first = await fx.deps.b1.createOrder(doc);
    const second = await fx.deps.b1.createOrder(doc);
    assert.equal(committedTotal(fx), committed + 8);
    assert.equal((await settleDuplicates(fx.deps, id, Number(second.DocEntry))).keep, Number(first.DocEntry));
    const docs = salesOrdersByShopifyId(fx, id).sort((a, b) => Number(a.DocEntry) - Number(b.DocEntry));
    assert.deepEqual(
      docs.map((d) => d.Cancelled),
      ['tNO', 'tYES'],
    );
    assert.equal(committedTotal(fx), committed + 4, 'the cancelled copy releases its Committed stock');
    // The other writer settling too finds nothing left to cancel.
    assert.deepEqual(await settleDuplicates(fx.deps, id, Number(first.DocEntry)), {
      keep: Number(first.DocEntry),
      cancelled: [],
      reported: [],
    });
  });

  test('B1 refusing one order (unknown warehouse) and an unmappable new customer fail those orders alone', async () => {
    const sim = fx.shopifySim;
    const mapping = fx.deps.mapping;
    const popupId = Object.values(sim.state.data.locations).find((l) => l.name === 'Popup Store')!.id;
    // The popup store mapped to a warehouse B1 does not have: B1 answers -2028 on the POST.
    fx.deps.mapping = parseMappingConfig({
      ...mapping,
      locations: [...mapping.locations, { locationId: `gid://shopify/Location/${popupId}`, warehouses: ['99'] }],
    });
    const badBuyer = sim.createCustomer({ firstName: 'Bad', lastName: 'Buyer', email: 'bad@@buyer' });
    const badCustomerOrder = gid(sim.createOrder({ customerId: badBuyer.id, lines: [{ sku: 'A00010', quantity: 1 }] }));
    const fine = gid(sim.createOrder({ customerId: null, email: 'fine@example.com', lines: [{ sku: 'A00010', quantity: 1 }] }));
    try {
      const { result, workflowId } = await fx.runSync('order', { mode: 'ids', ids: [ids.popup!, badCustomerOrder, fine] });
      assert.deepEqual({ created: result.counts.created, failed: result.counts.failed }, { created: 1, failed: 2 });
      const { outcomes } = await runLog(fx, workflowId);
      const popup = outcomes.find((o) => o.sourceId === ids.popup);
      assert.match(popup?.reason ?? '', /SAP B1 refused the sales order: .*No matching records found/);
      const bad = outcomes.find((o) => o.sourceId === badCustomerOrder);
      assert.equal(bad?.field, 'customer.defaultEmailAddress.emailAddress');
      assert.match(bad?.reason ?? '', /its customer cannot be created in B1: .*bad@@buyer/);
      assert.equal(salesOrdersByShopifyId(fx, ids.popup!).length, 0);
      assert.equal(salesOrdersByShopifyId(fx, badCustomerOrder).length, 0);
      assert.equal(partnersByShopifyId(fx, `gid://shopify/Customer/${badBuyer.id}`).length, 0);
      assert.equal(salesOrdersByShopifyId(fx, fine).length, 1);
    } finally {
      fx.deps.mapping = mapping;
    }
  });
});
