import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INVENTORY_BATCH_SIZE,
  b1OrderUnits,
  chunk,
  uncoveredUnits,
  desiredLevels,
  diffInventory,
  inventoryIdempotencyKey,
  inventorySetInput,
  levelKey,
  warehouseAvailable,
  type ItemStock,
} from '../../src/mapping/inventory';
import { config } from './fixtures';

const L10 = 'gid://shopify/Location/10'; // fed by warehouses 01 + 02
const L20 = 'gid://shopify/Location/20'; // fed by warehouse 03
const inv = (n: number) => `gid://shopify/InventoryItem/${n}`;

describe('availability formula', () => {
  const row = { WarehouseCode: '01', InStock: 10, Committed: 4, Ordered: 7 };
  test('default InStock − Committed, alternatives, floor at 0, whole units', () => {
    assert.equal(warehouseAvailable(row, 'inStockMinusCommitted'), 6);
    assert.equal(warehouseAvailable(row, 'inStock'), 10);
    assert.equal(warehouseAvailable(row, 'inStockMinusCommittedPlusOrdered'), 13);
    assert.equal(warehouseAvailable({ WarehouseCode: '01', InStock: 2, Committed: 5 }, 'inStockMinusCommitted'), 0);
    assert.equal(warehouseAvailable({ WarehouseCode: '01', InStock: 2.9, Committed: 0 }, 'inStock'), 2);
    assert.equal(warehouseAvailable({ WarehouseCode: '01', InStock: 0.3 + 0.6 + 0.1, Committed: 0 }, 'inStock'), 1);
    assert.equal(warehouseAvailable({ WarehouseCode: '01', InStock: null, Committed: null }, 'inStockMinusCommitted'), 0);
  });
});

describe('desired levels', () => {
  const items: ItemStock[] = [
    {
      ItemCode: 'A100',
      ItemWarehouseInfoCollection: [
        { WarehouseCode: '01', InStock: 10, Committed: 3, Ordered: 0 },
        { WarehouseCode: '02', InStock: 5, Committed: 1, Ordered: 0 },
        { WarehouseCode: '03', InStock: 2, Committed: 4, Ordered: 0 },
        { WarehouseCode: '99', InStock: 1000, Committed: 0, Ordered: 0 }, // not mapped: not pushed
      ],
    },
    { ItemCode: 'B200', ItemWarehouseInfoCollection: [{ WarehouseCode: '02', InStock: 1, Committed: 0 }] },
    { ItemCode: 'SVC', InventoryItem: 'tNO', ItemWarehouseInfoCollection: [] },
    { ItemCode: 'NEW', ItemWarehouseInfoCollection: [{ WarehouseCode: '01', InStock: 1, Committed: 0 }] },
  ];
  const ids = new Map([
    ['A100', inv(1)],
    ['B200', inv(2)],
    ['SVC', inv(3)],
  ]);

  test('several warehouses are summed into one location, floored at 0 after summing', () => {
    const r = desiredLevels(items, ids, config());
    assert.deepEqual(r.levels, [
      { itemCode: 'A100', inventoryItemId: inv(1), locationId: L10, available: 11 },
      { itemCode: 'A100', inventoryItemId: inv(1), locationId: L20, available: 0 },
      { itemCode: 'B200', inventoryItemId: inv(2), locationId: L10, available: 1 },
      { itemCode: 'B200', inventoryItemId: inv(2), locationId: L20, available: 0 },
    ]);
    assert.deepEqual(r.unmatched, ['NEW']);
    assert.deepEqual(r.notTracked, ['SVC']);
  });

  test('an over-committed warehouse reduces what its sibling warehouses can sell', () => {
    const r = desiredLevels(
      [
        {
          ItemCode: 'A100',
          ItemWarehouseInfoCollection: [
            { WarehouseCode: '01', InStock: 1, Committed: 4 },
            { WarehouseCode: '02', InStock: 5, Committed: 0 },
          ],
        },
      ],
      ids,
      config(),
    );
    assert.equal(r.levels.find((l) => l.locationId === L10)?.available, 2);
  });

  test('units Shopify sold or holds that B1 does not know are deducted per location, before flooring', () => {
    // The case: InStock 10, Committed 0, 3 sold in Shopify and not imported → 7, not 10.
    const one: ItemStock[] = [
      {
        ItemCode: 'A100',
        ItemWarehouseInfoCollection: [
          { WarehouseCode: '01', InStock: 10, Committed: 0 },
          { WarehouseCode: '03', InStock: 2, Committed: 0 },
        ],
      },
    ];
    const r = desiredLevels(
      one,
      ids,
      config(),
      new Map([
        [levelKey(inv(1), L10), 3],
        [levelKey(inv(1), L20), 5],
      ]),
    );
    assert.deepEqual(
      r.levels.map((l) => [l.locationId, l.available]),
      [
        [L10, 7],
        [L20, 0],
      ],
    );
    assert.deepEqual(
      desiredLevels(one, ids, config()).levels.map((l) => l.available),
      [10, 2],
      'no deductions: B1 alone',
    );
  });

  test('the formula comes from configuration', () => {
    const r = desiredLevels(
      items.slice(0, 1),
      ids,
      config((c) => (c.inventory = { formula: 'inStock' })),
    );
    assert.deepEqual(
      r.levels.map((l) => l.available),
      [15, 2],
    );
  });
});

