/**
 * The money reads of the order-to-cash stages against the Shopify simulator over HTTP: many usual
 * orders per call within Shopify's query cost limit, a long order (more refunds than the usual
 * read holds) read again in full, and transaction / refund GIDs resolved to their order.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ShopifySimulator } from '../../src/sim/shopify';
import { clientFor, rawGraphQL, startSim } from './helpers';

/* eslint-disable @typescript-eslint/no-explicit-any */

describe('Shopify connector: order money reads', () => {
  let sim: ShopifySimulator;
  let loc: number;
  let k = 0;
  const gql = async (query: string, variables?: unknown): Promise<any> => {
    const r = await rawGraphQL(sim, query, variables);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    return r.body.data;
  };
  const order = (): string =>
    `gid://shopify/Order/${
      sim.createOrder({
        email: 'm@example.com',
        lines: [
          { sku: 'M1', quantity: 5, unitPrice: '10.00', locationId: loc },
          { sku: 'M2', quantity: 1, unitPrice: '4.00', locationId: loc },
        ],
        shipping: [{ title: 'Standard', price: '5.00' }],
      }).id
    }`;
  const refundOne = async (id: string): Promise<string> => {
    const o = (await gql('query($id: ID!) { order(id: $id) { lineItems(first: 1) { nodes { id } } transactions { id kind } } }', { id }))
      .order;
    const r = await gql(
      'mutation($input: RefundInput!, $k: String!) { refundCreate(input: $input) @idempotent(key: $k) { refund { id } userErrors { message } } }',
      {
        k: `om-${++k}`,
        input: {
          orderId: id,
          refundLineItems: [{ lineItemId: o.lineItems.nodes[0].id, quantity: 1, restockType: 'NO_RESTOCK' }],
          transactions: [{ orderId: id, kind: 'REFUND', gateway: 'shopify_payments', amount: '1.00', parentId: o.transactions[0].id }],
        },
      },
    );
    assert.deepEqual(r.refundCreate.userErrors, []);
    return r.refundCreate.refund.id;
  };

  before(async () => {
    sim = await startSim({ seed: { customers: 1, orders: 0, skus: ['M1', 'M2'] } });
    loc = Object.values(sim.state.data.locations)[0]!.id;
  });
  after(async () => sim.close());

  test('a page of usual orders: every one read, each call within the cost limit', async () => {
    const ids = Array.from({ length: 12 }, order);
    const refunded = await refundOne(ids[3]!);
    const client = clientFor(sim);
    const money = await client.ordersMoney(ids);
    assert.equal(money.size, 12);
    for (const id of ids) {
      const m = money.get(id)!;
      assert.equal(m.truncated, undefined);
      assert.ok(m.transactions.some((t) => t.kind === 'SALE' && t.status === 'SUCCESS' && t.gateway === 'shopify_payments'));
    }
    const r = money.get(ids[3]!)!.refunds;
    assert.deepEqual(
      r.map((x) => [x.id, x.lines.map((l) => [l.quantity, l.restockType]), x.transactions.map((t) => [t.kind, t.amount])]),
      [[refunded, [[1, 'NO_RESTOCK']], [['REFUND', '1.00']]]],
    );
    assert.equal(client.executor.stats.shrinks, 0, 'no call exceeded the cost limit');
    assert.ok(client.executor.stats.requests <= 4, `${client.executor.stats.requests} requests for 12 orders`);
  });

  test('an order with more refunds than the usual read: read again alone, every refund complete', async () => {
    const id = order();
    const refunds: string[] = [];
    for (let i = 0; i < 4; i++) refunds.push(await refundOne(id));
    const money = (await clientFor(sim).ordersMoney([id])).get(id)!;
    assert.equal(money.truncated, undefined);
    assert.deepEqual(money.refunds.map((r) => r.id).sort(), [...refunds].sort());
    assert.ok(money.refunds.every((r) => r.lines.length === 1 && r.transactions.length === 1));
  });

  test('transaction and refund GIDs resolve to their order; unknown ones are absent', async () => {
    const id = order();
    const refund = await refundOne(id);
    const txn = (await gql('query($id: ID!) { order(id: $id) { transactions { id } } }', { id })).order.transactions[0].id;
    const got = await clientFor(sim).moneySourceOrders([txn, refund, 'gid://shopify/Refund/999999999']);
    assert.deepEqual(Object.fromEntries(got), { [txn]: id, [refund]: id });
  });
});
