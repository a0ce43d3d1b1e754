/**
 * Order to cash, money side, end to end: Temporal dev server, the real sync-run workflow and
 * activities, both simulators over HTTP. Shopify is driven through its Admin API (refundCreate,
 * orderCancel), B1 is read back as the Service Layer stored it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMappingConfig } from '../../src/mapping/config';
import { rawGraphQL } from '../shopify/helpers';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { ensureGuestPartner, runLog, salesOrdersByShopifyId } from './support-shopify-to-b1';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Rec = Record<string, any>;

const REFUND = `mutation R($input: RefundInput!, $k: String!) { refundCreate(input: $input) @idempotent(key: $k) {
  refund { id } userErrors { field message } } }`;
const CANCEL = `mutation C($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, refund: false, restock: true) {
  job { id } orderCancelUserErrors { message } } }`;

describe('order to cash: money (reserve invoices, payments, refunds, cancellations)', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let loc: number;
  let seq = 0;

  const docs = (set: string, pred: (d: Rec) => boolean = () => true): Rec[] =>
    [...fx.b1Sim.state.store(set).values()].filter(pred) as Rec[];
  const ofOrder = (set: string, gid: string) => docs(set, (d) => d.U_ShopifyId === gid);
  const gql = async (query: string, variables?: unknown): Promise<any> => {
    const r = await rawGraphQL(fx.shopifySim as never, query, variables);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    return r.body.data;
  };
  const order = (extra: Rec = {}): string => {
    const o = fx.shopifySim.createOrder({
      email: `money-${++seq}@example.com`,
      customerId: null,
      lines: [
        { sku: 'A00001', quantity: 2, unitPrice: '10.00', locationId: loc },
        { sku: 'A00002', quantity: 1, unitPrice: '25.00', locationId: loc },
      ],
      shipping: [{ title: 'Standard', price: '5.00' }],
      // The demo company's tax code CA (7.25 %): B1's total is then Shopify's to the cent.
      taxRate: 0.0725,
      ...extra,
    } as never);
    return `gid://shopify/Order/${o.id}`;
  };
  const txns = async (id: string) =>
    (
      await gql(
        `query O($id: ID!) { order(id: $id) { transactions { id kind status gateway amountSet { shopMoney { amount } } } lineItems(first: 5) { nodes { id sku } } totalPriceSet { shopMoney { amount } } } }`,
        { id },
      )
    ).order;
  const committed = (item: string): number =>
    (fx.b1Sim.state.get('Items', item)!.ItemWarehouseInfoCollection as Rec[]).reduce((s, w) => s + Number(w.Committed ?? 0), 0);
  const counts = () => ({
    orders: docs('Orders').length,
    invoices: docs('Invoices').length,
    payments: docs('IncomingPayments').length,
    memos: docs('CreditNotes').length,
    refunds: docs('VendorPayments').length,
  });

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 0, shopifyOrders: 0, b1Customers: 1, plan: 'plus' });
    await ensureGuestPartner(fx);
    loc = Object.values(fx.shopifySim.state.data.locations)[0]!.id;
    fx.deps.mapping = parseMappingConfig({
      ...fx.deps.mapping,
      money: {
        documentMode: 'reserveInvoice',
        payments: {
          enabled: true,
          gateways: { shopify_payments: { type: 'creditCard', creditCard: 4 }, gift_card: { type: 'creditCard', creditCard: 3 } },
        },
        refunds: { enabled: true, goodwillAccount: '_SYS00000000001' },
      },
    });
    worker = await fx.startWorker();
  });

  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('a paid order becomes a sales order, a reserve invoice based on it, and one incoming payment of the transaction amount', async () => {
    const id = order();
    const shop = await txns(id);
    const { result, workflowId } = await fx.runSync('order', { mode: 'ids', ids: [id] });
    const { outcomes } = await runLog(fx, workflowId);
    assert.equal(result.counts.failed, 0, JSON.stringify(outcomes));

    const [so] = salesOrdersByShopifyId(fx, id);
    const invoices = ofOrder('Invoices', id);
    assert.equal(invoices.length, 1);
    const inv = invoices[0]!;
    assert.equal(inv.ReserveInvoice, 'tYES');
    assert.ok((inv.DocumentLines as Rec[]).every((l) => l.BaseType === 17 && l.BaseEntry === so!.DocEntry));
    assert.ok((inv.DocumentLines as Rec[]).every((l) => typeof l.U_ShopifyLineId === 'string' && l.U_ShopifyLineId.startsWith('gid://')));
    assert.equal(Number(inv.DocTotal).toFixed(2), shop.totalPriceSet.shopMoney.amount, 'the invoice total is Shopify’s');
    assert.equal(so!.DocumentStatus, 'bost_Close', 'the reserve invoice closed the order lines it copied');

    const sale = shop.transactions.find((t: Rec) => t.kind === 'SALE');
    const pays = docs('IncomingPayments', (p) => p.U_ShopifyTxnId === sale.id);
    assert.equal(pays.length, 1);
    const pay = pays[0]!;
    assert.equal(
      Number(pay.DocTotal ?? pay.CashSum ?? 0) || Number((pay.PaymentCreditCards as Rec[])[0]!.CreditSum),
      Number(sale.amountSet.shopMoney.amount),
    );
    assert.equal((pay.PaymentCreditCards as Rec[])[0]!.CreditCard, 4);
    assert.deepEqual(
      (pay.PaymentInvoices as Rec[]).map((x) => [x.DocEntry, x.InvoiceType]),
      [[inv.DocEntry, 'it_Invoice']],
    );
    assert.equal(Number(fx.b1Sim.state.get('Invoices', String(inv.DocEntry))!.PaidToDate), Number(sale.amountSet.shopMoney.amount));
    const byId = new Map(outcomes.map((o) => [o.sourceId, o]));
    assert.equal(byId.get(`${id}#invoice`)?.outcome, 'created');
    assert.equal(byId.get(sale.id)?.outcome, 'created');
    assert.equal(byId.get(sale.id)?.targetId, `IncomingPayments(${pay.DocEntry})`);
  });

  test('refundCreate with restock on one line: exactly one credit memo and one outgoing payment; the stock comes back; running again creates nothing', async () => {
    const id = order();
    await fx.runSync('order', { mode: 'ids', ids: [id] });
    const shop = await txns(id);
    const line = shop.lineItems.nodes.find((l: Rec) => l.sku === 'A00001');
    const sale = shop.transactions.find((t: Rec) => t.kind === 'SALE');
    const committedBefore = committed('A00001');
    const refundLineItems = [{ lineItemId: line.id, quantity: 1, restockType: 'RETURN', locationId: `gid://shopify/Location/${loc}` }];
    // What the admin suggests for the line (its price and tax), as a merchant refunds it.
    const suggested = (
      await gql(
        `query S($id: ID!, $lines: [RefundLineItemInput!]) { order(id: $id) { suggestedRefund(refundLineItems: $lines) { amountSet { shopMoney { amount } } } } }`,
        { id, lines: refundLineItems },
      )
    ).order.suggestedRefund.amountSet.shopMoney.amount;
    const r = await gql(REFUND, {
      k: `refund-${id}`,
      input: {
        orderId: id,
        note: 'wrong size',
        refundLineItems,
        transactions: [{ orderId: id, kind: 'REFUND', gateway: 'shopify_payments', amount: suggested, parentId: sale.id }],
      },
    });
    assert.deepEqual(r.refundCreate.userErrors, []);
    const refundId = r.refundCreate.refund.id;

    const { result, workflowId } = await fx.runSync('order', { mode: 'ids', ids: [id] });
    assert.equal(result.counts.failed, 0, JSON.stringify((await runLog(fx, workflowId)).outcomes));
    const memos = docs('CreditNotes', (m) => m.U_ShopifyRefundId === refundId);
    assert.equal(memos.length, 1);
    const memo = memos[0]!;
    const [inv] = ofOrder('Invoices', id);
    assert.deepEqual(
      (memo.DocumentLines as Rec[]).map((l) => [l.BaseType, l.BaseEntry, l.ItemCode, l.Quantity]),
      [[13, inv!.DocEntry, 'A00001', 1]],
    );
    const outs = docs('VendorPayments', (p) => p.U_ShopifyRefundId === refundId);
    assert.equal(outs.length, 1);
    assert.equal(Number((outs[0]!.PaymentCreditCards as Rec[])[0]!.CreditSum).toFixed(2), suggested, 'the money Shopify paid back');
    assert.deepEqual(
      (outs[0]!.PaymentInvoices as Rec[]).map((x) => [x.DocEntry, x.InvoiceType]),
      [[memo.DocEntry, 'it_CredItnote']],
    );
    // Undelivered goods of a reserve invoice: their commitment is released (available again).
    assert.equal(committed('A00001'), committedBefore - 1);

    const before = counts();
    for (const mode of ['ids', 'full', 'delta'] as const) {
      const again = await fx.runSync('order', mode === 'ids' ? { mode, ids: [id] } : { mode });
      assert.equal(again.result.counts.created, 0, `${mode}: ${JSON.stringify(again.result.counts)}`);
    }
    assert.deepEqual(counts(), before, 'running every sync again creates nothing');

    // Everything is in B1: a run reading the order again reports each document from the page's
    // batched reads, without reading any document on its own.
    const from = fx.b1Sim.faults.log.length;
    const again = await fx.runSync('order', { mode: 'ids', ids: [id] });
    const reads = fx.b1Sim.faults.log.slice(from);
    const logged = new Map((await runLog(fx, again.workflowId)).outcomes.map((o) => [o.sourceId, o]));
    assert.equal(logged.get(sale.id)?.outcome, 'unchanged');
    assert.equal(logged.get(refundId)?.targetId, `CreditNotes(${memo.DocEntry})+VendorPayments(${outs[0]!.DocEntry})`);
    assert.equal(logged.get(`${id}#invoice`)?.targetId, `Invoices(${inv!.DocEntry})`);
    assert.deepEqual(
      reads.filter((l) => /^(GET|POST) \/b1s\/v1\/(Invoices|IncomingPayments|CreditNotes|VendorPayments|Orders)\(/.test(l)),
      [],
      'no document read one by one',
    );
    assert.ok(
      reads.filter((l) => / \/b1s\/v1\/(Invoices|IncomingPayments|CreditNotes|VendorPayments)\b/.test(l)).length <= 4,
      reads.join('\n'),
    );
  });

  test('an invoiced order cancelled in Shopify becomes one credit memo for what is left', async () => {
    const id = order();
    await fx.runSync('order', { mode: 'ids', ids: [id] });
    const [inv] = ofOrder('Invoices', id);
    assert.ok(inv);
    const c = await gql(CANCEL, { id });
    assert.deepEqual(c.orderCancel.orderCancelUserErrors, []);
    const { result, workflowId } = await fx.runSync('order', { mode: 'ids', ids: [id] });
    const { outcomes } = await runLog(fx, workflowId);
    assert.equal(result.counts.failed, 0, JSON.stringify(outcomes));
    const memos = docs('CreditNotes', (m) => m.U_ShopifyRefundId === `${id}#cancel`);
    assert.equal(memos.length, 1);
    assert.equal(Number(memos[0]!.DocTotal).toFixed(2), Number(inv!.DocTotal).toFixed(2), 'the whole invoice is reversed');
    assert.equal(outcomes.find((o) => o.sourceId === id)?.outcome, 'unchanged', 'the closed order is not reported as not applied');
    const again = await fx.runSync('order', { mode: 'ids', ids: [id] });
    assert.equal(again.result.counts.created, 0);
    assert.equal(docs('CreditNotes', (m) => m.U_ShopifyRefundId === `${id}#cancel`).length, 1);
  });

  test('an unmapped gateway: one open error naming it; the order and its invoice stand; mapped later, a retry by the transaction id books it', async () => {
    const id = order({ gateway: 'paypal' });
    const { result, workflowId } = await fx.runSync('order', { mode: 'ids', ids: [id] });
    const { outcomes } = await runLog(fx, workflowId);
    const bad = outcomes.filter((o) => o.outcome === 'failed');
    assert.equal(result.counts.failed, 1, JSON.stringify(outcomes));
    assert.equal(bad.length, 1);
    assert.match(bad[0]!.reason ?? '', /gateway 'paypal'.*money\.payments\.gateways/);
    assert.match(bad[0]!.sourceId, /^gid:\/\/shopify\/OrderTransaction\//);
    assert.equal(salesOrdersByShopifyId(fx, id).length, 1);
    assert.equal(ofOrder('Invoices', id).length, 1);
    assert.equal(docs('IncomingPayments', (p) => p.U_ShopifyId === id).length, 0);

    fx.deps.mapping = parseMappingConfig({
      ...fx.deps.mapping,
      money: {
        ...fx.deps.mapping.money,
        payments: {
          ...fx.deps.mapping.money.payments,
          gateways: { ...fx.deps.mapping.money.payments.gateways, paypal: { type: 'creditCard', creditCard: 1 } },
        },
      },
    });
    const retry = await fx.runSync('order', { mode: 'ids', ids: [bad[0]!.sourceId] });
    assert.equal(retry.result.counts.failed, 0);
    assert.equal(docs('IncomingPayments', (p) => p.U_ShopifyTxnId === bad[0]!.sourceId).length, 1);
  });

  test('a response lost after the payment was written, and two runs at once: still one document each', async () => {
    const id = order();
    fx.b1Sim.faults.failNext({ kind: 'reset', when: 'after', match: /^POST \/b1s\/v1\/IncomingPayments/ });
    const [a, b] = await Promise.all([
      fx.runSync('order', { mode: 'ids', ids: [id], workflowId: `money-a-${id}` }),
      fx.runSync('order', { mode: 'ids', ids: [id], workflowId: `money-b-${id}` }),
    ]);
    // A run that met the other's reservation reports it in doubt; the next run settles it.
    void a;
    void b;
    await fx.runSync('order', { mode: 'ids', ids: [id] });
    assert.equal(salesOrdersByShopifyId(fx, id).filter((o) => o.Cancelled !== 'tYES').length, 1);
    assert.equal(ofOrder('Invoices', id).length, 1);
    assert.equal(docs('IncomingPayments', (p) => p.U_ShopifyId === id).length, 1);
  });
});
