/**
 * Benchmark of the four sync pipelines against the simulators (not a test).
 *
 *   npm run bench -- [--items 10000] [--customers 2000] [--orders 1000] [--objects inventory,product,customer,order]
 *                    [--plan standard] [--profile zero|realistic[,b1.writeMs=300…]] [--full-only]
 *                    [--b1-calls] [--workers 1] [--timeout 600] [--json <file>]
 *
 * `--profile` sets the simulators' response times (src/sim/latency.ts): `zero` (the default)
 * measures the hub's own overhead, `realistic` what a merchant sees.
 * Seeds both simulators (every B1 item selected for the sync, the Shopify shop holding a variant
 * per item code, customers and orders), starts the Temporal dev server and the worker(s), each in its own
 * process, then runs each pipeline's full sync followed by two delta runs with nothing to do: the
 * first ("delta") right after the full run, the second ("quiet") from the first one's watermark.
 * Both start within seconds, so they still re-read what changed inside the deltas' overlap windows
 * (B1 items 2 min, Shopify 5 min): the full run's own writes. A scheduled delta on a quiet day
 * reads none of that; what stays constant is the Shopify calls.
 * Reported per run (bench-report.ts): records/s; the binding ceiling, the lower of
 * - the rate-limit ceiling: the records/s the plan's restore rate sustains at the run's own
 *   points per record (restore rate ÷ points per record; a short run can exceed it by spending
 *   the initial bucket), and
 * - the B1 ceiling: the hub's B1 concurrency (POST_CONCURRENCY requests at once) ÷ the Service
 *   Layer time per record (the profile latency of the run's B1 requests ÷ records); none at zero
 *   latency,
 * and the run's share of it; Shopify points and the share of the run's whole point budget
 * (bucket at start + restore rate × elapsed); B1 and Shopify calls per record (counted at the
 * simulators); inventory adjustment groups written; history bytes (protobuf) and events per
 * record over all continued-as-new runs; the worker's peak RSS during the run (VmHWM, reset
 * before each run; with several workers the highest of them). A pipeline that is still a placeholder is reported as "not implemented".
 * `--b1-calls` adds each run's Service Layer requests by method and entity set (`GET Orders 40`,
 * `POST $batch 12`; a `$batch` counts once), printed and as `b1Calls` in the JSON row.
 * `--workers N` starts N worker processes on one task queue; the peak RSS is then the highest of
 * any one worker (not their sum). After the runs, each object's runs are listed from visibility
 * (by the SyncObject search attribute) and checked for the overlap rule: no two at once.
 * `--json <file>` writes the runs as a JSON array (stdout carries the dev server's banner too).
 * The workers start as `b1hub` starts them (bin/hub-env: MALLOC_ARENA_MAX=2 and an 8 MB semi-space, unless set);
 * `B1HUB_MEMORY_TRACE=<file>` makes each write where its memory is (V8 heap, external, RSS
 * anonymous and file-backed) every 500 ms.
 */
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createDevServerEnv } from '../src/testing/temporal-servers';
import { HUB_SEARCH_ATTRIBUTES, SyncObjectKey } from '../src/shared/search-attributes';
import { startB1Simulator } from '../src/sim/b1';
import { demoItemCodes } from '../src/sim/b1/seed';
import { startShopifySimulator } from '../src/sim/shopify';
import { LeakyBucket, PLANS } from '../src/sim/shopify/bucket';
import { embeddedHubConfig, DEMO_SECRETS } from '../src/config/hub-config';
import { demoLocationMapping } from '../src/config/demo';
import { createPipelineDeps } from '../src/pipelines/deps';
import { syncRunWorkflow } from '../src/workflows/sync-run';
import type { SyncObject } from '../src/shared/sync-object';
import type { SyncMode, SyncRunResult } from '../src/shared/sync-types';
import { POST_CONCURRENCY } from '../src/pipelines/kit/activity';
import { parseBenchArgs } from './bench-args';
import { readRunHistory } from './bench-history';
import { overlappingRuns, startBenchWorkers } from './bench-workers';
import {
  b1CallBreakdown,
  b1CallsLine,
  bindingCeiling,
  bulkTime,
  jsonRow,
  line,
  markdownTable,
  round,
  type RunReport,
} from './bench-report';

