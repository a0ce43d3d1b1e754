/**
 * Prefix mode: a customer page creates its new partners through `$batch` (batch-create.ts).
 * Each record keeps its own result and error; exactly once still holds when a concurrent writer
 * links or creates one of them between the lookup and the batch, and when the batch's answer is
 * lost. The interleavings are forced through hooks on the B1 client, not timing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { B1Client } from '../../src/connectors/b1/client';
import { customerPipeline } from '../../src/pipelines/customer';
import { CREATE_LANES } from '../../src/pipelines/customer/batch-create';
import type { PipelineDeps } from '../../src/pipelines/contract';
import type { B1BusinessPartnerCreate } from '../../src/mapping/types';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';
import { partnersByShopifyId } from './support-shopify-to-b1';

describe('customer pipeline: new partners created through $batch', () => {
  let fx: HubFixture;
  let seq = 0;
  const gid = (c: { id: number }) => `gid://shopify/Customer/${c.id}`;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 0, shopifyOrders: 0, b1Customers: 3 });
  });
  after(async () => {
    await fx?.close();
  });

  /** `n` new Shopify customers, fetched and mapped as a customer page would be. */
  async function newPage(n: number, tag: string, deps: PipelineDeps = fx.deps) {
    const ids = Array.from({ length: n }, (_, i) =>
      gid(fx.shopifySim.createCustomer({ firstName: `Batch${i}`, lastName: tag, email: `batch${i}.${tag}@example.com` })),
    );
    const page = await customerPipeline.fetch(deps, { object: 'customer', syncId: 'read', mode: 'ids', ids, pageIndex: 0 });
    const mapped = await customerPipeline.map(deps, { object: 'customer', syncId: 'read', records: page.records });
    const records = mapped.map((m) => {
      assert.ok(m.ok, JSON.stringify(m));
      return { id: m.id, label: m.id, payload: m.payload as B1BusinessPartnerCreate };
    });
    return { ids, input: { object: 'customer' as const, syncId: `batch-${++seq}`, pageIndex: 0, records } };
  }

  const requests = (from: number, re: RegExp) => fx.b1Sim.faults.log.slice(from).filter((l) => re.test(l)).length;

  test('a page of new customers: each created once, in a few $batch requests, a refused one fails alone naming the owner', async () => {
    const { ids, input } = await newPage(9, 'plain');
    // The code one customer wants is held by a partner of another Shopify customer.
    const taken = input.records[4]!.payload.CardCode!;
    await fx.deps.b1.createBusinessPartner({
      CardCode: taken,
      CardName: 'Someone else',
      CardType: 'cCustomer',
      U_ShopifyId: 'gid://shopify/Customer/777',
    });
    const from = fx.b1Sim.faults.log.length;
    const out = await customerPipeline.post(fx.deps, input);
    assert.deepEqual(
      out.map((o) => o.outcome),
      ['created', 'created', 'created', 'created', 'failed', 'created', 'created', 'created', 'created'],
    );
    assert.match(out[4]!.reason ?? '', new RegExp(`${taken}.*Customer/777`));
    for (const [i, id] of ids.entries()) assert.equal(partnersByShopifyId(fx, id).length, i === 4 ? 0 : 1, `partners of customer ${i}`);
    assert.equal(requests(from, /^POST \/b1s\/v1\/BusinessPartners/), 0, 'no single creates');
    // One per lane, plus one re-sending the parts after the refused one (the Service Layer stops there).
    assert.ok(requests(from, /^POST \/b1s\/v1\/\$batch/) <= CREATE_LANES + 1);
    // Lookups (by id, by e-mail), the re-check, the batches, the refused one's re-read: about one
    // request per customer at most on a page this small, where single creates took two each.
    assert.ok(fx.b1Sim.faults.log.length - from <= 10, fx.b1Sim.faults.log.slice(from).join('\n'));
    const again = await customerPipeline.post(fx.deps, { ...input, syncId: `batch-${++seq}` });
    assert.deepEqual(
      again.map((o) => o.outcome),
      ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'failed', 'unchanged', 'unchanged', 'unchanged', 'unchanged'],
    );
  });

  /** The same client with a hook run once, right before the page's create batch is sent. */
  function beforeBatch(hook: () => Promise<void>): B1Client {
    const b1 = fx.deps.b1;
    const o = Object.create(b1) as B1Client;
    let done = false;
    o.batchEach = async (ops, opts) => {
      if (!done && ops.some((op) => op.method === 'POST' && op.path === 'BusinessPartners')) {
        done = true;
        await hook();
      }
      return b1.batchEach.call(o, ops, opts);
    };
    return o;
  }

  /** The same client with a hook run once, right before the page's second read by U_ShopifyId (the re-check). */
  function beforeRecheck(hook: () => Promise<void>): B1Client {
    const b1 = fx.deps.b1;
    const o = Object.create(b1) as B1Client;
    let reads = 0;
    o.list = (async (set: string, q: { filter?: string }, po?: unknown) => {
      if (set === 'BusinessPartners' && /U_ShopifyId eq/.test(q.filter ?? '') && ++reads === 2) await hook();
      return (b1.list as (...a: unknown[]) => Promise<unknown>).call(o, set, q, po);
    }) as B1Client['list'];
    return o;
  }

  test('a concurrent writer creates one of them between the re-check and the batch: its part is refused, the partner is used, one partner', async () => {
    const { ids, input } = await newPage(3, 'racecreate');
    const theirs = input.records[1]!.payload;
    const b1 = beforeBatch(async () => {
      await fx.deps.b1.createBusinessPartner({ ...theirs, CardName: 'Made by the order run' } as never);
    });
    const out = await customerPipeline.post({ ...fx.deps, b1 }, input);
    assert.deepEqual(
      out.map((o) => o.outcome),
      ['created', 'updated', 'created'],
      JSON.stringify(out),
    );
    for (const id of ids) assert.equal(partnersByShopifyId(fx, id).length, 1);
    assert.equal(partnersByShopifyId(fx, ids[1]!)[0]!.CardName, theirs.CardName, 'our data written over the other run’s');
  });

  test('a concurrent run links one of them by e-mail between the lookup and the re-check: that partner is used, not a second one created', async () => {
    const { ids, input } = await newPage(3, 'racelink');
    const b1 = beforeRecheck(async () => {
      // The order run linked an existing B1 partner (another code) to customer 0.
      await fx.deps.b1.patchBusinessPartner('C00002', { U_ShopifyId: ids[0]! });
    });
    const out = await customerPipeline.post({ ...fx.deps, b1 }, input);
    assert.notEqual(out[0]!.outcome, 'failed', JSON.stringify(out[0]));
    assert.equal(out[0]!.targetId, 'C00002');
    assert.deepEqual(
      partnersByShopifyId(fx, ids[0]!).map((p) => p.CardCode),
      ['C00002'],
      'one partner: the linked one',
    );
    assert.deepEqual(
      out.slice(1).map((o) => o.outcome),
      ['created', 'created'],
    );
  });

  test('the batch’s answer is lost after it committed: the retried page creates nothing more and counts them created', async () => {
    const { ids, input } = await newPage(6, 'lost');
    fx.b1Sim.faults.failNext({ kind: '502', match: /^POST \/b1s\/v1\/\$batch/, when: 'after' });
    await assert.rejects(customerPipeline.post(fx.deps, input));
    const out = await customerPipeline.post(fx.deps, input);
    assert.deepEqual(
      out.map((o) => o.outcome),
      Array(6).fill('created'),
    );
    for (const id of ids) assert.equal(partnersByShopifyId(fx, id).length, 1);
  });
});
