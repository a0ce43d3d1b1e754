import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_MAPPING_CONFIG,
  MappingConfigError,
  parseMappingConfig,
  pipelineConfigProblems,
  validateMappingConfig,
  weightUnitMapFromMeasures,
} from '../../src/mapping/config';
import { baseConfigInput } from './fixtures';

function errorsOf(input: unknown): string[] {
  const v = validateMappingConfig(input);
  assert.equal(v.ok, false, 'expected the configuration to be rejected');
  return v.ok ? [] : v.errors;
}

describe('mapping config', () => {
  test('the demo configuration is valid and fills defaults', () => {
    assert.equal(DEMO_MAPPING_CONFIG.inventory.formula, 'inStockMinusCommitted');
    assert.equal(DEMO_MAPPING_CONFIG.product.identifier.namespace, 'b1hub');
    assert.equal(DEMO_MAPPING_CONFIG.product.identifier.key, 'item_code');
    assert.deepEqual(DEMO_MAPPING_CONFIG.order.financialStatuses, ['AUTHORIZED', 'PAID']);
    assert.equal(DEMO_MAPPING_CONFIG.order.includeTestOrders, false);
  });

  test('minimal input gets every default', () => {
    const c = parseMappingConfig(baseConfigInput());
    assert.equal(c.customer.linkByEmail, true);
    assert.equal(c.product.allowZeroPrice, false);
    assert.equal(c.product.inactiveStatus, 'DRAFT');
    assert.equal(c.inventory.compareQuantity, false);
    assert.equal(c.order.dueDays, 0);
  });

  test('a missing required setting names its key', () => {
    const input = baseConfigInput() as unknown as Record<string, Record<string, unknown>>;
    delete input.customer!.guestCardCode;
    const errs = errorsOf(input);
    assert.ok(
      errs.some((e) => e.startsWith('customer.guestCardCode: required setting is missing')),
      errs.join('\n'),
    );
  });

  test('a bad time zone names order.timeZone and the value', () => {
    const input = baseConfigInput();
    input.order.timeZone = 'Europe/Atlantis';
    const errs = errorsOf(input);
    assert.deepEqual(errs, ["order.timeZone: 'Europe/Atlantis' is not an IANA time zone (e.g. America/New_York)"]);
  });

  test('a misspelt key is reported as unknown, not ignored', () => {
    const input = { ...baseConfigInput(), order: { ...baseConfigInput().order, finacialStatuses: ['PAID'] } };
    const errs = errorsOf(input);
    assert.deepEqual(errs, ['order.finacialStatuses: unknown setting']);
  });

  test('a CardCode prefix that cannot fit 13-digit ids is refused with the reason', () => {
    const input = baseConfigInput();
    input.customer.cardCode = { mode: 'prefix', prefix: 'SHOP' };
    const errs = errorsOf(input);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^customer\.cardCode\.prefix: at most 2 characters/);
  });

  test('weight unit keys must be B1 unit codes and values Shopify units', () => {
    const input = baseConfigInput();
    input.product!.weightUnits = { kg: 'KILOGRAMS' };
    assert.deepEqual(errorsOf(input), ['product.weightUnits.kg: keys must be B1 WeightMeasures UnitCode numbers']);
    input.product!.weightUnits = { '3': 'TONNES' as 'GRAMS' };
    const errs = errorsOf(input);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^product\.weightUnits\["3"\]: /);
  });

  test('a warehouse feeding two locations is refused (stock would count twice)', () => {
    const input = baseConfigInput();
    input.locations = [
      { locationId: 'gid://shopify/Location/10', warehouses: ['01', '02'] },
      { locationId: 'gid://shopify/Location/20', warehouses: ['02'] },
    ];
    assert.deepEqual(errorsOf(input), [
      "locations[1].warehouses[0]: warehouse '02' already feeds locations[0]; one warehouse may feed only one location",
    ]);
  });

  test('orderWarehouse must be one of the location warehouses; locations must be GIDs; codes fit B1', () => {
    const input = baseConfigInput();
    input.locations = [
      { locationId: 'gid://shopify/Location/10', warehouses: ['01'], orderWarehouse: '02' },
      { locationId: 'gid://shopify/Location/10', warehouses: ['03'] },
    ];
    const errs = errorsOf(input);
    assert.ok(errs.includes("locations[0].orderWarehouse: '02' is not one of this location's warehouses (01)"), errs.join('\n'));
    assert.ok(
      errs.includes('locations[1].locationId: location gid://shopify/Location/10 is already mapped in locations[0]'),
      errs.join('\n'),
    );

    const bad = baseConfigInput();
    bad.locations = [{ locationId: '10', warehouses: ['WAREHOUSE-TOO-LONG'] }];
    const errs2 = errorsOf(bad);
    assert.ok(errs2.includes('locations[0].locationId: must be a Shopify Location GID like gid://shopify/Location/123'), errs2.join('\n'));
    assert.ok(errs2.includes('locations[0].warehouses[0]: B1 warehouse codes have at most 8 characters'), errs2.join('\n'));
  });

  test('tax modes: taxAsFreight needs its own expense code, taxCode needs an exempt code', () => {
    const input = baseConfigInput();
    input.order.tax = { mode: 'taxAsFreight', expenseCode: 1, lineTaxCode: 'EX' };
    assert.deepEqual(errorsOf(input), [
      'order.tax.expenseCode: must differ from order.freightExpenseCode, or tax and shipping merge into one freight line',
    ]);

    const input2 = baseConfigInput();
    input2.order.tax = { mode: 'taxCode', codeByRegion: { 'us-ny': 'NY' } } as never;
    const errs = errorsOf(input2);
    assert.ok(
      errs.some((e) => e.startsWith('order.tax.exemptTaxCode: required setting is missing')),
      errs.join('\n'),
    );
    assert.ok(errs.includes('order.tax.codeByRegion["us-ny"]: keys must be "CC" or "CC-PROVINCE"'), errs.join('\n'));
  });

  test('financial statuses must be Shopify enum values and not empty', () => {
    const input = baseConfigInput();
    input.order.financialStatuses = [];
    assert.deepEqual(errorsOf(input), ['order.financialStatuses: list at least one financial status']);
    input.order.financialStatuses = ['paid' as 'PAID'];
    const errs = errorsOf(input);
    assert.match(errs[0]!, /^order\.financialStatuses\[0\]: /);
  });

  test('parseMappingConfig throws a MappingConfigError listing every problem', () => {
    const input = baseConfigInput();
    input.order.timeZone = 'Nowhere';
    input.inventory = { formula: 'onHand' as 'inStock' };
    assert.throws(
      () => parseMappingConfig(input),
      (e: unknown) =>
        e instanceof MappingConfigError &&
        e.problems.length === 2 &&
        /order\.timeZone/.test(e.message) &&
        /inventory\.formula/.test(e.message),
    );
  });

  test('weight unit map derives from WeightMeasures by mass, leaving unknown units out', () => {
    const map = weightUnitMapFromMeasures([
      { UnitCode: 1, UnitWeightinmg: 1 }, // mg: no Shopify unit
      { UnitCode: 2, UnitWeightinmg: 1000 },
      { UnitCode: 3, UnitWeightinmg: 1_000_000 },
      { UnitCode: 4, UnitWeightinmg: 453_592.37 },
      { UnitCode: 5, UnitWeightinmg: 28_349.5 },
      { UnitCode: 6, UnitWeightinmg: 1_000_000_000 }, // tonne
      { UnitCode: 7, UnitWeightinmg: null },
    ]);
    assert.deepEqual(map, { '2': 'GRAMS', '3': 'KILOGRAMS', '4': 'POUNDS', '5': 'OUNCES' });
  });
});

describe('per-pipeline configuration checks', () => {
  test('inventory needs locations; orders need a warehouse source', () => {
    const input = baseConfigInput();
    input.locations = [];
    delete input.order.defaultWarehouse;
    const cfg = parseMappingConfig(input);
    assert.deepEqual(pipelineConfigProblems('inventory', cfg), [
      'locations: map at least one Shopify location to B1 warehouses to push inventory',
    ]);
    assert.deepEqual(pipelineConfigProblems('order', cfg), [
      'order.defaultWarehouse: set it (or map locations) so order lines have a warehouse',
    ]);
    assert.deepEqual(pipelineConfigProblems('customer', cfg), []);
    assert.deepEqual(pipelineConfigProblems('inventory', DEMO_MAPPING_CONFIG), []);
    assert.deepEqual(pipelineConfigProblems('order', DEMO_MAPPING_CONFIG), []);
  });
});
