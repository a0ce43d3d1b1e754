/**
 * A page's new sales orders created together (order/create-batch.ts): one `$batch` changeset per
 * order holding its reservation insert and its POST. What must hold in every interleaving: a
 * lost answer, a changeset that commits after its client gave up while another writer creates
 * the same orders, two deployments batching one page at once, a reservation another writer holds,
 * a record B1 refuses, an approval draft. Driven by the simulator's fault hooks, not by timing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ORDER_RESERVATIONS, Reservations } from '../../src/connectors/b1';
import { orderPipeline } from '../../src/pipelines/order';
import type { RecordOutcome } from '../../src/mapping/outcome';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';
import {
  b1Requests,
  ensureGuestPartner,
  otherHub as otherHubOf,
  postOrderPage,
  received as receivedIn,
  salesOrdersByShopifyId,
} from './support-shopify-to-b1';

type Rec = Record<string, unknown>;
const BATCH = /^POST \/b1s\/v1\/\$batch/;

describe('order batched creates (reservation and POST in one changeset per order)', () => {
  let fx: HubFixture;
  const gid = (o: { id: number }) => `gid://shopify/Order/${o.id}`;
  let n = 0;
  const newOrder = (quantity = 1, sku = 'A00011') =>
    gid(fx.shopifySim.createOrder({ customerId: null, email: `bc-${++n}@example.com`, lines: [{ sku, quantity }] }));
  const reservationRows = (id: string): Rec[] => [...fx.b1Sim.state.store('U_B1H_ORDER_RES').values()].filter((r) => r.U_ResKey === id);

  const outcomeOf = (out: RecordOutcome[], id: string) => out.find((o) => o.sourceId === id);
  const otherHub = (o: Parameters<typeof otherHubOf>[1] = {}) => otherHubOf(fx, o);
  const postPage = postOrderPage;
  const received = (re: RegExp, from: number) => receivedIn(fx.b1Sim.faults.log, re, from);

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 2, shopifyOrders: 2, b1Customers: 2, plan: 'plus' });
    await ensureGuestPartner(fx);
    assert.equal(fx.deps.tuning.order.batchCreates, true, 'batched creates are the default');
  });
  after(async () => {
    fx.b1Sim.faults.reset();
    await fx?.close();
  });

  test('cost: a page of new orders, some of new customers, in a few requests; each reservation settled with its DocEntry', async () => {
    const customers = [1, 2, 3].map((i) =>
      fx.shopifySim.createCustomer({ firstName: 'Batch', lastName: `Buyer${i}`, email: `batch.buyer${i}@example.com` }),
    );
    const ids = [
      ...customers.map((c, i) => gid(fx.shopifySim.createOrder({ customerId: c.id, lines: [{ sku: 'A00011', quantity: i + 1 }] }))),
      ...Array.from({ length: 22 }, (_, q) => newOrder(1 + (q % 5))),
    ];
    const page = await orderPipeline.fetch(fx.deps, { object: 'order', syncId: 'cost', mode: 'ids', ids, pageIndex: 0 });
    const mapped = await orderPipeline.map(fx.deps, { object: 'order', syncId: 'cost', records: page.records });
    const records = mapped.flatMap((m) => (m.ok ? [{ id: m.id, payload: m.payload }] : []));
    const from = fx.b1Sim.faults.log.length;
    const out = await orderPipeline.post(fx.deps, { object: 'order', syncId: 'cost', pageIndex: 1, records });
    assert.deepEqual(
      out.map((o) => o.outcome),
      ids.map(() => 'created'),
    );
    const calls = b1Requests(fx.b1Sim.faults.log.slice(from));
    assert.equal(calls.filter((c) => /^POST \/b1s\/v1\/Orders/.test(c)).length, 0, 'no single POST');
    // A page of 25: partners: lookups, re-check, creates; reservations: two reads; orders: four
    // changeset requests; settles: four requests. At most 1.2 calls per order (single creates cost 6).
    assert.ok(calls.length / ids.length <= 1.2, `${calls.length} calls for ${ids.length} orders:\n${calls.join('\n')}`);
    for (const [i, id] of ids.entries()) {
      const orders = salesOrdersByShopifyId(fx, id);
      assert.equal(orders.length, 1, id);
      assert.equal(outcomeOf(out, id)?.targetId, String(orders[0]!.DocEntry));
      const rows = reservationRows(id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.U_Target, String(orders[0]!.DocEntry), 'settled');
      if (i < customers.length)
        assert.equal(
          orders[0]!.CardCode,
          [...fx.b1Sim.state.store('BusinessPartners').values()].find((p) => p.U_ShopifyId === `gid://shopify/Customer/${customers[i]!.id}`)
            ?.CardCode,
        );
    }
    // Read again: found, nothing written.
    const again = await postPage(fx.deps, ids);
    assert.ok(again.every((o) => o.outcome === 'unchanged'));
  });

  test('the answer to the changesets is lost after they committed: each order found, reported created, none posted twice', async () => {
    const ids = [1, 2, 3].map((q) => newOrder(q));
    const from = fx.b1Sim.faults.log.length;
    fx.b1Sim.faults.failNext({ kind: '502', when: 'after', match: BATCH });
    const out = await postPage(fx.deps, ids, 'lost-answer');
    for (const id of ids) {
      assert.equal(outcomeOf(out, id)?.outcome, 'created', id);
      assert.equal(salesOrdersByShopifyId(fx, id).length, 1, id);
    }
    const single = b1Requests(fx.b1Sim.faults.log.slice(from)).filter((c) => /^POST \/b1s\/v1\/Orders/.test(c));
    assert.equal(single.length, 0, 'found by the lookup, not posted again');
  });

  test('slow commit: the changeset commits after its client gave up and another writer created the order meanwhile: it is rolled back whole', async () => {
    const id = newOrder(2);
    const from = fx.b1Sim.faults.log.length;
    // Hub A's $batch is held 2 s before the Service Layer runs it; A waits for it.
    fx.b1Sim.faults.failNext({ kind: 'slow', slowMs: 2_000, match: BATCH });
    const a = postPage(otherHub({ holder: 'hub-a' }), [id], 'run-a');
    await received(BATCH, from);
    // Hub B creates the order meanwhile (its own changeset, not held).
    const b = await postPage(otherHub({ holder: 'hub-b' }), [id], 'run-b');
    assert.equal(b[0]?.outcome, 'created');
    // A's changeset now runs: its reservation insert is refused, so its POST is rolled back with it.
    const outA = await a;
    assert.equal(outA[0]?.outcome, 'unchanged', "A finds B's order");
    assert.equal(salesOrdersByShopifyId(fx, id).length, 1);
    const rows = reservationRows(id);
    assert.equal(rows.length, 1);
    assert.match(String(rows[0]!.U_Holder), /^hub-b\//);
  });

  test('the client gives up on its changesets, then creates one by one; the late changeset cannot add a second order', async () => {
    const id = newOrder(3);
    const from = fx.b1Sim.faults.log.length;
    fx.b1Sim.faults.failNext({ kind: 'slow', slowMs: 1_500, match: BATCH });
    // The client times out at 400 ms: its orders go to the single path, which reserves and posts.
    const out = await postPage(otherHub({ holder: 'impatient', timeoutMs: 400 }), [id], 'run-impatient');
    await received(BATCH, from);
    await new Promise((r) => setTimeout(r, 1_700)); // the held changeset has surely run by now
    assert.equal(salesOrdersByShopifyId(fx, id).length, 1, 'one sales order');
    // Its changeset had not run yet: the single path took the reservation and posted.
    assert.equal(out[0]?.outcome, 'created');
    // Then the changeset ran: its reservation insert was refused, its POST rolled back with it.
    const rows = reservationRows(id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.U_Target, out[0]?.targetId);
    // The next run reports it.
    assert.equal((await postPage(fx.deps, [id]))[0]?.outcome, 'unchanged');
  });

  test('two deployments batch the same page at once: each order once', async () => {
    const ids = [1, 2, 3, 4, 5, 6].map((q) => newOrder(q));
    const [x, y] = await Promise.all([
      postPage(otherHub({ holder: 'w1' }), ids, 'run-w1'),
      postPage(otherHub({ holder: 'w2' }), [...ids].reverse(), 'run-w2'),
    ]);
    for (const id of ids) assert.equal(salesOrdersByShopifyId(fx, id).length, 1, id);
    assert.equal([...x, ...y].filter((o) => o.outcome === 'created').length, ids.length);
  });

  test('an order another writer holds the reservation of goes the single way (in doubt, not posted); the rest of the page is created', async () => {
    const held = newOrder(1);
    const others = [newOrder(2), newOrder(3)];
    const dead = new Reservations(otherHub().b1, { holder: 'dead-worker' });
    assert.ok((await dead.reserve(ORDER_RESERVATIONS, held)).mine);
    const out = await postPage(fx.deps, [held, ...others]);
    assert.equal(outcomeOf(out, held)?.outcome, 'failed');
    assert.match(outcomeOf(out, held)?.reason ?? '', /reserved by dead-worker.*not posted again before/);
    assert.equal(salesOrdersByShopifyId(fx, held).length, 0);
    for (const id of others) assert.equal(outcomeOf(out, id)?.outcome, 'created', id);
  });

  test("B1 refuses one order of the page: it fails alone with SAP's text, its reservation is rolled back with it, the others are created", async () => {
    const refused = newOrder(1, 'A00013');
    const others = [newOrder(2), newOrder(3)];
    const page = await orderPipeline.fetch(fx.deps, {
      object: 'order',
      syncId: 'refuse',
      mode: 'ids',
      ids: [refused, ...others],
      pageIndex: 0,
    });
    const mapped = await orderPipeline.map(fx.deps, { object: 'order', syncId: 'refuse', records: page.records });
    const records = mapped.flatMap((m) => (m.ok ? [{ id: m.id, payload: m.payload }] : []));
    // Between the read and the write, someone in B1 makes the item no sales item.
    const item = fx.b1Sim.state.get('Items', 'A00013')!;
    const was = item.SalesItem;
    item.SalesItem = 'tNO';
    try {
      const out = await orderPipeline.post(fx.deps, { object: 'order', syncId: 'refuse', pageIndex: 1, records });
      assert.equal(outcomeOf(out, refused)?.outcome, 'failed');
      assert.match(outcomeOf(out, refused)?.reason ?? '', /SAP B1 refused the sales order: .*not a sales item/);
      assert.equal(reservationRows(refused).length, 0, 'rolled back with the order');
      for (const id of others) assert.equal(outcomeOf(out, id)?.outcome, 'created', id);
    } finally {
      item.SalesItem = was;
    }
    // Fixed in B1: the next run creates it at once (no reservation left to wait out).
    assert.equal((await postPage(fx.deps, [refused]))[0]?.outcome, 'created');
  });

  test('approval procedure: the changeset makes a draft; it is reported waiting with its key, not posted again', async () => {
    const state = fx.b1Sim.state;
    state.approvalRule = (d: Rec) => Number(d.DocTotal) > 5_000;
    try {
      const id = newOrder(500, 'A00012');
      const first = await postPage(fx.deps, [id]);
      assert.equal(first[0]?.outcome, 'failed');
      assert.match(first[0]?.reason ?? '', /waiting for approval in SAP B1 \(draft \d+\)/);
      const drafts = [...state.store('Drafts').values()].filter((d) => d.U_ShopifyId === id);
      assert.equal(drafts.length, 1);
      assert.equal(reservationRows(id)[0]?.U_Target, `draft:${String(drafts[0]!.DocEntry)}`);
      assert.match((await postPage(fx.deps, [id]))[0]?.reason ?? '', /waiting for approval/);
      assert.equal([...state.store('Drafts').values()].filter((d) => d.U_ShopifyId === id).length, 1);
      assert.equal(salesOrdersByShopifyId(fx, id).length, 0);
    } finally {
      state.approvalRule = null;
    }
  });
});
