import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MappingResult } from '../../src/mapping/errors';
import {
  formatMoney,
  itemCrossReference,
  itemIsActive,
  mapItemToProductSet,
  mapVariantToItem,
  productFingerprint,
  variantsMissingInB1,
} from '../../src/mapping/product';
import type { B1Item, ShopifyProduct } from '../../src/mapping/types';
import { config } from './fixtures';

function value<T>(r: MappingResult<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
}
function errors<T>(r: MappingResult<T>) {
  if (r.ok) assert.fail(`expected failure, got ${JSON.stringify(r.value)}`);
  return r.errors;
}

const TODAY = '2026-06-15';

function item(over: Partial<B1Item> = {}): B1Item {
  return {
    ItemCode: 'A100',
    ItemName: 'Widget — großes Modell',
    BarCode: '0012345678905',
    InventoryItem: 'tYES',
    VatLiable: 'tYES',
    Valid: 'tYES',
    Frozen: 'tNO',
    SalesUnitWeight: 1.25,
    SalesWeightUnit: 3,
    ItemPrices: [
      { PriceList: 1, Price: 19.9, Currency: 'USD' },
      { PriceList: 2, Price: 15, Currency: 'USD' },
    ],
    ...over,
  };
}

describe('B1 item → productSet', () => {
  test('maps title, SKU, barcode, price list price, weight, tracking, taxable, status and the custom id', () => {
    const req = value(mapItemToProductSet(item(), config(), TODAY));
    assert.deepEqual(req.identifier, { customId: { namespace: 'b1hub', key: 'item_code', value: 'A100' } });
    assert.deepEqual(req.input, {
      title: 'Widget — großes Modell',
      status: 'ACTIVE',
      productOptions: [{ name: 'Title', position: 1, values: [{ name: 'Default Title' }] }],
      metafields: [{ namespace: 'b1hub', key: 'item_code', type: 'id', value: 'A100' }],
      variants: [
        {
          optionValues: [{ optionName: 'Title', name: 'Default Title' }],
          sku: 'A100',
          barcode: '0012345678905',
          price: '19.90',
          taxable: true,
          inventoryItem: { tracked: true, measurement: { weight: { unit: 'KILOGRAMS', value: 1.25 } } },
        },
      ],
    });
    assert.equal(req.fingerprint, productFingerprint(req.input));
  });

  test('uses the configured price list, unit mapping, non-inventory and not-liable flags', () => {
    const cfg = config((c) => (c.product!.priceList = 2));
    const req = value(mapItemToProductSet(item({ InventoryItem: 'tNO', VatLiable: 'tNO', SalesWeightUnit: 4, BarCode: '' }), cfg, TODAY));
    const v = req.input.variants[0]!;
    assert.equal(v.price, '15.00');
    assert.equal(v.taxable, false);
    assert.equal(v.barcode, null);
    assert.deepEqual(v.inventoryItem, { tracked: false, measurement: { weight: { unit: 'POUNDS', value: 1.25 } } });
  });

  test('status follows Valid/Frozen and their date windows', () => {
    const cfg = config();
    const status = (over: Partial<B1Item>) => value(mapItemToProductSet(item(over), cfg, TODAY)).input.status;
    assert.equal(status({ Frozen: 'tYES' }), 'DRAFT');
    assert.equal(status({ Frozen: 'tYES', FrozenFrom: '2026-07-01' }), 'ACTIVE');
    assert.equal(status({ Frozen: 'tYES', FrozenFrom: '2026-06-01T00:00:00Z', FrozenTo: '2026-06-30' }), 'DRAFT');
    assert.equal(status({ Valid: 'tYES', ValidFrom: '2026-01-01', ValidTo: '2026-06-14' }), 'DRAFT');
    assert.equal(status({ Valid: 'tNO', Frozen: 'tNO' }), 'ACTIVE');
    assert.equal(
      value(
        mapItemToProductSet(
          item({ Frozen: 'tYES' }),
          config((c) => (c.product!.inactiveStatus = 'ARCHIVED')),
          TODAY,
        ),
      ).input.status,
      'ARCHIVED',
    );
    assert.equal(itemIsActive(item({ Valid: 'tYES', ValidTo: TODAY }), TODAY), true);
  });

  test('missing price, zero price, foreign currency and unmapped weight unit fail naming the setting', () => {
    const cfg = config();
    let errs = errors(mapItemToProductSet(item({ ItemPrices: [{ PriceList: 2, Price: 3 }] }), cfg, TODAY));
    assert.deepEqual(errs, [{ field: 'ItemPrices', reason: "item 'A100' has no price in price list 1 (config product.priceList)" }]);
    errs = errors(mapItemToProductSet(item({ ItemPrices: [{ PriceList: 1, Price: 0 }] }), cfg, TODAY));
    assert.match(errs[0]!.reason, /price 0 in price list 1; set a price or product\.allowZeroPrice/);
    assert.equal(
      mapItemToProductSet(
        item({ ItemPrices: [{ PriceList: 1, Price: 0 }] }),
        config((c) => (c.product!.allowZeroPrice = true)),
        TODAY,
      ).ok,
      true,
    );
    errs = errors(mapItemToProductSet(item({ ItemPrices: [{ PriceList: 1, Price: 5, Currency: 'EUR' }] }), cfg, TODAY));
    assert.match(errs[0]!.reason, /in EUR, the shop sells in USD/);
    assert.equal(
      mapItemToProductSet(
        item({ ItemPrices: [{ PriceList: 1, Price: 5, Currency: '$' }] }),
        config((c) => (c.product!.shopCurrencyAliases = ['$'])),
        TODAY,
      ).ok,
      true,
    );
    errs = errors(mapItemToProductSet(item({ SalesWeightUnit: 9 }), cfg, TODAY));
    assert.deepEqual(errs, [
      {
        field: 'SalesWeightUnit',
        reason: `item 'A100' is weighed in B1 unit 9, which has no Shopify unit (config product.weightUnits["9"])`,
      },
    ]);
    // No weight needs no unit.
    assert.equal(mapItemToProductSet(item({ SalesUnitWeight: 0, SalesWeightUnit: 9 }), cfg, TODAY).ok, true);
  });

  test('the fingerprint is stable across key order and changes with any mapped field', () => {
    const cfg = config();
    const a = value(mapItemToProductSet(item(), cfg, TODAY));
    const reordered = value(mapItemToProductSet({ ItemPrices: item().ItemPrices, ...item() }, cfg, TODAY));
    assert.equal(a.fingerprint, reordered.fingerprint);
    assert.match(a.fingerprint, /^v1:[0-9a-f]{32}$/);
    const changes: Partial<B1Item>[] = [
      { ItemName: 'Widget' },
      { BarCode: '0012345678906' },
      { ItemPrices: [{ PriceList: 1, Price: 19.91 }] },
      { SalesUnitWeight: 1.26 },
      { InventoryItem: 'tNO' },
      { VatLiable: 'tNO' },
      { Frozen: 'tYES' },
    ];
    const seen = new Set([a.fingerprint]);
    for (const ch of changes) {
      const fp = value(mapItemToProductSet(item(ch), cfg, TODAY)).fingerprint;
      assert.ok(!seen.has(fp), `fingerprint did not change for ${JSON.stringify(ch)}`);
      seen.add(fp);
    }
    // Fields the push does not send do not change it.
    assert.equal(
      value(mapItemToProductSet(item({ ItemWarehouseInfoCollection: [{ WarehouseCode: '01', InStock: 5 }] }), cfg, TODAY)).fingerprint,
      a.fingerprint,
    );
  });

  test("money is formatted to the currency's minor units", () => {
    assert.equal(formatMoney(19.995, 'USD'), '20.00');
    assert.equal(formatMoney(1200.4, 'JPY'), '1200');
    assert.equal(formatMoney(1.2345, 'KWD'), '1.235');
  });

  test('cross reference writes the product GID to the item UDF', () => {
    assert.deepEqual(itemCrossReference('gid://shopify/Product/42'), { U_ShopifyId: 'gid://shopify/Product/42' });
  });
});

