/**
 * Checks the mapping layer's payloads and read shapes against the real API definitions:
 * Shopify's Admin 2026-07 introspection schema (provisioned into .cache/shopify by
 * scripts/provision-shopify-schema.sh) and SAP's Service Layer $metadata (as generated into
 * src/connectors/b1/metadata/generated.ts). A misspelt field, a wrong enum value or a read-only
 * B1 property in a payload fails here instead of in production.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, coerceInputValue, parse, validate, type GraphQLInputType, type GraphQLSchema, isInputType } from 'graphql';
import { B1_ENUMS, B1_TYPES } from '../../src/connectors/b1/metadata/generated';
import { mapCustomerToBusinessPartner } from '../../src/mapping/customer';
import { diffInventory, inventoryIdempotencyKey, inventorySetInput, levelKey } from '../../src/mapping/inventory';
import { decideOrderUpdate, mapOrderToSalesOrder } from '../../src/mapping/order';
import { mapItemToProductSet, mapVariantToItem } from '../../src/mapping/product';
import { config, customer, line, order } from './fixtures';

const SCHEMA_FILE = join(__dirname, '..', '..', '.cache', 'shopify', 'admin_2026-07.json.gz');

/** Problems with `value` against the named B1 type: unknown or read-only properties, bad enum names. */
function b1Problems(typeName: string, value: unknown, path = typeName): string[] {
  const type = B1_TYPES[typeName];
  if (!type) return [`${path}: unknown B1 type ${typeName}`];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('U_')) continue; // user-defined fields the hub installs
    const prop = type.props.find((p) => p[0] === key);
    if (!prop) {
      out.push(`${path}.${key}: not a property of ${typeName}`);
      continue;
    }
    const [, t, flags] = prop;
    if (flags & 2) out.push(`${path}.${key}: read-only in $metadata`);
    const coll = /^Collection\(SAPB1\.(\w+)\)$/.exec(t);
    const complex = /^SAPB1\.(\w+)$/.exec(t);
    if (coll) {
      if (!Array.isArray(v)) out.push(`${path}.${key}: expected a collection`);
      else v.forEach((row, i) => out.push(...b1Problems(coll[1]!, row, `${path}.${key}[${i}]`)));
    } else if (complex && B1_TYPES[complex[1]!]) {
      out.push(...b1Problems(complex[1]!, v, `${path}.${key}`));
    } else if (complex) {
      const members = (B1_ENUMS as Record<string, readonly (readonly [string, string])[]>)[complex[1]!];
      if (!members) out.push(`${path}.${key}: unknown type ${t}`);
      else if (!members.some(([name]) => name === v)) out.push(`${path}.${key}: '${String(v)}' is not a ${complex[1]} member`);
    } else if (t === 'Edm.String' && typeof v !== 'string') out.push(`${path}.${key}: expected a string`);
    else if ((t === 'Edm.Int32' && !Number.isInteger(v)) || (t === 'Edm.Double' && typeof v !== 'number'))
      out.push(`${path}.${key}: expected ${t}`);
    else if (t === 'Edm.DateTime' && !(typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)))
      out.push(`${path}.${key}: expected a YYYY-MM-DD date`);
  }
  return out;
}

function ok<T>(r: { ok: true; value: T } | { ok: false; errors: unknown }): T {
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.value;
}

describe('B1 payloads match the Service Layer $metadata', () => {
  const cfg = config((c) => (c.order.tax = { mode: 'taxAsFreight', expenseCode: 2, lineTaxCode: 'EX' }));
  const skus = new Map([
    ['A100', 'A100'],
    ['B200', 'B200'],
  ]);

  test('the checker itself rejects unknown, read-only and badly typed properties', () => {
    assert.deepEqual(b1Problems('BusinessPartner', { CardNme: 'x', CurrentAccountBalance: 1, CardType: 'customer', GroupCode: 1.5 }), [
      'BusinessPartner.CardNme: not a property of BusinessPartner',
      'BusinessPartner.CurrentAccountBalance: read-only in $metadata',
      "BusinessPartner.CardType: 'customer' is not a BoCardTypes member",
      'BusinessPartner.GroupCode: expected Edm.Int32',
    ]);
  });

  test('BusinessPartners POST body', () => {
    assert.deepEqual(b1Problems('BusinessPartner', ok(mapCustomerToBusinessPartner(customer(), cfg))), []);
    assert.deepEqual(
      b1Problems(
        'BusinessPartner',
        ok(
          mapCustomerToBusinessPartner(
            customer(),
            config((c) => (c.customer.cardCode = { mode: 'series', series: 3 })),
          ),
        ),
      ),
      [],
    );
  });

  test('Items POST body', () => {
    const item = ok(
      mapVariantToItem(
        { id: 'gid://shopify/Product/1', title: 'Mug', variants: [] },
        {
          id: 'gid://shopify/ProductVariant/1',
          sku: 'MUG',
          barcode: '123',
          price: '3.50',
          inventoryItem: { tracked: true, measurement: { weight: { unit: 'KILOGRAMS', value: 1 } } },
        },
        cfg,
      ),
    );
    assert.equal(item.SalesWeightUnit, 3);
    assert.deepEqual(b1Problems('Item', item), []);
  });

  test('Orders POST body, including freight, tax-as-freight and address extension', () => {
    const doc = ok(mapOrderToSalesOrder(order(), cfg, { cardCode: 'C1', itemCodeBySku: skus }));
    assert.equal(doc.DocumentAdditionalExpenses?.length, 2);
    assert.deepEqual(b1Problems('Document', doc), []);
  });

  test('Orders PATCH body for quantity edits', () => {
    const d = decideOrderUpdate(
      {
        DocEntry: 1,
        DocumentStatus: 'bost_Open',
        Cancelled: 'tNO',
        DocumentLines: [
          { LineNum: 0, ItemCode: 'A100', Quantity: 2 },
          { LineNum: 1, ItemCode: 'B200', Quantity: 1 },
        ],
      },
      order({ lineItems: [line({ currentQuantity: 3 }), line({ id: 'gid://shopify/LineItem/2', sku: 'B200', currentQuantity: 0 })] }),
      cfg,
      { itemCodeBySku: skus },
    );
    assert.equal(d.action, 'patch');
    assert.deepEqual(b1Problems('Document', d.action === 'patch' ? d.patch : {}), []);
  });
});

