/**
 * B1 deliveries → Shopify fulfillments over HTTP: both simulators, the real Temporal dev server,
 * deliveries posted through the Service Layer and the outcome read through the Admin API.
 * A partial delivery with tracking makes the order PARTIALLY_FULFILLED with that number, the
 * second delivery FULFILLED, re-runs create nothing, a tracking number added later is sent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { ensureGuestPartner, runLog } from '../pipelines/support-shopify-to-b1';
import { createFulfillment, orderFulfillmentState } from '../../src/connectors/shopify/fulfillment';
import { deliver, fulfillmentsOf, importedOrder, statusOf } from './support';

describe('delivery pipeline (B1 deliveries → Shopify fulfillments)', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 5, shopifyOrders: 12, plan: 'plus' });
    await ensureGuestPartner(fx);
    worker = await fx.startWorker();
    await fx.runSync('order', { mode: 'full' });
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('partial delivery with tracking → PARTIALLY_FULFILLED; second delivery → FULFILLED; re-runs create nothing; later tracking is sent', async () => {
    const so = importedOrder(fx);
    const orderId = so.U_ShopifyId;
    const [l0, ...rest] = so.DocumentLines;
    assert.equal(await statusOf(fx, orderId), 'UNFULFILLED');

    const first = await deliver(fx, so.DocEntry, [{ line: l0!.LineNum, qty: 1 }], { TrackingNumber: '1Z-FIRST' });
    const run1 = await fx.runSync('delivery', { mode: 'full' });
    const log1 = await runLog(fx, run1.workflowId);
    const o1 = log1.outcomes.find((o) => o.sourceId === String(first));
    assert.equal(o1?.outcome, 'created', JSON.stringify(o1));
    assert.equal(await statusOf(fx, orderId), 'PARTIALLY_FULFILLED');
    let fs = await fulfillmentsOf(fx, orderId);
    assert.equal(fs.length, 1);
    assert.equal(fs[0]!.trackingNumber, '1Z-FIRST');
    assert.deepEqual(Object.values(fs[0]!.lines), [1]);
    const wb = fx.b1Sim.state.get('DeliveryNotes', String(first))!;
    assert.match(String(wb.U_ShopifyFulfillId), /^\d+=\d+$/, 'fulfillment id written back to the delivery');

    // The rest of the order, in a second delivery.
    const second = await deliver(fx, so.DocEntry, [
      ...(l0!.Quantity > 1 ? [{ line: l0!.LineNum, qty: l0!.Quantity - 1 }] : []),
      ...rest.map((l) => ({ line: l.LineNum, qty: l.Quantity })),
    ]);
    const run2 = await fx.runSync('delivery', { mode: 'delta', since: run1.result.watermark });
    const o2 = (await runLog(fx, run2.workflowId)).outcomes.find((o) => o.sourceId === String(second));
    assert.equal(o2?.outcome, 'created', JSON.stringify(o2));
    assert.equal(await statusOf(fx, orderId), 'FULFILLED');
    fs = await fulfillmentsOf(fx, orderId);
    // One fulfillment per fulfillment order (location) the second delivery's lines sit on.
    const pairs = String(fx.b1Sim.state.get('DeliveryNotes', String(second))!.U_ShopifyFulfillId).split(',');
    assert.equal(fs.length, 1 + pairs.length);

    // Every re-run (full, delta from the start, the ids) creates nothing.
    for (const opts of [{ mode: 'full' as const }, { mode: 'ids' as const, ids: [String(first), String(second)] }]) {
      const r = await fx.runSync('delivery', opts);
      const outs = (await runLog(fx, r.workflowId)).outcomes.filter((o) => o.sourceId === String(first) || o.sourceId === String(second));
      assert.deepEqual(
        outs.map((o) => o.outcome),
        ['unchanged', 'unchanged'],
        JSON.stringify(outs),
      );
    }
    assert.equal((await fulfillmentsOf(fx, orderId)).length, fs.length);

    // A tracking number added to the second delivery later reaches its fulfillment.
    await fx.deps.b1.request('PATCH', `DeliveryNotes(${second})`, {
      body: { TrackingNumber: 'LATE-42' },
      context: { entity: 'DeliveryNotes' },
    });
    const run3 = await fx.runSync('delivery', { mode: 'ids', ids: [String(second)] });
    const o3 = (await runLog(fx, run3.workflowId)).outcomes.find((o) => o.sourceId === String(second));
    assert.equal(o3?.outcome, 'updated', JSON.stringify(o3));
    fs = await fulfillmentsOf(fx, orderId);
    assert.deepEqual([...new Set(fs.map((f) => f.trackingNumber))].sort(), ['1Z-FIRST', 'LATE-42']);
  });

  test('units fulfilled by hand in Shopify: a delivery of them fails naming the line; once the whole order is fulfilled it is skipped', async () => {
    const so = importedOrder(fx);
    const [l0, l1] = so.DocumentLines;
    // Line 0 shipped by hand in Shopify (any app or the admin), before B1 delivers it.
    const st = (await orderFulfillmentState(fx.deps.shopify.executor, so.U_ShopifyId))!;
    const fo = st.fulfillmentOrders.find((f) => f.lines.some((l) => l.lineItemId === l0!.U_ShopifyLineId))!;
    const foLine = fo.lines.find((l) => l.lineItemId === l0!.U_ShopifyLineId)!;
    await createFulfillment(fx.deps.shopify.executor, {
      fulfillmentOrderId: fo.id,
      lines: [{ id: foLine.id, quantity: foLine.remainingQuantity }],
      notifyCustomer: false,
    });
    assert.equal(await statusOf(fx, so.U_ShopifyId), 'PARTIALLY_FULFILLED');
    const d = await deliver(fx, so.DocEntry, [
      { line: l1!.LineNum, qty: 1 },
      { line: l0!.LineNum, qty: 1 },
    ]);
    const r = await fx.runSync('delivery', { mode: 'ids', ids: [String(d)] });
    const o = (await runLog(fx, r.workflowId)).outcomes.find((x) => x.sourceId === String(d));
    assert.equal(o?.outcome, 'failed');
    assert.match(String(o?.reason), /line 2 \(.*\): 1 of 1 match no open quantity in Shopify/);
    assert.equal(o?.field, `DocumentLines[1]`);
    assert.equal((await fulfillmentsOf(fx, so.U_ShopifyId)).length, 1, 'nothing sent for the other line either');

    // The rest fulfilled by hand too: the delivery has nothing left to send and is skipped.
    const byHand = await fetch(`${fx.shopifySim.url}/_sim/orders/${so.U_ShopifyId.split('/').pop()}/fulfill`, {
      method: 'POST',
      headers: { 'x-shopify-access-token': fx.shopifySim.accessToken, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(byHand.status, 200, await byHand.text());
    const r2 = await fx.runSync('delivery', { mode: 'ids', ids: [String(d)] });
    const o2 = (await runLog(fx, r2.workflowId)).outcomes.find((x) => x.sourceId === String(d));
    assert.deepEqual([o2?.outcome, o2?.rule], ['skipped', 'shopify-order-fulfilled']);
  });

  test('a delivery based on a reserve invoice (BaseType 13) reaches the Shopify order through the invoice', async () => {
    const so = importedOrder(fx, 1);
    const line = so.DocumentLines[0]!;
    const inv = await fx.deps.b1.request('POST', 'Invoices', {
      body: {
        CardCode: fx.b1Sim.state.get('Orders', String(so.DocEntry))!.CardCode,
        ReserveInvoice: 'tYES',
        DocumentLines: [{ BaseType: 17, BaseEntry: so.DocEntry, BaseLine: line.LineNum, Quantity: line.Quantity }],
      },
      context: { entity: 'Invoices' },
    });
    const invEntry = Number((JSON.parse(inv.body) as { DocEntry: number }).DocEntry);
    const res = await fx.deps.b1.request('POST', 'DeliveryNotes', {
      body: { DocumentLines: [{ BaseType: 13, BaseEntry: invEntry, BaseLine: 0, Quantity: 1 }], TrackingNumber: 'RI-1' },
      context: { entity: 'DeliveryNotes' },
    });
    const d = Number((JSON.parse(res.body) as { DocEntry: number }).DocEntry);
    const r = await fx.runSync('delivery', { mode: 'ids', ids: [String(d)] });
    const o = (await runLog(fx, r.workflowId)).outcomes.find((x) => x.sourceId === String(d));
    assert.equal(o?.outcome, 'created', JSON.stringify(o));
    const fs = await fulfillmentsOf(fx, so.U_ShopifyId);
    assert.deepEqual(
      fs.map((f) => [f.trackingNumber, f.lines[line.U_ShopifyLineId!]]),
      [['RI-1', 1]],
    );
  });

  test('two sync runs at once (two workflow ids, e.g. two deployments): one fulfillment per delivery', async () => {
    const so = importedOrder(fx, 2);
    const lines = so.DocumentLines.map((l) => ({ line: l.LineNum, qty: l.Quantity }));
    const d = await deliver(fx, so.DocEntry, lines, { TrackingNumber: 'TWICE' });
    const [a, b] = await Promise.all([
      fx.runSync('delivery', { mode: 'ids', ids: [String(d)] }),
      fx.runSync('delivery', { mode: 'ids', ids: [String(d)] }),
    ]);
    const outs = [...(await runLog(fx, a.workflowId)).outcomes, ...(await runLog(fx, b.workflowId)).outcomes].filter(
      (o) => o.sourceId === String(d),
    );
    assert.ok(
      outs.some((o) => o.outcome === 'created'),
      JSON.stringify(outs),
    );
    assert.equal(await statusOf(fx, so.U_ShopifyId), 'FULFILLED');
    const n = (await fulfillmentsOf(fx, so.U_ShopifyId)).length;
    const pairs = String(fx.b1Sim.state.get('DeliveryNotes', String(d))!.U_ShopifyFulfillId).split(',');
    assert.equal(n, pairs.length, 'one fulfillment per fulfillment order, none twice');
    // Whichever lost the race left the delivery open in its ledger; the next run settles it.
    const again = await fx.runSync('delivery', { mode: 'ids', ids: [String(d)] });
    const o = (await runLog(fx, again.workflowId)).outcomes.find((x) => x.sourceId === String(d));
    assert.ok(['unchanged', 'updated'].includes(String(o?.outcome)), JSON.stringify(o));
    assert.equal((await fulfillmentsOf(fx, so.U_ShopifyId)).length, n);
  });
});
