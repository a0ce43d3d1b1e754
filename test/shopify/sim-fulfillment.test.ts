/**
 * Fulfillment in the Shopify simulator over HTTP (order-to-cash §3): fulfillment orders as state
 * (remaining quantities consumed by partial fulfilments), Order.fulfillments with tracking,
 * displayFulfillmentStatus, fulfillmentCreate / fulfillmentTrackingInfoUpdate / fulfillmentCancel
 * with Shopify's userErrors, holds and third-party services set through /_sim, and the inventory
 * effect (committed and on_hand down, available unchanged).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ShopifySimulator } from '../../src/sim/shopify';
import { rawGraphQL, startSim } from './helpers';
import { webhookPayload } from '../../src/sim/shopify/webhook-payloads';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const ORDER = `query($id: ID!) { order(id: $id) { id updatedAt displayFulfillmentStatus
  lineItems(first: 10) { nodes { id sku unfulfilledQuantity } }
  fulfillments(first: 10) { id name status displayStatus totalQuantity trackingInfo { company number url }
    fulfillmentLineItems(first: 10) { nodes { quantity lineItem { id } } } }
  fulfillmentOrders(first: 10) { nodes { id status requestStatus supportedActions { action }
    fulfillmentHolds { reason reasonNotes }
    assignedLocation { location { id } }
    lineItems(first: 10) { nodes { id totalQuantity remainingQuantity inventoryItemId lineItem { id sku } } } } } } }`;

const CREATE = `mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) {
  fulfillment { id name status totalQuantity trackingInfo { company number url } } userErrors { field message } } }`;
const TRACK = `mutation($id: ID!, $t: FulfillmentTrackingInput!) { fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $t, notifyCustomer: true) {
  fulfillment { id trackingInfo { company number url } } userErrors { field message } } }`;
const CANCEL = `mutation($id: ID!) { fulfillmentCancel(id: $id) { fulfillment { id status displayStatus } userErrors { field message } } }`;
const LEVEL = `query($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 5) { nodes { location { id } quantities(names: ["available", "committed", "on_hand"]) { name quantity } } } } }`;

describe('Shopify simulator: fulfillment', () => {
  let sim: ShopifySimulator;
  before(async () => {
    sim = await startSim({ seed: { customers: 1, orders: 0, skus: ['F-1', 'F-2'] } });
  });
  after(() => sim.close());

  const gql = async (query: string, variables?: unknown): Promise<Any> => {
    const r = await rawGraphQL(sim, query, variables);
    assert.equal(r.status, 200);
    return r.body;
  };
  const order = async (id: string): Promise<Any> => (await gql(ORDER, { id })).data.order;
  const control = async (path: string, body: unknown = {}): Promise<{ status: number; body: Any }> => {
    const r = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'x-shopify-access-token': sim.accessToken, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  };
  const quantities = async (inventoryItemId: string, locationId: string): Promise<Record<string, number>> => {
    const levels = (await gql(LEVEL, { id: inventoryItemId })).data.inventoryItem.inventoryLevels.nodes as Any[];
    const level = levels.find((l) => l.location.id === locationId);
    return Object.fromEntries(level.quantities.map((q: Any) => [q.name, q.quantity]));
  };
  const newOrder = async (lines: { sku: string; quantity: number }[]): Promise<string> => {
    const r = await control('/_sim/orders', { lines });
    assert.equal(r.status, 201);
    return r.body.id as string;
  };

  test('partial fulfilment consumes remaining quantities: UNFULFILLED → PARTIALLY_FULFILLED → FULFILLED; committed and on_hand drop', async () => {
    const id = await newOrder([
      { sku: 'F-1', quantity: 3 },
      { sku: 'F-2', quantity: 1 },
    ]);
    let o = await order(id);
    assert.equal(o.displayFulfillmentStatus, 'UNFULFILLED');
    const fo = o.fulfillmentOrders.nodes[0];
    assert.equal(o.fulfillmentOrders.nodes.length, 1);
    assert.deepEqual([fo.status, fo.requestStatus, fo.fulfillmentHolds], ['OPEN', 'UNSUBMITTED', []]);
    assert.deepEqual(
      fo.supportedActions.map((a: Any) => a.action),
      ['CREATE_FULFILLMENT', 'HOLD'],
    );
    const [l1, l2] = fo.lineItems.nodes;
    const loc = fo.assignedLocation.location.id as string;
    const before1 = await quantities(l1.inventoryItemId, loc);
    // Timestamps have second precision: age the order so that the write is seen to move it.
    sim.state.order(Number(id.split('/').pop()))!.updatedAt = '2020-01-01T00:00:00Z';
    const updatedBefore = '2020-01-01T00:00:00Z';

    const r1 = await gql(CREATE, {
      f: {
        notifyCustomer: true,
        trackingInfo: { company: 'UPS', number: '1Z1', url: 'https://ups.example/1Z1' },
        lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: [{ id: l1.id, quantity: 2 }] }],
      },
    });
    assert.deepEqual(r1.data.fulfillmentCreate.userErrors, []);
    const f1 = r1.data.fulfillmentCreate.fulfillment;
    assert.deepEqual(
      [f1.status, f1.totalQuantity, f1.name],
      ['SUCCESS', 2, `${(await gql(`query($id: ID!) { order(id: $id) { name } }`, { id })).data.order.name}.1`],
    );
    assert.deepEqual(f1.trackingInfo, [{ company: 'UPS', number: '1Z1', url: 'https://ups.example/1Z1' }]);

    o = await order(id);
    assert.equal(o.displayFulfillmentStatus, 'PARTIALLY_FULFILLED');
    assert.ok(o.updatedAt > updatedBefore, 'updatedAt moves');
    const fo1 = o.fulfillmentOrders.nodes[0];
    assert.equal(fo1.status, 'IN_PROGRESS');
    assert.deepEqual(
      fo1.lineItems.nodes.map((n: Any) => [n.totalQuantity, n.remainingQuantity]),
      [
        [3, 1],
        [1, 1],
      ],
    );
    assert.deepEqual(
      o.lineItems.nodes.map((n: Any) => n.unfulfilledQuantity),
      [1, 1],
    );
    const after1 = await quantities(l1.inventoryItemId, loc);
    assert.deepEqual(after1, { available: before1.available, committed: before1.committed! - 2, on_hand: before1.on_hand! - 2 });

    // Above what remains: Shopify's userError, nothing changes.
    const over = await gql(CREATE, {
      f: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: [{ id: l1.id, quantity: 2 }] }] },
    });
    assert.equal(over.data.fulfillmentCreate.fulfillment, null);
    assert.equal(over.data.fulfillmentCreate.userErrors[0].message, 'Invalid fulfillment order line item quantity requested.');
    assert.deepEqual(await quantities(l1.inventoryItemId, loc), after1);

    // No line items given: the rest of the fulfillment order ships.
    const r2 = await gql(CREATE, { f: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo.id }] } });
    assert.deepEqual(r2.data.fulfillmentCreate.userErrors, []);
    assert.equal(r2.data.fulfillmentCreate.fulfillment.totalQuantity, 2);
    o = await order(id);
    assert.equal(o.displayFulfillmentStatus, 'FULFILLED');
    assert.equal(o.fulfillmentOrders.nodes[0].status, 'CLOSED');
    assert.deepEqual(o.fulfillmentOrders.nodes[0].supportedActions, []);
    assert.equal(o.fulfillments.length, 2);
    assert.deepEqual(o.fulfillments[1].fulfillmentLineItems.nodes.map((n: Any) => n.quantity).sort(), [1, 1]);

    const closed = await gql(CREATE, {
      f: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: [{ id: l2.id, quantity: 1 }] }] },
    });
    assert.match(closed.data.fulfillmentCreate.userErrors[0].message, /^Fulfillment order \d+ has an unfulfillable status= closed\.$/);
    const searched = await gql(`{ orders(first: 5, query: "fulfillment_status:fulfilled") { nodes { id } } }`);
    assert.ok(searched.data.orders.nodes.some((n: Any) => n.id === id));
  });

  test('tracking update and cancel: cancelled units go back to the fulfillment order and to committed', async () => {
    const id = await newOrder([{ sku: 'F-1', quantity: 2 }]);
    const fo = (await order(id)).fulfillmentOrders.nodes[0];
    const loc = fo.assignedLocation.location.id as string;
    const item = fo.lineItems.nodes[0].inventoryItemId as string;
    const start = await quantities(item, loc);
    const f = (await gql(CREATE, { f: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo.id }] } })).data.fulfillmentCreate
      .fulfillment;
    const t = await gql(TRACK, { id: f.id, t: { company: 'DHL Express', numbers: ['JD1', 'JD2'], urls: ['https://dhl.example/JD1'] } });
    assert.deepEqual(t.data.fulfillmentTrackingInfoUpdate.userErrors, []);
    assert.deepEqual(t.data.fulfillmentTrackingInfoUpdate.fulfillment.trackingInfo, [
      { company: 'DHL Express', number: 'JD1', url: 'https://dhl.example/JD1' },
      { company: 'DHL Express', number: 'JD2', url: null },
    ]);
    assert.equal((await order(id)).displayFulfillmentStatus, 'FULFILLED');

    const c = await gql(CANCEL, { id: f.id });
    assert.deepEqual(c.data.fulfillmentCancel.userErrors, []);
    assert.deepEqual(
      [c.data.fulfillmentCancel.fulfillment.status, c.data.fulfillmentCancel.fulfillment.displayStatus],
      ['CANCELLED', 'CANCELED'],
    );
    const o = await order(id);
    assert.equal(o.displayFulfillmentStatus, 'UNFULFILLED');
    assert.equal(o.fulfillmentOrders.nodes[0].status, 'OPEN');
    assert.equal(o.fulfillmentOrders.nodes[0].lineItems.nodes[0].remainingQuantity, 2);
    assert.deepEqual(await quantities(item, loc), start);
    assert.match((await gql(CANCEL, { id: f.id })).data.fulfillmentCancel.userErrors[0].message, /already cancelled/);
    assert.match(
      (await gql(TRACK, { id: f.id, t: { number: 'X' } })).data.fulfillmentTrackingInfoUpdate.userErrors[0].message,
      /cancelled fulfillment/,
    );
    const missing = await gql(CANCEL, { id: 'gid://shopify/Fulfillment/1' });
    assert.equal(missing.data.fulfillmentCancel.userErrors[0].message, 'Fulfillment does not exist.');
  });

  test('on hold (set through /_sim) and third-party service fulfillment orders are refused with userErrors', async () => {
    const id = await newOrder([{ sku: 'F-2', quantity: 1 }]);
    const fo = (await order(id)).fulfillmentOrders.nodes[0];
    const held = await control(`/_sim/fulfillment-orders/${encodeURIComponent(fo.id)}/hold`, {
      reason: 'INCORRECT_ADDRESS',
      reasonNotes: 'check zip',
    });
    assert.equal(held.status, 200);
    let o = await order(id);
    assert.equal(o.displayFulfillmentStatus, 'ON_HOLD');
    assert.equal(o.fulfillmentOrders.nodes[0].status, 'ON_HOLD');
    assert.deepEqual(o.fulfillmentOrders.nodes[0].fulfillmentHolds, [{ reason: 'INCORRECT_ADDRESS', reasonNotes: 'check zip' }]);
    const r = await gql(CREATE, { f: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo.id }] } });
    assert.match(r.data.fulfillmentCreate.userErrors[0].message, /has an unfulfillable status= on_hold\.$/);
    assert.deepEqual(r.data.fulfillmentCreate.userErrors[0].field, [
      'fulfillment',
      'lineItemsByFulfillmentOrder',
      '0',
      'fulfillmentOrderId',
    ]);

    assert.equal((await control(`/_sim/fulfillment-orders/${encodeURIComponent(fo.id)}/release-hold`)).status, 200);
    const moved = await control(`/_sim/fulfillment-orders/${encodeURIComponent(fo.id)}/assign-service`, { name: 'ShipBob' });
    assert.equal(moved.status, 200);
    o = await order(id);
    const fo2 = o.fulfillmentOrders.nodes[0];
    assert.deepEqual([fo2.status, fo2.requestStatus, o.displayFulfillmentStatus], ['OPEN', 'UNSUBMITTED', 'UNFULFILLED']);
    assert.equal(fo2.assignedLocation.location.id, moved.body.locationId);
    assert.deepEqual(
      fo2.supportedActions.map((a: Any) => a.action),
      ['REQUEST_FULFILLMENT', 'HOLD'],
    );
    const svc = await gql(CREATE, { f: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo.id }] } });
    assert.match(svc.data.fulfillmentCreate.userErrors[0].message, /fulfillment service 'ShipBob'/);

    // The merchant's "Mark as fulfilled" in the admin stands for the shop side of the next pipeline.
    const other = await newOrder([{ sku: 'F-1', quantity: 1 }]);
    const marked = await control(`/_sim/orders/${encodeURIComponent(other)}/fulfill`, { tracking: { company: 'UPS', number: '1Z9' } });
    assert.equal(marked.status, 200);
    assert.equal(marked.body.displayFulfillmentStatus, 'FULFILLED');
    assert.deepEqual((await order(other)).fulfillments[0].trackingInfo, [{ company: 'UPS', number: '1Z9', url: null }]);
  });

  test('refunds take unfulfilled units off; the fulfillment roots and unmodelled arguments', async () => {
    const id = await newOrder([{ sku: 'F-2', quantity: 3 }]);
    const o = await order(id);
    sim.refundOrder(id, [{ lineItemId: o.lineItems.nodes[0].id, quantity: 1, restock: true }]);
    const fo = (await order(id)).fulfillmentOrders.nodes[0];
    assert.deepEqual([fo.lineItems.nodes[0].totalQuantity, fo.lineItems.nodes[0].remainingQuantity], [2, 2]);
    const byId = await gql(
      `query($id: ID!) { fulfillmentOrder(id: $id) { id status orderName lineItems(first: 5) { nodes { remainingQuantity } } } }`,
      { id: fo.id },
    );
    assert.equal(byId.data.fulfillmentOrder.lineItems.nodes[0].remainingQuantity, 2);
    const q = await rawGraphQL(
      sim,
      `query($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5, query: "status:open") { nodes { id } } } }`,
      { id },
    );
    assert.equal(q.body.errors[0].extensions.code, 'NOT_IMPLEMENTED');
    const merge = await rawGraphQL(
      sim,
      `query($id: ID!) { fulfillmentOrder(id: $id) { fulfillmentOrdersForMerge(first: 2) { nodes { id } } } }`,
      { id: fo.id },
    );
    assert.match(merge.body.errors[0].extensions.code, /^NOT_IMPLEMENTED/);
    // Ship one, refund the other unshipped one: nothing is left to ship, the order is fulfilled.
    await gql(CREATE, {
      f: {
        lineItemsByFulfillmentOrder: [
          { fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: [{ id: fo.lineItems.nodes[0].id ?? '', quantity: 1 }] },
        ],
      },
    });
    sim.refundOrder(id, [{ lineItemId: o.lineItems.nodes[0].id, quantity: 1, restock: true }]);
    const done = await order(id);
    assert.deepEqual([done.displayFulfillmentStatus, done.fulfillmentOrders.nodes[0].status], ['FULFILLED', 'CLOSED']);
    sim.cancelOrder(id);
    const cancelled = (await order(id)).fulfillmentOrders.nodes[0];
    assert.deepEqual(
      [cancelled.status, cancelled.lineItems.nodes[0].remainingQuantity],
      ['CLOSED', 0],
      'a closed fulfillment order stays closed',
    );
  });
  test('fulfillments/create webhook payload: REST-shaped, with tracking and the fulfilled lines', async () => {
    const id = await newOrder([{ sku: 'F-1', quantity: 2 }]);
    const fo = (await order(id)).fulfillmentOrders.nodes[0];
    const r = await gql(CREATE, {
      f: {
        trackingInfo: { company: 'DHL', number: 'JD01', url: 'https://dhl.example/JD01' },
        lineItemsByFulfillmentOrder: [
          { fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: [{ id: fo.lineItems.nodes[0].id, quantity: 1 }] },
        ],
      },
    });
    const f = r.data.fulfillmentCreate.fulfillment;
    const p = webhookPayload(sim.state, 'fulfillments/create', f.id) as Any;
    assert.equal(p.admin_graphql_api_id, f.id);
    assert.equal(p.order_id, Number(id.split('/').pop()));
    assert.deepEqual(
      [p.status, p.tracking_company, p.tracking_number, p.tracking_url],
      ['success', 'DHL', 'JD01', 'https://dhl.example/JD01'],
    );
    assert.deepEqual(
      p.line_items.map((l: Any) => [l.sku, l.quantity]),
      [['F-1', 1]],
    );
  });
});