describe('inventory diff', () => {
  const desired = [
    { itemCode: 'B200', inventoryItemId: inv(2), locationId: L10, available: 4 },
    { itemCode: 'A100', inventoryItemId: inv(1), locationId: L20, available: 0 },
    { itemCode: 'A100', inventoryItemId: inv(1), locationId: L10, available: 11 },
    { itemCode: 'C300', inventoryItemId: inv(3), locationId: L10, available: 0 },
    { itemCode: 'D400', inventoryItemId: inv(4), locationId: L10, available: 7 },
  ];
  const current = new Map([
    [levelKey(inv(1), L10), 11], // same: not rewritten
    [levelKey(inv(1), L20), 3], // differs
    [levelKey(inv(2), L10), 2], // differs
    // inv(3)@L10 and inv(4)@L10 are not stocked there
  ]);

  test('only differing rows are written, in a stable order; unstocked pairs are activated', () => {
    const d = diffInventory(desired, current, config());
    assert.deepEqual(d.changes, [
      { itemCode: 'A100', inventoryItemId: inv(1), locationId: L20, quantity: 0, changeFromQuantity: 3 },
      { itemCode: 'B200', inventoryItemId: inv(2), locationId: L10, quantity: 4, changeFromQuantity: 2 },
      { itemCode: 'D400', inventoryItemId: inv(4), locationId: L10, quantity: 7, changeFromQuantity: 0 },
    ]);
    assert.deepEqual(d.toActivate, [
      { inventoryItemId: inv(3), locationId: L10, itemCode: 'C300' },
      { inventoryItemId: inv(4), locationId: L10, itemCode: 'D400' },
    ]);
    assert.equal(d.unchanged, 1);
  });

  test('a second run against the values just written changes nothing', () => {
    const first = diffInventory(desired, current, config());
    const after = new Map(current);
    for (const c of first.changes) after.set(levelKey(c.inventoryItemId, c.locationId), c.quantity);
    for (const a of first.toActivate)
      if (!after.has(levelKey(a.inventoryItemId, a.locationId))) after.set(levelKey(a.inventoryItemId, a.locationId), 0);
    const second = diffInventory(desired, after, config());
    assert.deepEqual(second.changes, []);
    assert.deepEqual(second.toActivate, []);
    assert.equal(second.unchanged, desired.length);
  });

  test('compare-and-swap always sends the value the row was computed against, whatever compareQuantity says', () => {
    for (const compareQuantity of [true, false]) {
      const d = diffInventory(
        desired,
        current,
        config((c) => (c.inventory = { compareQuantity })),
      );
      assert.deepEqual(
        d.changes.map((c) => c.changeFromQuantity),
        [3, 2, 0],
      );
    }
  });
});

