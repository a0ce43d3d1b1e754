import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawGraphQL, startSim } from './helpers';
import { webhookPayload } from '../../src/sim/shopify/webhook-payloads';
import { generateShopifySeed, type ShopifySimulator } from '../../src/sim/shopify';
import { orderTotals, type OrderInput } from '../../src/sim/shopify/state';

/* eslint-disable @typescript-eslint/no-explicit-any */

const MONEY = `fragment M on Order { id updatedAt displayFinancialStatus paymentGatewayNames capturable canMarkAsPaid fullyPaid unpaid
  totalPriceSet { shopMoney { amount } } currentTotalPriceSet { shopMoney { amount } } totalReceivedSet { shopMoney { amount } }
  totalRefundedSet { shopMoney { amount } } netPaymentSet { shopMoney { amount } } totalOutstandingSet { shopMoney { amount } }
  totalCapturableSet { shopMoney { amount } } totalRefundedShippingSet { shopMoney { amount } }
  transactions { id kind status gateway formattedGateway manualPaymentGateway processedAt createdAt amountSet { shopMoney { amount currencyCode } } parentTransaction { id kind } }
  refunds { id note createdAt totalRefundedSet { shopMoney { amount } }
    refundLineItems(first: 10) { nodes { quantity restockType restocked location { id } lineItem { id sku } subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } } }
    refundShippingLines(first: 5) { nodes { subtotalAmountSet { shopMoney { amount } } taxAmountSet { shopMoney { amount } } shippingLine { title } } }
    orderAdjustments(first: 5) { nodes { amountSet { shopMoney { amount } } reason } }
    transactions(first: 5) { nodes { id kind status gateway amountSet { shopMoney { amount } } parentTransaction { id } } } }
  lineItems(first: 10) { nodes { id currentQuantity } } }`;

const REFUND = `mutation R($input: RefundInput!, $k: String!) { refundCreate(input: $input) @idempotent(key: $k) {
  refund { id totalRefundedSet { shopMoney { amount } } transactions(first: 5) { nodes { id status } } } order { id displayFinancialStatus } userErrors { field message } } }`;

const amt = (m: any): string => m.shopMoney.amount;

