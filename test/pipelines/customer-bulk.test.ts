/**
 * Customer runs of several pages: past the first page they read from one bulk export instead of
 * per request, with the same records and watermark as paging, and post each page with batched
 * B1 lookups. Temporal dev server, the real sync-run workflow, both simulators over HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reassembleBulk, runBulkQuery } from '../../src/connectors/shopify/bulk';
import type { BulkOperationRec } from '../../src/sim/shopify/state';
import { customerPipeline } from '../../src/pipelines/customer';
import { lookupPartners, upsertBusinessPartner } from '../../src/pipelines/customer/upsert';
import { CREATE_LANES } from '../../src/pipelines/customer/batch-create';
import { bulkCustomersQuery, customerFromBulk } from '../../src/connectors/shopify/customers-bulk';
import type { B1BusinessPartnerCreate, ShopifyCustomer } from '../../src/mapping/types';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { b1Requests, b1Writes, gidNumber, partners, partnersByShopifyId, probeShopifyRequests } from './support-shopify-to-b1';

type Read = { ids: string[]; data: Map<string, ShopifyCustomer>; watermark?: string; cursors: string[] };

describe('customer pipeline: runs of several pages (bulk export, batched B1 lookups)', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  const ids: Record<string, string> = {};
  const gid = (c: { id: number }) => `gid://shopify/Customer/${c.id}`;
  const exports = (): BulkOperationRec[] => Object.values(fx.shopifySim.state.data.bulkOperations).filter((b) => b.type === 'QUERY');
  const shopTotal = () => Object.keys(fx.shopifySim.state.data.customers).length;

  /** Reads every page of a full or delta run through the pipeline's fetch, as the workflow does. */
  async function readAll(
    mode: 'full' | 'delta',
    since?: string,
    onPage?: (index: number, cursor: string | undefined) => Promise<string | undefined>,
  ): Promise<Read> {
    const out: Read = { ids: [], data: new Map(), cursors: [] };
    let cursor: string | undefined;
    for (let pageIndex = 0; pageIndex === 0 || cursor; pageIndex++) {
      const page = await customerPipeline.fetch(fx.deps, {
        object: 'customer',
        syncId: `read-${mode}`,
        mode,
        ...(since ? { since } : {}),
        ...(cursor ? { cursor } : {}),
        pageIndex,
      });
      for (const r of page.records) {
        out.ids.push(r.id);
        out.data.set(r.id, r.data);
      }
      if (page.watermark && (!out.watermark || Date.parse(page.watermark) > Date.parse(out.watermark))) out.watermark = page.watermark;
      cursor = page.nextCursor;
      if (cursor) out.cursors.push(cursor);
      if (onPage) cursor = await onPage(pageIndex, cursor);
    }
    return out;
  }

  async function refusingExports<T>(fn: () => Promise<T>): Promise<T> {
    const opts = fx.shopifySim.runtime.options;
    const limit = opts.bulkQueryConcurrency;
    opts.bulkQueryConcurrency = 0; // Shopify answers LIMIT_REACHED
    try {
      return await fn();
    } finally {
      opts.bulkQueryConcurrency = limit;
    }
  }

  async function completed(op: BulkOperationRec): Promise<void> {
    for (let i = 0; i < 200 && op.status !== 'COMPLETED'; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(op.status, 'COMPLETED');
  }

  function assertSameReads(bulk: Read, paged: Read): void {
    assert.equal(new Set(bulk.ids).size, bulk.ids.length, 'the bulk-read run delivers each customer once');
    assert.equal(new Set(paged.ids).size, paged.ids.length, 'the paged run delivers each customer once');
    assert.deepEqual([...bulk.ids].sort(), [...paged.ids].sort());
    for (const id of paged.ids) assert.deepEqual(bulk.data.get(id), paged.data.get(id), `same record for ${id}`);
    // Either way the watermark is the newest change in the shop when the first read began
    // (test/pipelines/customer-watermark.test.ts), not the newest updatedAt delivered.
    const newest = Object.values(fx.shopifySim.state.data.customers).reduce((m, c) => (c.updatedAt > m ? c.updatedAt : m), '');
    assert.equal(bulk.watermark, newest);
    assert.equal(paged.watermark, newest);
  }

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 24, shopifyOrders: 0, b1Customers: 3, plan: 'standard' });
    const sim = fx.shopifySim;
    const b1Mail = String(partners(fx).find((p) => p.CardCode === 'C00002')!.EmailAddress);
    // Seven customers changed in the same second, older than the rest: the first page of 4 ends
    // inside them, so the export (filtered at that second) holds some the first page delivered.
    const tied = '2026-01-05T10:00:00Z';
    const addresses = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ address1: `${i + 1} Tie Street`, city: 'Hamburg', zip: `2000${i}`, countryCode: 'DE' }));
    for (let i = 0; i < 7; i++) {
      const c = sim.createCustomer({
        firstName: 'Tie',
        lastName: `Number ${i}`,
        email: i === 0 ? b1Mail : `tie.${i}@example.com`,
        createdAt: tied,
        addresses: addresses(i === 1 ? 12 : 3),
      });
      ids[`tie${i}`] = gid(c);
    }
    // Same e-mail as the partner linked above: gets its own partner.
    ids.sameMail = gid(sim.createCustomer({ firstName: 'Second', lastName: 'Mail', email: b1Mail.toUpperCase(), addresses: addresses(1) }));
    worker = await fx.startWorker();
  });

  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('a bulk row and a per-request row are the same ShopifyCustomer (every field, addresses up to maxAddresses)', async () => {
    const addressesFirst = fx.deps.mapping.customer.maxAddresses;
    const { lines } = await runBulkQuery(fx.deps.shopify.executor, bulkCustomersQuery(null), { pollIntervalMs: 20 });
    const fromBulk = new Map(
      reassembleBulk(lines)
        .map((n) => customerFromBulk(n, addressesFirst))
        .map((c) => [c.id, c]),
    );
    const paged: ShopifyCustomer[] = [];
    for (let after: string | null = null, more = true; more;) {
      const p = await fx.deps.shopify.customersPage({ after, first: 50, addressesFirst });
      paged.push(...p.items);
      more = p.hasNextPage;
      after = p.endCursor ?? null;
    }
    assert.equal(fromBulk.size, paged.length);
    for (const c of paged) assert.deepEqual(fromBulk.get(c.id), c, c.id);
    assert.equal(
      fromBulk.get(ids.tie1!)?.addressesV2?.length,
      addressesFirst,
      'twelve addresses exported, cut to maxAddresses like the paged read',
    );
  });

  test('bulk-read and paged runs deliver the same customers and the same watermark (full and delta)', async () => {
    const pageSize = fx.deps.pageSizes.customer;
    fx.deps.pageSizes.customer = 4;
    try {
      const started = exports().length;
      const bulk = await readAll('full', undefined, async (i, cursor) => {
        // Let the export finish before page 1, so the later pages come from it.
        if (i === 0) await completed(exports().at(-1)!);
        return cursor;
      });
      assert.equal(exports().length, started + 1, 'one export for the run');
      assert.ok(
        bulk.cursors.length >= 7 && bulk.cursors.every((c) => c.startsWith('bulk:')),
        `pages past the first come from the export: ${bulk.cursors.length}`,
      );
      const paged = await refusingExports(() => readAll('full'));
      assert.equal(exports().length, started + 1, 'refused: no export');
      assert.ok(paged.cursors.every((c) => !c.startsWith('bulk:')));
      assertSameReads(bulk, paged);
      assert.equal(bulk.ids.length, shopTotal());

      // A delta from the middle of the seed: the export is filtered like the paged query.
      const since = fx.shopifySim.state.data.customers[gidNumber(paged.ids[12]!)]!.updatedAt;
      const deltaBulk = await readAll('delta', since);
      const deltaPaged = await refusingExports(() => readAll('delta', since));
      assertSameReads(deltaBulk, deltaPaged);
      assert.ok(deltaBulk.ids.length < bulk.ids.length && deltaBulk.ids.length > 8, `delta read ${deltaBulk.ids.length}`);
      assert.ok(deltaBulk.cursors.some((c) => c.startsWith('bulk:')));
    } finally {
      fx.deps.pageSizes.customer = pageSize;
    }
  });

  test('while the export runs, pages are read per request; once it is complete, from the export', async () => {
    const pageSize = fx.deps.pageSizes.customer;
    const opts = fx.shopifySim.runtime.options;
    const step = opts.bulkStepMs;
    fx.deps.pageSizes.customer = 4;
    opts.bulkStepMs = 500;
    const pageQueries = probeShopifyRequests(fx, 'query CustomersPage');
    try {
      let op: BulkOperationRec | undefined;
      let queriesWhenReady = -1;
      const read = await readAll('full', undefined, async (i, cursor) => {
        if (i === 0) op = exports().at(-1);
        if (i === 1) {
          assert.equal(pageQueries(), 2, 'page 1 was read per request while the export was pending');
          assert.notEqual(op!.status, 'COMPLETED');
          await completed(op!);
          queriesWhenReady = pageQueries();
        }
        return cursor;
      });
      assert.equal(pageQueries(), queriesWhenReady, 'no per-page customer query once the export is complete');
      assert.equal(new Set(read.ids).size, read.ids.length);
      assert.equal(read.ids.length, shopTotal());
    } finally {
      fx.shopifySim.faults.clear();
      opts.bulkStepMs = step;
      fx.deps.pageSizes.customer = pageSize;
    }
  });

  test('an export that is gone mid-run (expired, failed) is not trusted: paging resumes and delivers the rest once', async () => {
    const pageSize = fx.deps.pageSizes.customer;
    fx.deps.pageSizes.customer = 4;
    try {
      const expected = await refusingExports(() => readAll('full'));
      const read = await readAll('full', undefined, async (i, cursor) => {
        if (i === 0) await completed(exports().at(-1)!);
        // After two pages from the export, its id stops resolving (e.g. expired, another shop).
        if (i !== 2 || !cursor) return cursor;
        const c = JSON.parse(cursor.slice('bulk:'.length)) as { op: string };
        return `bulk:${JSON.stringify({ ...c, op: 'gid://shopify/BulkOperation/424242' })}`;
      });
      assertSameReads(read, expected);
    } finally {
      fx.deps.pageSizes.customer = pageSize;
    }
  });

  test('a full run of several pages reads past its first page from the export: every customer once, one partner each', async () => {
    const pageSize = fx.deps.pageSizes.customer;
    fx.deps.pageSizes.customer = 4;
    const pageQueries = probeShopifyRequests(fx, 'query CustomersPage');
    try {
      const started = exports().length;
      const from = fx.b1Sim.faults.log.length;
      const total = shopTotal();
      const { result } = await fx.runSync('customer', { mode: 'full' });
      const c = result.counts;
      assert.equal(
        c.created + c.updated + c.unchanged + c.skipped + c.failed,
        total,
        `each of the ${total} customers once: ${JSON.stringify(c)}`,
      );
      assert.deepEqual(
        { failed: c.failed, updated: c.updated, created: c.created },
        { failed: 0, updated: 1, created: total - 1 },
        JSON.stringify(c),
      );
      assert.equal(exports().length, started + 1);
      assert.equal(exports().at(-1)?.status, 'COMPLETED');
      // The export (bulkStepMs 20) is ready by page 1 or 2: a paged run would query every page.
      const pages = Math.ceil(total / 4);
      assert.ok(pageQueries() <= 2, `per-page customer queries stop once the export is ready: ${pageQueries()} of ${pages} pages`);

      for (const id of Object.keys(fx.shopifySim.state.data.customers))
        assert.equal(partnersByShopifyId(fx, `gid://shopify/Customer/${id}`).length, 1, `one partner for customer ${id}`);
      assert.equal(partnersByShopifyId(fx, ids.tie0!)[0]!.CardCode, 'C00002', 'linked by e-mail');
      assert.notEqual(
        partnersByShopifyId(fx, ids.sameMail!)[0]!.CardCode,
        'C00002',
        'the second customer with that e-mail gets its own partner',
      );
      // The customer with twelve addresses: the partner holds what a per-request read maps to.
      const page = await customerPipeline.fetch(fx.deps, {
        object: 'customer',
        syncId: 'addresses',
        mode: 'ids',
        ids: [ids.tie1!],
        pageIndex: 0,
      });
      const [mapped] = await customerPipeline.map(fx.deps, { object: 'customer', syncId: 'addresses', records: page.records });
      assert.ok(mapped?.ok);
      const streets = (bp: { BPAddresses?: unknown }) => (bp.BPAddresses as { Street?: string }[]).map((a) => a.Street).sort();
      assert.deepEqual(streets(partnersByShopifyId(fx, ids.tie1!)[0]!), streets(mapped.payload));

      // B1: per page two batched lookups (by U_ShopifyId, by e-mail), then the new customers'
      // batched re-check and their creates in a few $batch requests (batch-create.ts); a linked
      // customer its own re-check, and a read of the partner's ETag for its compare-and-set (one link here).
      const requests = b1Requests(fx.b1Sim.faults.log.slice(from));
      assert.equal(requests.filter((l) => l.startsWith('POST /b1s/v1/BusinessPartners')).length, 0, 'no single creates');
      const batches = requests.filter((l) => l.startsWith('POST /b1s/v1/$batch')).length;
      assert.ok(batches >= 1 && batches <= CREATE_LANES * pages, `${batches} $batch requests for ${c.created} creates in ${pages} pages`);
      assert.equal(requests.filter((l) => l.startsWith('PATCH ')).length, 1, 'the link');
      const gets = requests.filter((l) => l.startsWith('GET ')).length;
      assert.ok(gets <= total + 2 * pages + 1, `${gets} B1 reads for ${total} customers in ${pages} pages (was ${2 * total})`);
    } finally {
      fx.shopifySim.faults.clear();
      fx.deps.pageSizes.customer = pageSize;
    }
  });

  test('a paged run (export refused) ends in the same B1 state: it finds nothing to write', async () => {
    const pageSize = fx.deps.pageSizes.customer;
    fx.deps.pageSizes.customer = 4;
    const pageQueries = probeShopifyRequests(fx, 'query CustomersPage');
    try {
      const started = exports().length;
      const state = JSON.stringify(partners(fx));
      const from = fx.b1Sim.faults.log.length;
      const total = shopTotal();
      const { result } = await refusingExports(() => fx.runSync('customer', { mode: 'full' }));
      assert.deepEqual(result.counts, { created: 0, updated: 0, unchanged: total, skipped: 0, failed: 0 });
      assert.equal(exports().length, started, 'refused: paged to the end');
      assert.equal(pageQueries(), Math.ceil(total / 4));
      assert.deepEqual(b1Writes(fx.b1Sim.faults.log.slice(from)), []);
      assert.equal(JSON.stringify(partners(fx)), state);
    } finally {
      fx.shopifySim.faults.clear();
      fx.deps.pageSizes.customer = pageSize;
    }
  });

  test('B1 calls per customer: a page of new customers costs a few batched lookups, one batched re-check and a few $batch creates; known ones only the lookups', async () => {
    const sim = fx.shopifySim;
    const fresh = Array.from({ length: 30 }, (_, i) =>
      gid(sim.createCustomer({ firstName: 'Batch', lastName: `Customer ${i}`, email: `batch.${i}@example.com` })),
    );
    let from = fx.b1Sim.faults.log.length;
    const first = await fx.runSync('customer', { mode: 'ids', ids: fresh });
    assert.equal(first.result.counts.created, 30);
    let requests = b1Requests(fx.b1Sim.faults.log.slice(from));
    // One page of 30: 2 lookups by U_ShopifyId and 2 by e-mail (20 values each), the re-check by
    // U_ShopifyId (2), then the creates in CREATE_LANES $batch requests.
    assert.ok(
      requests.length <= 6 + CREATE_LANES,
      `${requests.length} B1 requests for 30 new customers (was 2 per customer)\n${requests.join('\n')}`,
    );

    sim.updateCustomer(gidNumber(fresh[7]!), { phone: '+4940555000' });
    from = fx.b1Sim.faults.log.length;
    const second = await fx.runSync('customer', { mode: 'ids', ids: fresh });
    assert.deepEqual({ updated: second.result.counts.updated, unchanged: second.result.counts.unchanged }, { updated: 1, unchanged: 29 });
    requests = b1Requests(fx.b1Sim.faults.log.slice(from));
    assert.equal(
      requests.filter((l) => l.startsWith('GET ')).length,
      2,
      `known partners: the batched lookups only\n${requests.join('\n')}`,
    );
    assert.deepEqual(
      b1Writes(requests).map((l) => l.split(' ')[0]),
      ['PATCH'],
    );
  });

  /** Mapped partners for new Shopify customers (as the map step makes them). */
  async function desiredFor(customerIds: string[]): Promise<Array<{ id: string; payload: B1BusinessPartnerCreate }>> {
    const page = await customerPipeline.fetch(fx.deps, {
      object: 'customer',
      syncId: 'desired',
      mode: 'ids',
      ids: customerIds,
      pageIndex: 0,
    });
    const mapped = await customerPipeline.map(fx.deps, { object: 'customer', syncId: 'desired', records: page.records });
    return mapped.map((m) => {
      assert.ok(m.ok, m.id);
      return { id: m.id, payload: m.payload };
    });
  }

  test('a partner a concurrent writer creates after the page lookup is found by the re-check, not created twice', async () => {
    const c = gid(fx.shopifySim.createCustomer({ firstName: 'Race', lastName: 'Create', email: 'race.create@example.com' }));
    const [d] = await desiredFor([c]);
    const known = await lookupPartners(fx.deps, [d!.payload]);
    // Another run creates it between this page's lookup and this record's write.
    await fx.deps.b1.createBusinessPartner({ ...d!.payload, CardName: 'Written by the other run' } as never);
    const res = await upsertBusinessPartner(fx.deps, d!.payload, 'race-run', known);
    assert.equal(res.outcome, 'updated', JSON.stringify(res));
    assert.equal(partnersByShopifyId(fx, c).length, 1);
    assert.equal(partnersByShopifyId(fx, c)[0]!.CardName, 'Race Create');
  });

  test('a link candidate another customer claimed after the page lookup is not taken over', async () => {
    await fx.deps.b1.createBusinessPartner({
      CardCode: 'C90001',
      CardName: 'Before the hub',
      CardType: 'cCustomer',
      EmailAddress: 'claimed@example.com',
    });
    const c = gid(fx.shopifySim.createCustomer({ firstName: 'Late', lastName: 'Linker', email: 'claimed@example.com' }));
    const [d] = await desiredFor([c]);
    const known = await lookupPartners(fx.deps, [d!.payload]);
    await fx.deps.b1.patchBusinessPartner('C90001', { U_ShopifyId: 'gid://shopify/Customer/1' });
    const res = await upsertBusinessPartner(fx.deps, d!.payload, 'claim-run', known);
    assert.equal(res.outcome, 'created', JSON.stringify(res));
    assert.equal(
      partners(fx).find((p) => p.CardCode === 'C90001')!.U_ShopifyId,
      'gid://shopify/Customer/1',
      'the other customer keeps its partner',
    );
    assert.equal(partnersByShopifyId(fx, c).length, 1);
  });

  test('a page posted again (a retry after a lost answer) writes nothing and reports its creates as created', async () => {
    const fresh = [1, 2, 3].map((i) =>
      gid(fx.shopifySim.createCustomer({ firstName: 'Retry', lastName: `Page ${i}`, email: `retry.${i}@example.com` })),
    );
    const input = { object: 'customer' as const, syncId: 'retry-run', pageIndex: 0, records: await desiredFor(fresh) };
    const first = await customerPipeline.post(fx.deps, input);
    assert.deepEqual(
      first.map((o) => o.outcome),
      ['created', 'created', 'created'],
    );
    const from = fx.b1Sim.faults.log.length;
    const again = await customerPipeline.post(fx.deps, input);
    assert.deepEqual(
      again.map((o) => o.outcome),
      ['created', 'created', 'created'],
    );
    assert.deepEqual(b1Writes(fx.b1Sim.faults.log.slice(from)), []);
    for (const id of fresh) assert.equal(partnersByShopifyId(fx, id).length, 1, id);
  });
});