// Shopify points actually consumed: every bucket take minus its refund (requested − actual).
let pointsTaken = 0;
const take = LeakyBucket.prototype.tryTake;
LeakyBucket.prototype.tryTake = function (this: LeakyBucket, cost: number): boolean {
  const ok = take.call(this, cost);
  if (ok) pointsTaken += cost;
  return ok;
};
const refund = LeakyBucket.prototype.refund;
LeakyBucket.prototype.refund = function (this: LeakyBucket, points: number): void {
  pointsTaken -= points;
  refund.call(this, points);
};

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const t0 = Date.now();
  const b1Sim = await startB1Simulator({
    port: 0,
    seed: { items: args.items, customers: Math.max(5, Math.ceil(args.customers / 10)) },
    latency: args.profile.b1,
  });
  // Every item is selected for the sync, so each pipeline works on the whole catalogue.
  const items = b1Sim.state.store('Items');
  for (const [code, rec] of items) items.set(code, { ...rec, U_ShopifySync: 'Y' });
  const shopifySim = await startShopifySimulator({
    port: 0,
    plan: args.plan,
    latency: args.profile.shopify,
    seed: { skus: demoItemCodes(args.items), customers: args.customers, orders: args.orders },
  });
  log(
    `seeded ${args.items} items, ${args.customers} customers, ${args.orders} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s (plan ${args.plan}: ${JSON.stringify(PLANS[args.plan])}; latency ${args.profileName}: ${JSON.stringify(args.profile)})`,
  );

  const env = await createDevServerEnv({ searchAttributes: HUB_SEARCH_ATTRIBUTES });
  const config = embeddedHubConfig({ b1BaseUrl: b1Sim.url, shopifyEndpoint: shopifySim.url, shop: shopifySim.shopDomain });
  const deps = createPipelineDeps(config, DEMO_SECRETS);
  config.mapping = demoLocationMapping(config.mapping, await deps.shopify.locations());
  // What `b1hub up`'s first-start checks do: orders without a Shopify customer post to the guest partner.
  if (!(await deps.b1.tryGet('BusinessPartners', config.mapping.customer.guestCardCode))) {
    await deps.b1.createBusinessPartner({
      CardCode: config.mapping.customer.guestCardCode,
      CardName: 'Shopify guest customer',
      CardType: 'cCustomer',
      GroupCode: config.mapping.customer.groupCode,
    } as never);
  }
  const taskQueue = `bench-${randomUUID()}`;
  const workers = await startBenchWorkers(args.workers, {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TASK_QUEUE: taskQueue,
    B1_URL: b1Sim.url,
    SHOPIFY_URL: shopifySim.url,
    SHOPIFY_SHOP: shopifySim.shopDomain,
    HUB_MAPPING: JSON.stringify(config.mapping),
  });
  log(`${args.workers} worker process${args.workers === 1 ? '' : 'es'} on task queue ${taskQueue}`);

  const bucketNow = (): { available: number; restoreRate: number } => {
    const b = [...shopifySim.runtime.buckets.values()][0];
    if (!b) return { available: PLANS[args.plan].bucketSize, restoreRate: PLANS[args.plan].restoreRate };
    b.tryTake(0);
    return { available: (b as unknown as { available: number }).available, restoreRate: b.limits.restoreRate };
  };

  const runOne = async (
    object: SyncObject,
    mode: SyncMode,
    label: string,
    since?: string,
  ): Promise<{ report: RunReport; watermark?: string }> => {
    const workflowId = `bench:${object}:${mode}:${randomUUID().slice(0, 8)}`;
    const start = bucketNow();
    const points0 = pointsTaken;
    const shop0 = shopifySim.stats.requests;
    const b10 = b1Sim.faults.log.length;
    const b1Ms0 = b1Sim.latencyStats.ms;
    const groups0 = Object.keys(shopifySim.state.data.adjustmentGroups).length;
    const bulk0 = new Set(Object.keys(shopifySim.state.data.bulkOperations));
    workers.resetPeakRss();
    const t = Date.now();
    const handle = await env.client.workflow.start(syncRunWorkflow, {
      taskQueue,
      workflowId,
      args: [{ object, trigger: 'manual', mode, ...(since ? { since } : {}) }],
      workflowExecutionTimeout: `${args.timeoutSec}s`,
      // As the scheduler tags its runs: the overlap check finds the object's runs by it.
      typedSearchAttributes: [{ key: SyncObjectKey, value: object }],
    });
    let result: SyncRunResult;
    try {
      result = await handle.result();
    } catch (err) {
      const msg = String((err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message);
      return {
        report: { pipeline: object, mode, run: label, status: /not implemented/i.test(msg) ? 'not implemented' : 'failed', error: msg },
      };
    }
    const seconds = (Date.now() - t) / 1000;
    const workerPeakRssMb = workers.maxPeakRssMb();
    const c = result.counts;
    const records = c.created + c.updated + c.unchanged + c.skipped + c.failed;
    const points = pointsTaken - points0;
    const allowed = start.available + start.restoreRate * seconds;
    const shopifyCalls = shopifySim.stats.requests - shop0;
    const b1Lines = b1Sim.faults.log.slice(b10);
    const b1Calls = b1Lines.length;
    const b1Ms = b1Sim.latencyStats.ms - b1Ms0;
    const h = await readRunHistory(env.client.workflowService, env.namespace ?? 'default', workflowId, handle.firstExecutionRunId);
    const per = (n: number): number => (records ? n / records : 0);
    const report: RunReport = {
      pipeline: object,
      run: label,
      mode,
      status: 'ok',
      records,
      counts: c,
      seconds: round(seconds, 1),
      recordsPerSec: round(records / seconds, 1),
      ...(points > 0 && records ? { rateLimitCeilingPerSec: round((start.restoreRate * records) / points, 1) } : {}),
      ...(b1Ms > 0 && records
        ? { b1CeilingPerSec: round((POST_CONCURRENCY * 1000 * records) / b1Ms, 1), b1MsPerRecord: round(per(b1Ms), 1) }
        : {}),
      shopifyPoints: Math.round(points),
      pointsPerRecord: round(per(points), 2),
      budgetFraction: round(points / allowed, 3),
      shopifyCalls,
      b1CallsTotal: b1Calls,
      ...(args.b1Calls ? { b1Calls: b1CallBreakdown(b1Lines) } : {}),
      shopifyCallsPerRecord: round(per(shopifyCalls), 4),
      b1CallsPerRecord: round(per(b1Calls), 4),
      inventoryWrites: Object.keys(shopifySim.state.data.adjustmentGroups).length - groups0,
      historyBytesPerRecord: Math.round(per(h.bytes)),
      historyEventsPerRecord: round(per(h.events), 3),
      historyRuns: h.runs,
      activityMeanMs: Object.fromEntries(Object.entries(h.timings).map(([k, v]) => [k, Math.round(v.ms / v.calls)])),
      historyBreakdownPerRecord: Object.fromEntries(Object.entries(h.breakdown).map(([k, v]) => [k, Math.round(per(v))])),
      workerPeakRssMb,
    };
    const bulk = bulkTime(
      Object.entries(shopifySim.state.data.bulkOperations).flatMap(([id, op]) => (bulk0.has(id) ? [] : [op])),
      args.profile.shopify,
    );
    if (bulk) report.bulk = bulk;
    Object.assign(report, bindingCeiling(report));
    return { report, ...(result.watermark ? { watermark: result.watermark } : {}) };
  };

  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      await workers.stop();
      await env.teardown();
      await shopifySim.close();
      await b1Sim.close();
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping the worker, the dev server and the simulators…`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  const logRun = (r: RunReport): void => {
    log(line(r));
    if (r.b1Calls) log(b1CallsLine(r));
  };
  const reports: RunReport[] = [];
  const overlapLines: string[] = [];
  try {
    for (const object of args.objects) {
      log(`${object}: full sync…`);
      const full = await runOne(object, 'full', 'full');
      reports.push(full.report);
      logRun(full.report);
      if (full.report.status !== 'ok' || args.fullOnly) continue;
      log(`${object}: no-change delta…`);
      const delta = await runOne(object, 'delta', 'delta', full.watermark);
      reports.push(delta.report);
      logRun(delta.report);
      if (delta.report.status !== 'ok') continue;
      log(`${object}: quiet delta…`);
      const quiet = await runOne(object, 'delta', 'quiet', delta.watermark ?? full.watermark);
      reports.push(quiet.report);
      logRun(quiet.report);
    }
    // The overlap rule (never two runs of one object at once) with however many workers: the
    // bench starts one run at a time, so any overlap would be a run outliving its result.
    for (const object of args.objects) {
      const { runs, overlaps } = await overlappingRuns(env.client, object);
      const verdict = overlaps.length
        ? `${overlaps.length} overlapping pair(s): ${overlaps.map(([a, b]) => `${a.workflowId} / ${b.workflowId}`).join(', ')}`
        : 'none overlapped';
      overlapLines.push(`overlap rule, ${object}: ${runs} run(s) on ${args.workers} worker(s), ${verdict}`);
      if (overlaps.length) process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
  if (args.jsonFile)
    writeFileSync(
      args.jsonFile,
      `${JSON.stringify(
        reports.map((r) => jsonRow(r, args.profileName)),
        null,
        2,
      )}\n`,
    );
  process.stdout.write(
    `\nbenchmark: ${args.items} items, ${args.customers} customers, ${args.orders} orders, Shopify plan ${args.plan}, latency profile ${args.profileName}, ${args.workers} worker process(es)\n`,
  );
  for (const r of reports) {
    process.stdout.write(`${line(r)}\n`);
    if (r.b1Calls) process.stdout.write(`${b1CallsLine(r)}\n`);
  }
  for (const l of overlapLines) process.stdout.write(`${l}\n`);
  process.stdout.write(`\n${markdownTable(reports)}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
