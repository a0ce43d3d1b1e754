/**
 * What a gateway 5xx page on the order POST means: Apache's 502/503/504 page says the request may
 * have been forwarded to a node (reference §3), so the record is in doubt (no second POST, no
 * release of its reservation), and a commit that lands after the first look-up is found, not
 * doubled. Both simulators over HTTP; the late commit is driven by hooks on the B1 client.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { B1Client } from '../../src/connectors/b1';
import { ORDER_RESERVATIONS } from '../../src/connectors/b1';
import type { PipelineDeps } from '../../src/pipelines/contract';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';
import { ensureGuestPartner, postOrderPage, salesOrdersByShopifyId } from './support-shopify-to-b1';

type Rec = Record<string, unknown>;

describe('order POST answered by a gateway 5xx page', () => {
  let fx: HubFixture;
  let n = 0;
  const newOrder = (quantity = 1) =>
    `gid://shopify/Order/${fx.shopifySim.createOrder({ customerId: null, email: `oc-${++n}@example.com`, lines: [{ sku: 'A00011', quantity }] }).id}`;
  const posts = () => fx.b1Sim.faults.log.filter((l) => /^POST \/b1s\/v1\/Orders(\?|$)/.test(l)).length;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 2, shopifyOrders: 2, b1Customers: 2, plan: 'plus' });
    await ensureGuestPartner(fx);
    // The single path under test: every order the page's batched create cannot decide takes it
    // (order-batch-create.test.ts covers the batched one).
    fx.deps.tuning.order.batchCreates = false;
  });
  after(async () => {
    fx?.b1Sim.faults.reset();
    await fx?.close();
  });

  const postPage = (deps: PipelineDeps, ids: string[]) => postOrderPage(deps, ids, 'oc');

  test('Apache 503 page on the POST, commit visible only after the first look-up: one sales order, not two', async () => {
    const id = newOrder(1);
    let failedPost = false;
    let lateCommit: Promise<unknown> | undefined;
    let doc: Rec | undefined;
    let hubPosts = 0;
    const real = fx.deps.b1;
    const b1 = Object.create(real) as B1Client;
    b1.createOrderOrDraft = async (d) => {
      doc = d as unknown as Rec;
      hubPosts++;
      try {
        return await real.createOrderOrDraft.call(b1, d);
      } catch (e) {
        failedPost = true;
        throw e;
      }
    };
    // The node behind Apache was still committing: the first look-up after the 503 misses the
    // order, which lands right after it.
    b1.findOrdersByShopifyId = async (gid, select) => {
      const rows = await real.findOrdersByShopifyId.call(b1, gid, select);
      if (failedPost && !lateCommit) {
        lateCommit = real.createOrder({ ...(doc as object) } as never);
        await lateCommit;
      }
      return rows;
    };
    // Not applied by the simulator (the late commit above stands for the forwarded request).
    fx.b1Sim.faults.failNext({ kind: '503', match: /^POST \/b1s\/v1\/Orders(\?|$)/ });
    const out = await postPage({ ...fx.deps, b1 }, [id]);
    await lateCommit;
    const open = salesOrdersByShopifyId(fx, id).filter((o) => o.Cancelled !== 'tYES');
    assert.equal(open.length, 1, `open copies: ${open.map((o) => o.DocEntry).join(', ')}; outcome ${JSON.stringify(out)}`);
    assert.equal(hubPosts, 1, 'the hub posted once: a 503 page may have been forwarded');
    assert.equal(out[0]?.targetId, String(open[0]!.DocEntry));
  });

  test('Apache 503 page on the POST and nothing lands: in doubt, reservation kept, no second POST', async () => {
    const id = newOrder(1);
    const before = posts();
    fx.b1Sim.faults.failNext({ kind: '503', match: /^POST \/b1s\/v1\/Orders(\?|$)/ });
    const [out] = await postPage(fx.deps, [id]);
    assert.equal(out?.outcome, 'failed');
    assert.match(String(out?.reason), /may still be committing/);
    assert.equal(posts() - before, 1);
    const held = await fx.deps.b1.reservations.find(ORDER_RESERVATIONS, id);
    assert.ok(held && !held.target, 'the reservation is kept (not given back) while the POST may commit');
  });
});
