/**
 * The inventory delta never misses a stock change made in B1 while a run reads: edits land during
 * every paged read of a multi-page run (on a page already read, the page being read and a page
 * still to come). The run claims no watermark (stock movements do not reliably bump UpdateDate, so
 * every delta reads all selected items), so the next delta, whatever watermark it is handed,
 * pushes what the first run could not have seen.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { DEMO_ITEM_CODES } from '../../src/sim/b1/seed';
import { expectedAvailable, mismatches, shopifyAvailable } from './support-inventory';

describe('inventory delta and edits made during a run', { timeout: 120_000 }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  const codes = [...DEMO_ITEM_CODES];

  before(async () => {
    fx = await startHubFixture({ items: 30 });
    worker = await fx.startWorker();
    await fx.runSync('inventory', { mode: 'full' });
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('edits landing during every paged read are pushed by the run or by the next delta', async () => {
    const loc = fx.deps.mapping.locations[0]!;
    const wh = loc.warehouses[0]!;
    const pageSize = fx.deps.pageSizes.inventory;
    fx.deps.pageSizes.inventory = 5;
    const b1 = fx.deps.b1;
    const keyRange = b1.keyRange.bind(b1);
    const edited: string[] = [];
    let reads = 0;
    b1.keyRange = ((set: string, o: { filter?: string }) => {
      // Only the stock scan's pages (the same client also serves re-reads by id).
      if (set === 'Items' && o.filter?.includes('U_ShopifySync')) {
        const page = reads++;
        // Sorted by ItemCode, the page being read holds codes[5·page … 5·page + 4].
        for (const i of [5 * (page - 1), 5 * page + 2, 5 * (page + 1) + 4]) {
          const code = codes[i];
          if (!code) continue;
          // Without touching UpdateDate, as stock movements in B1 may not.
          fx.b1Sim.state.setStock(code, wh, { InStock: 100 + 10 * page + (i % 5), Committed: 1 }, { touch: false });
          edited.push(code);
        }
      }
      return (keyRange as (...a: unknown[]) => ReturnType<typeof keyRange>)(set, o);
    }) as typeof b1.keyRange;
    let first;
    try {
      first = await fx.runSync('inventory', { mode: 'delta', since: new Date().toISOString() });
    } finally {
      b1.keyRange = keyRange;
      fx.deps.pageSizes.inventory = pageSize;
    }
    assert.ok(reads >= 4, `every page read (${reads})`);
    assert.equal(first.result.counts.failed, 0);
    assert.equal((first.result as { watermark?: string }).watermark, undefined, 'a full stock scan claims no watermark');

    // Edits on the page being read or a later page were read after they landed.
    const readAfterEdit = [codes[2], codes[7], codes[9], codes[12], codes[14], codes[17], codes[19]] as string[];
    for (const code of readAfterEdit)
      assert.equal(
        shopifyAvailable(fx.shopifySim, code, loc.locationId),
        expectedAvailable(fx.b1Sim, code, loc.warehouses, fx.shopifySim, loc.locationId),
        code,
      );

    // The next delta, handed a watermark later than every edit, still pushes the rest.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const second = await fx.runSync('inventory', { mode: 'delta', since: later });
    assert.equal(second.result.counts.failed, 0);
    assert.ok(edited.length >= 10);
    assert.deepEqual(mismatches(fx.b1Sim, fx.shopifySim, fx.deps.mapping, codes), []);
  });
});
