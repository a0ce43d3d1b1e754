import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFor, rawGraphQL, startSim } from './helpers';
import { DEFAULT_ORDER_READ_SIZES, orderRequestCost } from '../../src/connectors/shopify/order-cost';
import * as D from '../../src/connectors/shopify/documents';
import type { GqlDocument } from '../../src/connectors/shopify/gql';
import { PLANS } from '../../src/sim/shopify';

/**
 * Requested cost of every operation the hub sends, at the client's default sizes, as the
 * simulator computes it. Each must fit the 1000-point single-query limit so the default path
 * never needs MAX_COST_EXCEEDED halving; the table is printed as test diagnostics.
 */
test('the hub operations fit the single-query limit at default sizes; cost table per plan', async (t) => {
  const sim = await startSim({ seed: { customers: 30, orders: 10, skus: ['C-1', 'C-2'] }, plan: 'plus' });
  try {
    const client = clientFor(sim);
    await client.ensureCustomIdDefinitions();
    const up = await client.upsertProduct({
      customId: 'COST-1',
      title: 'Cost',
      sku: 'C-9',
      price: '1.00',
      tracked: true,
      taxable: true,
      status: 'ACTIVE',
    });
    assert.ok(up.ok);
    const locs = await client.locations();
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `gid://shopify/${prefix}/${i + 1}`);
    const row = { inventoryItemId: up.value.inventoryItemId, locationId: locs[0]!.id, quantity: 1, changeFromQuantity: null };
    const productSet = client.productSetVariables(
      {
        customId: 'COST-1',
        title: 'Cost',
        sku: 'C-9',
        price: '1.00',
        tracked: true,
        taxable: true,
        status: 'ACTIVE',
        weight: { value: 1, unit: 'KILOGRAMS' },
      },
      up.value.variantId,
    );
    const cases: [string, GqlDocument, Record<string, unknown>, string][] = [
      ['locations page (100)', D.LOCATIONS_PAGE, { first: 100 }, 'page'],
      ['customers page (50 × 10 addresses)', D.CUSTOMERS_PAGE, { first: 50, addressesFirst: 10 }, 'page'],
      ['customers by ids (25 × 10 addresses)', D.CUSTOMERS_BY_IDS, { ids: ids('Customer', 25), addressesFirst: 10 }, 'batch'],
      [
        'orders page (11 × 5 lines, 1 shipping, 2 FOs)',
        D.ORDERS_PAGE,
        { first: 11, lineItemsFirst: 5, shippingLinesFirst: 1, fulfillmentOrdersFirst: 2 },
        'page',
      ],
      [
        'orders by ids (11 × 5 lines, 1 shipping, 2 FOs)',
        D.ORDERS_BY_IDS,
        { ids: ids('Order', 11), lineItemsFirst: 5, shippingLinesFirst: 1, fulfillmentOrdersFirst: 2 },
        'batch',
      ],
      ['order shipping lines page (10)', D.ORDER_SHIPPING_LINES_PAGE, { id: 'gid://shopify/Order/1', first: 10 }, 'page'],
      [
        'order line locations (3 orders × 5 FOs × 27 lines)',
        D.ORDER_LINE_LOCATIONS,
        { ids: ids('Order', 3), fulfillmentOrdersFirst: 5, linesFirst: 27 },
        'batch',
      ],
      ['order line items page (50)', D.ORDER_LINE_ITEMS_PAGE, { id: 'gid://shopify/Order/1', first: 50 }, 'page'],
      ['variants by SKU (100)', D.VARIANTS_SEARCH, { first: 100, query: "sku:'C-1'" }, 'page'],
      [
        'inventory levels (100 items × 2 locations)',
        D.INVENTORY_LEVELS_BY_ITEMS,
        { ids: ids('InventoryItem', 100), levelsFirst: 2 },
        'batch',
      ],
      [
        'products page (20 × 10 variants)',
        D.PRODUCTS_PAGE,
        { first: 20, variantsFirst: 10, idNamespace: 'b1hub', idKey: 'item_code' },
        'page',
      ],
      [
        'product by custom id (2 variants)',
        D.PRODUCT_BY_CUSTOM_ID,
        { identifier: { customId: { namespace: 'b1hub', key: 'item_code', value: 'COST-1' } }, variantsFirst: 2 },
        'lookup',
      ],
      [
        'customer by custom id',
        D.CUSTOMER_BY_IDENTIFIER,
        { identifier: { customId: { namespace: 'b1hub', key: 'card_code', value: 'X' } }, addressesFirst: 10 },
        'lookup',
      ],
      ['productSet (1 variant, 1 metafield)', D.PRODUCT_SET, productSet, 'write'],
      [
        'inventorySetQuantities (250 rows)',
        D.INVENTORY_SET_QUANTITIES,
        {
          input: { name: 'available', reason: 'correction', quantities: Array.from({ length: 250 }, () => row) },
          idempotencyKey: 'cost-probe',
        },
        'write',
      ],
      ['inventoryActivate', D.INVENTORY_ACTIVATE, { inventoryItemId: row.inventoryItemId, locationId: row.locationId }, 'write'],
      [
        'metafieldsSet (25)',
        D.METAFIELDS_SET,
        {
          metafields: Array.from({ length: 25 }, (_, i) => ({
            ownerId: up.value.productId,
            namespace: 'b1hub',
            key: `k${i}`,
            type: 'single_line_text_field',
            value: 'v',
          })),
        },
        'write',
      ],
      [
        'metafield definition lookup',
        D.METAFIELD_DEFINITION_LOOKUP,
        { ownerType: 'PRODUCT', namespace: 'b1hub', key: 'item_code' },
        'lookup',
      ],
      ['bulk operation status', D.BULK_OPERATION_STATUS, { id: 'gid://shopify/BulkOperation/1' }, 'lookup'],
      ['bulkOperationRunQuery', D.BULK_RUN_QUERY, { query: D.BULK_EXPORT_PRODUCTS.text }, 'write'],
      [
        'stagedUploadsCreate',
        D.STAGED_UPLOADS_CREATE,
        { input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: 'v.jsonl', mimeType: 'text/jsonl', httpMethod: 'POST' }] },
        'write',
      ],
    ];
    const costs = new Map<string, number>();
    for (const [label, doc, vars] of cases) {
      const r = await client.executor.call(doc, vars, { idempotent: true });
      const requested = r.cost?.requestedQueryCost;
      assert.ok(typeof requested === 'number', label);
      assert.ok(requested <= 1000, `${label} costs ${requested}`);
      costs.set(label, requested);
      t.diagnostic(`${label.padEnd(45)} requested ${String(requested).padStart(4)}  actual ${r.cost?.actualQueryCost}`);
    }
    assert.equal(costs.get('inventorySetQuantities (250 rows)'), 10);
    assert.equal(costs.get('productSet (1 variant, 1 metafield)'), 11);
    const upsertCost = (costs.get('productSet (1 variant, 1 metafield)') ?? 0) + (costs.get('product by custom id (2 variants)') ?? 0);
    for (const [name, p] of Object.entries(PLANS)) {
      t.diagnostic(
        `${name.padEnd(10)} ${p.restoreRate} pts/s: inventory ${Math.floor((p.restoreRate / 10) * 250)} rows/s; productSet ${(p.restoreRate / 11).toFixed(1)} items/s (${(p.restoreRate / upsertCost).toFixed(1)} with the by-custom-id read)`,
      );
    }
  } finally {
    await sim.close();
  }
});

