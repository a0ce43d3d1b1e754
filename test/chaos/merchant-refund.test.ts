/**
 * The chaos merchant's refunds go back the way Shopify suggests: a PayPal order is refunded to
 * PayPal and a gift-card-plus-card order to each gateway in turn, never to a gateway that took no
 * money (Shopify refuses that, and a refused refund is a merchant action that did not happen).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startShopifySimulator } from '../../src/sim/shopify';
import { demoItemCodes } from '../../src/sim/b1/seed';
import { AdminProbe } from '../../src/sim/chaos/probes';
import { refundSomething } from '../../src/sim/chaos/money';

type Tx = { kind: string; status: string; gateway: string; parentTransaction: { gateway: string } | null };

test('the chaos merchant refunds every seeded way of paying, each to the gateway that took the money', async () => {
  // Seed orders 3 (PayPal) and 5 (gift card and card) pay otherwise than by card alone.
  const sim = await startShopifySimulator({ port: 0, seed: { skus: demoItemCodes(6), customers: 2, orders: 8 } });
  try {
    const admin = new AdminProbe(sim.url, sim.accessToken);
    const orders = await admin.all<{ id: string; paymentGatewayNames: string[]; displayFinancialStatus: string }>(
      'orders',
      'id paymentGatewayNames displayFinancialStatus',
      100,
    );
    const paid = orders.filter((o) => o.displayFinancialStatus === 'PAID');
    const gateways = new Set(paid.flatMap((o) => o.paymentGatewayNames));
    assert.ok(gateways.has('paypal') && gateways.has('gift_card') && gateways.has('shopify_payments'), [...gateways].join());
    for (const [i, o] of paid.entries()) {
      // `pick` chooses the order among those still paid or partly refunded, in the list's order.
      assert.equal(await refundSomething(admin, () => i / paid.length, `t-${i}`), true, `refund of ${o.id}`);
    }
    for (const o of paid) {
      const d = await admin.gql<{ order: { displayFinancialStatus: string; transactions: Tx[] } }>(
        'query($id: ID!) { order(id: $id) { displayFinancialStatus transactions { kind status gateway parentTransaction { gateway } } } }',
        { id: o.id },
      );
      const refunds = d.order.transactions.filter((t) => t.kind === 'REFUND');
      assert.ok(refunds.length >= 1, `${o.id} has a refund`);
      for (const t of refunds) {
        assert.equal(t.status, 'SUCCESS', o.id);
        assert.equal(t.gateway, t.parentTransaction?.gateway, `${o.id}: refund to the gateway of its parent`);
        assert.ok(o.paymentGatewayNames.includes(t.gateway), `${o.id} paid by ${o.paymentGatewayNames.join()}, refunded to ${t.gateway}`);
      }
      assert.equal(d.order.displayFinancialStatus, 'PARTIALLY_REFUNDED', o.id);
    }
  } finally {
    await sim.close();
  }
});
