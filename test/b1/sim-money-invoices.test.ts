/**
 * The simulator's A/R invoices and credit notes over HTTP: copying from order lines, reserve
 * invoices (stock stays committed) against normal ones (stock leaves), SAP's refusals, what may be
 * changed on a posted document, cancellation, filters, and credit notes based on invoice lines.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { B1Simulator } from '../../src/sim/b1';
import { startSim } from './helpers';
import { created, docLines, sapError, session, stock, type Call, type Json } from './sim-money-helpers';

describe('B1 simulator: Invoices and CreditNotes', () => {
  let sim: B1Simulator;
  let call: Call;
  before(async () => {
    sim = await startSim({ seed: { items: 5, customers: 3 } });
    call = await session(sim);
    for (const item of ['A00001', 'A00002', 'A00003']) sim.state.setStock(item, '01', { InStock: 100, Committed: 0 });
  });
  after(() => sim.close());

  const order = (lines: Array<{ ItemCode: string; Quantity: number; UnitPrice?: number }>, extra: Json = {}): Promise<Json> =>
    created(call, '/Orders', {
      CardCode: 'C00001',
      DocDueDate: '2030-01-10',
      DocumentLines: lines.map((l) => ({ TaxCode: 'NY', UnitPrice: 10, WarehouseCode: '01', ...l })),
      ...extra,
    });
  const basedOn = (o: Json, picks: Array<[number, number?]>): Json[] =>
    picks.map(([line, qty]) => ({ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: line, ...(qty === undefined ? {} : { Quantity: qty }) }));

  test('reserve invoice copied from order lines: lines and totals copied, order lines closed by quantity, stock stays committed', async () => {
    const o = await order(
      [
        { ItemCode: 'A00001', Quantity: 3 },
        { ItemCode: 'A00002', Quantity: 2 },
      ],
      { DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 5, TaxCode: 'NY' }] },
    );
    assert.deepEqual(await stock(call, 'A00001'), { InStock: 100, Committed: 3 });
    const inv = await created(call, '/Invoices', {
      CardCode: 'C00001',
      ReserveInvoice: 'tYES',
      U_ShopifyId: 'gid://shopify/Order/1',
      DocumentLines: basedOn(o, [[0], [1, 1]]),
      DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 5, TaxCode: 'NY' }],
    });
    assert.equal(inv.ReserveInvoice, 'tYES');
    assert.equal(inv.DocObjectCode, 'oInvoices');
    assert.equal(inv.DocumentStatus, 'bost_Open');
    assert.equal(inv.PaidToDate, 0);
    assert.equal(inv.U_ShopifyId, 'gid://shopify/Order/1', 'header UDFs of ORDR are marketing-document fields');
    assert.deepEqual(
      docLines(inv).map((l) => [l.ItemCode, l.Quantity, l.UnitPrice, l.TaxCode, l.BaseType, l.BaseEntry, l.BaseLine]),
      [
        ['A00001', 3, 10, 'NY', 17, o.DocEntry, 0],
        ['A00002', 1, 10, 'NY', 17, o.DocEntry, 1],
      ],
    );
    // 40 net + 5 freight, 8.875 % tax on each.
    assert.equal(inv.VatSum, 3.99);
    assert.equal(inv.DocTotal, 48.99);
    const after = (await call('GET', `/Orders(${String(o.DocEntry)})`)).body;
    assert.deepEqual(
      docLines(after).map((l) => [l.LineStatus, l.RemainingOpenQuantity]),
      [
        ['bost_Close', 0],
        ['bost_Open', 1],
      ],
    );
    assert.equal(after.DocumentStatus, 'bost_Open');
    assert.deepEqual(await stock(call, 'A00001'), { InStock: 100, Committed: 3 }, 'the order released it, the reserve invoice holds it');
    assert.deepEqual(await stock(call, 'A00002'), { InStock: 100, Committed: 2 }, '1 on the order, 1 on the reserve invoice');
  });

  test('normal invoice from an order takes the stock out and closes the order when every line is copied', async () => {
    const o = await order([{ ItemCode: 'A00003', Quantity: 4 }]);
    const inv = await created(call, '/Invoices', { CardCode: 'C00001', DocumentLines: basedOn(o, [[0]]) });
    assert.equal(inv.ReserveInvoice, 'tNO');
    assert.equal(docLines(inv)[0]!.RemainingOpenQuantity, 4, 'open to credit');
    assert.deepEqual(await stock(call, 'A00003'), { InStock: 96, Committed: 0 });
    assert.equal((await call('GET', `/Orders(${String(o.DocEntry)})`)).body.DocumentStatus, 'bost_Close');
  });

  test("SAP's refusals: base line closed, more than open, another customer's order, unknown base, supplier", async () => {
    const o = await order([{ ItemCode: 'A00001', Quantity: 2 }]);
    assert.match(
      sapError(await call('POST', '/Invoices', { CardCode: 'C00001', DocumentLines: basedOn(o, [[0, 3]]) }), 400, -5002),
      /open quantity/,
    );
    await created(call, '/Invoices', { CardCode: 'C00001', DocumentLines: basedOn(o, [[0, 2]]) });
    assert.match(
      sapError(await call('POST', '/Invoices', { CardCode: 'C00001', DocumentLines: basedOn(o, [[0, 1]]) }), 400, -5002),
      /already closed/,
    );
    const o2 = await order([{ ItemCode: 'A00001', Quantity: 1 }]);
    assert.match(
      sapError(await call('POST', '/Invoices', { CardCode: 'C00002', DocumentLines: basedOn(o2, [[0]]) }), 400, -5002),
      /card do not match/,
    );
    sapError(
      await call('POST', '/Invoices', { CardCode: 'C00001', DocumentLines: [{ BaseType: 17, BaseEntry: 9999, BaseLine: 0 }] }),
      404,
      -2028,
    );
    sapError(
      await call('POST', '/Invoices', { CardCode: 'C00001', DocumentLines: [{ BaseType: 23, BaseEntry: 1, BaseLine: 0 }] }),
      400,
      -1000,
    );
    // Nothing of the refused posts stuck: the order line is still open in full.
    assert.equal(docLines((await call('GET', `/Orders(${String(o2.DocEntry)})`)).body)[0]!.RemainingOpenQuantity, 1);
  });

  test('posted invoice: header remarks and UDFs may change, amounts and lines may not; no DELETE, no PUT', async () => {
    const inv = await created(call, '/Invoices', {
      CardCode: 'C00001',
      DocumentLines: [{ ItemCode: 'A00001', Quantity: 1, UnitPrice: 7 }],
    });
    const url = `/Invoices(${String(inv.DocEntry)})`;
    assert.equal((await call('PATCH', url, { Comments: 'paid at checkout', U_ShopifyId: 'x-1' })).status, 204);
    assert.equal((await call('GET', url)).body.Comments, 'paid at checkout');
    sapError(await call('PATCH', url, { DocTotal: 1 }), 400, -1029);
    sapError(await call('PATCH', url, { DocumentLines: [{ LineNum: 0, Quantity: 5 }] }), 400, -1029);
    sapError(await call('PATCH', url, { DocumentLines: [{ ItemCode: 'A00002', Quantity: 1 }] }), 400, -1029);
    sapError(await call('DELETE', url), 400, -5006);
    sapError(await call('PUT', url, { Comments: 'x' }), 400, -5006);
    sapError(await call('POST', `${url}/Close`), 400, -5006);
  });

  test('Cancel reverses an unpaid invoice: stock back, order lines reopened and committed again', async () => {
    const o = await order([{ ItemCode: 'A00002', Quantity: 2 }]);
    const before = await stock(call, 'A00002');
    const inv = await created(call, '/Invoices', { CardCode: 'C00001', DocumentLines: basedOn(o, [[0]]) });
    assert.deepEqual(await stock(call, 'A00002'), { InStock: before.InStock - 2, Committed: before.Committed - 2 });
    assert.equal((await call('POST', `/Invoices(${String(inv.DocEntry)})/Cancel`)).status, 204);
    const cancelled = (await call('GET', `/Invoices(${String(inv.DocEntry)})`)).body;
    assert.equal(cancelled.Cancelled, 'tYES');
    assert.equal(cancelled.DocumentStatus, 'bost_Close');
    assert.deepEqual(await stock(call, 'A00002'), before);
    const reopened = (await call('GET', `/Orders(${String(o.DocEntry)})`)).body;
    assert.equal(reopened.DocumentStatus, 'bost_Open');
    assert.equal(docLines(reopened)[0]!.RemainingOpenQuantity, 2);
    sapError(await call('POST', `/Invoices(${String(inv.DocEntry)})/Cancel`), 400, -5002);
  });

  test('filters and select: UDF, DocEntry, CardCode, UpdateDate, PaidToDate; $expand is refused', async () => {
    const inv = await created(call, '/Invoices', {
      CardCode: 'C00003',
      U_ShopifyId: 'filter-me',
      DocumentLines: [{ ItemCode: 'A00001', Quantity: 1 }],
    });
    const q = async (query: string): Promise<Json[]> => {
      const r = await call('GET', `/Invoices?${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.value as Json[];
    };
    assert.deepEqual(
      (await q("$filter=U_ShopifyId eq 'filter-me'&$select=DocEntry,PaidToDate")).map((x) => [x.DocEntry, x.PaidToDate]),
      [[inv.DocEntry, 0]],
    );
    assert.deepEqual((await q(`$filter=DocEntry eq ${String(inv.DocEntry)} and CardCode eq 'C00003'`)).length, 1);
    assert.ok((await q(`$filter=UpdateDate ge '${String(inv.UpdateDate)}'`)).some((x) => x.DocEntry === inv.DocEntry));
    assert.ok((await q('$filter=PaidToDate eq 0')).some((x) => x.DocEntry === inv.DocEntry));
    sapError(await call('GET', '/Invoices?$expand=DocumentLines'), 400, -1000);
    sapError(await call('GET', "/Invoices?$filter=DocumentLines/ItemCode eq 'A00001'"), 400, -1000);
    sapError(await call('DELETE', "/BusinessPartners('C00003')"), 400, -10); // its only document is this invoice
  });

  test('credit note on invoice lines: partial quantities, stock back unless WithoutInventoryMovement, freight line, reconciled with the open invoice', async () => {
    const inv = await created(call, '/Invoices', {
      CardCode: 'C00002',
      DocumentLines: [
        { ItemCode: 'A00003', Quantity: 5, UnitPrice: 20, WarehouseCode: '01' },
        { ItemCode: 'A00001', Quantity: 2, UnitPrice: 10, WarehouseCode: '01' },
      ],
    });
    const s3 = await stock(call, 'A00003');
    const s1 = await stock(call, 'A00001');
    const cn = await created(call, '/CreditNotes', {
      CardCode: 'C00002',
      U_ShopifyId: 'refund-1',
      DocumentLines: [
        { BaseType: 13, BaseEntry: inv.DocEntry, BaseLine: 0, Quantity: 2 },
        { BaseType: 13, BaseEntry: inv.DocEntry, BaseLine: 1, Quantity: 1, WithoutInventoryMovement: 'tYES' },
      ],
      DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 4 }],
    });
    assert.equal(cn.DocObjectCode, 'oCreditNotes');
    assert.deepEqual(
      docLines(cn).map((l) => [l.ItemCode, l.Quantity, l.UnitPrice]),
      [
        ['A00003', 2, 20],
        ['A00001', 1, 10],
      ],
    );
    assert.equal(cn.DocTotal, 54);
    assert.deepEqual(await stock(call, 'A00003'), { ...s3, InStock: s3.InStock + 2 });
    assert.deepEqual(await stock(call, 'A00001'), s1, 'no restock for that line');
    const invAfter = (await call('GET', `/Invoices(${String(inv.DocEntry)})`)).body;
    assert.deepEqual(
      docLines(invAfter).map((l) => l.RemainingOpenQuantity),
      [3, 1],
    );
    assert.equal(invAfter.PaidToDate, 54, 'the credit note settled part of the open invoice');
    assert.equal(invAfter.DocumentStatus, 'bost_Open');
    assert.equal(cn.PaidToDate, 54);
    assert.equal(cn.DocumentStatus, 'bost_Close');
    // The rest of line 1 once more is fine; beyond it SAP refuses, and a closed line too.
    await created(call, '/CreditNotes', { CardCode: 'C00002', DocumentLines: [{ BaseType: 13, BaseEntry: inv.DocEntry, BaseLine: 1 }] });
    assert.match(
      sapError(
        await call('POST', '/CreditNotes', {
          CardCode: 'C00002',
          DocumentLines: [{ BaseType: 13, BaseEntry: inv.DocEntry, BaseLine: 1, Quantity: 1 }],
        }),
        400,
        -5002,
      ),
      /already closed/,
    );
    assert.match(
      sapError(
        await call('POST', '/CreditNotes', {
          CardCode: 'C00002',
          DocumentLines: [{ BaseType: 13, BaseEntry: inv.DocEntry, BaseLine: 0, Quantity: 4 }],
        }),
        400,
        -5002,
      ),
      /open quantity/,
    );
  });

  test('credit note on a reserve invoice: the undelivered quantity only releases its commitment', async () => {
    const o = await order([{ ItemCode: 'A00002', Quantity: 3 }]);
    const inv = await created(call, '/Invoices', { CardCode: 'C00001', ReserveInvoice: 'tYES', DocumentLines: basedOn(o, [[0]]) });
    const before = await stock(call, 'A00002');
    await created(call, '/CreditNotes', {
      CardCode: 'C00001',
      DocumentLines: [{ BaseType: 13, BaseEntry: inv.DocEntry, BaseLine: 0, Quantity: 2 }],
    });
    assert.deepEqual(await stock(call, 'A00002'), { InStock: before.InStock, Committed: before.Committed - 2 });
    const after = (await call('GET', `/Invoices(${String(inv.DocEntry)})`)).body;
    assert.equal(docLines(after)[0]!.RemainingOpenQuantity, 1, 'one left to deliver');
    assert.equal((await call('POST', `/Invoices(${String(inv.DocEntry)})/Close`)).status, 204, 'a reserve invoice may give up the rest');
    assert.deepEqual(await stock(call, 'A00002'), { InStock: before.InStock, Committed: before.Committed - 3 });
  });
  test('delivery based on a reserve invoice: goods out, commitment released, the line closes; cancel gives it back', async () => {
    const o = await order([{ ItemCode: 'A00003', Quantity: 3 }]);
    const inv = await created(call, '/Invoices', { CardCode: 'C00001', ReserveInvoice: 'tYES', DocumentLines: basedOn(o, [[0]]) });
    const before = await stock(call, 'A00003');
    const line = (q: number) => ({
      CardCode: 'C00001',
      DocumentLines: [{ BaseType: 13, BaseEntry: inv.DocEntry, BaseLine: 0, Quantity: q }],
    });
    const d1 = await created(call, '/DeliveryNotes', line(2));
    assert.deepEqual(
      docLines(d1).map((l) => [l.ItemCode, l.Quantity, l.BaseType, l.BaseEntry]),
      [['A00003', 2, 13, inv.DocEntry]],
    );
    assert.deepEqual(await stock(call, 'A00003'), { InStock: before.InStock - 2, Committed: before.Committed - 2 });
    let now = (await call('GET', `/Invoices(${String(inv.DocEntry)})`)).body;
    assert.deepEqual([docLines(now)[0]!.RemainingOpenQuantity, docLines(now)[0]!.LineStatus], [1, 'bost_Open']);
    sapError(await call('POST', '/DeliveryNotes', line(2)), 400, -5002);
    // A normal invoice moved its goods already: nothing to deliver from it.
    const o2 = await order([{ ItemCode: 'A00003', Quantity: 1 }]);
    const normal = await created(call, '/Invoices', { CardCode: 'C00001', DocumentLines: basedOn(o2, [[0]]) });
    sapError(
      await call('POST', '/DeliveryNotes', {
        CardCode: 'C00001',
        DocumentLines: [{ BaseType: 13, BaseEntry: normal.DocEntry, BaseLine: 0, Quantity: 1 }],
      }),
      400,
      -5002,
    );
    assert.equal((await call('POST', `/DeliveryNotes(${String(d1.DocEntry)})/Cancel`)).status, 204);
    // Back as before the delivery; the normal invoice of the second order took one unit out.
    assert.deepEqual(await stock(call, 'A00003'), { InStock: before.InStock - 1, Committed: before.Committed });
    now = (await call('GET', `/Invoices(${String(inv.DocEntry)})`)).body;
    assert.equal(docLines(now)[0]!.RemainingOpenQuantity, 3);
    // Everything delivered and paid: the reserve invoice closes.
    await created(call, '/DeliveryNotes', line(3));
    now = (await call('GET', `/Invoices(${String(inv.DocEntry)})`)).body;
    assert.deepEqual([docLines(now)[0]!.LineStatus, now.DocumentStatus], ['bost_Close', 'bost_Open'], 'delivered, not yet paid');
    await created(call, '/IncomingPayments', {
      CardCode: 'C00001',
      CashAccount: '161000',
      CashSum: now.DocTotal,
      PaymentInvoices: [{ DocEntry: inv.DocEntry, SumApplied: now.DocTotal, InvoiceType: 'it_Invoice' }],
    });
    assert.equal((await call('GET', `/Invoices(${String(inv.DocEntry)})`)).body.DocumentStatus, 'bost_Close');
  });
});
