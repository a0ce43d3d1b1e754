/**
 * At most one open sales order per Shopify order, in the interleavings that broke the lookup
 * alone: a POST that commits after its client gave up while the page is retried, two hubs posting
 * one order at once, a worker that died between the reservation and the POST. Plus: Cancel errors
 * are decided by SAP's state, not the message text; approval drafts are not posted twice; one
 * transient fault costs one record's retry, not the page. Time is driven by the simulators' fault
 * hooks (a POST held until the test lets it go) and the reservation clock, never by luck.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { B1BusinessRuleError, B1Client, ORDER_RESERVATIONS, PARTNER_RESERVATIONS, Reservations } from '../../src/connectors/b1';
import { orderPipeline } from '../../src/pipelines/order';
import { settleDuplicates } from '../../src/pipelines/order/exactly-once';
import { isoSeconds } from '../../src/sim/shopify/clock';
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

describe('order exactly-once (reservations, sweep, Cancel, approval, per-record retry)', () => {
  let fx: HubFixture;
  const gid = (o: { id: number }) => `gid://shopify/Order/${o.id}`;
  let n = 0;
  const newOrder = (quantity = 1, sku = 'A00011') =>
    gid(fx.shopifySim.createOrder({ customerId: null, email: `eo-${++n}@example.com`, lines: [{ sku, quantity }] }));
  const open = (id: string) => salesOrdersByShopifyId(fx, id).filter((o) => o.Cancelled !== 'tYES');

  const otherHub = (o: Parameters<typeof otherHubOf>[1] = {}) => otherHubOf(fx, o);

  /** Moves SAP B1's clock (the simulator's) for the duration of `fn`. */
  async function b1ClockMoved<T>(ms: number, fn: () => Promise<T>): Promise<T> {
    fx.b1Sim.state.clock.advance(ms);
    try {
      return await fn();
    } finally {
      fx.b1Sim.state.clock.advance(-ms);
    }
  }

  const postPage = postOrderPage;
  const received = (re: RegExp, from: number) => receivedIn(fx.b1Sim.faults.log, re, from);

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 2, shopifyOrders: 2, b1Customers: 2, plan: 'plus' });
    await ensureGuestPartner(fx);
    // The single path under test: every order the page's batched create cannot decide takes it
    // (order-batch-create.test.ts covers the batched one).
    fx.deps.tuning.order.batchCreates = false;
  });
  after(async () => {
    fx.b1Sim.faults.reset();
    await fx?.close();
  });

  test('slow commit: the POST outlives the client, the page is retried meanwhile: one open sales order', async () => {
    const id = newOrder(2);
    const from = fx.b1Sim.faults.log.length;
    // The first POST /Orders is held 2.5 s before the Service Layer processes (and commits) it;
    // the first attempt's client gives up after 0.4 s.
    fx.b1Sim.faults.failNext({ kind: 'slow', slowMs: 2_500, match: /^POST \/b1s\/v1\/Orders(\?|$)/ });
    const attempt1 = postPage(otherHub({ timeoutMs: 400, holder: 'attempt-1' }), [id]).catch((e: unknown) => e);
    await received(/^POST \/b1s\/v1\/Orders(\?|$)/, from);
    // Temporal retries the page (same worker pool, a fresh attempt) while that POST is in flight.
    const attempt2 = await postPage(fx.deps, [id]);
    await attempt1;
    await new Promise((r) => setTimeout(r, 2_600)); // the held POST has surely been processed
    assert.equal(open(id).length, 1, 'one open sales order after the slow commit landed');
    assert.equal(attempt2[0]?.outcome, 'failed');
    assert.match(attempt2[0]?.reason ?? '', /may still be committing/);
    // The next run finds it: nothing posted again.
    const later = await postPage(fx.deps, [id]);
    assert.equal(later[0]?.outcome, 'unchanged');
    assert.equal(salesOrdersByShopifyId(fx, id).length, 1);
  });

  test('two hub deployments post the same order at once (one POST outlives its client): one sales order', async () => {
    const id = newOrder(3);
    const from = fx.b1Sim.faults.log.length;
    fx.b1Sim.faults.failNext({ kind: 'slow', slowMs: 1_500, match: /^POST \/b1s\/v1\/Orders(\?|$)/ });
    const a = postPage(otherHub({ timeoutMs: 300, holder: 'hub-a' }), [id]).catch((e: unknown) => e);
    await received(/^POST \/b1s\/v1\/Orders(\?|$)/, from);
    const b = await postPage(otherHub({ holder: 'hub-b' }), [id]);
    await a;
    await new Promise((r) => setTimeout(r, 1_600));
    assert.equal(salesOrdersByShopifyId(fx, id).length, 1);
    assert.notEqual(b[0]?.outcome, 'created');
    assert.equal((await postPage(fx.deps, [id]))[0]?.outcome, 'unchanged');
    assert.equal(open(id).length, 1);
  });

  test('two workers racing on many orders: each sales order once', async () => {
    const ids = [1, 2, 3, 4].map((q) => newOrder(q));
    const [x, y] = await Promise.all([
      postPage(otherHub({ holder: 'w1' }), ids, 'run-w1'),
      postPage(otherHub({ holder: 'w2' }), [...ids].reverse(), 'run-w2'),
    ]);
    for (const id of ids) assert.equal(salesOrdersByShopifyId(fx, id).length, 1, id);
    const created = [...x, ...y].filter((o) => o.outcome === 'created').length;
    assert.equal(created, 4);
  });

  test('a worker killed between the reservation and the POST: nothing twice, created once the reservation is stale', async () => {
    const id = newOrder(1);
    // The dead worker's reservation: taken, never settled, no POST sent.
    const dead = new Reservations(otherHub().b1, { holder: 'dead-worker' });
    assert.ok((await dead.reserve(ORDER_RESERVATIONS, id)).mine);
    const first = await postPage(fx.deps, [id]);
    assert.equal(first[0]?.outcome, 'failed');
    assert.match(first[0]?.reason ?? '', /reserved by dead-worker.*not posted again before/);
    assert.equal(salesOrdersByShopifyId(fx, id).length, 0);
    // Past the stale window (B1's clock moved on), the next run takes it over and posts.
    const later = { ...fx.deps, b1: otherHub({ holder: 'next-run' }).b1 };
    await b1ClockMoved(later.b1.reservations.staleAfterMs + 1_000, async () => {
      const second = await postPage(later, [id]);
      assert.equal(second[0]?.outcome, 'created');
      assert.equal(salesOrdersByShopifyId(fx, id).length, 1);
      const r = await later.b1.reservations.find(ORDER_RESERVATIONS, id);
      assert.equal(r?.generation, 2);
      assert.equal(r?.target, second[0]?.targetId);
      // A second taker past the window finds the order: nothing posted.
      assert.equal((await postPage(later, [id]))[0]?.outcome, 'unchanged');
    });
  });

  for (const [name, holderSkew, takerSkew] of [
    ['the taker hours ahead', 0, 5 * 3_600_000],
    ['the holder hours ahead (the taker hours behind it)', 5 * 3_600_000, 0],
  ] as const) {
    test(`clocks that disagree (${name}): an order in doubt is taken over only after 15 minutes of B1 time`, async () => {
      const id = newOrder(1);
      // Hub A took the reservation and its POST is in doubt (never settled, no order yet).
      const a = otherHub({ holder: 'hub-a', skewMs: holderSkew }).b1;
      await a.reservations.find(ORDER_RESERVATIONS, id);
      assert.ok((await a.reservations.reserve(ORDER_RESERVATIONS, id)).mine);
      const b = otherHub({ holder: 'hub-b', skewMs: takerSkew });
      const now = await postPage(b, [id]);
      assert.equal(now[0]?.outcome, 'failed');
      assert.match(now[0]?.reason ?? '', /may still be committing/);
      const almost = await b1ClockMoved(14 * 60_000, () => postPage(b, [id]));
      assert.match(almost[0]?.reason ?? '', /may still be committing/, '14 minutes of B1 time: not taken over');
      assert.equal(salesOrdersByShopifyId(fx, id).length, 0);
      const past = await b1ClockMoved(16 * 60_000, () => postPage(b, [id]));
      assert.equal(past[0]?.outcome, 'created', '16 minutes of B1 time: taken over and posted');
      assert.equal(salesOrdersByShopifyId(fx, id).length, 1);
    });
  }

  test('liveness: an order whose partner another writer is still creating fails alone; the rest of the page is posted, and a later run posts it', async () => {
    const c = fx.shopifySim.createCustomer({ firstName: 'Busy', lastName: 'Partner', email: 'busy.partner@example.com' });
    const customer = `gid://shopify/Customer/${c.id}`;
    const waiting = gid(fx.shopifySim.createOrder({ customerId: c.id, lines: [{ sku: 'A00011', quantity: 1 }] }));
    const others = [newOrder(1), newOrder(2)];
    const series = {
      ...fx.deps,
      mapping: { ...fx.deps.mapping, customer: { ...fx.deps.mapping.customer, cardCode: { mode: 'series' as const, series: 70 } } },
    };
    // Another writer holds the customer's partner reservation (its create is under way).
    const holder = otherHub({ holder: 'partner-writer' }).b1.reservations;
    const held = await holder.reserve(PARTNER_RESERVATIONS, customer);
    assert.ok(held.mine);
    const out = await postPage(series, [waiting, ...others]);
    const by = new Map(out.map((o) => [o.sourceId, o]));
    assert.equal(by.get(waiting)?.outcome, 'failed');
    assert.match(by.get(waiting)?.reason ?? '', /being created by another writer/);
    for (const id of others) assert.equal(by.get(id)?.outcome, 'created', id);
    assert.equal(salesOrdersByShopifyId(fx, waiting).length, 0);
    // The writer finishes: the next run posts the waiting order onto its partner.
    const made = await fx.deps.b1.createBusinessPartner({
      CardName: 'Busy Partner',
      CardType: 'cCustomer',
      Series: 70,
      U_ShopifyId: customer,
    } as unknown as Parameters<B1Client['createBusinessPartner']>[0]);
    await holder.settle(held.reservation, String(made.CardCode));
    const later = await postPage(series, [waiting]);
    assert.equal(later[0]?.outcome, 'created');
    assert.equal(salesOrdersByShopifyId(fx, waiting)[0]?.CardCode, made.CardCode);
  });

  test('cost: B1 calls per created order (lookup, reservation, POST, settle)', async () => {
    const ids = [1, 2, 3, 4, 5].map((q) => newOrder(q));
    const page = await orderPipeline.fetch(fx.deps, { object: 'order', syncId: 'cost', mode: 'ids', ids, pageIndex: 0 });
    const mapped = await orderPipeline.map(fx.deps, { object: 'order', syncId: 'cost', records: page.records });
    const records = mapped.flatMap((m) => (m.ok ? [{ id: m.id, payload: m.payload }] : []));
    const from = fx.b1Sim.faults.log.length;
    const out = await orderPipeline.post(fx.deps, { object: 'order', syncId: 'cost', pageIndex: 1, records });
    assert.deepEqual(
      out.map((o) => o.outcome),
      ['created', 'created', 'created', 'created', 'created'],
    );
    const calls = b1Requests(fx.b1Sim.faults.log.slice(from));
    // Orders and Drafts lookups, reservation read and insert, POST, settle: 6 (7 before the
    // creator's re-check was limited to takeovers).
    assert.equal(calls.length / ids.length, 6, calls.join('\n'));
  });

  test('a worker killed after the POST, before settling: the order is found, not posted again', async () => {
    const id = newOrder(1);
    const dead = new Reservations(otherHub().b1, { holder: 'dead-after-post' });
    assert.ok((await dead.reserve(ORDER_RESERVATIONS, id)).mine);
    await fx.deps.b1.createOrder({
      CardCode: fx.deps.mapping.customer.guestCardCode,
      DocDueDate: '2026-12-01',
      U_ShopifyId: id,
      DocumentLines: [{ ItemCode: 'A00011', Quantity: 1 }],
    });
    const out = await postPage(fx.deps, [id]);
    assert.equal(out[0]?.outcome, 'unchanged');
    assert.equal(salesOrdersByShopifyId(fx, id).length, 1);
  });

  test('Cancel errors are decided by SAP state: a 502 and a business error are not "already cancelled"', async () => {
    const id = newOrder(1);
    const doc = {
      CardCode: fx.deps.mapping.customer.guestCardCode,
      DocDueDate: '2026-12-01',
      U_ShopifyId: id,
      DocumentLines: [{ ItemCode: 'A00011', Quantity: 1 }],
    };
    const first = Number((await fx.deps.b1.createOrder(doc)).DocEntry);
    const second = Number((await fx.deps.b1.createOrder(doc)).DocEntry);
    // 502 before the Cancel reached the node: not cancelled, so it must not be reported as such.
    fx.b1Sim.faults.failNext({ kind: '502', match: /\/Cancel/ });
    await assert.rejects(settleDuplicates(fx.deps, id, second), { name: 'B1TransientError' });
    assert.equal(open(id).length, 2);
    // A business rejection (e.g. a TransactionNotification rule) whose message names …/Cancel.
    const refusing = Object.assign(Object.create(fx.deps.b1) as B1Client, {
      cancelOrder: async (docEntry: number) => {
        throw new B1BusinessRuleError('Cancellation not allowed by company rule', {
          status: 400,
          code: -5002,
          context: { entity: 'Orders', key: docEntry, method: 'POST', path: `Orders(${docEntry})/Cancel` },
        });
      },
    });
    await assert.rejects(settleDuplicates({ ...fx.deps, b1: refusing }, id, second), { name: 'B1BusinessRuleError' });
    assert.equal(open(id).length, 2);
    // 502 after the Cancel was applied: the re-read says cancelled, so it counts.
    fx.b1Sim.faults.failNext({ kind: '502', match: /\/Cancel/, when: 'after' });
    assert.deepEqual(await settleDuplicates(fx.deps, id, second), { keep: first, cancelled: [second], reported: [] });
    assert.deepEqual(
      open(id).map((o) => Number(o.DocEntry)),
      [first],
    );
  });

  test('the sweep of each run cancels untouched copies, also next to a copy B1 acted on and closed', async () => {
    const a = newOrder(1);
    const b = newOrder(1);
    const mk = async (id: string) =>
      Number(
        (
          await fx.deps.b1.createOrder({
            CardCode: fx.deps.mapping.customer.guestCardCode,
            DocDueDate: '2026-12-01',
            U_ShopifyId: id,
            DocumentLines: [{ ItemCode: 'A00011', Quantity: 1 }],
          })
        ).DocEntry,
      );
    const [a1, a2] = [await mk(a), await mk(a)];
    const [b1, b2] = [await mk(b), await mk(b)];
    fx.b1Sim.state.orderAction(String(b2), 'Close'); // delivered/invoiced: B1 acted on the younger copy
    // The first fetch of any run (here an id-scoped one for an unrelated order) sweeps.
    await orderPipeline.fetch(fx.deps, { object: 'order', syncId: 'sweep', mode: 'ids', ids: [newOrder(1)], pageIndex: 0 });
    assert.deepEqual(
      open(a).map((o) => Number(o.DocEntry)),
      [a1],
    );
    assert.equal(fx.b1Sim.state.get('Orders', String(a2))?.Cancelled, 'tYES');
    // The copy B1 acted on stands (never forced), even closed; the untouched one would ship twice.
    assert.equal(fx.b1Sim.state.get('Orders', String(b2))?.Cancelled, 'tNO', 'the copy B1 acted on stands');
    assert.equal(fx.b1Sim.state.get('Orders', String(b1))?.Cancelled, 'tYES', 'the untouched copy is cancelled, although older');
  });

  test('a copy B1 refuses to cancel is reported by the sweep; the run goes on', async () => {
    const id = newOrder(1);
    const doc = {
      CardCode: fx.deps.mapping.customer.guestCardCode,
      DocDueDate: '2026-12-01',
      U_ShopifyId: id,
      DocumentLines: [{ ItemCode: 'A00011', Quantity: 1 }],
    };
    await fx.deps.b1.createOrder(doc);
    await fx.deps.b1.createOrder(doc);
    const refusing = Object.assign(Object.create(fx.deps.b1) as B1Client, {
      cancelOrder: async (docEntry: number) => {
        throw new B1BusinessRuleError('Cancellation not allowed by company rule', {
          status: 400,
          code: -5002,
          context: { entity: 'Orders', key: docEntry, method: 'POST', path: `Orders(${docEntry})/Cancel` },
        });
      },
    });
    const fine = newOrder(1);
    const out = await postPage({ ...fx.deps, b1: refusing }, [fine]);
    assert.equal(out[0]?.outcome, 'created');
    assert.equal(open(id).length, 2, 'not forced, not hidden: the sweep logged it and will try again next run');
    await orderPipeline.fetch(fx.deps, { object: 'order', syncId: 'sweep-2', mode: 'ids', ids: [fine], pageIndex: 0 });
    assert.equal(open(id).length, 1);
  });

  test('approval procedure: the draft is logged with its key, not posted again; the approved order is found', async () => {
    const state = fx.b1Sim.state;
    state.approvalRule = (d: Rec) => Number(d.DocTotal) > 5_000;
    try {
      const id = newOrder(500, 'A00012');
      const first = await postPage(fx.deps, [id]);
      assert.equal(first[0]?.outcome, 'failed');
      assert.match(first[0]?.reason ?? '', /waiting for approval in SAP B1 \(draft \d+\)/);
      const drafts = () => [...state.store('Drafts').values()].filter((d) => d.U_ShopifyId === id);
      assert.equal(drafts().length, 1);
      assert.equal(first[0]?.targetId, `draft:${String(drafts()[0]!.DocEntry)}`);
      // A retry and a later run: still waiting, no second draft, no order.
      assert.match((await postPage(fx.deps, [id]))[0]?.reason ?? '', /waiting for approval/);
      assert.equal(drafts().length, 1);
      assert.equal(salesOrdersByShopifyId(fx, id).length, 0);
      // Approved in B1: the draft becomes the sales order; the next run finds it.
      const docEntry = state.approveDraft(Number(drafts()[0]!.DocEntry));
      const later = await postPage(fx.deps, [id]);
      assert.equal(later[0]?.outcome, 'unchanged');
      assert.equal(later[0]?.targetId, String(docEntry));
      assert.equal(salesOrdersByShopifyId(fx, id).length, 1);
      assert.equal(drafts().length, 1);
    } finally {
      state.approvalRule = null;
    }
  });

  test('one transient fault on one POST is retried for that record: the page does not fail', async () => {
    const ids = [newOrder(1), newOrder(2), newOrder(3)];
    // A 503 page before the node (nothing landed, but the hub cannot tell: in doubt, not posted
    // again) and a 502 page after the commit (found by the look-up: created).
    fx.b1Sim.faults.failNext({ kind: '503', match: /^POST \/b1s\/v1\/Orders(\?|$)/ });
    fx.b1Sim.faults.failNext({ kind: '502', match: /^POST \/b1s\/v1\/Orders(\?|$)/, when: 'after' });
    const out = await postPage(fx.deps, ids);
    assert.deepEqual(out.map((o) => o.outcome).sort(), ['created', 'created', 'failed']);
    assert.match(String(out.find((o) => o.outcome === 'failed')?.reason), /may still be committing/);
    for (const o of out) assert.equal(salesOrdersByShopifyId(fx, o.sourceId).length, o.outcome === 'created' ? 1 : 0);
  });

  test('watermark: an order edited during a run, stamped before the newest order read but visible only after the read, is read by the next delta', async () => {
    const deps = { ...fx.deps, pageSizes: { ...fx.deps.pageSizes, order: 200 } };
    /** A whole delta run's reads: its records and the watermark it may claim (max over pages). */
    const run = async (since: string) => {
      const ids: string[] = [];
      let watermark: string | undefined;
      let cursor: string | undefined;
      for (let pageIndex = 0; ; pageIndex++) {
        const page = await orderPipeline.fetch(deps, {
          object: 'order',
          syncId: 'wm',
          mode: 'delta',
          since,
          pageIndex,
          ...(cursor ? { cursor } : {}),
        });
        ids.push(...page.records.map((r) => r.id));
        if (page.watermark && (!watermark || page.watermark > watermark)) watermark = page.watermark;
        if (!page.nextCursor) return { ids, watermark: watermark ?? since };
        cursor = page.nextCursor;
      }
    };
    const x = newOrder(1); // edited just before the read: the newest updatedAt the run sees
    const first = await run(new Date(Date.now() - 3_600_000).toISOString());
    assert.ok(first.ids.includes(x));
    // Y was edited while the run read, but its change became visible only after the read, stamped
    // 6.5 minutes before X (a late commit; more than the 5-minute delta overlap).
    const clock = fx.shopifySim.state.clock as { nowMs: () => number; nowIso: () => string };
    const real = { nowMs: clock.nowMs, nowIso: clock.nowIso };
    clock.nowMs = () => Date.now() - 390_000;
    clock.nowIso = () => isoSeconds(Date.now() - 390_000);
    let y: string;
    try {
      y = newOrder(1);
    } finally {
      Object.assign(clock, real);
    }
    const second = await run(first.watermark);
    assert.ok(
      second.ids.includes(y),
      `the next delta (since ${first.watermark}) reads the order stamped ${String(fx.shopifySim.state.data.orders[Number(y.split('/').pop())]?.updatedAt)}`,
    );
  });
});
