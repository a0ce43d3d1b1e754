/** The pure Shopify fulfillment → B1 delivery mapping (direction shopifyToB1). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryFromFulfillment, type SalesOrderIn } from '../../src/mapping/delivery';
import { DEMO_MAPPING_CONFIG, parseMappingConfig, validateMappingConfig } from '../../src/mapping/config';

const LI = (n: number): string => `gid://shopify/LineItem/${n}`;
const so: SalesOrderIn = {
  DocEntry: 40,
  CardCode: 'C1',
  lines: [
    { LineNum: 0, ItemCode: 'A1', open: 2, shopifyLineId: LI(1) },
    { LineNum: 1, ItemCode: 'A2', open: 1 },
    { LineNum: 2, ItemCode: 'A2', open: 3 },
  ],
};
const sku = (id: string): string | null => ({ [LI(1)]: 'A1', [LI(2)]: 'A2' })[id] ?? null;

describe('deliveryFromFulfillment', () => {
  test('lines by stored id, SKU fallback across lines in LineNum order, tracking and the fulfillment id carried', () => {
    const r = deliveryFromFulfillment(
      { id: 'gid://shopify/Fulfillment/9', trackingNumber: 'T', lines: { [LI(1)]: 2, [LI(2)]: 2 } },
      so,
      sku,
    );
    assert.ok(r.ok);
    assert.deepEqual(r.body, {
      CardCode: 'C1',
      TrackingNumber: 'T',
      U_ShopifyFulfillId: 'gid://shopify/Fulfillment/9',
      DocumentLines: [
        { BaseType: 17, BaseEntry: 40, BaseLine: 0, Quantity: 2 },
        { BaseType: 17, BaseEntry: 40, BaseLine: 1, Quantity: 1 },
        { BaseType: 17, BaseEntry: 40, BaseLine: 2, Quantity: 1 },
      ],
    });
  });

  test('a fulfilled unit no open line can take fails, naming the line item', () => {
    const r = deliveryFromFulfillment(
      { id: 'gid://shopify/Fulfillment/9', trackingNumber: null, lines: { [LI(1)]: 3, [LI(7)]: 1 } },
      so,
      sku,
    );
    assert.ok(!r.ok);
    assert.equal(r.issues[0]!.field, `fulfillmentLineItems[${LI(1)}]`);
    assert.match(r.issues[0]!.reason, /1 of 3 fulfilled unit\(s\) of line item .*\/1 \(A1\) match no open line of sales order 40/);
    assert.equal(r.issues.length, 2);
  });

  test('one direction per shop, B1 → Shopify by default', () => {
    assert.equal(parseMappingConfig(DEMO_MAPPING_CONFIG).fulfillment.direction, 'b1ToShopify');
    assert.ok(!validateMappingConfig({ ...DEMO_MAPPING_CONFIG, fulfillment: { direction: 'both' } }).ok);
  });
});
