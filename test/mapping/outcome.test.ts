import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MappingError, formatIssues, recordLabel } from '../../src/mapping/errors';
import { deterministicUuid, fingerprint, stableStringify } from '../../src/mapping/fingerprint';
import { created, failed, failedMapping, skipped, unchanged, updated } from '../../src/mapping/outcome';
import { addCounts, countOutcomes, totalRecords } from '../../src/shared/sync-types';

describe('record outcomes', () => {
  test('helpers build each outcome kind with its own fields', () => {
    assert.deepEqual(created('customer', 'gid://shopify/Customer/1', 'C1'), {
      object: 'customer',
      sourceId: 'gid://shopify/Customer/1',
      outcome: 'created',
      targetId: 'C1',
    });
    assert.deepEqual(skipped('order', 'gid://shopify/Order/2', 'test-order'), {
      object: 'order',
      sourceId: 'gid://shopify/Order/2',
      outcome: 'skipped',
      rule: 'test-order',
    });
    assert.deepEqual(unchanged('product', 'A100'), { object: 'product', sourceId: 'A100', outcome: 'unchanged' });
    assert.deepEqual(failed('inventory', 'A100', 'no mapping', 'locations'), {
      object: 'inventory',
      sourceId: 'A100',
      outcome: 'failed',
      reason: 'no mapping',
      field: 'locations',
    });
  });

  test('a mapping failure becomes a failed outcome naming the record, every reason and the first field', () => {
    const issues = [
      { field: 'lineItems[1].sku', reason: "line 2 SKU 'X9' has no B1 item" },
      { field: 'shippingAddress.countryCodeV2', reason: "country 'ZZ' is not an ISO 3166-1 alpha-2 code Shopify or B1 know" },
    ];
    const o = failedMapping('order', 'gid://shopify/Order/5', recordLabel('order', 'gid://shopify/Order/5', '#1001'), issues);
    assert.equal(o.outcome, 'failed');
    assert.equal(o.field, 'lineItems[1].sku');
    assert.equal(
      o.reason,
      "order #1001 (gid://shopify/Order/5): line 2 SKU 'X9' has no B1 item; country 'ZZ' is not an ISO 3166-1 alpha-2 code Shopify or B1 know",
    );
    const e = new MappingError('order #1001 (gid://shopify/Order/5)', issues);
    assert.equal(e.message, o.reason);
    assert.equal(e.field, 'lineItems[1].sku');
    assert.equal(formatIssues('item A', []), 'item A: ');
  });

  test('counts add up per kind and in total', () => {
    const c = countOutcomes([
      created('customer', '1', 'C1'),
      updated('customer', '2', 'C2'),
      unchanged('customer', '3', 'C3'),
      skipped('customer', '4', 'r'),
      failed('customer', '5', 'x'),
      failed('customer', '6', 'y'),
    ]);
    assert.deepEqual(c, { created: 1, updated: 1, unchanged: 1, skipped: 1, failed: 2 });
    assert.equal(totalRecords(c), 6);
    const sum = addCounts(c, countOutcomes([created('customer', '7', 'C7')]));
    assert.deepEqual(sum, { created: 2, updated: 1, unchanged: 1, skipped: 1, failed: 2 });
    assert.equal(totalRecords(sum), 7);
  });
});

describe('fingerprints', () => {
  test('independent of key order, sensitive to values, arrays ordered', () => {
    assert.equal(stableStringify({ b: 1, a: { d: [1, 2], c: null } }), '{"a":{"c":null,"d":[1,2]},"b":1}');
    assert.equal(fingerprint({ a: 1, b: 2 }), fingerprint({ b: 2, a: 1 }));
    assert.notEqual(fingerprint({ a: 1 }), fingerprint({ a: 2 }));
    assert.notEqual(fingerprint([1, 2]), fingerprint([2, 1]));
    assert.equal(fingerprint({ a: 1, b: undefined }), fingerprint({ a: 1 }));
    assert.notEqual(fingerprint({ t: 'Café' }), fingerprint({ t: 'Cafe' }));
  });

  test('deterministic UUIDs are version 8 and spread', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20000; i++) {
      const u = deterministicUuid(`n${i}`);
      assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(u);
    }
    assert.equal(ids.size, 20000);
    assert.equal(deterministicUuid('x'), deterministicUuid('x'));
  });
});