describe('Shopify simulator: order money (transactions, refunds, capture, mark as paid, cancel)', () => {
  let sim: ShopifySimulator;
  let loc: number;
  let keySeq = 0;
  const key = () => `k-${process.pid}-${++keySeq}`;

  const gql = async (query: string, variables?: unknown): Promise<any> => {
    const r = await rawGraphQL(sim, query, variables);
    assert.equal(r.status, 200);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    return r.body.data;
  };
  const read = async (id: string): Promise<any> => (await gql(`query O($id: ID!) { order(id: $id) { ...M } } ${MONEY}`, { id })).order;
  const control = async (path: string, body: unknown): Promise<any> => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'x-shopify-access-token': sim.accessToken, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
    return res.json();
  };
  const level = (sku: string) => {
    const v = sim.state.variantsBySku(sku)[0]!;
    const q = sim.state.inventoryItem(v.inventoryItemId)!.levels[loc]!.quantities;
    return { available: q.available ?? 0, on_hand: q.on_hand ?? 0, committed: q.committed ?? 0 };
  };
  /** 3 × 10.00 + shipping 5.00, 19 % on top: 30 + 5.70 + 5 + 0.95 = 41.65. */
  const order = (extra: Partial<OrderInput> = {}): string => {
    const o = sim.createOrder({
      email: 'm@example.com',
      lines: [{ sku: 'M1', quantity: 3, unitPrice: '10.00', locationId: loc }],
      shipping: [{ title: 'Standard', price: '5.00' }],
      taxRate: 0.19,
      createdAt: '2026-01-01T00:00:00Z',
      ...extra,
    });
    return `gid://shopify/Order/${o.id}`;
  };

  before(async () => {
    sim = await startSim({ seed: { customers: 1, orders: 0, skus: ['M1', 'M2'] } });
    loc = Object.values(sim.state.data.locations)[0]!.id;
  });
  after(async () => sim.close());

  test('a card order is created with a SALE; seeded orders carry theirs', async () => {
    const o = await read(order());
    assert.equal(o.displayFinancialStatus, 'PAID');
    assert.equal(amt(o.totalPriceSet), '41.65');
    assert.equal(o.transactions.length, 1);
    const [t] = o.transactions;
    assert.deepEqual(
      [
        t.kind,
        t.status,
        t.gateway,
        t.formattedGateway,
        t.manualPaymentGateway,
        amt(t.amountSet),
        t.amountSet.shopMoney.currencyCode,
        t.parentTransaction,
      ],
      ['SALE', 'SUCCESS', 'shopify_payments', 'Shopify Payments', false, '41.65', 'USD', null],
    );
    assert.equal(t.processedAt, '2026-01-01T00:00:00Z');
    assert.deepEqual(o.paymentGatewayNames, ['shopify_payments']);
    assert.deepEqual(
      [amt(o.totalReceivedSet), amt(o.netPaymentSet), amt(o.totalOutstandingSet), o.fullyPaid, o.canMarkAsPaid],
      ['41.65', '41.65', '0.00', true, false],
    );
    const seed = generateShopifySeed({ customers: 2, orders: 8, skus: ['S1', 'S2'] });
    const orders = Object.values(seed.orders);
    assert.ok(
      orders.every((x) => x.financialStatus === 'PAID' && x.transactions!.every((t) => t.kind === 'SALE' && t.status === 'SUCCESS')),
    );
    assert.ok(
      orders.every((x) => Math.abs(x.transactions!.reduce((s, t) => s + Number(t.amount), 0) - orderTotals(x).original.total) < 0.005),
      'the sales add up to the order total',
    );
    assert.deepEqual([...new Set(orders.flatMap((x) => x.paymentGateways))].sort(), ['gift_card', 'paypal', 'shopify_payments']);
    // A state file written before orders had transactions: the stored status becomes a ledger.
    for (const x of orders) delete x.transactions;
    const paid = orders[0]!;
    paid.refunds.push({ id: 99, createdAt: paid.createdAt, note: null, amount: '1.00', lineItems: [] });
    paid.financialStatus = 'PARTIALLY_REFUNDED';
    const old = await startSim({ seed });
    try {
      const o = await rawGraphQL(
        old,
        'query O($id: ID!) { order(id: $id) { displayFinancialStatus totalRefundedSet { shopMoney { amount } } transactions { kind amountSet { shopMoney { amount } } } } }',
        { id: `gid://shopify/Order/${paid.id}` },
      );
      assert.deepEqual(
        o.body.data.order.transactions.map((t: any) => t.kind),
        ['SALE', 'REFUND'],
      );
      assert.deepEqual([o.body.data.order.displayFinancialStatus, amt(o.body.data.order.totalRefundedSet)], ['PARTIALLY_REFUNDED', '1.00']);
    } finally {
      await old.close();
    }
  });

  test('cash on delivery: no SALE until orderMarkAsPaid; a second mark as paid is refused', async () => {
    const id = order({ financialStatus: 'PENDING', gateway: 'Cash on Delivery (COD)' });
    const before = await read(id);
    assert.deepEqual(
      [before.displayFinancialStatus, before.transactions.length, before.canMarkAsPaid, before.unpaid, amt(before.totalOutstandingSet)],
      ['PENDING', 0, true, true, '41.65'],
    );
    assert.deepEqual(before.paymentGatewayNames, ['Cash on Delivery (COD)']);
    const m =
      'mutation P($id: ID!) { orderMarkAsPaid(input: { id: $id }) { order { id displayFinancialStatus } userErrors { field message } } }';
    const r = await gql(m, { id });
    assert.deepEqual(r.orderMarkAsPaid.userErrors, []);
    const after = await read(id);
    assert.equal(after.displayFinancialStatus, 'PAID');
    assert.ok(after.updatedAt > before.updatedAt, 'updatedAt moves on a money event');
    assert.deepEqual(
      after.transactions.map((t: any) => [t.kind, t.status, t.gateway, t.manualPaymentGateway, amt(t.amountSet)]),
      [['SALE', 'SUCCESS', 'Cash on Delivery (COD)', true, '41.65']],
    );
    const again = await gql(m, { id });
    assert.equal(again.orderMarkAsPaid.order, null);
    assert.equal(again.orderMarkAsPaid.userErrors.length, 1);
    assert.equal((await read(id)).transactions.length, 1);
  });

  test('an authorization waits for orderCapture; capture above what is authorized is refused', async () => {
    const id = order({ financialStatus: 'AUTHORIZED' });
    const o = await read(id);
    const auth = o.transactions[0];
    assert.deepEqual(
      [o.displayFinancialStatus, auth.kind, auth.status, o.capturable, amt(o.totalCapturableSet), amt(o.totalReceivedSet)],
      ['AUTHORIZED', 'AUTHORIZATION', 'SUCCESS', true, '41.65', '0.00'],
    );
    const m =
      'mutation C($input: OrderCaptureInput!) { orderCapture(input: $input) { transaction { id kind status amountSet { shopMoney { amount } } parentTransaction { id } } userErrors { field message } } }';
    const over = await gql(m, { input: { id, parentTransactionId: auth.id, amount: '50.00' } });
    assert.equal(over.orderCapture.transaction, null);
    assert.deepEqual(over.orderCapture.userErrors[0].field, ['input', 'amount']);
    const part = await gql(m, { input: { id, parentTransactionId: auth.id, amount: '20.00', finalCapture: false } });
    assert.deepEqual(
      [part.orderCapture.transaction.kind, part.orderCapture.transaction.status, part.orderCapture.transaction.parentTransaction.id],
      ['CAPTURE', 'SUCCESS', auth.id],
    );
    const mid = await read(id);
    assert.deepEqual(
      [mid.displayFinancialStatus, amt(mid.totalCapturableSet), amt(mid.totalReceivedSet)],
      ['PARTIALLY_PAID', '21.65', '20.00'],
    );
    await gql(m, { input: { id, parentTransactionId: auth.id, amount: '21.65' } });
    const done = await read(id);
    assert.deepEqual(
      [done.displayFinancialStatus, done.capturable, amt(done.totalCapturableSet), amt(done.netPaymentSet)],
      ['PAID', false, '0.00', '41.65'],
    );
    const spent = await gql(m, { input: { id, parentTransactionId: auth.id, amount: '1.00' } });
    assert.equal(spent.orderCapture.userErrors.length, 1);
  });

  test('refundCreate: partial quantities with each restock type, shipping, money through the suggested transactions', async () => {
    const id = order({
      lines: [
        { sku: 'M1', quantity: 3, unitPrice: '10.00', locationId: loc },
        { sku: 'M2', quantity: 2, unitPrice: '10.00', locationId: loc },
      ],
    });
    const o = await read(id);
    const [l1, l2] = o.lineItems.nodes;
    const stock0 = { m1: level('M1'), m2: level('M2') };
    const sq = `query S($id: ID!, $lines: [RefundLineItemInput!]) { order(id: $id) { suggestedRefund(refundLineItems: $lines, refundShipping: true) {
      amountSet { shopMoney { amount } } subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } shipping { amountSet { shopMoney { amount } } taxSet { shopMoney { amount } } }
      refundLineItems { quantity lineItem { id } } suggestedTransactions { kind gateway amountSet { shopMoney { amount } } parentTransaction { id } } } } }`;
    const lines = [
      { lineItemId: l1.id, quantity: 1, restockType: 'CANCEL', locationId: `gid://shopify/Location/${loc}` },
      { lineItemId: l1.id, quantity: 1, restockType: 'RETURN' },
      { lineItemId: l2.id, quantity: 1, restockType: 'NO_RESTOCK' },
    ];
    const s = (await gql(sq, { id, lines })).order.suggestedRefund;
    // 30.00 of lines + 5.70 tax + 5.00 shipping + 0.95 shipping tax
    assert.deepEqual(
      [amt(s.subtotalSet), amt(s.totalTaxSet), amt(s.shipping.amountSet), amt(s.shipping.taxSet), amt(s.amountSet)],
      ['30.00', '6.65', '5.00', '0.95', '41.65'],
    );
    assert.deepEqual(
      s.suggestedTransactions.map((t: any) => [t.kind, t.gateway, amt(t.amountSet), t.parentTransaction.id]),
      [['SUGGESTED_REFUND', 'shopify_payments', '41.65', o.transactions[0].id]],
    );
    const transactions = s.suggestedTransactions.map((t: any) => ({
      orderId: id,
      kind: 'REFUND',
      gateway: t.gateway,
      amount: amt(t.amountSet),
      parentId: t.parentTransaction.id,
    }));
    const r = await gql(REFUND, {
      k: key(),
      input: { orderId: id, note: 'damaged', refundLineItems: lines, shipping: { fullRefund: true }, transactions },
    });
    assert.deepEqual(r.refundCreate.userErrors, []);
    assert.equal(amt(r.refundCreate.refund.totalRefundedSet), '41.65');
    const after = await read(id);
    assert.deepEqual(
      after.lineItems.nodes.map((l: any) => l.currentQuantity),
      [1, 1],
    );
    const [ref] = after.refunds;
    assert.equal(ref.note, 'damaged');
    assert.deepEqual(
      ref.refundLineItems.nodes.map((x: any) => [
        x.lineItem.sku,
        x.quantity,
        x.restockType,
        x.restocked,
        x.location?.id ?? null,
        amt(x.subtotalSet),
        amt(x.totalTaxSet),
      ]),
      [
        ['M1', 1, 'CANCEL', true, `gid://shopify/Location/${loc}`, '10.00', '1.90'],
        ['M1', 1, 'RETURN', true, `gid://shopify/Location/${loc}`, '10.00', '1.90'],
        ['M2', 1, 'NO_RESTOCK', false, null, '10.00', '1.90'],
      ],
    );
    assert.deepEqual(
      ref.refundShippingLines.nodes.map((x: any) => [x.shippingLine.title, amt(x.subtotalAmountSet), amt(x.taxAmountSet)]),
      [['Standard', '5.00', '0.95']],
    );
    assert.deepEqual(
      ref.transactions.nodes.map((t: any) => [t.kind, t.status, t.gateway, amt(t.amountSet), t.parentTransaction.id]),
      [['REFUND', 'SUCCESS', 'shopify_payments', '41.65', o.transactions[0].id]],
    );
    assert.deepEqual(ref.orderAdjustments.nodes, []);
    // The refunds/create webhook spells each line's restock type as the REST API does.
    const hook = webhookPayload(sim.state, 'refunds/create', r.refundCreate.refund.id) as {
      refund_line_items: Array<{ restock_type: string }>;
    };
    assert.deepEqual(
      hook.refund_line_items.map((l) => l.restock_type),
      ['cancel', 'return', 'no_restock'],
    );
    assert.deepEqual(
      [
        after.displayFinancialStatus,
        amt(after.totalRefundedSet),
        amt(after.netPaymentSet),
        amt(after.currentTotalPriceSet),
        amt(after.totalOutstandingSet),
        amt(after.totalRefundedShippingSet),
      ],
      ['PARTIALLY_REFUNDED', '41.65', '23.80', '23.80', '0.00', '5.00'],
    );
    // CANCEL gives back what the order committed; RETURN puts goods back on hand; NO_RESTOCK moves nothing.
    const stock1 = { m1: level('M1'), m2: level('M2') };
    assert.equal(stock1.m1.committed, stock0.m1.committed - 1);
    assert.equal(stock1.m1.available, stock0.m1.available + 2);
    assert.equal(stock1.m1.on_hand, stock0.m1.on_hand + 1);
    assert.deepEqual(stock1.m2, stock0.m2);
  });

  test('refundCreate refuses more than is refundable (quantity, amount, shipping) and changes nothing', async () => {
    const id = order();
    const o = await read(id);
    const sale = o.transactions[0];
    const cases = [
      { refundLineItems: [{ lineItemId: o.lineItems.nodes[0].id, quantity: 4 }] },
      { transactions: [{ orderId: id, kind: 'REFUND', gateway: 'shopify_payments', amount: '41.66', parentId: sale.id }] },
      { shipping: { amount: '5.01' } },
      { transactions: [{ orderId: id, kind: 'REFUND', gateway: 'paypal', amount: '1.00' }] },
      { refundLineItems: [{ lineItemId: o.lineItems.nodes[0].id, quantity: 1, restockType: 'LEGACY_RESTOCK' }] },
    ];
    for (const c of cases) {
      const r = await gql(REFUND, { k: key(), input: { orderId: id, ...c } });
      assert.equal(r.refundCreate.refund, null, JSON.stringify(c));
      assert.equal(r.refundCreate.userErrors.length, 1, JSON.stringify(c));
    }
    const after = await read(id);
    assert.deepEqual(
      [after.refunds.length, after.transactions.length, after.lineItems.nodes[0].currentQuantity, after.updatedAt],
      [0, 1, 3, o.updatedAt],
    );
  });

  test('@idempotent on refundCreate: required, a retry returns the same refund, another use of the key is refused', async () => {
    const id = order();
    const sale = (await read(id)).transactions[0];
    const input = {
      orderId: id,
      transactions: [{ orderId: id, kind: 'REFUND', gateway: 'shopify_payments', amount: '5.00', parentId: sale.id }],
    };
    const noKey = await rawGraphQL(
      sim,
      'mutation R($input: RefundInput!) { refundCreate(input: $input) { refund { id } userErrors { message } } }',
      { input },
    );
    assert.match(noKey.body.errors[0].message, /@idempotent directive is required/);
    const blank = await rawGraphQL(sim, REFUND, { k: '  ', input });
    assert.match(blank.body.errors[0].message, /cannot be an empty string/);
    const k = key();
    const first = await gql(REFUND, { k, input });
    const retry = await gql(REFUND, { k, input });
    assert.equal(retry.refundCreate.refund.id, first.refundCreate.refund.id);
    const other = await gql(REFUND, { k, input: { ...input, note: 'other' } });
    assert.equal(other.refundCreate.refund, null);
    assert.match(other.refundCreate.userErrors[0].message, /different operation parameters/);
    const o = await read(id);
    assert.deepEqual([o.refunds.length, amt(o.totalRefundedSet), o.displayFinancialStatus], [1, '5.00', 'PARTIALLY_REFUNDED']);
    // Before 2026-04 the key is optional.
    const res = await fetch(sim.graphqlUrl.replace('2026-07', '2026-01'), {
      method: 'POST',
      headers: { 'x-shopify-access-token': sim.accessToken, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation R($input: RefundInput!) { refundCreate(input: $input) { refund { id } userErrors { message } } }',
        variables: { input },
      }),
    });
    const older = (await res.json()) as any;
    assert.deepEqual(older.data.refundCreate.userErrors, []);
    assert.equal((await read(id)).refunds.length, 2);
    const failedKey = key();
    const bad = { orderId: id, transactions: [{ ...input.transactions[0], amount: '100.00' }] };
    assert.equal((await gql(REFUND, { k: failedKey, input: bad })).refundCreate.userErrors.length, 1);
    assert.match(
      (await gql(REFUND, { k: failedKey, input: bad })).refundCreate.userErrors[0].message,
      /previous request with this idempotency key failed/,
    );
  });

  test('an amount-only refund has no line items and an order adjustment; a pending refund transaction settles later', async () => {
    const id = order();
    const sale = (await read(id)).transactions[0];
    const r = await gql(REFUND, {
      k: key(),
      input: {
        orderId: id,
        note: 'goodwill',
        discrepancyReason: 'CUSTOMER',
        transactions: [{ orderId: id, kind: 'REFUND', gateway: 'shopify_payments', amount: '10.00', parentId: sale.id }],
      },
    });
    assert.deepEqual(r.refundCreate.userErrors, []);
    let o = await read(id);
    assert.deepEqual(o.refunds[0].refundLineItems.nodes, []);
    assert.deepEqual(
      o.refunds[0].orderAdjustments.nodes.map((a: any) => [amt(a.amountSet), a.reason]),
      [['-10.00', 'CUSTOMER']],
    );
    assert.deepEqual([amt(o.currentTotalPriceSet), amt(o.netPaymentSet), amt(o.totalOutstandingSet)], ['41.65', '31.65', '0.00']);

    await control('/_sim/gateways', { name: 'shopify_payments', refundStatus: 'PENDING' });
    try {
      const p = await gql(REFUND, {
        k: key(),
        input: {
          orderId: id,
          transactions: [{ orderId: id, kind: 'REFUND', gateway: 'shopify_payments', amount: '31.65', parentId: sale.id }],
        },
      });
      const tx = p.refundCreate.refund.transactions.nodes[0];
      assert.equal(tx.status, 'PENDING');
      o = await read(id);
      assert.deepEqual(
        [amt(o.refunds[1].totalRefundedSet), amt(o.totalRefundedSet), o.displayFinancialStatus],
        ['31.65', '10.00', 'PARTIALLY_REFUNDED'],
      );
      // The pending amount is spoken for: nothing more can be refunded from the sale.
      const more = await gql(REFUND, {
        k: key(),
        input: {
          orderId: id,
          transactions: [{ orderId: id, kind: 'REFUND', gateway: 'shopify_payments', amount: '1.00', parentId: sale.id }],
        },
      });
      assert.equal(more.refundCreate.userErrors.length, 1);
      const before = o.updatedAt;
      await new Promise((res) => setTimeout(res, 1100));
      await control(`/_sim/transactions/${encodeURIComponent(tx.id)}`, { status: 'SUCCESS' });
      o = await read(id);
      assert.deepEqual([amt(o.totalRefundedSet), o.displayFinancialStatus, amt(o.netPaymentSet)], ['41.65', 'REFUNDED', '0.00']);
      assert.ok(o.updatedAt > before);
    } finally {
      await control('/_sim/gateways', { name: 'shopify_payments', refundStatus: 'SUCCESS' });
    }
  });

  test('a gift card is a gateway: split payments are refunded across both', async () => {
    const id = order({ payments: [{ gateway: 'gift_card', amount: '15.00' }, { gateway: 'shopify_payments' }] });
    const o = await read(id);
    assert.deepEqual(
      o.transactions.map((t: any) => [t.kind, t.gateway, t.formattedGateway, amt(t.amountSet)]),
      [
        ['SALE', 'gift_card', 'Gift card', '15.00'],
        ['SALE', 'shopify_payments', 'Shopify Payments', '26.65'],
      ],
    );
    assert.deepEqual(o.paymentGatewayNames, ['gift_card', 'shopify_payments']);
    const s = (
      await gql(
        'query S($id: ID!) { order(id: $id) { suggestedRefund(suggestFullRefund: true) { amountSet { shopMoney { amount } } suggestedTransactions { gateway amountSet { shopMoney { amount } } } } } }',
        { id },
      )
    ).order.suggestedRefund;
    assert.equal(amt(s.amountSet), '41.65');
    assert.deepEqual(
      s.suggestedTransactions.map((t: any) => [t.gateway, amt(t.amountSet)]),
      [
        ['gift_card', '15.00'],
        ['shopify_payments', '26.65'],
      ],
    );
  });

  test('orderCancel: refunds and restocks a paid order, voids an authorization, refuses a second cancel', async () => {
    const m = `mutation X($id: ID!, $refund: Boolean, $restock: Boolean!) { orderCancel(orderId: $id, reason: CUSTOMER, refund: $refund, restock: $restock) { job { id done } orderCancelUserErrors { code field message } } }`;
    const paid = order();
    const stock0 = level('M1');
    const c = await gql(m, { id: paid, refund: true, restock: true });
    assert.deepEqual(c.orderCancel.orderCancelUserErrors, []);
    const o = await read(paid);
    assert.deepEqual(
      [o.displayFinancialStatus, amt(o.totalRefundedSet), amt(o.netPaymentSet), o.refunds.length],
      ['REFUNDED', '41.65', '0.00', 1],
    );
    assert.deepEqual(
      o.refunds[0].transactions.nodes.map((t: any) => [t.kind, t.status, amt(t.amountSet)]),
      [['REFUND', 'SUCCESS', '41.65']],
    );
    assert.equal(level('M1').committed, stock0.committed - 3);
    const again = await gql(m, { id: paid, refund: true, restock: true });
    assert.equal(again.orderCancel.orderCancelUserErrors[0].code, 'INVALID');

    const authorized = order({ financialStatus: 'AUTHORIZED' });
    await gql(m, { id: authorized, refund: false, restock: true });
    const a = await read(authorized);
    assert.deepEqual([a.displayFinancialStatus, a.capturable], ['VOIDED', false]);
    assert.deepEqual(
      a.transactions.map((t: any) => [t.kind, t.status, t.parentTransaction?.kind ?? null]),
      [
        ['AUTHORIZATION', 'SUCCESS', null],
        ['VOID', 'SUCCESS', 'AUTHORIZATION'],
      ],
    );
    const missing = await gql(m, { id: 'gid://shopify/Order/1', refund: false, restock: false });
    assert.equal(missing.orderCancel.orderCancelUserErrors[0].code, 'NOT_FOUND');
  });

  test('/_sim controls: a pending SALE on a new manual gateway; the helper refund records a REFUND', async () => {
    await control('/_sim/gateways', { name: 'Invoice', manual: true });
    const id = order({ financialStatus: 'PENDING', gateway: 'Invoice' });
    const t = await control(`/_sim/orders/${encodeURIComponent(id)}/transactions`, { kind: 'SALE', gateway: 'Invoice', status: 'PENDING' });
    let o = await read(id);
    assert.deepEqual(
      o.transactions.map((x: any) => [x.id, x.kind, x.status, x.manualPaymentGateway]),
      [[t.id, 'SALE', 'PENDING', true]],
    );
    assert.equal(o.displayFinancialStatus, 'PENDING');
    await control(`/_sim/transactions/${encodeURIComponent(t.id)}`, { status: 'SUCCESS' });
    assert.equal((await read(id)).displayFinancialStatus, 'PAID');
    const paid = order();
    const rec = sim.state.order(Number(paid.split('/').pop()))!;
    sim.refundOrder(rec.id, [{ lineItemId: rec.lineItems[0]!.id, quantity: 1, restock: true }]);
    o = await read(paid);
    assert.deepEqual(
      o.refunds[0].transactions.nodes.map((x: any) => [x.kind, amt(x.amountSet)]),
      [['REFUND', '11.90']],
    );
    assert.equal(o.refunds[0].refundLineItems.nodes[0].restockType, 'CANCEL');
    assert.equal(o.displayFinancialStatus, 'PARTIALLY_REFUNDED');
  });

  test('money events announce themselves: orders/paid, refunds/create, orders/updated, orders/cancelled', async () => {
    const topics: string[] = [];
    sim.state.onChange((topic) => topics.push(topic));
    const id = order({ financialStatus: 'PENDING' });
    topics.length = 0;
    await gql('mutation P($id: ID!) { orderMarkAsPaid(input: { id: $id }) { userErrors { message } } }', { id });
    assert.deepEqual(
      topics.filter((t) => t.startsWith('orders/') || t.startsWith('refunds/')),
      ['orders/paid', 'orders/updated'],
    );
    topics.length = 0;
    const sale = (await read(id)).transactions[0];
    await gql(REFUND, {
      k: key(),
      input: { orderId: id, transactions: [{ orderId: id, kind: 'REFUND', gateway: sale.gateway, amount: '1.00', parentId: sale.id }] },
    });
    assert.deepEqual(topics, ['refunds/create', 'orders/updated']);
    topics.length = 0;
    await gql(
      'mutation X($id: ID!) { orderCancel(orderId: $id, reason: OTHER, refund: true, restock: true) { orderCancelUserErrors { message } } }',
      { id },
    );
    assert.deepEqual(
      topics.filter((t) => t.startsWith('orders/') || t.startsWith('refunds/')),
      ['orders/cancelled', 'orders/updated', 'refunds/create'],
    );
  });

  test('what the simulator does not model answers NOT_IMPLEMENTED', async () => {
    const id = order();
    const r = await rawGraphQL(sim, 'query T($id: ID!) { order(id: $id) { transactions(manuallyResolvable: true) { id } } }', { id });
    assert.equal(r.body.errors[0].extensions.code, 'NOT_IMPLEMENTED');
    const d = await rawGraphQL(sim, REFUND, {
      k: key(),
      input: { orderId: id, refundDuties: [{ dutyId: 'gid://shopify/Duty/1', refundType: 'FULL' }] },
    });
    assert.equal(d.body.errors[0].extensions.code, 'NOT_IMPLEMENTED');
    const f = await rawGraphQL(sim, 'query T($id: ID!) { order(id: $id) { transactions { paymentIcon { url } fees { id } } } }', { id });
    assert.equal(f.body.errors, undefined);
  });
});
