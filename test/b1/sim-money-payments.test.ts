/**
 * The simulator's payments over HTTP: credit card definitions, incoming payments against invoices
 * (cards, transfer, cash), SAP's refusals, PaidToDate and status, cancellation, refunds of credit
 * notes as outgoing payments, UDF lookups, and a $batch changeset that fails half way.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { B1Simulator } from '../../src/sim/b1';
import { rawSession, startSim } from './helpers';
import { created, sapError, session, type Call, type Json } from './sim-money-helpers';

describe('B1 simulator: IncomingPayments, VendorPayments, CreditCards', () => {
  let sim: B1Simulator;
  let call: Call;
  before(async () => {
    sim = await startSim({ seed: { items: 3, customers: 3 } });
    call = await session(sim);
    sim.state.setStock('A00001', '01', { InStock: 100, Committed: 0 });
  });
  after(() => sim.close());

  /** An invoice of `amount` (no tax) for a customer. */
  const invoice = (amount: number, card = 'C00001', extra: Json = {}): Promise<Json> =>
    created(call, '/Invoices', {
      CardCode: card,
      DocumentLines: [{ ItemCode: 'A00001', Quantity: 1, UnitPrice: amount, WarehouseCode: '01' }],
      ...extra,
    });
  const get = async (path: string): Promise<Json> => (await call('GET', path)).body;

  test('CreditCards: the demo cards are there; a new one gets the next code; codes are what payments refer to', async () => {
    const cards = (await get('/CreditCards?$select=CreditCardCode,CreditCardName')).value as Json[];
    assert.deepEqual(
      cards.map((c) => c.CreditCardCode),
      [1, 2, 3, 4],
    );
    assert.equal(cards[3]!.CreditCardName, 'Shopify Payments');
    const paypal = await created(call, '/CreditCards', { CreditCardName: 'PayPal', GLAccount: '_SYS00000000013' });
    assert.equal(paypal.CreditCardCode, 5);
    sapError(await call('POST', '/CreditCards', { CreditCardName: 'PayPal' }), 400, -10);
    assert.equal((await get('/CreditCards(5)')).CreditCardName, 'PayPal');
  });

  test('incoming payment by card and transfer: PaidToDate grows, the invoice closes when fully paid; UDF on ORCT found by filter', async () => {
    // The demo company has the hub's payment fields (created on ORCT, shared with OVPM).
    assert.equal(((await get("/UserFieldsMD?$filter=TableName eq 'ORCT' and Name eq 'ShopifyTxnId'")).value as Json[]).length, 1);
    const inv = await invoice(100);
    const p1 = await created(call, '/IncomingPayments', {
      CardCode: 'C00001',
      U_ShopifyTxnId: 'txn-1',
      PaymentInvoices: [{ DocEntry: inv.DocEntry, SumApplied: 60, InvoiceType: 'it_Invoice' }],
      PaymentCreditCards: [{ CreditCard: 4, CreditCardNumber: '4242', CardValidUntil: '2030-12-31', VoucherNum: 'txn-1', CreditSum: 60 }],
    });
    assert.equal(p1.DocType, 'rCustomer');
    assert.equal(p1.DocObjectCode, 'bopot_IncomingPayments');
    assert.equal(p1.Cancelled, 'tNO');
    const cc = (p1.PaymentCreditCards as Json[])[0]!;
    assert.deepEqual([cc.LineNum, cc.CreditCard, cc.CreditAcct, cc.CreditSum, cc.CreditType], [0, 4, '_SYS00000000012', 60, 'cr_Regular']);
    let now = await get(`/Invoices(${String(inv.DocEntry)})`);
    assert.deepEqual([now.PaidToDate, now.DocumentStatus], [60, 'bost_Open']);
    await created(call, '/IncomingPayments', {
      CardCode: 'C00001',
      U_ShopifyTxnId: 'txn-2',
      TransferAccount: '_SYS00000000001',
      TransferSum: 40,
      PaymentInvoices: [{ DocEntry: inv.DocEntry, SumApplied: 40 }],
    });
    now = await get(`/Invoices(${String(inv.DocEntry)})`);
    assert.deepEqual([now.PaidToDate, now.DocumentStatus], [100, 'bost_Close']);
    const found = (await get("/IncomingPayments?$filter=U_ShopifyTxnId eq 'txn-2'&$select=DocEntry,TransferSum,U_ShopifyTxnId"))
      .value as Json[];
    assert.deepEqual(
      found.map((p) => [p.TransferSum, p.U_ShopifyTxnId]),
      [[40, 'txn-2']],
    );
    assert.equal(
      ((await get(`/IncomingPayments?$filter=CardCode eq 'C00001' and DocEntry eq ${String(p1.DocEntry)}`)).value as Json[]).length,
      1,
    );
    // Payments carry no UpdateDate in SAP's $metadata: filtering on it is SAP's invalid property.
    sapError(await call('GET', "/IncomingPayments?$filter=UpdateDate ge '2020-01-01'"), 400, -1000);
  });

  test("SAP's refusals: over the balance, unknown card, other currency, means short of the applied sum, paid invoice, other customer", async () => {
    const inv = await invoice(50, 'C00002');
    const pay = (body: Json): Promise<{ status: number; body: Json }> => call('POST', '/IncomingPayments', { CardCode: 'C00002', ...body });
    const applied = (sum: number): Json => ({ PaymentInvoices: [{ DocEntry: inv.DocEntry, SumApplied: sum }] });
    assert.match(
      sapError(await pay({ ...applied(50.01), CashAccount: '_SYS00000000002', CashSum: 50.01 }), 400, -5002),
      /exceeds the balance due/,
    );
    sapError(await pay({ ...applied(10), PaymentCreditCards: [{ CreditCard: 99, CreditSum: 10 }] }), 404, -2028);
    assert.match(
      sapError(await pay({ ...applied(10), DocCurrency: 'EUR', CashAccount: '_SYS00000000002', CashSum: 10 }), 400, -5002),
      /Currency/,
    );
    assert.match(
      sapError(await pay({ ...applied(10), PaymentCreditCards: [{ CreditCard: 1, CreditSum: 10, CreditCur: 'EUR' }] }), 400, -5002),
      /Currency/,
    );
    assert.match(
      sapError(await pay({ ...applied(30), TransferAccount: '_SYS00000000001', TransferSum: 20 }), 400, -5002),
      /less than the total amount applied/,
    );
    assert.match(sapError(await pay({ ...applied(10) }), 400, -5002), /less than/);
    sapError(await pay({ ...applied(10), TransferSum: 10 }), 400, -5002);
    sapError(
      await call('POST', '/IncomingPayments', { CardCode: 'C00001', ...applied(10), CashAccount: '_SYS00000000002', CashSum: 10 }),
      400,
      -5002,
    );
    sapError(await pay({ PaymentChecks: [{ CheckSum: 10 }], ...applied(10) }), 400, -1000);
    assert.equal((await get(`/Invoices(${String(inv.DocEntry)})`)).PaidToDate, 0, 'nothing of the refused payments stuck');
    // More means than applied: the rest stays on the customer's account.
    await created(call, '/IncomingPayments', { CardCode: 'C00002', ...applied(50), CashAccount: '_SYS00000000002', CashSum: 70 });
    assert.match(sapError(await pay({ ...applied(1), CashAccount: '_SYS00000000002', CashSum: 1 }), 400, -5002), /closed/);
  });

  test('Cancel gives the invoice its balance back and reopens it; twice is refused; remarks may change, amounts not', async () => {
    const inv = await invoice(30, 'C00003');
    const p = await created(call, '/IncomingPayments', {
      CardCode: 'C00003',
      PaymentInvoices: [{ DocEntry: inv.DocEntry }],
      PaymentCreditCards: [{ CreditCard: 2, CreditSum: 30 }],
    });
    assert.equal((p.PaymentInvoices as Json[])[0]!.SumApplied, 30, 'SumApplied defaults to the open balance');
    assert.equal((await get(`/Invoices(${String(inv.DocEntry)})`)).DocumentStatus, 'bost_Close');
    const url = `/IncomingPayments(${String(p.DocEntry)})`;
    assert.equal((await call('PATCH', url, { Remarks: 'Shopify order #1001' })).status, 204);
    sapError(await call('PATCH', url, { CashSum: 5 }), 400, -1029);
    sapError(await call('DELETE', url), 400, -5006);
    assert.match(
      sapError(await call('POST', `/Invoices(${String(inv.DocEntry)})/Cancel`), 400, -5002),
      /payments/,
      'a paid invoice is not cancelled',
    );
    assert.equal((await call('POST', `${url}/Cancel`)).status, 204);
    assert.equal((await get(url)).Cancelled, 'tYES');
    const back = await get(`/Invoices(${String(inv.DocEntry)})`);
    assert.deepEqual([back.PaidToDate, back.DocumentStatus], [0, 'bost_Open']);
    sapError(await call('POST', `${url}/Cancel`), 400, -5002);
  });

  test('refund: credit note on a paid invoice stays open, an outgoing payment to the customer closes it; overpaying the refund is refused', async () => {
    // The refund id is a marketing-document field of the demo company (created on ORDR, shared by ORIN).
    assert.equal(
      (await call('POST', '/UserFieldsMD', { TableName: 'ORIN', Name: 'ShopifyRefundId', Type: 'db_Alpha', Size: 50 })).status,
      400,
      'already there through ORDR',
    );
    const inv = await invoice(80, 'C00001');
    await created(call, '/IncomingPayments', {
      CardCode: 'C00001',
      PaymentInvoices: [{ DocEntry: inv.DocEntry }],
      PaymentCreditCards: [{ CreditCard: 4, CreditSum: 80 }],
    });
    const cn = await created(call, '/CreditNotes', {
      CardCode: 'C00001',
      U_ShopifyRefundId: 'refund-9',
      DocumentLines: [{ BaseType: 13, BaseEntry: inv.DocEntry, BaseLine: 0, Quantity: 1, UnitPrice: 25 }],
    });
    assert.deepEqual(
      [cn.DocTotal, cn.PaidToDate, cn.DocumentStatus],
      [25, 0, 'bost_Open'],
      'nothing open on the invoice to reconcile with',
    );
    assert.equal(((await get("/CreditNotes?$filter=U_ShopifyRefundId eq 'refund-9'")).value as Json[]).length, 1);
    const refund = (sum: number): Promise<{ status: number; body: Json }> =>
      call('POST', '/VendorPayments', {
        DocType: 'rCustomer',
        CardCode: 'C00001',
        PaymentInvoices: [{ DocEntry: cn.DocEntry, SumApplied: sum, InvoiceType: 'it_CredItnote' }],
        PaymentCreditCards: [{ CreditCard: 4, CreditSum: sum }],
      });
    assert.match(sapError(await refund(26), 400, -5002), /exceeds the balance due/);
    const r = await refund(25);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.DocObjectCode, 'bopot_OutgoingPayments');
    const after = await get(`/CreditNotes(${String(cn.DocEntry)})`);
    assert.deepEqual([after.PaidToDate, after.DocumentStatus], [25, 'bost_Close']);
    // Without DocType an outgoing payment is a supplier's: a customer is refused.
    sapError(await call('POST', '/VendorPayments', { CardCode: 'C00001', CashAccount: '_SYS00000000002', CashSum: 1 }), 400, -10);
  });

  test('an incoming payment nets an open credit note against an invoice (InvoiceType by value 13/14, v2 answers)', async () => {
    const inv = await invoice(100, 'C00003');
    const cn = await created(call, '/CreditNotes', {
      CardCode: 'C00003',
      DocumentLines: [{ ItemCode: 'A00001', Quantity: 1, UnitPrice: 30, WarehouseCode: '01' }],
    });
    assert.deepEqual([cn.PaidToDate, cn.DocumentStatus], [0, 'bost_Open'], 'not based on an invoice: nothing reconciled');
    const v2 = await rawSession(sim.urlV2);
    const body = {
      CardCode: 'C00003',
      PaymentInvoices: [
        { DocEntry: inv.DocEntry, InvoiceType: '13' },
        { DocEntry: cn.DocEntry, InvoiceType: '14' },
      ],
    };
    const short = await v2('/IncomingPayments', {
      method: 'POST',
      body: JSON.stringify({ ...body, TransferAccount: '_SYS00000000001', TransferSum: 69.99 }),
    });
    assert.equal(short.status, 400);
    assert.deepEqual(((await short.json()) as { error: { code: string } }).error.code, '-5002');
    const ok = await v2('/IncomingPayments', {
      method: 'POST',
      body: JSON.stringify({ ...body, TransferAccount: '_SYS00000000001', TransferSum: 70 }),
    });
    assert.equal(ok.status, 201);
    const p = (await ok.json()) as Json;
    assert.deepEqual(
      (p.PaymentInvoices as Json[]).map((r) => [r.InvoiceType, r.SumApplied]),
      [
        ['it_Invoice', 100],
        ['it_CredItnote', 30],
      ],
    );
    assert.equal((await get(`/Invoices(${String(inv.DocEntry)})`)).DocumentStatus, 'bost_Close');
    assert.equal((await get(`/CreditNotes(${String(cn.DocEntry)})`)).DocumentStatus, 'bost_Close');
    assert.equal(((await get("/IncomingPayments?$filter=DocType eq 'C' and CardCode eq 'C00003'")).value as Json[]).length >= 1, true);
  });

  test('two payments racing for the same open balance: one is booked, the other refused; the invoice is paid once', async () => {
    const inv = await invoice(45, 'C00001');
    const body = {
      CardCode: 'C00001',
      PaymentInvoices: [{ DocEntry: inv.DocEntry, SumApplied: 45 }],
      PaymentCreditCards: [{ CreditCard: 1, CreditSum: 45 }],
    };
    const [a, b] = await Promise.all([call('POST', '/IncomingPayments', body), call('POST', '/IncomingPayments', body)]);
    assert.deepEqual([a.status, b.status].sort(), [201, 400]);
    assert.equal((await get(`/Invoices(${String(inv.DocEntry)})`)).PaidToDate, 45);
  });

  test('$batch: a changeset whose second payment fails leaves neither payment nor any PaidToDate behind', async () => {
    const inv = await invoice(40, 'C00002');
    const body = (sum: number): string =>
      JSON.stringify({
        CardCode: 'C00002',
        PaymentInvoices: [{ DocEntry: inv.DocEntry, SumApplied: sum }],
        CashAccount: '_SYS00000000002',
        CashSum: sum,
      });
    const part = (id: number, json: string): string =>
      `--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${id}\r\n\r\nPOST /b1s/v1/IncomingPayments\r\nContent-Type: application/json\r\n\r\n${json}\r\n`;
    const batch = `--b\r\nContent-Type: multipart/mixed;boundary=cs\r\n\r\n${part(1, body(30))}${part(2, body(30))}--cs--\r\n--b--\r\n`;
    const countBefore = ((await get('/IncomingPayments?$select=DocEntry')).value as Json[]).length;
    const http = await rawSession(sim.url);
    const res = await http('/$batch', { method: 'POST', headers: { 'Content-Type': 'multipart/mixed;boundary=b' }, body: batch });
    assert.equal(res.status, 202);
    assert.match(await res.text(), /exceeds the balance due/);
    assert.equal((await get(`/Invoices(${String(inv.DocEntry)})`)).PaidToDate, 0);
    assert.equal(((await get('/IncomingPayments?$select=DocEntry&$top=100')).value as Json[]).length, countBefore);
  });
});
