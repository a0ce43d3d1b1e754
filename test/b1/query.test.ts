import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { B1BusinessRuleError, B1NotFoundError, f, parseErrorBody } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, rawSession, startSim } from './helpers';

describe('B1 reads: query options and paging over HTTP', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startSim();
  });
  after(() => sim.close());

  test('default page size 20, Prefer: odata.maxpagesize echoed, v1 nextLink is an absolute path', async () => {
    const get = await rawSession(sim.url);
    const r1 = await get('/Items?$select=ItemCode&$orderby=ItemCode');
    const j1 = (await r1.json()) as Record<string, unknown>;
    assert.equal((j1.value as unknown[]).length, 20);
    assert.equal(r1.headers.get('preference-applied'), null);
    assert.equal(j1['odata.nextLink'], '/b1s/v1/Items?$select=ItemCode&$orderby=ItemCode&$skip=20');

    const r2 = await get('/Items?$select=ItemCode&$inlinecount=allpages', { headers: { Prefer: 'odata.maxpagesize=7' } });
    assert.equal(r2.headers.get('preference-applied'), 'odata.maxpagesize=7');
    const j2 = (await r2.json()) as Record<string, unknown>;
    assert.equal((j2.value as unknown[]).length, 7);
    assert.equal(j2['odata.count'], '60', 'v1 inline count is a string');
    assert.equal(await (await get('/Items/$count')).text(), '60');
    const bad = await get('/Items?$inlinecount=yes');
    assert.equal(bad.status, 400);
  });

  test('v2 uses @odata names and a relative nextLink; the client follows both', async () => {
    const get = await rawSession(sim.urlV2);
    const r = await get('/Items?$select=ItemCode&$count=true', { headers: { Prefer: 'odata.maxpagesize=25' } });
    const j = (await r.json()) as Record<string, unknown>;
    assert.equal(j['@odata.count'], 60);
    assert.match(String(j['@odata.context']), /\/b1s\/v2\/\$metadata#Items$/);
    assert.equal(j['@odata.nextLink'], 'Items?$select=ItemCode&$count=true&$skip=25');

    for (const url of [sim.url, sim.urlV2]) {
      const c = clientFor(url, { maxPageSize: 25 });
      const codes: string[] = [];
      let pages = 0;
      for await (const p of c.pages('Items', { select: ['ItemCode'], orderby: 'ItemCode' })) {
        pages++;
        codes.push(...p.value.map((i) => String(i.ItemCode)));
      }
      assert.equal(pages, 3, url);
      assert.equal(codes.length, 60);
      assert.deepEqual(codes, [...codes].sort());
    }
  });

  test('$filter: enums by name or value, UDFs, functions, not, null, $orderby desc, $top/$skip', async () => {
    const c = clientFor(sim.url, { maxPageSize: 100 });
    const synced = await c.list('Items', { select: ['ItemCode', 'U_ShopifySync'], filter: f.eq('U_ShopifySync', 'Y') });
    assert.equal(synced.length, 20);
    const byName = await c.count('Items', "InventoryItem eq 'tYES'");
    const byValue = await c.count('Items', "InventoryItem eq 'Y'");
    assert.equal(byName, 60);
    assert.equal(byValue, 60);
    assert.equal(await c.count('BusinessPartners', "CardType eq 'C' and not startswith(CardCode,'X')"), 10);
    assert.equal(await c.count('Items', "contains(ItemCode,'0001')"), 11); // A00001 and A00010..A00019
    assert.equal(await c.count('Items', 'ForeignName eq null'), 60);
    const top = await c.list('Items', { select: ['ItemCode'], orderby: 'ItemCode desc', top: 3, skip: 1 });
    assert.deepEqual(
      top.map((i) => i.ItemCode),
      ['A00059', 'A00058', 'A00057'],
    );
    await assert.rejects(c.list('Items', { filter: "ItemCode eq 'A00001' and length(ItemName) gt 2" }), B1BusinessRuleError);
  });

  test('date and time literal forms; time compares hour and minute only', async () => {
    sim.state.clock.set('2026-04-23T12:21:45');
    sim.state.touch('Items', 'A00005');
    sim.state.clock.set(null);
    const c = clientFor(sim.url);
    for (const d of ["'2026-04-23'", "'20260423'", "datetime'2026-04-23'", "'2026-04-23T00:00:00'"]) {
      assert.equal(await c.count('Items', `UpdateDate eq ${d}`), 1, d);
    }
    for (const t of ["'12:21'", "'12:21:00'", "'1221'", "'122100'"]) {
      assert.equal(await c.count('Items', `UpdateDate eq '2026-04-23' and UpdateTime ge ${t}`), 1, `ge ${t} (seconds ignored)`);
      assert.equal(await c.count('Items', `UpdateDate eq '2026-04-23' and UpdateTime le ${t}`), 1, `le ${t} (seconds ignored)`);
    }
    assert.equal(await c.count('Items', "UpdateDate eq '2026-04-23' and UpdateTime gt '12:21'"), 0);
  });

  test('key-range paging visits every synced item once, in order, resumable', async () => {
    const c = clientFor(sim.url);
    const pages: string[][] = [];
    for await (const p of c.syncedItems({ select: ['ItemCode'], pageSize: 6 })) pages.push(p.map((i) => String(i.ItemCode)));
    assert.deepEqual(
      pages.map((p) => p.length),
      [6, 6, 6, 2],
    );
    const all = pages.flat();
    assert.deepEqual(
      all,
      Array.from({ length: 20 }, (_, i) => `A${String(i + 1).padStart(5, '0')}`),
    );
    const resumed: string[] = [];
    for await (const p of c.syncedItems({ select: ['ItemCode'], pageSize: 50, after: 'A00017' }))
      resumed.push(...p.map((i) => String(i.ItemCode)));
    assert.deepEqual(resumed, ['A00018', 'A00019', 'A00020']);
    // The requests used filters on the key, not $skip.
    const keyed = sim.faults.log.filter((l) => l.startsWith('GET /b1s/v1/Items?') && l.includes('ItemCode%20gt%20%27A00006%27'));
    assert.equal(keyed.length, 1);
    assert.ok(!keyed[0]!.includes('$skip'));
  });

  test('keys: quoted strings with escaping, numbers bare, named; unknown → 404/-2028', async () => {
    const get = await rawSession(sim.url);
    assert.equal((await get("/BusinessPartners('C00001')?$select=CardCode")).status, 200);
    assert.equal((await get('/PriceLists(2)')).status, 200);
    assert.equal((await get('/PriceLists(PriceListNo=2)')).status, 200);
    assert.equal((await get("/UserFieldsMD(TableName='OITM',FieldID=1)")).status, 200);
    const nf = await get("/Items('NOPE''X')");
    assert.equal(nf.status, 404);
    assert.deepEqual(await nf.json(), {
      error: { code: -2028, message: { lang: 'en-us', value: 'No matching records found (ODBC -2028)' } },
    });
    const wrongCase = await get('/items');
    assert.equal(wrongCase.status, 400);
  });

  test('nextLink resolution: absolute URL, absolute path, relative to the service root', () => {
    const c = clientFor(sim.url);
    const origin = new URL(sim.url).origin;
    assert.equal(c.resolve(`${origin}/b1s/v1/Items?$skip=20`), `${origin}/b1s/v1/Items?$skip=20`);
    assert.equal(c.resolve('/b1s/v1/Items?$skip=20'), `${origin}/b1s/v1/Items?$skip=20`);
    assert.equal(c.resolve('Items?$skip=20'), `${sim.url}/Items?$skip=20`);
  });

  test('both error shapes parse to the same typed error (v1 object message, v2 strings)', async () => {
    assert.deepEqual(
      parseErrorBody(
        '{"error":{"code":-2028,"message":{"lang":"en-us","value":"No matching records found (ODBC -2028)"}}}',
        'application/json',
      ),
      {
        code: -2028,
        message: 'No matching records found (ODBC -2028)',
        isHtml: false,
      },
    );
    assert.deepEqual(
      parseErrorBody(
        '{"error":{"code":"-2028","details":[{"code":"","message":""}],"message":"No matching records found (ODBC -2028)"}}',
        'application/json',
      ),
      {
        code: -2028,
        message: 'No matching records found (ODBC -2028)',
        isHtml: false,
      },
    );
    const raw = await rawSession(sim.urlV2);
    const r = await raw("/Items('NOPE')");
    assert.deepEqual(await r.json(), { error: { code: '-2028', message: 'No matching records found (ODBC -2028)' } });
    const c = clientFor(sim.urlV2);
    await assert.rejects(c.getItem('NOPE'), (e: unknown) => e instanceof B1NotFoundError && e.code === -2028 && e.context.key === 'NOPE');
  });

  test('reference data and per-warehouse stock are typed', async () => {
    const c = clientFor(sim.url);
    const whs = await c.listWarehouses();
    assert.deepEqual(
      whs.map((w) => w.WarehouseCode),
      ['01', '02'],
    );
    const pls = await c.listPriceLists(['PriceListNo', 'PriceListName']);
    assert.equal(pls.length, 3);
    const wm = await c.listWeightMeasures();
    assert.ok(wm.some((w) => w.UnitDisplay === 'kg' && w.UnitWeightinmg === 1_000_000));
    const stock = await c.getItemStock('A00001');
    assert.deepEqual(
      stock.map((s) => s.WarehouseCode),
      ['01', '02'],
    );
    for (const s of stock) assert.equal(typeof s.InStock, 'number');
    const price = await c.getItemPrice('A00001', 2);
    assert.equal(typeof price?.Price, 'number');

    const stockPages: string[][] = [];
    for await (const p of c.itemStock({ pageSize: 8 })) {
      stockPages.push(p.map((x) => x.ItemCode));
      for (const x of p)
        assert.deepEqual(
          x.warehouses.map((w) => w.WarehouseCode),
          ['01', '02'],
        );
    }
    assert.equal(stockPages.flat().length, 20, 'only synced items by default');
    const prices: Array<{ ItemCode: string; price: number | null | undefined }> = [];
    for await (const p of c.itemPrices(3, { onlySynced: false, pageSize: 50 }))
      prices.push(...p.map((x) => ({ ItemCode: x.ItemCode, price: x.price?.Price })));
    assert.equal(prices.length, 60);
    const base = await c.getItemPrice('A00001', 1);
    assert.equal(prices[0]!.price, Math.round(base!.Price! * 80) / 100, 'wholesale = 0.8 × base in the demo company');
  });
});
