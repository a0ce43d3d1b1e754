/**
 * Deliveries over HTTP (`DeliveryNotes`, order-to-cash §2): lines based on sales order lines
 * (BaseType 17) with partial quantities, order line and order closing, RemainingOpenQuantity,
 * stock (InStock down, Committed released), TrackingNumber, SAP's errors, Cancel, filters.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { B1Simulator } from '../../src/sim/b1';
import { rawSession, startSim } from './helpers';

type Rec = Record<string, unknown>;
type Line = {
  LineNum: number;
  ItemCode: string;
  Quantity: number;
  RemainingOpenQuantity: number;
  LineStatus: string;
  WarehouseCode: string;
  BaseType: number;
  BaseEntry: number | null;
  BaseLine: number | null;
};
type Http = Awaited<ReturnType<typeof rawSession>>;

describe('B1 simulator: DeliveryNotes', () => {
  let sim: B1Simulator;
  let http: Http;
  before(async () => {
    sim = await startSim({ seed: { items: 5, customers: 2 } });
    http = await rawSession(sim.url);
  });
  after(() => sim.close());

  const post = async (path: string, body: unknown): Promise<{ status: number; body: Rec }> => {
    const r = await http(path, { method: 'POST', body: JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Rec) : {} };
  };
  const get = async (path: string): Promise<Rec> => (await (await http(path)).json()) as Rec;
  const stock = (item: string, whs = '01'): { InStock: number; Committed: number } => {
    const rows = (
      sim.state.get('Items', item)!.ItemWarehouseInfoCollection as Array<{ WarehouseCode: string; InStock: number; Committed: number }>
    ).find((w) => w.WarehouseCode === whs)!;
    return { InStock: rows.InStock, Committed: rows.Committed };
  };
  const newOrder = async (lines: Array<{ ItemCode: string; Quantity: number }>): Promise<Rec> => {
    const r = await post('/Orders', {
      CardCode: 'C00001',
      DocDueDate: '2030-01-10',
      NumAtCard: `#${Math.random()}`,
      DocumentLines: lines.map((l) => ({ ...l, WarehouseCode: '01' })),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const errorOf = (b: Rec): { code: number; text: string } => {
    const e = b.error as { code: number; message: { value: string } };
    return { code: e.code, text: e.message.value };
  };

  test('a partial delivery of an order line keeps the line open with its remaining quantity; the rest closes line and order', async () => {
    sim.state.setStock('A00001', '01', { InStock: 100, Committed: 0 });
    sim.state.setStock('A00002', '01', { InStock: 50, Committed: 0 });
    const order = await newOrder([
      { ItemCode: 'A00001', Quantity: 5 },
      { ItemCode: 'A00002', Quantity: 2 },
    ]);
    const entry = order.DocEntry as number;
    assert.deepEqual(stock('A00001'), { InStock: 100, Committed: 5 });

    const d1 = await post('/DeliveryNotes', {
      CardCode: 'C00001',
      TrackingNumber: '1Z999',
      DocumentLines: [{ BaseType: 17, BaseEntry: entry, BaseLine: 0, Quantity: 3 }],
    });
    assert.equal(d1.status, 201, JSON.stringify(d1.body));
    assert.equal(d1.body.TrackingNumber, '1Z999');
    assert.equal(d1.body.DocObjectCode, 'oDeliveryNotes');
    assert.equal(d1.body.DocumentStatus, 'bost_Open');
    const l0 = (d1.body.DocumentLines as Line[])[0]!;
    assert.deepEqual(
      [l0.ItemCode, l0.Quantity, l0.BaseType, l0.BaseEntry, l0.BaseLine, l0.WarehouseCode],
      ['A00001', 3, 17, entry, 0, '01'],
    );
    assert.deepEqual(stock('A00001'), { InStock: 97, Committed: 2 }, 'InStock down, Committed released by the delivered units');

    let o = await get(`/Orders(${entry})`);
    let lines = o.DocumentLines as Line[];
    assert.equal(o.DocumentStatus, 'bost_Open');
    assert.deepEqual([lines[0]!.RemainingOpenQuantity, lines[0]!.LineStatus], [2, 'bost_Open']);

    const d2 = await post('/DeliveryNotes', {
      CardCode: 'C00001',
      DocumentLines: [
        { BaseType: 17, BaseEntry: entry, BaseLine: 0, Quantity: 2 },
        { BaseType: 17, BaseEntry: entry, BaseLine: 1, Quantity: 2 },
      ],
    });
    assert.equal(d2.status, 201, JSON.stringify(d2.body));
    o = await get(`/Orders(${entry})`);
    lines = o.DocumentLines as Line[];
    assert.deepEqual(
      lines.map((l) => [l.RemainingOpenQuantity, l.LineStatus]),
      [
        [0, 'bost_Close'],
        [0, 'bost_Close'],
      ],
    );
    assert.equal(o.DocumentStatus, 'bost_Close', 'every line delivered: the order closes');
    assert.deepEqual(stock('A00001'), { InStock: 95, Committed: 0 });
    assert.deepEqual(stock('A00002'), { InStock: 48, Committed: 0 });

    // Reading back: by key, list with a filter on the base order's UDF-free fields.
    const back = await get(`/DeliveryNotes(${d1.body.DocEntry as number})`);
    assert.equal(back.TrackingNumber, '1Z999');
  });

  test("SAP's errors: quantity above the open quantity, base line closed, closed order, other customer; nothing moves", async () => {
    sim.state.setStock('A00003', '01', { InStock: 10, Committed: 0 });
    const order = await newOrder([
      { ItemCode: 'A00003', Quantity: 2 },
      { ItemCode: 'A00004', Quantity: 1 },
    ]);
    const entry = order.DocEntry as number;
    const before = stock('A00003');
    const over = await post('/DeliveryNotes', {
      CardCode: 'C00001',
      DocumentLines: [{ BaseType: 17, BaseEntry: entry, BaseLine: 0, Quantity: 3 }],
    });
    assert.equal(over.status, 400);
    assert.equal(errorOf(over.body).code, -5002);
    assert.match(errorOf(over.body).text, /exceeds the open quantity/);
    // Two rows on one order line that together exceed it are refused as well.
    const split = await post('/DeliveryNotes', {
      CardCode: 'C00001',
      DocumentLines: [
        { BaseType: 17, BaseEntry: entry, BaseLine: 0, Quantity: 2 },
        { BaseType: 17, BaseEntry: entry, BaseLine: 0, Quantity: 1 },
      ],
    });
    assert.equal(split.status, 400);
    assert.deepEqual(stock('A00003'), before);

    assert.equal(
      (await post('/DeliveryNotes', { CardCode: 'C00001', DocumentLines: [{ BaseType: 17, BaseEntry: entry, BaseLine: 1, Quantity: 1 }] }))
        .status,
      201,
    );
    const closedLine = await post('/DeliveryNotes', {
      CardCode: 'C00001',
      DocumentLines: [{ BaseType: 17, BaseEntry: entry, BaseLine: 1, Quantity: 1 }],
    });
    assert.equal(closedLine.status, 400);
    assert.match(errorOf(closedLine.body).text, /line 2 is closed/);

    const other = await post('/DeliveryNotes', {
      CardCode: 'C00002',
      DocumentLines: [{ BaseType: 17, BaseEntry: entry, BaseLine: 0, Quantity: 1 }],
    });
    assert.equal(other.status, 400);
    assert.match(errorOf(other.body).text, /card do not match/);

    assert.equal((await http(`/Orders(${entry})/Close`, { method: 'POST' })).status, 204);
    const closed = await post('/DeliveryNotes', {
      CardCode: 'C00001',
      DocumentLines: [{ BaseType: 17, BaseEntry: entry, BaseLine: 0, Quantity: 1 }],
    });
    assert.equal(closed.status, 400);
    assert.match(errorOf(closed.body).text, /is closed/);
    assert.equal(
      (await post('/DeliveryNotes', { CardCode: 'C00001', DocumentLines: [{ BaseType: 17, BaseEntry: 99999, BaseLine: 0, Quantity: 1 }] }))
        .status,
      404,
    );

    const reserve = await post('/DeliveryNotes', {
      CardCode: 'C00001',
      DocumentLines: [{ BaseType: 13, BaseEntry: 1, BaseLine: 0, Quantity: 1 }],
    });
    assert.equal(reserve.status, 404, 'no such reserve invoice (deliveries from reserve invoices: sim-money-invoices.test.ts)');
    assert.equal((await http('/DeliveryNotes(1)', { method: 'DELETE' })).status, 400, 'documents are not deleted');
    // A row without a base moves stock only.
    const pre = stock('A00003');
    const free = await post('/DeliveryNotes', {
      CardCode: 'C00001',
      DocumentLines: [{ ItemCode: 'A00003', Quantity: 1, WarehouseCode: '01' }],
    });
    assert.equal(free.status, 201, JSON.stringify(free.body));
    assert.deepEqual(stock('A00003'), { InStock: pre.InStock - 1, Committed: pre.Committed });
  });

  test('Cancel gives the stock and the open quantity back and reopens the order it closed; PATCH keeps quantities', async () => {
    sim.state.setStock('A00005', '01', { InStock: 20, Committed: 0 });
    const order = await newOrder([{ ItemCode: 'A00005', Quantity: 4 }]);
    const entry = order.DocEntry as number;
    const d = await post('/DeliveryNotes', {
      CardCode: 'C00001',
      DocumentLines: [{ BaseType: 17, BaseEntry: entry, BaseLine: 0, Quantity: 4 }],
    });
    assert.equal(d.status, 201);
    const key = d.body.DocEntry as number;
    assert.equal((await get(`/Orders(${entry})`)).DocumentStatus, 'bost_Close');
    assert.deepEqual(stock('A00005'), { InStock: 16, Committed: 0 });

    assert.equal(
      (await http(`/DeliveryNotes(${key})`, { method: 'PATCH', body: JSON.stringify({ TrackingNumber: 'TRK-2' }) })).status,
      204,
    );
    assert.equal((await get(`/DeliveryNotes(${key})`)).TrackingNumber, 'TRK-2');
    const badPatch = await http(`/DeliveryNotes(${key})`, {
      method: 'PATCH',
      body: JSON.stringify({ DocumentLines: [{ LineNum: 0, Quantity: 1 }] }),
    });
    assert.equal(badPatch.status, 400);

    assert.equal((await http(`/DeliveryNotes(${key})/Cancel`, { method: 'POST' })).status, 204);
    const cancelled = await get(`/DeliveryNotes(${key})`);
    assert.deepEqual([cancelled.Cancelled, cancelled.CancelStatus, cancelled.DocumentStatus], ['tYES', 'csCancelled', 'bost_Close']);
    const o = await get(`/Orders(${entry})`);
    assert.equal(o.DocumentStatus, 'bost_Open');
    assert.deepEqual(
      (o.DocumentLines as Line[]).map((l) => [l.RemainingOpenQuantity, l.LineStatus]),
      [[4, 'bost_Open']],
    );
    assert.deepEqual(stock('A00005'), { InStock: 20, Committed: 4 });
    const list = await get(`/DeliveryNotes?$filter=CancelStatus eq 'csCancellation' and DocEntry gt ${key}`);
    assert.equal((list.value as Rec[]).length, 1, 'a cancellation document is posted');
    const again = await http(`/DeliveryNotes(${key})/Cancel`, { method: 'POST' });
    assert.equal(again.status, 400);
  });

  test('delta reads: UpdateDate/UpdateTime, DocEntry and header UDFs filter deliveries; the base order is stamped too', async () => {
    const udf = await post('/UserFieldsMD', { TableName: 'ORDR', Name: 'ExtDeliveryId', Type: 'db_Alpha', Size: 50 });
    assert.equal(udf.status, 201);
    sim.state.clock.set('2031-05-06T10:15:00');
    http = await rawSession(sim.url); // the clock jumped: the old session timed out
    try {
      const order = await newOrder([{ ItemCode: 'A00001', Quantity: 1 }]);
      sim.state.clock.set('2031-05-06T10:40:00');
      const d = await post('/DeliveryNotes', {
        CardCode: 'C00001',
        U_ExtDeliveryId: 'gid://shopify/Fulfillment/77',
        DocumentLines: [{ BaseType: 17, BaseEntry: order.DocEntry, BaseLine: 0, Quantity: 1 }],
      });
      assert.equal(d.status, 201, JSON.stringify(d.body));
      assert.deepEqual([d.body.UpdateDate, d.body.UpdateTime], ['2031-05-06', '10:40:00']);
      const q = encodeURIComponent("(UpdateDate gt '2031-05-06') or (UpdateDate eq '2031-05-06' and UpdateTime ge '10:40')");
      const hits = (await get(`/DeliveryNotes?$filter=${q}&$select=DocEntry,U_ExtDeliveryId`)).value as Rec[];
      assert.deepEqual(hits, [{ DocEntry: d.body.DocEntry, U_ExtDeliveryId: 'gid://shopify/Fulfillment/77' }]);
      const byUdf = (await get(`/DeliveryNotes?$filter=${encodeURIComponent("U_ExtDeliveryId eq 'gid://shopify/Fulfillment/77'")}`))
        .value as Rec[];
      assert.equal(byUdf.length, 1);
      const o = await get(`/Orders(${order.DocEntry as number})?$select=UpdateDate,UpdateTime,DocumentStatus`);
      assert.deepEqual([o.UpdateDate, o.UpdateTime, o.DocumentStatus], ['2031-05-06', '10:40:00', 'bost_Close']);
    } finally {
      sim.state.clock.set(null);
      http = await rawSession(sim.url);
    }
  });

  test('a $batch changeset with a delivery that fails rolls the whole delivery back (stock and order)', async () => {
    sim.state.setStock('A00002', '01', { InStock: 30, Committed: 0 });
    const order = await newOrder([{ ItemCode: 'A00002', Quantity: 3 }]);
    const before = stock('A00002');
    const b = 'batch_1';
    const c = 'changeset_1';
    const part = (id: number, body: unknown): string =>
      `--${c}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${id}\r\n\r\nPOST /b1s/v1/DeliveryNotes\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(body)}\r\n`;
    const body =
      `--${b}\r\nContent-Type: multipart/mixed;boundary=${c}\r\n\r\n` +
      part(1, { CardCode: 'C00001', DocumentLines: [{ BaseType: 17, BaseEntry: order.DocEntry, BaseLine: 0, Quantity: 2 }] }) +
      part(2, { CardCode: 'C00001', DocumentLines: [{ BaseType: 17, BaseEntry: order.DocEntry, BaseLine: 0, Quantity: 2 }] }) +
      `--${c}--\r\n--${b}--\r\n`;
    const r = await http('/$batch', { method: 'POST', headers: { 'Content-Type': `multipart/mixed;boundary=${b}` }, body });
    assert.equal(r.status, 202);
    assert.match(await r.text(), /exceeds the open quantity/);
    assert.deepEqual(stock('A00002'), before);
    const o = await get(`/Orders(${order.DocEntry as number})`);
    assert.equal((o.DocumentLines as Line[])[0]!.RemainingOpenQuantity, 3);
  });
});
