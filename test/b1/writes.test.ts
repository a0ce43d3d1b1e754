import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { B1BusinessRuleError, B1ConflictError, B1NotFoundError, type BPAddress } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, rawSession, startSim } from './helpers';

function stockOf(sim: B1Simulator, item: string, whs: string): { InStock: number; Committed: number } {
  const rows = sim.state.get('Items', item)!.ItemWarehouseInfoCollection as Array<Record<string, number | string>>;
  const r = rows.find((w) => w.WarehouseCode === whs)!;
  return { InStock: Number(r.InStock), Committed: Number(r.Committed) };
}

describe('B1 writes over HTTP', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startSim();
  });
  after(() => sim.close());

  test('POST 201 returns the full entity; Prefer: return-no-content → 204 + Location', async () => {
    const c = clientFor(sim.url);
    sim.state.clock.set('2026-05-01T09:15:30');
    const bp = await c.createBusinessPartner({
      CardCode: 'SHOP-1001',
      CardName: 'Ada Lovelace',
      CardType: 'cCustomer',
      EmailAddress: 'ada@example.com',
      U_ShopifyId: 'gid://shopify/Customer/1',
    });
    assert.equal(bp.CardCode, 'SHOP-1001');
    assert.equal(bp.CardType, 'cCustomer');
    assert.equal(bp.UpdateDate, '2026-05-01');
    assert.equal(bp.UpdateTime, '09:15:30');
    assert.equal(bp.U_ShopifyId, 'gid://shopify/Customer/1');
    assert.ok('Phone1' in bp && bp.Phone1 === null, 'all fields present, defaults filled');
    const created = await c.createNoContent('Items', { ItemCode: "I'002", ItemName: 'Item 2', ItemType: 'I', ItemsGroupCode: 101 });
    assert.equal(created.location, "/b1s/v1/Items('I''002')");
    assert.equal(created.key, "I'002");
    const item = await c.getItem("I'002");
    assert.equal(item.ItemType, 'itItems', 'enum value accepted, name returned');
    assert.deepEqual(
      item.ItemWarehouseInfoCollection?.map((w) => [w.WarehouseCode, w.InStock, w.Committed]),
      [
        ['01', 0, 0],
        ['02', 0, 0],
      ],
    );
    await assert.rejects(c.createBusinessPartner({ CardCode: 'SHOP-1001', CardName: 'dup' }), (e: unknown) => {
      assert.ok(e instanceof B1BusinessRuleError);
      assert.equal(e.code, -10);
      assert.match(e.sapMessage, /^1320000140 - Business partner code 'SHOP-1001' already assigned/);
      return true;
    });
    sim.state.clock.set(null);
  });

  test('PATCH merges collection rows by key; B1S-ReplaceCollectionsOnPatch removes omitted rows; UpdateTime moves', async () => {
    const c = clientFor(sim.url);
    sim.state.clock.set('2026-05-02T10:00:00');
    await c.patchBusinessPartner('C00001', {
      BPAddresses: [
        { RowNum: 1, City: 'Springfield' } as BPAddress,
        { AddressName: 'Office', AddressType: 'bo_ShipTo', City: 'Shelbyville' } as BPAddress,
      ],
    });
    let bp = await c.getBusinessPartner('C00001', ['CardCode', 'BPAddresses', 'UpdateDate', 'UpdateTime', 'CardName']);
    assert.deepEqual(
      bp.BPAddresses?.map((a) => [a.RowNum, a.AddressName, a.City]),
      [
        [0, 'Bill to', bp.BPAddresses?.[0]?.City],
        [1, 'Ship to', 'Springfield'],
        [2, 'Office', 'Shelbyville'],
      ],
    );
    assert.equal(bp.UpdateDate, '2026-05-02');
    assert.equal(bp.UpdateTime, '10:00:00');
    await c.patchBusinessPartner('C00001', { BPAddresses: [{ RowNum: 2 } as BPAddress] }, { replaceCollections: true });
    bp = await c.getBusinessPartner('C00001', ['BPAddresses']);
    assert.deepEqual(
      bp.BPAddresses?.map((a) => a.AddressName),
      ['Office'],
    );
    // CardCode is the key: PATCH silently ignores it.
    await c.patchBusinessPartner('C00001', { CardCode: 'OTHER', CardName: 'Renamed' });
    assert.equal((await c.getBusinessPartner('C00001', ['CardName'])).CardName, 'Renamed');
    await assert.rejects(c.patchItem('NOPE', { ItemName: 'x' }), B1NotFoundError);
    sim.state.clock.set(null);
  });

  test('orders: DocEntry/DocNum, totals, Committed grows on add and is released on Cancel/Close; DELETE → -5006', async () => {
    const c = clientFor(sim.url);
    const before1 = stockOf(sim, 'A00001', '01');
    const before2 = stockOf(sim, 'A00002', '02');
    const o = await c.createOrder({
      CardCode: 'C00002',
      DocDueDate: '2026-06-01',
      NumAtCard: '#1001',
      U_ShopifyId: 'gid://shopify/Order/1001',
      DocumentLines: [
        { ItemCode: 'A00001', Quantity: 3, UnitPrice: 10, WarehouseCode: '01' },
        { ItemCode: 'A00002', Quantity: 2, UnitPrice: 5, DiscountPercent: 10, WarehouseCode: '02' },
      ],
      DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 7.5 }],
      AddressExtension: { ShipToCity: 'Austin', ShipToCountry: 'US' },
    });
    assert.equal(typeof o.DocEntry, 'number');
    assert.equal(typeof o.DocNum, 'number');
    assert.equal(o.DocumentStatus, 'bost_Open');
    assert.equal(o.DocTotal, 30 + 9 + 7.5);
    assert.deepEqual(
      o.DocumentLines?.map((l) => [l.LineNum, l.Price, l.LineTotal]),
      [
        [0, 10, 30],
        [1, 4.5, 9],
      ],
    );
    assert.equal(o.AddressExtension?.ShipToCity, 'Austin');
    assert.equal(stockOf(sim, 'A00001', '01').Committed, before1.Committed + 3);
    assert.equal(stockOf(sim, 'A00002', '02').Committed, before2.Committed + 2);
    assert.equal(stockOf(sim, 'A00001', '01').InStock, before1.InStock);
    const o2 = await c.createOrder({
      CardCode: 'C00002',
      DocDueDate: '2026-06-01',
      DocumentLines: [{ ItemCode: 'A00001', Quantity: 1, WarehouseCode: '01' }],
    });
    assert.equal(o2.DocEntry, o.DocEntry! + 1);
    assert.equal(stockOf(sim, 'A00001', '01').Committed, before1.Committed + 4);

    const found = await c.findOrdersByShopifyId('gid://shopify/Order/1001', ['DocEntry', 'NumAtCard']);
    assert.deepEqual(
      found.map((x) => x.DocEntry),
      [o.DocEntry],
    );

    await assert.rejects(
      c.delete('Orders', o.DocEntry!),
      (e: unknown) =>
        e instanceof B1BusinessRuleError && e.code === -5006 && e.sapMessage === 'The requested action is not supported for this object.',
    );
    await c.cancelOrder(o.DocEntry!);
    const cancelled = await c.getOrder(o.DocEntry!, ['DocumentStatus', 'Cancelled']);
    assert.equal(cancelled.Cancelled, 'tYES');
    assert.equal(cancelled.DocumentStatus, 'bost_Close');
    assert.equal(stockOf(sim, 'A00001', '01').Committed, before1.Committed + 1);
    assert.equal(stockOf(sim, 'A00002', '02').Committed, before2.Committed);
    await assert.rejects(c.cancelOrder(o.DocEntry!), (e: unknown) => e instanceof B1BusinessRuleError && e.code === -5002);
    await c.closeOrder(o2.DocEntry!);
    assert.equal(stockOf(sim, 'A00001', '01').Committed, before1.Committed);
    await assert.rejects(
      c.createOrder({ CardCode: 'NOBODY', DocDueDate: '2026-06-01', DocumentLines: [{ ItemCode: 'A00001', Quantity: 1 }] }),
      B1NotFoundError,
    );
  });

  test('PUT replaces: writable properties left out return to defaults; stock rows survive', async () => {
    const raw = await rawSession(sim.url);
    const c = clientFor(sim.url);
    await c.patchItem('A00020', { ForeignName: 'Fremd', BarCode: '123' });
    const r = await raw("/Items('A00020')", { method: 'PUT', body: JSON.stringify({ ItemName: 'Replaced' }) });
    assert.equal(r.status, 204);
    const it = await c.getItem('A00020', ['ItemName', 'ForeignName', 'BarCode', 'ItemWarehouseInfoCollection', 'ItemsGroupCode']);
    assert.equal(it.ItemName, 'Replaced');
    assert.equal(it.ForeignName, null);
    assert.equal(it.BarCode, null);
    assert.equal(it.ItemsGroupCode, 100, 'DB default from $metadata');
    assert.equal(it.ItemWarehouseInfoCollection?.length, 2);
    const ov = await raw("/Items('A00020')", {
      method: 'POST',
      headers: { 'X-HTTP-Method-Override': 'PATCH' },
      body: JSON.stringify({ ForeignName: 'via override' }),
    });
    assert.equal(ov.status, 204);
    assert.equal((await c.getItem('A00020', ['ForeignName'])).ForeignName, 'via override');
  });

  test('sales tax from the line TaxCode (US localisation); unknown tax code is a missing master record', async () => {
    const c = clientFor(sim.url);
    const codes = await c.listSalesTaxCodes(['Code', 'Rate']);
    assert.ok(codes.some((t) => t.Code === 'CA' && t.Rate === 7.25));
    const o = await c.createOrder({
      CardCode: 'C00004',
      DocDueDate: '2026-06-01',
      DocumentLines: [{ ItemCode: 'A00004', Quantity: 2, UnitPrice: 50, TaxCode: 'CA' }],
      DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 10, TaxCode: 'EX' }],
    });
    assert.equal(o.DocumentLines?.[0]?.TaxTotal, 7.25);
    assert.equal(o.VatSum, 7.25);
    assert.equal(o.DocTotal, 100 + 10 + 7.25);
    await assert.rejects(
      c.createOrder({ CardCode: 'C00004', DocDueDate: '2026-06-01', DocumentLines: [{ ItemCode: 'A00004', Quantity: 1, TaxCode: 'ZZ' }] }),
      B1NotFoundError,
    );
  });

  test('ETag + If-Match: a stale tag gets 412/-2039 as B1ConflictError', async () => {
    const c = clientFor(sim.url);
    const { entity, etag } = await c.getWithEtag('Items', 'A00006', { select: ['ItemCode', 'ItemName'] });
    assert.equal(entity.ItemCode, 'A00006');
    assert.match(etag ?? '', /^W\/"[0-9a-f]{40}"$/);
    await c.patch('Items', 'A00006', { ItemName: 'First writer' }, { ifMatch: etag! });
    await assert.rejects(c.patch('Items', 'A00006', { ItemName: 'Second writer' }, { ifMatch: etag! }), (e: unknown) => {
      assert.ok(e instanceof B1ConflictError);
      assert.equal(e.status, 412);
      assert.equal(e.code, -2039);
      assert.equal(e.context.key, 'A00006');
      return true;
    });
    assert.equal((await c.getItem('A00006', ['ItemName'])).ItemName, 'First writer');
  });

  test('PATCH order lines adjusts Committed by the difference', async () => {
    const c = clientFor(sim.url);
    const base = stockOf(sim, 'A00003', '01').Committed;
    const o = await c.createOrder({
      CardCode: 'C00003',
      DocDueDate: '2026-06-01',
      DocumentLines: [{ ItemCode: 'A00003', Quantity: 5, WarehouseCode: '01' }],
    });
    await c.patch('Orders', o.DocEntry!, { DocumentLines: [{ LineNum: 0, Quantity: 2 }] });
    assert.equal(stockOf(sim, 'A00003', '01').Committed, base + 2);
  });

  test('bad input gets SAP errors naming the field, not a crash', async () => {
    const c = clientFor(sim.url);
    const raw = await rawSession(sim.url);
    const malformed = await raw('/BusinessPartners', { method: 'POST', body: '{"CardCode":"X1","CardName":' });
    assert.equal(malformed.status, 400);
    const mj = (await malformed.json()) as { error: { code: number; message: { lang: string; value: string } } };
    assert.equal(mj.error.code, -1000);
    assert.equal(mj.error.message.lang, 'en-us');

    const cases: Array<[Record<string, unknown>, string]> = [
      [{ CardCode: 'X2', CardName: 'n', Colour: 'red' }, 'Colour'],
      [{ CardCode: 'X3', CardName: 'n', GroupCode: 'abc' }, 'GroupCode'],
      [{ CardCode: 'X4', CardName: 'x'.repeat(101) }, 'CardName'],
      [{ CardCode: 'X5', CardName: 'n', CardType: 'cPartner' }, 'CardType'],
      [{ CardCode: 'X6', CardName: 'n', U_Unknown: '1' }, 'U_Unknown'],
      [{ CardCode: 'X7', CardName: 'n', BPAddresses: [{ AddressName: 'a', State: 'TOOLONG' }] }, 'State'],
    ];
    for (const [body, field] of cases) {
      await assert.rejects(c.create('BusinessPartners', body), (e: unknown) => {
        assert.ok(e instanceof B1BusinessRuleError, String(e));
        assert.equal(e.status, 400);
        assert.equal(e.code, -1000);
        assert.equal(e.context.field, field);
        assert.equal(e.context.entity, 'BusinessPartners');
        return true;
      });
    }
    assert.equal(sim.state.get('BusinessPartners', 'X2'), undefined);
    // Numbers sent as strings are accepted, as on a real Service Layer.
    const ok = await c.create('BusinessPartners', { CardCode: 'X8', CardName: 'n', GroupCode: '100' });
    assert.equal(ok.GroupCode, 100);
  });
});
