import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { B1BusinessRuleError, HUB_UDFS, RESTART_MESSAGE, ensureUserFields, checkUserFields } from '../../src/connectors/b1';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, startSim } from './helpers';

describe('B1 user-defined fields via UserFieldsMD', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startSim({ seed: { items: 2, customers: 1 } });
  });
  after(() => sim.close());

  test('the demo company already has the hub fields: nothing to create, no restart', async () => {
    const c = clientFor(sim.url);
    const r = await ensureUserFields(c);
    assert.equal(r.existing.length, HUB_UDFS.length);
    assert.deepEqual(r.created, []);
    assert.equal(r.restartRequired, false);
  });

  test('missing fields are created with a restart message; then they work as U_ properties', async () => {
    const c = clientFor(sim.url);
    const spec = [
      { table: 'RDR1', name: 'ShopifyLineRef', description: 'Shopify line item id', size: 50 },
      { table: 'OCRD', name: 'ShopifyTags', description: 'Tags', type: 'db_Memo' as const },
    ];
    const check = await checkUserFields(c, spec);
    assert.equal(check.missing.length, 2);
    const r = await ensureUserFields(c, spec);
    assert.equal(r.created.length, 2);
    assert.equal(r.restartRequired, true);
    assert.equal(r.message, RESTART_MESSAGE);
    const md = await c.list('UserFieldsMD', { filter: "TableName eq 'RDR1' and Name eq 'ShopifyLineRef'" });
    assert.equal(md[0]?.Type, 'db_Alpha');
    assert.equal(md[0]?.EditSize, 50);
    assert.equal(typeof md[0]?.FieldID, 'number');

    await c.patchBusinessPartner('C00001', { U_ShopifyTags: 'vip, wholesale' });
    const bps = await c.list('BusinessPartners', { select: ['CardCode', 'U_ShopifyTags'], filter: "U_ShopifyTags eq 'vip, wholesale'" });
    assert.deepEqual(
      bps.map((b) => b.CardCode),
      ['C00001'],
    );
    const o = await c.createOrder({
      CardCode: 'C00001',
      DocDueDate: '2026-08-01',
      DocumentLines: [{ ItemCode: 'A00001', Quantity: 1, U_ShopifyLineRef: 'gid://shopify/LineItem/5' } as never],
    });
    assert.equal((o.DocumentLines?.[0] as Record<string, unknown>).U_ShopifyLineRef, 'gid://shopify/LineItem/5');
  });

  test('UDF values are validated: size and valid values', async () => {
    const c = clientFor(sim.url);
    await assert.rejects(c.patchItem('A00001', { U_ShopifySync: 'X' }), B1BusinessRuleError);
    await assert.rejects(
      c.patchItem('A00001', { U_ShopifyId: 'x'.repeat(51) }),
      (e: unknown) => e instanceof B1BusinessRuleError && e.context.field === 'U_ShopifyId',
    );
    await assert.rejects(c.create('UserFieldsMD', { TableName: 'OITM', Name: 'ShopifySync', Description: 'dup' }), B1BusinessRuleError);
  });

  test('the product sync fields: variant id and a 64-character hash, written in one PATCH with the id', async () => {
    const c = clientFor(sim.url);
    const hash = 'v1:'.padEnd(64, 'f');
    await c.patchItem('A00002', {
      U_ShopifyId: 'gid://shopify/Product/7',
      U_ShopifyVariantId: 'gid://shopify/ProductVariant/8',
      U_ShopifyHash: hash,
    });
    const [it] = await c.list('Items', {
      select: ['ItemCode', 'U_ShopifyId', 'U_ShopifyVariantId', 'U_ShopifyHash'],
      filter: "ItemCode eq 'A00002'",
    });
    assert.deepEqual(it, {
      ItemCode: 'A00002',
      U_ShopifyId: 'gid://shopify/Product/7',
      U_ShopifyVariantId: 'gid://shopify/ProductVariant/8',
      U_ShopifyHash: hash,
    });
    await assert.rejects(
      c.patchItem('A00002', { U_ShopifyHash: `${hash}0` }),
      (e: unknown) => e instanceof B1BusinessRuleError && e.context.field === 'U_ShopifyHash',
    );
  });
});
