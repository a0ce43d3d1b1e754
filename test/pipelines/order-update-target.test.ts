/**
 * Which B1 copy a Shopify order's change reaches: the copy that stands after the duplicate sweep
 * (the oldest one B1 acted on, else the oldest uncancelled), never a cancelled one while another
 * ships. Both simulators over HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sweepDuplicates } from '../../src/pipelines/order/exactly-once';
import type { PipelineDeps } from '../../src/pipelines/contract';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';
import { ensureGuestPartner, postOrderPage, salesOrdersByShopifyId } from './support-shopify-to-b1';

type Rec = Record<string, unknown>;

describe('order updates reach the copy that stands', () => {
  let fx: HubFixture;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 2, shopifyOrders: 2, b1Customers: 2, plan: 'plus' });
    await ensureGuestPartner(fx);
  });
  after(async () => {
    await fx?.close();
  });

  const postPage = (deps: PipelineDeps, ids: string[]) => postOrderPage(deps, ids, 'oc');

  /** A copy that slipped through (a late commit past the stale window): same body, younger DocEntry. */
  async function copyOf(id: string): Promise<number> {
    const first = salesOrdersByShopifyId(fx, id)[0]! as Rec;
    const lines = (first.DocumentLines as Rec[]).map((l) => ({
      ItemCode: l.ItemCode,
      Quantity: l.Quantity,
      WarehouseCode: l.WarehouseCode,
    }));
    const copy = await fx.deps.b1.createOrder({
      CardCode: first.CardCode,
      DocDueDate: first.DocDueDate,
      U_ShopifyId: id,
      DocumentLines: lines,
    } as never);
    return Number((copy as Rec).DocEntry);
  }

  test('a Shopify edit reaches the copy the sweep kept (the younger one B1 acted on), not the cancelled older one', async () => {
    const so = fx.shopifySim.createOrder({
      customerId: null,
      email: 'oc-edit@example.com',
      lines: [
        { sku: 'A00011', quantity: 3 },
        { sku: 'A00012', quantity: 2 },
      ],
    });
    const id = `gid://shopify/Order/${so.id}`;
    assert.deepEqual(
      (await postPage(fx.deps, [id])).map((o) => o.outcome),
      ['created'],
    );
    const younger = await copyOf(id);
    // B1 staff deliver part of the younger copy's first line before the next run's sweep.
    const stored = fx.b1Sim.state.get('Orders', String(younger)) as { DocumentLines: Rec[] };
    stored.DocumentLines[0]!.RemainingOpenQuantity = 1;
    const swept = await sweepDuplicates(fx.deps, '2000-01-01');
    const kept = swept.get(id);
    assert.ok(kept && !('error' in kept) && kept.keep === younger, JSON.stringify([...swept]));
    // The merchant removes the second line in Shopify: the change goes to the copy that ships.
    const line = fx.shopifySim.state.order(so.id)!.lineItems[1]!;
    line.currentQuantity = 0;
    const [out] = await postPage(fx.deps, [id]);
    assert.equal(out?.targetId, String(younger), JSON.stringify(out));
    const standing = salesOrdersByShopifyId(fx, id).find((o) => Number(o.DocEntry) === younger)! as { DocumentLines: Rec[] };
    const second = standing.DocumentLines.find((l) => l.ItemCode === 'A00012');
    assert.ok(
      !second || second.LineStatus === 'bost_Close' || Number(second.Quantity) === 0 || out?.outcome === 'failed',
      `the standing copy still ships the removed line: ${JSON.stringify(second)} (${out?.outcome})`,
    );
  });

  test('a Shopify cancellation after the sweep is not applied to the cancelled copy while the standing one stays open', async () => {
    const so = fx.shopifySim.createOrder({ customerId: null, email: 'oc-cancel@example.com', lines: [{ sku: 'A00011', quantity: 2 }] });
    const id = `gid://shopify/Order/${so.id}`;
    assert.deepEqual(
      (await postPage(fx.deps, [id])).map((o) => o.outcome),
      ['created'],
    );
    const younger = await copyOf(id);
    (fx.b1Sim.state.get('Orders', String(younger)) as { DocumentLines: Rec[] }).DocumentLines[0]!.RemainingOpenQuantity = 1;
    await sweepDuplicates(fx.deps, '2000-01-01');
    fx.shopifySim.cancelOrder(so.id, { restock: true });
    const [out] = await postPage(fx.deps, [id]);
    assert.equal(out?.targetId, String(younger), JSON.stringify(out));
    const open = salesOrdersByShopifyId(fx, id).filter((o) => o.Cancelled !== 'tYES' && o.DocumentStatus === 'bost_Open');
    assert.ok(open.length === 0 || out?.outcome === 'failed', `Shopify-cancelled order still open in B1 and the hub says ${out?.outcome}`);
  });
});