describe('Shopify inputs and reads match the Admin API 2026-07 schema', () => {
  let schema: GraphQLSchema;
  before(() => {
    assert.ok(existsSync(SCHEMA_FILE), `${SCHEMA_FILE} is missing: run npm run provision`);
    const json = JSON.parse(gunzipSync(readFileSync(SCHEMA_FILE)).toString('utf8')) as { data: Parameters<typeof buildClientSchema>[0] };
    schema = buildClientSchema(json.data);
  });

  function inputType(name: string): GraphQLInputType {
    const t = schema.getType(name);
    assert.ok(t && isInputType(t), `${name} is not an input type`);
    return t;
  }

  function coerceErrors(value: unknown, typeName: string): string[] {
    const errs: string[] = [];
    coerceInputValue(value, inputType(typeName), (path, _invalid, error) => errs.push(`${path.join('.')}: ${error.message}`));
    return errs;
  }

  function documentErrors(source: string): string[] {
    return validate(schema, parse(source)).map((e) => e.message);
  }

  test('the coercion check itself rejects unknown fields and enum values', () => {
    assert.equal(coerceErrors({ title: 'x', stauts: 'ACTIVE' }, 'ProductSetInput').length, 1);
    assert.equal(coerceErrors({ title: 'x', status: 'LIVE' }, 'ProductSetInput').length, 1);
  });

  test('productSet input and identifier', () => {
    const item = { ItemCode: 'A100', ItemName: 'Widget', ItemPrices: [{ PriceList: 1, Price: 5 }], SalesUnitWeight: 2, SalesWeightUnit: 3 };
    const req = ok(mapItemToProductSet(item, config(), '2026-06-15'));
    assert.deepEqual(coerceErrors(req.input, 'ProductSetInput'), []);
    assert.deepEqual(coerceErrors(req.identifier, 'ProductSetIdentifiers'), []);
    assert.deepEqual(
      documentErrors(`mutation Push($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
        productSet(input: $input, identifier: $identifier, synchronous: true) {
          product { id variants(first: 1) { nodes { id inventoryItem { id } } } }
          userErrors { code field message } } }`),
      [],
    );
  });

  test('inventorySetQuantities input with an @idempotent key', () => {
    const L = 'gid://shopify/Location/10';
    const I = 'gid://shopify/InventoryItem/1';
    const d = diffInventory(
      [{ itemCode: 'A100', inventoryItemId: I, locationId: L, available: 4 }],
      new Map([[levelKey(I, L), 1]]),
      config(),
    );
    assert.deepEqual(coerceErrors(inventorySetInput(d.changes, config(), 'gid://b1hub/SyncRun/r1'), 'InventorySetQuantitiesInput'), []);
    assert.equal(typeof inventoryIdempotencyKey('r1', 0, d.changes), 'string');
    assert.deepEqual(
      documentErrors(`mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
        inventorySetQuantities(input: $input) @idempotent(key: $key) {
          inventoryAdjustmentGroup { id } userErrors { code field message } } }`),
      [],
    );
  });

  test('every Shopify field the mapping types read exists (customers, orders, products)', () => {
    const address = 'id firstName lastName company address1 address2 city zip province provinceCode country countryCodeV2 phone';
    const money = 'shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }';
    assert.deepEqual(
      documentErrors(`query {
        customers(first: 1) { nodes { id firstName lastName updatedAt
          defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber }
          defaultAddress { ${address} } addressesV2(first: 10) { nodes { ${address} } } } }
        orders(first: 1) { nodes { id name processedAt updatedAt cancelledAt test displayFinancialStatus currencyCode
          taxesIncluded currentTotalTaxSet { ${money} } currentSubtotalLineItemsQuantity customer { id } email
          shippingAddress { ${address} } billingAddress { ${address} } retailLocation { id }
          lineItems(first: 50) { nodes { id sku name quantity currentQuantity taxable isGiftCard
            originalUnitPriceSet { ${money} } discountedUnitPriceAfterAllDiscountsSet { ${money} }
            taxLines { title rate priceSet { ${money} } } } }
          shippingLines(first: 5, includeRemovals: true) { nodes { title code isRemoved
            originalPriceSet { ${money} } discountedPriceSet { ${money} } currentDiscountedPriceSet { ${money} }
            taxLines { priceSet { ${money} } } } }
          fulfillmentOrders(first: 5) { nodes { assignedLocation { location { id } } lineItems(first: 50) { nodes { lineItem { id } } } } } } }
        products(first: 1) { nodes { id title status variants(first: 10) { nodes { id title sku barcode price taxable
          inventoryItem { id tracked measurement { weight { unit value } } } } } } } }`),
      [],
    );
  });
});
