/** Which run a delivery asks for (pure): the record is re-read by the run, the payload only names it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { actionFor } from '../../src/webhooks/topics';

describe('webhook topics → actions', () => {
  test('products/create and products/update hint the Shopify → B1 object with the product GID', () => {
    const body = {
      id: 8123,
      admin_graphql_api_id: 'gid://shopify/Product/8123',
      variants: [{ id: 1, admin_graphql_api_id: 'gid://shopify/ProductVariant/1' }],
    };
    for (const topic of ['products/create', 'products/update']) {
      // The product, not the payload's variants: the run re-reads every variant it has now.
      assert.deepEqual(actionFor(topic, body), { kind: 'ids', object: 'shopify-product', ids: ['gid://shopify/Product/8123'] });
    }
    assert.deepEqual(
      actionFor('products/update', { id: 77 }),
      { kind: 'ids', object: 'shopify-product', ids: ['gid://shopify/Product/77'] },
      'the numeric id when the GID is absent',
    );
    assert.equal(actionFor('products/create', { title: 'no id' }), null, 'no id: 400, not a run of everything');
    assert.equal(
      actionFor('products/update', { admin_graphql_api_id: 'gid://shopify/Order/5' }),
      null,
      'a GID of another type names no product',
    );
  });

  test('orders and customers keep their objects', () => {
    assert.deepEqual(actionFor('orders/paid', { id: 5 }), { kind: 'ids', object: 'order', ids: ['gid://shopify/Order/5'] });
    assert.deepEqual(actionFor('customers/update', { id: 6 }), { kind: 'ids', object: 'customer', ids: ['gid://shopify/Customer/6'] });
  });
});
