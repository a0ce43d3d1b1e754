/**
 * The customer watermark claims only what a run could not have missed. A change Shopify stamped
 * before the run's read began can become visible after the read passed its place (a slow commit,
 * the search index catching up); if the same run later delivers a change made much later (a long
 * run), "the newest updatedAt delivered" jumps past the late one by more than the next run's
 * overlap and it is never synced. The claim is the newest change Shopify showed when the first
 * read began (Shopify's clock, not the hub's).
 * Per-request paging and runs that read past their first page from a bulk export alike.
 * Both simulators over HTTP; the pages are read through the pipeline's fetch, as the workflow does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { customerPipeline } from '../../src/pipelines/customer';
import type { BulkOperationRec } from '../../src/sim/shopify/state';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

describe('customer watermark: only what the run could not have missed', () => {
  let fx: HubFixture;

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 12, shopifyOrders: 0, b1Customers: 2 });
  });

  after(async () => {
    await fx?.close();
  });

  /** Reads every page of a delta run; `between` runs after page 0. The run's watermark as the workflow keeps it (the max). */
  async function readRun(
    since: string,
    between?: (startedMs: number) => void,
  ): Promise<{ ids: string[]; watermark?: string; cursors: string[]; startedMs: number }> {
    const out: { ids: string[]; watermark?: string; cursors: string[]; startedMs: number } = {
      ids: [],
      cursors: [],
      startedMs: Date.now(),
    };
    let cursor: string | undefined;
    for (let pageIndex = 0; pageIndex === 0 || cursor; pageIndex++) {
      const page = await customerPipeline.fetch(fx.deps, {
        object: 'customer',
        syncId: 'wm',
        mode: 'delta',
        since,
        ...(cursor ? { cursor } : {}),
        pageIndex,
      });
      out.ids.push(...page.records.map((r) => r.id));
      if (page.watermark && (!out.watermark || page.watermark > out.watermark)) out.watermark = page.watermark;
      cursor = page.nextCursor;
      if (cursor) out.cursors.push(cursor);
      if (pageIndex === 0) between?.(out.startedMs);
    }
    return out;
  }

  /**
   * Every customer stamped two days ago, except four at R − 20 s (page 0 with a page size of 4)
   * and one at R − 15 s (so page 0 has a next page), R being now.
   */
  function stage(): { x: number; z: number; late: string[]; newest: string } {
    const now = Date.now();
    const all = Object.values(fx.shopifySim.state.data.customers).sort((a, b) => a.id - b.id);
    for (const c of all) c.updatedAt = iso(now - 2 * 86_400_000);
    const [x, z, ...rest] = all;
    rest.slice(0, 4).forEach((c) => (c.updatedAt = iso(now - 20_000)));
    rest[4]!.updatedAt = iso(now - 15_000);
    return { x: x!.id, z: z!.id, late: rest.slice(0, 5).map((c) => `gid://shopify/Customer/${c.id}`), newest: iso(now - 15_000) };
  }

  /**
   * After page 0: X changes with a stamp from before the read began (it becomes visible only
   * now), and Z changes ten minutes into a long run.
   */
  function lateChanges(x: number, z: number, startedMs: number): void {
    fx.shopifySim.updateCustomer(x, { phone: '+4930555000' });
    fx.shopifySim.state.data.customers[x]!.updatedAt = iso(startedMs - 30_000);
    fx.shopifySim.updateCustomer(z, { phone: '+4930555111' });
    fx.shopifySim.state.data.customers[z]!.updatedAt = iso(startedMs + 10 * 60_000);
  }

  function assertClaim(watermark: string | undefined, newest: string): void {
    assert.equal(watermark, newest, 'the watermark is the newest change visible when the run began');
  }

  test('per-request paging: a change visible only after its place was read is synced by the next delta', async () => {
    const opts = fx.shopifySim.runtime.options;
    const limit = opts.bulkQueryConcurrency;
    const pageSize = fx.deps.pageSizes.customer;
    opts.bulkQueryConcurrency = 0; // exports refused: every page per request
    fx.deps.pageSizes.customer = 4;
    try {
      const { x, z, late, newest } = stage();
      const since = iso(Date.now() - 60 * 60_000);
      const run = await readRun(since, (startedMs) => lateChanges(x, z, startedMs));
      assert.ok(run.cursors.every((c) => !c.startsWith('bulk:')));
      assert.deepEqual(run.ids.slice(0, 5), late, 'the five recent customers in updatedAt order');
      assert.ok(run.ids.includes(`gid://shopify/Customer/${z}`), 'Z (changed during the run) is delivered by this run');
      assert.ok(!run.ids.includes(`gid://shopify/Customer/${x}`), 'X was not visible when its place was read');
      const next = await readRun(run.watermark!);
      assert.ok(next.ids.includes(`gid://shopify/Customer/${x}`), `the next delta (from ${run.watermark}) delivers X`);
      assertClaim(run.watermark, newest);
    } finally {
      opts.bulkQueryConcurrency = limit;
      fx.deps.pageSizes.customer = pageSize;
    }
  });

  test('bulk export: the same late change is synced by the next delta; an edit during the run is delivered', async () => {
    const opts = fx.shopifySim.runtime.options;
    const step = opts.bulkStepMs;
    const pageSize = fx.deps.pageSizes.customer;
    fx.deps.pageSizes.customer = 4;
    opts.bulkStepMs = 300; // the export is still running when page 1 is read
    try {
      const { x, z, late, newest } = stage();
      // A customer of page 0 edited during the run (a plain edit, stamped now).
      const edited = late[0]!;
      const since = iso(Date.now() - 60 * 60_000);
      const exportsBefore = Object.values(fx.shopifySim.state.data.bulkOperations).length;
      let op: BulkOperationRec | undefined;
      const run = await readRun(since, (startedMs) => {
        lateChanges(x, z, startedMs);
        op = Object.values(fx.shopifySim.state.data.bulkOperations).at(-1);
        fx.shopifySim.updateCustomer(Number(edited.split('/').pop()), { firstName: 'Edited' });
      });
      assert.equal(Object.values(fx.shopifySim.state.data.bulkOperations).length, exportsBefore + 1, 'the run started an export');
      assert.ok(op && run.cursors.some((c) => c.startsWith('bulk:')), 'the run went on with the export');
      assert.ok(!run.ids.includes(`gid://shopify/Customer/${x}`), 'X was not visible when its place was read');
      const next = await readRun(run.watermark!);
      assert.ok(next.ids.includes(`gid://shopify/Customer/${x}`), `the next delta (from ${run.watermark}) delivers X`);
      assertClaim(run.watermark, newest);
      assert.ok(run.ids.filter((i) => i === edited).length === 2, 'the customer edited during the run is delivered again by it');
    } finally {
      opts.bulkStepMs = step;
      fx.deps.pageSizes.customer = pageSize;
    }
  });
});
