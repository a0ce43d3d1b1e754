/**
 * The product watermark claims only what the run could not have missed. Pages are read in key
 * order (ItemCode, variant id), so an edit that lands during a run on a record whose page was
 * already read is not delivered by that run; the next delta must still read it. Each test edits
 * a record behind the read position, then, minutes later on the source's clock, one ahead of it
 * (which the run reads), and checks that the next delta from the run's watermark reads the first.
 *
 * The fetch step is driven page by page the way the sync-run workflow drives it (the newest
 * watermark of the pages is kept), against the simulators as real HTTP servers; the clocks are
 * the simulators' (B1: SimClock; Shopify: the shop state's clock), never real waiting.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startB1Simulator, demoItemCodes } from '../../src/sim/b1';
import { startShopifySimulator } from '../../src/sim/shopify';
import { isoSeconds, type SimClock as ShopClock } from '../../src/sim/shopify/clock';
import { embeddedHubConfig, DEMO_SECRETS } from '../../src/config/hub-config';
import { createPipelineDeps } from '../../src/pipelines/deps';
import type { FetchPageResult, PipelineDeps } from '../../src/pipelines/contract';
import type { SyncMode } from '../../src/shared/sync-types';
import { fetchProductPage } from '../../src/pipelines/product/fetch';
import { fetchImportPage } from '../../src/pipelines/product/import';
import { createProductState } from '../../src/pipelines/product/state';
import { parseWatermark } from '../../src/pipelines/product/watermark';
import type { ProductSource } from '../../src/pipelines/product/types';

type B1Sim = Awaited<ReturnType<typeof startB1Simulator>>;
type ShopSim = Awaited<ReturnType<typeof startShopifySimulator>>;

/** A Shopify clock the test moves by hand. */
function manualClock(startMs: number): ShopClock & { advance(ms: number): void } {
  let at = startMs;
  return { nowMs: () => at, nowIso: () => isoSeconds(at), advance: (ms) => void (at += ms) };
}

interface Pass {
  /** Ids of the records read, in order (bulk chunks by their `first..last` range). */
  ids: string[];
  watermark?: string;
  cursors: string[];
}

/**
 * Reads pages like the sync-run workflow (keeping the newest page watermark) while `keep` says
 * the cursor is still in the phase under test; `afterPage(i)` runs after page i was read.
 */
async function readPass(
  deps: PipelineDeps,
  o: {
    mode: SyncMode;
    since?: string;
    start?: string;
    keep: (cursor: string) => boolean;
    afterPage?: (i: number) => void | Promise<void>;
    fetch?: typeof fetchImportPage;
  },
): Promise<Pass> {
  const pass: Pass = { ids: [], cursors: [] };
  let cursor: string | undefined = o.start;
  for (let i = 0; i < 100; i++) {
    const page: FetchPageResult<ProductSource> = await (o.fetch ?? fetchProductPage)(deps, {
      object: o.fetch ? 'shopify-product' : 'product',
      syncId: 'watermark-test',
      pageIndex: i,
      mode: o.mode,
      ...(o.since ? { since: o.since } : {}),
      ...(cursor ? { cursor } : {}),
    });
    pass.ids.push(...page.records.map((r) => r.id));
    if (page.watermark && (!pass.watermark || page.watermark > pass.watermark)) pass.watermark = page.watermark;
    await o.afterPage?.(i);
    cursor = page.nextCursor;
    if (!cursor || !o.keep(cursor)) break;
    pass.cursors.push(cursor);
  }
  return pass;
}

