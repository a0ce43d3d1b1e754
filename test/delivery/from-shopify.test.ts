/**
 * Shopify → B1 deliveries (`mapping.fulfillment.direction: 'shopifyToB1'`, off by default) over
 * HTTP with the dev server: a partial fulfillment made in Shopify becomes one B1 delivery based on
 * the sales order line, with its tracking number; re-runs create nothing; a delivery POST whose
 * answer is lost after B1 committed it is found, not posted twice; the default direction leaves
 * Shopify's fulfillments alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFulfillment, orderFulfillmentState } from '../../src/connectors/shopify/fulfillment';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { ensureGuestPartner, runLog } from '../pipelines/support-shopify-to-b1';
import { importedOrder } from './support';

type Rec = Record<string, unknown>;

describe('Shopify fulfillments → B1 deliveries (direction shopifyToB1)', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 5, shopifyOrders: 10, plan: 'plus' });
    await ensureGuestPartner(fx);
    worker = await fx.startWorker();
    await fx.runSync('order', { mode: 'full' });
  });
  after(async () => {
    fx.config.mapping.fulfillment.direction = 'b1ToShopify';
    fx?.b1Sim.faults.reset();
    await worker?.stop();
    await fx?.close();
  });

  const deliveriesFor = (gid: string): Rec[] =>
    [...fx.b1Sim.state.store('DeliveryNotes').values()].filter((d) => d.U_ShopifyFulfillId === gid);

  test('a partial fulfillment becomes one delivery with its tracking number; re-runs and a lost answer create no second one', async () => {
    const so = importedOrder(fx, 2);
    const [l0] = so.DocumentLines;
    const st = (await orderFulfillmentState(fx.deps.shopify.executor, so.U_ShopifyId))!;
    const fo = st.fulfillmentOrders.find((f) => f.lines.some((l) => l.lineItemId === l0!.U_ShopifyLineId))!;
    const foLine = fo.lines.find((l) => l.lineItemId === l0!.U_ShopifyLineId)!;
    const fid = await createFulfillment(fx.deps.shopify.executor, {
      fulfillmentOrderId: fo.id,
      lines: [{ id: foLine.id, quantity: 1 }],
      notifyCustomer: false,
      tracking: { number: 'SHOP-1', company: 'UPS' },
    });

    // Off by default: the B1 → Shopify direction runs and never reads Shopify's fulfillments into B1.
    await fx.runSync('delivery', { mode: 'delta' });
    assert.equal(deliveriesFor(fid).length, 0);

    fx.config.mapping.fulfillment.direction = 'shopifyToB1';
    const r1 = await fx.runSync('delivery', { mode: 'delta' });
    const o1 = (await runLog(fx, r1.workflowId)).outcomes.find((o) => o.sourceId === so.U_ShopifyId);
    assert.equal(o1?.outcome, 'created', JSON.stringify(o1));
    const [dln] = deliveriesFor(fid);
    assert.ok(dln);
    assert.equal(dln.TrackingNumber, 'SHOP-1');
    assert.deepEqual(
      (dln.DocumentLines as Rec[]).map((l) => [l.BaseType, l.BaseEntry, l.BaseLine, l.Quantity]),
      [[17, so.DocEntry, l0!.LineNum, 1]],
    );
    assert.match(String(r1.result.watermark), /^shopify:/);

    for (const mode of ['delta', 'full'] as const) {
      const r = await fx.runSync('delivery', { mode, ...(mode === 'delta' ? { since: r1.result.watermark } : {}) });
      const o = (await runLog(fx, r.workflowId)).outcomes.find((x) => x.sourceId === so.U_ShopifyId);
      assert.equal(o?.outcome, 'unchanged', JSON.stringify(o));
    }
    assert.equal(deliveriesFor(fid).length, 1);

    // The rest shipped in Shopify; B1 commits the delivery but its answer is lost.
    const res = await fetch(`${fx.shopifySim.url}/_sim/orders/${so.U_ShopifyId.split('/').pop()}/fulfill`, {
      method: 'POST',
      headers: { 'x-shopify-access-token': fx.shopifySim.accessToken, 'content-type': 'application/json' },
      body: '{}',
    });
    const rest = ((await res.json()) as { fulfillments: string[] }).fulfillments;
    assert.ok(rest.length >= 1);
    fx.b1Sim.faults.failNext({ kind: 'reset', when: 'after', match: /^POST \/b1s\/v1\/DeliveryNotes/ });
    const r2 = await fx.runSync('delivery', { mode: 'ids', ids: [so.U_ShopifyId] });
    const o2 = (await runLog(fx, r2.workflowId)).outcomes.find((x) => x.sourceId === so.U_ShopifyId);
    assert.equal(o2?.outcome, 'created', JSON.stringify(o2));
    for (const g of rest) assert.equal(deliveriesFor(g).length, 1, `one delivery for ${g}`);
    assert.equal(fx.b1Sim.state.get('Orders', String(so.DocEntry))!.DocumentStatus, 'bost_Close', 'the whole order delivered in B1');
  });
});