describe('Shopify product → B1 item', () => {
  const product = (): ShopifyProduct => ({
    id: 'gid://shopify/Product/77',
    title: 'Café Mug',
    variants: [
      {
        id: 'gid://shopify/ProductVariant/1',
        title: 'Default Title',
        sku: 'MUG-1',
        barcode: '4006381333931',
        price: '12.50',
        taxable: true,
        inventoryItem: { tracked: true, measurement: { weight: { unit: 'KILOGRAMS', value: 0.4 } } },
      },
    ],
  });

  test('creates an inventory item in the default group with price, weight and barcode', () => {
    const p = product();
    assert.deepEqual(value(mapVariantToItem(p, p.variants[0]!, config())), {
      ItemCode: 'MUG-1',
      ItemName: 'Café Mug',
      ItemType: 'itItems',
      ItemsGroupCode: 105,
      InventoryItem: 'tYES',
      SalesItem: 'tYES',
      VatLiable: 'tYES',
      BarCode: '4006381333931',
      SalesUnitWeight: 0.4,
      SalesWeightUnit: 3,
      ItemPrices: [{ PriceList: 1, Price: 12.5 }],
      U_ShopifyId: 'gid://shopify/Product/77',
    });
  });

  test('an untracked variant becomes a non-inventory item; variant titles extend the name', () => {
    const p = product();
    p.variants[0] = {
      ...p.variants[0]!,
      title: 'Blue',
      inventoryItem: { tracked: false, measurement: { weight: { unit: 'OUNCES', value: 3 } } },
    };
    const it = value(mapVariantToItem(p, p.variants[0], config()));
    assert.equal(it.InventoryItem, 'tNO');
    assert.equal(it.ItemName, 'Café Mug - Blue');
    // No B1 unit for ounces in the config: the weight is left out rather than converted wrongly.
    assert.equal(it.SalesUnitWeight, undefined);
  });

  test('only variants whose SKU has no B1 item are created; a variant without SKU fails', () => {
    const p = product();
    p.variants.push({ id: 'gid://shopify/ProductVariant/2', title: 'Red', sku: 'A100', price: '1.00' });
    p.variants.push({ id: 'gid://shopify/ProductVariant/3', title: 'Green', sku: null, price: '1.00' });
    const out = variantsMissingInB1(p, new Set(['A100']), config());
    assert.deepEqual(
      out.map((o) => o.variantId),
      ['gid://shopify/ProductVariant/1', 'gid://shopify/ProductVariant/3'],
    );
    assert.equal(out[0]!.result.ok, true);
    assert.deepEqual(errors(out[1]!.result), [
      { field: 'variants.sku', reason: 'variant gid://shopify/ProductVariant/3 has no SKU, so it cannot become a B1 item' },
    ]);
  });

  test('an over-long SKU or title fails with the B1 limit', () => {
    const p = product();
    p.variants[0] = { ...p.variants[0]!, sku: 'S'.repeat(51) };
    p.title = 'T'.repeat(101);
    const errs = errors(mapVariantToItem(p, p.variants[0], config()));
    assert.deepEqual(
      errs.map((e) => e.field),
      ['variants.sku', 'title'],
    );
    assert.match(errs[0]!.reason, /ItemCode would be 51 characters, B1 allows 50/);
  });
});
