/**
 * Settling partners that carry one Shopify id never leaves frozen a copy an order was just posted
 * to: the copy's "has documents" read can precede the commit of an order another writer is
 * posting to it. Real B1 simulator over HTTP; the commit is placed right after that read by a hook
 * on the B1 client, not by timing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { B1Client } from '../../src/connectors/b1';
import { settlePartnerDuplicates } from '../../src/pipelines/customer/partner-duplicates';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';

describe('partner duplicate settling and a concurrent order POST', () => {
  let fx: HubFixture;
  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 0, shopifyOrders: 0, b1Customers: 2 });
  });
  after(async () => {
    await fx?.close();
  });

  for (const [nth, when] of [
    [1, 'its documents were first read'],
    [2, 'the read right before the freeze'],
  ] as const)
    test(`an order committed to the younger copy right after ${when}: the copy ends active`, async () => {
      const shopifyId = `gid://shopify/Customer/98765${nth}`;
      const [keeper, younger] = [`DUP${nth}01`, `DUP${nth}02`];
      for (const code of [keeper, younger])
        await fx.deps.b1.createBusinessPartner({
          CardCode: code,
          CardName: 'Twin Partner',
          CardType: 'cCustomer',
          U_ShopifyId: shopifyId,
        } as never);
      const real = fx.deps.b1;
      const b1 = Object.create(real) as B1Client;
      let committed = false;
      let reads = 0;
      b1.listRaw = async (path, q, po) => {
        const rows = await real.listRaw.call(b1, path, q, po);
        // The order run's POST for the younger copy commits just after the settler saw no orders.
        if (!committed && path === 'Orders' && String(q?.filter ?? '').includes(younger) && ++reads === nth) {
          committed = true;
          await real.createOrder({
            CardCode: younger,
            DocDueDate: '2026-12-31',
            DocumentLines: [{ ItemCode: 'A00001', Quantity: 1 }],
          } as never);
        }
        return rows;
      };
      const found = await real.findBusinessPartnersByShopifyId(shopifyId, ['CardCode']);
      const settled = await settlePartnerDuplicates({ ...fx.deps, b1 }, shopifyId, found);
      assert.ok(committed, 'the hook placed the commit');
      assert.equal(String(settled?.keep.CardCode), keeper);
      const copy = fx.b1Sim.state.get('BusinessPartners', younger) as Record<string, unknown>;
      assert.notEqual(
        copy.Frozen,
        'tYES',
        `a partner with an open order is frozen: ${JSON.stringify({ Frozen: copy.Frozen, FreeText: copy.FreeText })}`,
      );
      assert.equal(copy.U_ShopifyId ?? null, null, 'the copy no longer carries the Shopify id');
      assert.match(String(copy.FreeText), /has documents/);
    });
});
