/** Pure parts of the product pipeline: cursor and watermark encoding, unchanged detection, mapping. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor, type ProductCursor } from '../../src/pipelines/product/cursor';
import { formatWatermark, later, parseWatermark } from '../../src/pipelines/product/watermark';
import { firstDifference } from '../../src/pipelines/product/compare';
import { mapProductPage } from '../../src/pipelines/product/map';
import { DEMO_MAPPING_CONFIG, parseMappingConfig } from '../../src/mapping/config';
import type { ShopifyProduct } from '../../src/connectors/shopify/types';
import type { ItemRecord } from '../../src/pipelines/product/types';
import { productHash, type PushTarget } from '../../src/pipelines/product/hash';
import { HUB_UDFS } from '../../src/connectors/b1/udf';
import { parse, validate } from 'graphql';
import { productStateExport, snapshotFromLines } from '../../src/connectors/shopify/products-bulk';
import { loadShopifySchema } from '../../src/sim/shopify/schema';
import { ensureSchema } from '../shopify/helpers';

describe('product cursor', () => {
  test('round-trips every phase, including ItemCodes with | and empty marks', () => {
    const cases: ProductCursor[] = [
      { phase: 'b1' },
      { phase: 'b1', after: 'A|B', b1From: '2026-11-26T10:00:00' },
      { phase: 'bulk', after: 'X1' },
      { phase: 'ids', offset: 150 },
      { phase: 'shopify' },
      { phase: 'shopify', after: 'eyJsYXN0X2lkIjo1fQ==', b1From: '2026-11-26T10:00:00', shopFrom: '2026-11-26T15:00:00Z' },
      { phase: 'shopify', shopFrom: '2026-11-26T15:00:00Z' },
    ];
    for (const c of cases) assert.deepEqual(decodeCursor(encodeCursor(c), 'full'), c);
    assert.deepEqual(decodeCursor(undefined, 'ids'), { phase: 'ids', offset: 0 });
    assert.deepEqual(decodeCursor(undefined, 'delta'), { phase: 'b1' });
    assert.deepEqual(decodeCursor(undefined, 'delta', true), { phase: 'ids', offset: 0 }, 'extra ids of a delta are read first');
    assert.throws(() => decodeCursor('nope:1', 'full'), /not b1:/);
  });

  test("carries the run's product export and the export scan; cursors written before it still decode", () => {
    const gid = 'gid://shopify/BulkOperation/42';
    const cases: ProductCursor[] = [
      { phase: 'b1', after: 'A|B', b1From: '2026-11-26T10:00:00', snapshot: gid },
      { phase: 'b1', after: 'A1', snapshot: gid },
      { phase: 'bulk', after: 'X1', b1From: '2026-11-26T10:00:00', snapshot: gid },
      { phase: 'export', step: 'after-push', b1From: '2026-11-26T10:00:00' },
      { phase: 'export', step: 'start' },
      { phase: 'export', step: 'read', op: gid, offset: 250, startedAt: 1_764_000_000_000, b1From: '2026-11-26T10:00:00' },
    ];
    for (const c of cases) assert.deepEqual(decodeCursor(encodeCursor(c), 'full'), c);
    assert.equal(encodeCursor({ phase: 'b1', after: 'A', b1From: '2026-11-26T10:00:00' }), 'b1:A|@2026-11-26T10:00:00');
    // Older cursors carried the newest stamp read (no `@`): they decode, without a read start,
    // so a run in flight across the upgrade keeps its incoming watermark rather than over-claim.
    assert.deepEqual(decodeCursor('b1:A|B|2026-11-26T10:00:00', 'full'), { phase: 'b1', after: 'A|B' });
    assert.deepEqual(decodeCursor(`b1:A1|2026-11-26T10:00:00|${gid}`, 'full'), { phase: 'b1', after: 'A1', snapshot: gid });
    assert.deepEqual(decodeCursor('bulk:X1|2026-11-26T10:00:00', 'full'), { phase: 'bulk', after: 'X1' });
    assert.deepEqual(decodeCursor('shopify:eyJ9|2026-11-26T10:00:00|2026-11-26T15:00:00Z', 'delta'), { phase: 'shopify', after: 'eyJ9' });
    assert.deepEqual(decodeCursor('export:{"step":"start","b1Hw":"2026-11-26T10:00:00"}', 'full'), { phase: 'export', step: 'start' });
  });
});

describe('product state export', () => {
  test('names the configured custom id field and still validates against the 2026-07 schema', () => {
    ensureSchema();
    const doc = productStateExport({ namespace: 'my "ns"', key: 'code' });
    assert.match(doc.text, /customId: metafield\(namespace: "my \\"ns\\"", key: "code"\)/);
    assert.deepEqual(
      validate(loadShopifySchema('2026-07'), parse(doc.text)).map((e) => e.message),
      [],
    );
  });

  test("JSONL lines become SKU lookups (every variant, custom id) and the scan's variant list in file order", () => {
    const v = (id: number, sku: string | null, parent: string) => ({
      id: `gid://shopify/ProductVariant/${id}`,
      title: 'Default Title',
      sku,
      barcode: null,
      price: '5.00',
      taxable: true,
      updatedAt: '2026-11-26T10:00:00Z',
      inventoryItem: { id: `gid://shopify/InventoryItem/${id}`, tracked: true, measurement: { weight: { unit: 'KILOGRAMS', value: 1 } } },
      __parentId: parent,
    });
    const p1 = 'gid://shopify/Product/1';
    const p2 = 'gid://shopify/Product/2';
    const snap = snapshotFromLines(
      [
        { id: p1, title: 'Linked', status: 'ACTIVE', customId: { value: 'A1' } },
        v(11, 'A1', p1),
        { id: p2, title: 'Shop-made, two variants', status: 'DRAFT', customId: null },
        v(21, 'S1', p2),
        v(22, null, p2),
      ],
      '2026-11-26T10:00:05Z',
    );
    assert.equal(snap.createdAt, '2026-11-26T10:00:05Z');
    assert.deepEqual(
      snap.bySku.get('A1')?.map((p) => [p.id, p.customId, p.variants.length]),
      [[p1, 'A1', 1]],
    );
    assert.deepEqual(
      snap.bySku.get('S1')?.map((p) => [p.id, p.customId, p.variants.length, p.moreVariants]),
      [[p2, null, 2, false]],
    );
    assert.deepEqual(
      snap.variants.map((x) => [x.variant.id, x.variant.sku, x.product.id]),
      [
        ['gid://shopify/ProductVariant/11', 'A1', p1],
        ['gid://shopify/ProductVariant/21', 'S1', p2],
        ['gid://shopify/ProductVariant/22', null, p2],
      ],
    );
    const want = {
      customId: 'A1',
      title: 'Linked',
      sku: 'A1',
      barcode: null,
      price: '5.00',
      weight: { unit: 'KILOGRAMS' as const, value: 1 },
      tracked: true,
      taxable: true,
      status: 'ACTIVE' as const,
    };
    assert.equal(firstDifference(want, snap.bySku.get('A1')![0]!), undefined, 'an exported product compares like a read one');
  });
});

describe('product watermark', () => {
  test('carries both clocks and orders by the B1 part first', () => {
    assert.deepEqual(parseWatermark('2026-11-26T10:05~2026-11-26T15:00:00Z'), {
      b1: '2026-11-26T10:05:00',
      shopify: '2026-11-26T15:00:00Z',
    });
    assert.deepEqual(parseWatermark('2026-11-26T10:05:07'), { b1: '2026-11-26T10:05:07' });
    assert.deepEqual(parseWatermark(formatWatermark({ shopify: '2026-11-26T15:00:00Z' })), { shopify: '2026-11-26T15:00:00Z' });
    assert.equal(formatWatermark({}), undefined);
    const older = formatWatermark({ b1: '2026-11-26T10:00:00', shopify: '2026-11-26T15:00:00Z' })!;
    const newerB1 = formatWatermark({ b1: '2026-11-26T10:01:00' })!;
    const newerShop = formatWatermark({ b1: '2026-11-26T10:00:00', shopify: '2026-11-26T15:00:01Z' })!;
    assert.ok(newerB1 > older && newerShop > older, 'string order (the scheduler keeps the max) never moves a part back');
    assert.ok(formatWatermark({ b1: '2026-01-01T00:00:00' })! > formatWatermark({ shopify: '2026-12-01T00:00:00Z' })!);
    assert.equal(later('2026-11-26T10:00:00', undefined), '2026-11-26T10:00:00');
    assert.throws(() => parseWatermark('yesterday'), /ISO date-time/);
  });
});

const item = (over: Partial<ItemRecord['item']> = {}): ItemRecord => ({
  kind: 'item',
  asOf: '2026-11-26',
  weightUnit: { code: '1', unit: 'KILOGRAMS' },
  item: {
    ItemCode: 'A1',
    ItemName: 'Widget',
    BarCode: '0400',
    InventoryItem: 'tYES',
    VatLiable: 'tYES',
    SalesUnitWeight: 1.5,
    SalesWeightUnit: 1,
    ItemPrices: [{ PriceList: 1, Price: 12.5, Currency: '$' }],
    U_ShopifyId: null,
    U_ShopifySync: 'Y',
    ...over,
  },
});
const config = parseMappingConfig({ ...DEMO_MAPPING_CONFIG, product: { ...DEMO_MAPPING_CONFIG.product, shopCurrencyAliases: ['$'] } });
const target: PushTarget = { shop: 'test-shop.myshopify.com', idField: { namespace: 'b1hub', key: 'item_code' } };

describe('product mapping and unchanged detection', () => {
  test('an item maps to a single-variant upsert keyed by its ItemCode; the weight unit comes from the record', () => {
    const [m] = mapProductPage(config, target, [{ id: 'A1', label: 'Widget', data: item() }]);
    assert.ok(m?.ok);
    assert.equal(m.payload.kind, 'push');
    if (m.payload.kind !== 'push') return;
    assert.deepEqual(m.payload.upsert, {
      customId: 'A1',
      title: 'Widget',
      sku: 'A1',
      barcode: '0400',
      price: '12.50',
      weight: { unit: 'KILOGRAMS', value: 1.5 },
      tracked: true,
      taxable: true,
      status: 'ACTIVE',
    });
  });

  test('unselected items are skipped; frozen items become drafts; bad ones fail naming the field', () => {
    const out = mapProductPage(config, target, [
      { id: 'A2', data: item({ ItemCode: 'A2', U_ShopifySync: 'N' }) },
      { id: 'A3', data: item({ ItemCode: 'A3', Frozen: 'tYES' }) },
      { id: 'A4', data: { ...item({ ItemCode: 'A4', SalesWeightUnit: 9 }), weightUnit: undefined } },
      { id: 'A5', data: item({ ItemCode: 'A5', ItemPrices: [] }) },
    ]);
    assert.equal(out[0]?.ok === false && out[0].outcome.outcome, 'skipped');
    assert.equal(out[1]?.ok && out[1].payload.kind === 'push' && out[1].payload.upsert.status, 'DRAFT');
    assert.equal(out[2]?.ok === false && out[2].outcome.field, 'SalesWeightUnit');
    assert.equal(out[3]?.ok === false && out[3].outcome.field, 'ItemPrices');
  });

  test('firstDifference names the first B1-owned field that differs', () => {
    const [m] = mapProductPage(config, target, [{ id: 'A1', data: item() }]);
    assert.ok(m?.ok && m.payload.kind === 'push');
    const want = m.payload.upsert;
    const have: ShopifyProduct = {
      id: 'gid://shopify/Product/1',
      title: 'Widget',
      handle: 'widget',
      status: 'ACTIVE',
      vendor: 'x',
      productType: '',
      tags: ['kept'],
      createdAt: '',
      updatedAt: '',
      customId: 'A1',
      moreVariants: false,
      variants: [
        {
          id: 'gid://shopify/ProductVariant/2',
          title: 'Default Title',
          sku: 'A1',
          barcode: '0400',
          price: '12.5',
          taxable: true,
          inventoryItem: { id: 'gid://shopify/InventoryItem/3', tracked: true, measurement: { weight: { unit: 'KILOGRAMS', value: 1.5 } } },
        },
      ],
    };
    assert.equal(firstDifference(want, have), undefined, 'equal money in another notation and Shopify-owned fields do not count');
    assert.equal(firstDifference({ ...want, price: '12.51' }, have), 'price');
    assert.equal(firstDifference({ ...want, weight: { unit: 'GRAMS', value: 1500 } }, have), 'weight');
    assert.equal(
      firstDifference(
        { ...want, weight: { unit: 'KILOGRAMS', value: 0 } },
        {
          ...have,
          variants: [{ ...have.variants[0]!, inventoryItem: { ...have.variants[0]!.inventoryItem, measurement: { weight: null } } }],
        },
      ),
      undefined,
    );
    assert.equal(firstDifference(want, { ...have, customId: null }), 'customId');
    assert.equal(firstDifference(want, { ...have, moreVariants: true }), 'variants');
  });
});

describe('product sync hash', () => {
  const link = { productId: 'gid://shopify/Product/1', variantId: 'gid://shopify/ProductVariant/2' };
  const upsertOf = (rec: ItemRecord) => {
    const [m] = mapProductPage(config, target, [{ id: rec.item.ItemCode ?? '', data: rec }]);
    assert.ok(m?.ok && m.payload.kind === 'push');
    return m.payload.upsert;
  };
  /** The item as the push left it: ids and the hash of its current mapping written back. */
  const linked = (
    over: Partial<ItemRecord['item']> = {},
    read: Partial<ItemRecord> = { hashFields: true, trustHash: true },
  ): ItemRecord => {
    const base = item(over);
    const hash = productHash(target, upsertOf(base), link);
    return {
      ...base,
      ...read,
      item: { ...base.item, U_ShopifyId: link.productId, U_ShopifyVariantId: link.variantId, U_ShopifyHash: hash },
    };
  };

  test('is stable, fits U_ShopifyHash, and changes with every sent field, the destination and the ids', () => {
    const want = upsertOf(item());
    const h = productHash(target, want, link);
    assert.match(h, /^v1:[0-9a-f]{32}$/);
    const size = HUB_UDFS.find((u) => u.table === 'OITM' && u.name === 'ShopifyHash')?.size ?? 0;
    assert.ok(h.length <= size, `${h.length} characters fit U_ShopifyHash (${size})`);
    assert.equal(productHash(target, { ...want }, { ...link }), h);
    assert.equal(
      productHash(target, { ...want, barcode: undefined }, link),
      productHash(target, { ...want, barcode: null }, link),
      'absent and null barcode send the same',
    );
    const variants = [
      productHash(target, { ...want, title: 'Widget 2' }, link),
      productHash(target, { ...want, price: '12.51' }, link),
      productHash(target, { ...want, status: 'DRAFT' }, link),
      productHash(target, { ...want, tracked: false }, link),
      productHash(target, { ...want, weight: { unit: 'KILOGRAMS', value: 1.6 } }, link),
      productHash({ ...target, shop: 'other.myshopify.com' }, want, link),
      productHash({ ...target, idField: { namespace: 'b1hub', key: 'sku' } }, want, link),
      productHash(target, want, { ...link, variantId: 'gid://shopify/ProductVariant/3' }),
      productHash(target, want, { ...link, productId: 'gid://shopify/Product/9' }),
    ];
    assert.equal(new Set([h, ...variants]).size, variants.length + 1, 'every change gives a new hash');
    // A mapping-config change that changes the outcome (another price list) changes the hash.
    const list2 = parseMappingConfig({
      ...DEMO_MAPPING_CONFIG,
      product: { ...DEMO_MAPPING_CONFIG.product, shopCurrencyAliases: ['$'], priceList: 2 },
    });
    const [m2] = mapProductPage(list2, target, [{ id: 'A1', data: item({ ItemPrices: [{ PriceList: 2, Price: 15, Currency: '$' }] }) }]);
    assert.ok(m2?.ok && m2.payload.kind === 'push');
    assert.notEqual(productHash(target, m2.payload.upsert, link), h);
  });

  test('a delta record whose hash matches is unchanged in map (never posted); anything else is pushed', () => {
    const [same] = mapProductPage(config, target, [{ id: 'A1', data: linked() }]);
    assert.deepEqual(same, {
      id: 'A1',
      ok: false,
      outcome: { object: 'product', sourceId: 'A1', outcome: 'unchanged', targetId: link.productId },
    });

    const pushed = (rec: ItemRecord) => {
      const [m] = mapProductPage(config, target, [{ id: 'A1', data: rec }]);
      assert.ok(m?.ok && m.payload.kind === 'push', JSON.stringify(m));
      return m.payload;
    };
    // Edited in B1 after the push: the stored hash is stale.
    const edited = linked();
    edited.item = { ...edited.item, ItemName: 'Widget, renamed' };
    assert.deepEqual(pushed(edited).knownLink, { variantId: link.variantId, hash: linked().item.U_ShopifyHash });
    // Full and ids runs do not trust the hash.
    assert.equal(pushed(linked({}, { hashFields: true })).knownProductId, link.productId);
    // Pushed by an older version: no hash (and no variant id) yet.
    assert.deepEqual(pushed({ ...item({ U_ShopifyId: link.productId }), hashFields: true, trustHash: true }).knownLink, {
      variantId: null,
      hash: null,
    });
    // The variant id cleared by hand: the hash alone does not vouch for the link.
    const noVariant = linked();
    noVariant.item = { ...noVariant.item, U_ShopifyVariantId: null };
    assert.deepEqual(pushed(noVariant).knownLink, { variantId: null, hash: noVariant.item.U_ShopifyHash });
    // An item table without the hash fields: the push writes only U_ShopifyId (no knownLink).
    assert.equal(pushed(item()).knownLink, undefined);
  });
});