describe('batching and idempotency keys', () => {
  test('batches hold at most 250 rows and keep every row once, in order', () => {
    const rows = Array.from({ length: 1001 }, (_, i) => i);
    const batches = chunk(rows);
    assert.equal(INVENTORY_BATCH_SIZE, 250);
    assert.deepEqual(
      batches.map((b) => b.length),
      [250, 250, 250, 250, 1],
    );
    assert.deepEqual(batches.flat(), rows);
    assert.deepEqual(chunk([]), []);
    assert.deepEqual(chunk(rows.slice(0, 250)).length, 1);
    assert.throws(() => chunk(rows, 0), RangeError);
  });

  test('keys are UUIDs, stable per (run, batch, rows) and distinct otherwise', () => {
    const rows = [{ inventoryItemId: inv(1), locationId: L10, quantity: 5, changeFromQuantity: null }];
    const k = inventoryIdempotencyKey('run-1', 0, rows);
    assert.match(k, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(inventoryIdempotencyKey('run-1', 0, [{ ...rows[0]! }]), k);
    const others = [
      inventoryIdempotencyKey('run-1', 1, rows),
      inventoryIdempotencyKey('run-2', 0, rows),
      inventoryIdempotencyKey('run-1', 0, [{ ...rows[0]!, quantity: 6 }]),
      inventoryIdempotencyKey('run-1', 0),
      inventoryIdempotencyKey('run-10', 0, rows),
    ];
    assert.equal(new Set([k, ...others]).size, 6);
    // Many batches of one run never collide.
    const keys = new Set(Array.from({ length: 5000 }, (_, i) => inventoryIdempotencyKey('wf-abc/run-xyz', i)));
    assert.equal(keys.size, 5000);
  });

  test('the mutation input carries name, reason and only Shopify fields', () => {
    const d = diffInventory(
      [{ itemCode: 'A100', inventoryItemId: inv(1), locationId: L10, available: 3 }],
      new Map([[levelKey(inv(1), L10), 1]]),
      config(),
    );
    assert.deepEqual(inventorySetInput(d.changes, config(), 'gid://b1hub/SyncRun/run-1'), {
      name: 'available',
      reason: 'correction',
      referenceDocumentUri: 'gid://b1hub/SyncRun/run-1',
      quantities: [{ inventoryItemId: inv(1), locationId: L10, quantity: 3, changeFromQuantity: 1 }],
    });
  });
});

describe('uncoveredUnits: what Shopify sold that B1 does not account for, per order', () => {
  const line = (o: Record<string, unknown>) => ({ ItemCode: 'A1', WarehouseCode: '01', LineStatus: 'bost_Open', ...o });
  const doc = (lines: Record<string, unknown>[], o: Record<string, unknown> = {}) => ({
    Cancelled: 'tNO',
    DocumentStatus: 'bost_Open',
    DocumentLines: lines,
    ...o,
  });

  test('the documented cases, one per row of the README example', () => {
    const cases: [string, { unfulfilled: number; fulfilled: number }, ReturnType<typeof doc>[] | undefined, number][] = [
      ['not imported', { unfulfilled: 3, fulfilled: 0 }, undefined, 3],
      ['imported', { unfulfilled: 3, fulfilled: 0 }, [doc([line({ Quantity: 3, RemainingOpenQuantity: 3 })])], 0],
      ['raised to 5 in Shopify', { unfulfilled: 5, fulfilled: 0 }, [doc([line({ Quantity: 3, RemainingOpenQuantity: 3 })])], 2],
      [
        'order closed by hand',
        { unfulfilled: 3, fulfilled: 0 },
        [doc([line({ Quantity: 3, RemainingOpenQuantity: 3, LineStatus: 'bost_Close' })], { DocumentStatus: 'bost_Close' })],
        3,
      ],
      [
        'line closed by hand',
        { unfulfilled: 3, fulfilled: 0 },
        [doc([line({ Quantity: 3, RemainingOpenQuantity: 3, LineStatus: 'bost_Close' })])],
        3,
      ],
      [
        'cancelled in B1',
        { unfulfilled: 3, fulfilled: 0 },
        [
          doc([line({ Quantity: 3, RemainingOpenQuantity: 3, LineStatus: 'bost_Close' })], {
            Cancelled: 'tYES',
            DocumentStatus: 'bost_Close',
          }),
        ],
        3,
      ],
      ['1 of 4 delivered in B1', { unfulfilled: 4, fulfilled: 0 }, [doc([line({ Quantity: 4, RemainingOpenQuantity: 3 })])], 0],
      [
        'all delivered in B1, closed',
        { unfulfilled: 4, fulfilled: 0 },
        [doc([line({ Quantity: 4, RemainingOpenQuantity: 0, LineStatus: 'bost_Close' })], { DocumentStatus: 'bost_Close' })],
        0,
      ],
      [
        '3 delivered and fulfilled, raised to 5',
        { unfulfilled: 2, fulfilled: 3 },
        [doc([line({ Quantity: 3, RemainingOpenQuantity: 0, LineStatus: 'bost_Close' })], { DocumentStatus: 'bost_Close' })],
        2,
      ],
      [
        'fulfilled in Shopify before B1 delivered',
        { unfulfilled: 1, fulfilled: 2 },
        [doc([line({ Quantity: 3, RemainingOpenQuantity: 3 })])],
        0,
      ],
      [
        'line in a warehouse of another location',
        { unfulfilled: 3, fulfilled: 0 },
        [doc([line({ Quantity: 3, RemainingOpenQuantity: 3, WarehouseCode: '02' })])],
        3,
      ],
      [
        'two sales orders, one cancelled',
        { unfulfilled: 3, fulfilled: 0 },
        [
          doc([line({ Quantity: 3, RemainingOpenQuantity: 3 })], { Cancelled: 'tYES', DocumentStatus: 'bost_Close' }),
          doc([line({ Quantity: 2, RemainingOpenQuantity: 2 })]),
        ],
        1,
      ],
      ['refunded in Shopify, not yet in B1', { unfulfilled: 2, fulfilled: 0 }, [doc([line({ Quantity: 3, RemainingOpenQuantity: 3 })])], 0],
    ];
    for (const [name, shop, docs, want] of cases)
      assert.equal(uncoveredUnits(shop, docs ? b1OrderUnits(docs, 'A1', ['01']) : undefined), want, name);
  });

  test('a line without RemainingOpenQuantity counts as not delivered (never too much delivered)', () => {
    assert.deepEqual(b1OrderUnits([doc([line({ Quantity: 3, LineStatus: 'bost_Close' })])], 'A1', ['01']), { open: 0, delivered: 0 });
  });
});