describe('product watermark: edits landing during a run', { concurrency: 1 }, () => {
  let b1Sim: B1Sim;
  let shopSim: ShopSim;
  let deps: PipelineDeps;
  const codes = demoItemCodes(20);

  before(async () => {
    b1Sim = await startB1Simulator({ port: 0, seed: { items: 300, customers: 0 } });
    // Every Shopify variant's SKU has a B1 item: the scan yields no records, only the watermark.
    shopSim = await startShopifySimulator({ port: 0, seed: { skus: demoItemCodes(300), customers: 0, orders: 0 } });
    const config = embeddedHubConfig({ b1BaseUrl: b1Sim.url, shopifyEndpoint: shopSim.url, shop: shopSim.shopDomain });
    const deps0 = createPipelineDeps(config, DEMO_SECRETS);
    deps = { ...deps0, pageSizes: { ...deps0.pageSizes, product: 5 } };
  });
  after(async () => {
    await shopSim?.close();
    await b1Sim?.close();
  });

  /** Every selected item stamped at `at` (B1 local time): the run's delta window holds them all. */
  function stampAll(at: string): void {
    b1Sim.state.clock.set(at);
    for (const c of codes) b1Sim.state.touch('Items', c);
  }

  test('B1 items delta: an item edited behind the read position is read by the next delta', async () => {
    stampAll('2026-11-26T10:00:00');
    const behind = codes[1] as string; // on the first page (5 per page)
    const ahead = codes[15] as string; // on the fourth
    const run = await readPass(deps, {
      mode: 'delta',
      since: '2026-11-26T10:00:00',
      keep: (c) => c.startsWith('b1:'),
      afterPage: (i) => {
        if (i !== 0) return;
        b1Sim.state.clock.set('2026-11-26T10:05:00');
        b1Sim.state.touch('Items', behind);
        b1Sim.state.clock.set('2026-11-26T10:10:00');
        b1Sim.state.touch('Items', ahead);
      },
    });
    assert.ok(run.ids.includes(ahead), 'the run reads the item ahead of its position');
    assert.equal(run.ids.filter((id) => id === behind).length, 1, 'the run read the item behind its position once, before its edit');
    assert.ok(run.watermark, 'the run has a watermark');
    b1Sim.state.clock.set('2026-11-26T10:30:00');
    const next = await readPass(deps, { mode: 'delta', since: run.watermark, keep: (c) => c.startsWith('b1:') });
    assert.ok(next.ids.includes(behind), `the next delta (from ${run.watermark}) reads ${behind}, edited at 10:05 after its page was read`);
    // The watermark still moves: a run with nothing new does not read the catalogue again.
    assert.ok(parseWatermark(run.watermark).b1! >= '2026-11-26T10:00:00');
  });

  test('B1 full run: the watermark it leaves covers edits made during the run', async () => {
    stampAll('2026-11-27T08:00:00');
    const behind = codes[2] as string;
    const ahead = codes[17] as string;
    const run = await readPass(deps, {
      mode: 'full',
      keep: (c) => c.startsWith('b1:'),
      afterPage: (i) => {
        if (i !== 0) return;
        b1Sim.state.clock.set('2026-11-27T08:04:00');
        b1Sim.state.touch('Items', behind);
        b1Sim.state.clock.set('2026-11-27T08:20:00');
        b1Sim.state.touch('Items', ahead);
      },
    });
    b1Sim.state.clock.set('2026-11-27T09:00:00');
    const next = await readPass(deps, { mode: 'delta', since: run.watermark, keep: (c) => c.startsWith('b1:') });
    assert.ok(next.ids.includes(behind), `the next delta (from ${run.watermark}) reads ${behind}, edited during the full run`);
  });

  test('initial load in bulk chunks: an item edited behind the chunk position is read by the next delta', async () => {
    // Tuned per deps: a 20-item catalogue loads in bulk chunks of 5.
    const bulkDeps = { ...deps, product: createProductState({ bulk: { threshold: 5, chunk: 5, maxLinkedShare: 1 } }) };
    stampAll('2026-11-28T12:00:00');
    const behind = codes[3] as string;
    const ahead = codes[18] as string;
    const run = await readPass(bulkDeps, {
      mode: 'full',
      keep: (c) => c.startsWith('bulk:'),
      afterPage: (i) => {
        if (i !== 0) return;
        b1Sim.state.clock.set('2026-11-28T12:03:00');
        b1Sim.state.touch('Items', behind);
        b1Sim.state.clock.set('2026-11-28T12:30:00');
        b1Sim.state.touch('Items', ahead);
      },
    });
    assert.ok(
      run.ids.some((id) => id.includes('..')),
      'the run went through bulk chunks',
    );
    b1Sim.state.clock.set('2026-11-28T13:00:00');
    const next = await readPass(deps, { mode: 'delta', since: run.watermark, keep: (c) => c.startsWith('b1:') });
    assert.ok(next.ids.includes(behind), `the next delta (from ${run.watermark}) reads ${behind}, edited after its chunk was read`);
  });

  test('Shopify variant scan: a variant edited behind the scan position is scanned by the next delta', async () => {
    const clock = manualClock(Date.now() + 3_600_000);
    // The shop's clock, moved by the test (the state's clock is what every write stamps with).
    Object.defineProperty(shopSim.state, 'clock', { value: clock, configurable: true });
    const variants = Object.keys(shopSim.state.data.variants)
      .map(Number)
      .sort((a, b) => a - b);
    assert.ok(variants.length > 250, 'the scan has more than one page');
    const behindId = variants[3] as number; // on the first scan page (250 variants, by id)
    const aheadId = variants[280] as number; // on the second
    const gid = (id: number) => `gid://shopify/ProductVariant/${id}`;
    const run = await readPass(deps, {
      mode: 'delta',
      since: '2000-01-01T00:00:00Z',
      fetch: fetchImportPage,
      keep: (c) => c.startsWith('scan:'),
      afterPage: (i) => {
        if (i !== 0) return;
        clock.advance(60_000);
        shopSim.state.touch(gid(behindId));
        clock.advance(10 * 60_000);
        shopSim.state.touch(gid(aheadId));
      },
    });
    assert.ok(run.cursors.length >= 1, 'the scan read more than one page');
    assert.ok(run.watermark);
    const shopPart = run.watermark;
    assert.ok(shopPart > '2000-01-01T00:00:00Z', 'the scan moves the watermark');
    const behindAt = shopSim.state.variant(behindId)!.updatedAt;
    // The next delta's scan window opens 5 minutes (search lag) before the Shopify part.
    const opens = new Date(Date.parse(shopPart) - 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    assert.ok(
      opens <= behindAt,
      `the next scan (updated_at >= ${opens}) covers the variant edited at ${behindAt} behind the scan position`,
    );
  });
});