/**
 * Shopify's cost rules as the reference states them (scalars 0, objects 1, connections
 * 2 + first × node cost; the actual cost counts what was really returned, the rest is refunded).
 */
test('actual cost: a connection counts each returned node with its own selection, not its costliest node times the count', async () => {
  const sim = await startSim({ seed: { customers: 1, orders: 0, skus: ['K-1', 'K-2', 'K-3'] }, plan: 'plus' });
  try {
    sim.createOrder({ customerId: null, lines: [{ sku: 'K-1', quantity: 1 }] });
    sim.createOrder({ customerId: null, lines: ['K-1', 'K-2', 'K-3'].map((sku) => ({ sku, quantity: 1 })) });
    const r = await rawGraphQL(sim, '{ orders(first: 2) { nodes { id lineItems(first: 10) { nodes { id } } } } }');
    assert.equal(r.body.data.orders.nodes.length, 2);
    // Requested: 2 + 2 × (order 1 + lineItems 2 + 10 × 1) = 28.
    assert.equal(r.body.extensions.cost.requestedQueryCost, 28);
    // Actual: 2 + (1 + 2 + 1 line) + (1 + 2 + 3 lines) = 12.
    assert.equal(r.body.extensions.cost.actualQueryCost, 12);
  } finally {
    await sim.close();
  }
});

test('the client prices an order read exactly as Shopify does (requested cost), for any page sizes', async () => {
  const sim = await startSim({ seed: { customers: 1, orders: 0, skus: [] }, plan: 'plus' });
  try {
    const client = clientFor(sim);
    for (const sizes of [
      DEFAULT_ORDER_READ_SIZES,
      { lineItemsFirst: 1, shippingLinesFirst: 3, fulfillmentOrdersFirst: 1 },
      { lineItemsFirst: 20, shippingLinesFirst: 2, fulfillmentOrdersFirst: 3 },
    ]) {
      const page = await client.executor.call(D.ORDERS_PAGE, { first: 2, ...sizes });
      assert.equal(page.cost?.requestedQueryCost, 2 + 2 * orderRequestCost(sizes), JSON.stringify(sizes));
      const byIds = await client.executor.call(D.ORDERS_BY_IDS, {
        ids: ['gid://shopify/Order/1', 'gid://shopify/Order/2', 'gid://shopify/Order/3'],
        ...sizes,
      });
      assert.equal(byIds.cost?.requestedQueryCost, 3 * orderRequestCost(sizes), JSON.stringify(sizes));
    }
  } finally {
    await sim.close();
  }
});
