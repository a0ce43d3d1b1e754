/**
 * The order watermark is a time on Shopify's clock, whatever the hub's clock says: the claim is
 * capped by the newest change Shopify showed when the read began (less the tolerance), never by
 * the hub's `Date.now()`. A hub clock running ahead used to lift the cap past orders that were
 * stamped but not yet visible, and the next delta skipped them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShopifyClient } from '../../src/connectors/shopify/client';
import { fetchOrders, ORDER_CLOCK_TOLERANCE_MS } from '../../src/pipelines/order/fetch';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';
import { ensureGuestPartner } from './support-shopify-to-b1';

const SKEW_MS = 10 * 60_000;

describe('order watermark with a skewed hub clock', () => {
  let fx: HubFixture;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 2, shopifyOrders: 3, plan: 'plus' });
    await ensureGuestPartner(fx);
  });

  after(async () => {
    await fx?.close();
  });

  /**
   * One delta page read by a worker whose clock is off by `skewMs` (Shopify's is not): its own
   * client, so the cost model it keeps was never fed times from the true clock.
   */
  async function deltaWatermark(since: string, skewMs: number): Promise<string | undefined> {
    const realNow = Date.now;
    Date.now = () => realNow() + skewMs;
    try {
      const shopify = new ShopifyClient(fx.deps.shopify.config);
      const page = await fetchOrders(
        { ...fx.deps, shopify },
        { object: 'order', syncId: `skew-${skewMs}`, mode: 'delta', since, pageIndex: 0 },
      );
      assert.ok(page.records.length > 0, 'the delta read the new order');
      return page.watermark;
    } finally {
      Date.now = realNow;
    }
  }

  test("the claim is the same whether the hub clock runs ahead or behind, and never past Shopify's read start less the tolerance", async () => {
    const since = new Date(Date.now() - 60 * 60_000).toISOString();
    const order = fx.shopifySim.createOrder({ customerId: null, email: 'skew@example.com', lines: [{ sku: 'A00001', quantity: 1 }] });
    const stamped = Date.parse(order.updatedAt);
    const expected = new Date(stamped - ORDER_CLOCK_TOLERANCE_MS).toISOString();
    const ahead = await deltaWatermark(since, SKEW_MS);
    const behind = await deltaWatermark(since, -SKEW_MS);
    // Ahead, a cap on the hub's clock (now + 10 min − 2 min) would not bite: the claim would be
    // the order's own stamp, past a change stamped a moment earlier and not yet visible.
    assert.equal(ahead, expected, 'hub clock 10 min ahead');
    assert.equal(behind, expected, 'hub clock 10 min behind');
    assert.ok(Date.parse(ahead as string) <= stamped - ORDER_CLOCK_TOLERANCE_MS);
  });
});
