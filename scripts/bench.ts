/**
 * Benchmark of the four sync pipelines against the simulators (not a test).
 *
 *   npx tsx scripts/bench.ts [--items 10000] [--customers 2000] [--orders 1000]
 *                            [--objects inventory,product,customer,order] [--plan standard]
 *                            [--timeout 600] [--json <file>]
 *
 * Seeds both simulators (every B1 item selected for the sync, the Shopify shop holding a variant
 * per item code, customers and orders), starts the Temporal dev server and one worker in its own
 * process, then runs each pipeline's full sync followed by two delta runs with nothing to do: the
 * first ("delta") right after the full run, the second ("quiet") from the first one's watermark.
 * Both start within seconds, so they still re-read what changed inside the deltas' overlap windows
 * (B1 items 2 min, Shopify 5 min): the full run's own writes. A scheduled delta on a quiet day
 * reads none of that; what stays constant is the Shopify calls.
 * Reported per run: records/s; Shopify points consumed; the ceiling, i.e. the records/s the plan's
 * restore rate sustains at the run's own points per record (restore rate ÷ points per record), and
 * records/s as a fraction of it (= points/s ÷ restore rate: how busy the run keeps the bucket; a
 * short run can exceed 1 by spending the initial bucket); the share of the run's whole budget
 * (bucket at start + restore rate × elapsed) it used;
 * API calls per record (Shopify requests from the simulator's stats, B1 requests from its log);
 * inventory adjustment groups written; history bytes (protobuf) and events per record over all
 * continued-as-new runs; the worker's peak RSS (VmHWM). A pipeline that is still a placeholder
 * is reported as "not implemented". `--json <file>` also writes the reports as JSON to that file
 * (stdout carries the dev server's banner too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { createDevServerEnv } from '../src/testing/temporal-servers';
import { HUB_SEARCH_ATTRIBUTES } from '../src/shared/search-attributes';
import { startB1Simulator } from '../src/sim/b1';
import { demoItemCodes } from '../src/sim/b1/seed';
import { startShopifySimulator } from '../src/sim/shopify';
import { LeakyBucket, PLANS, type PlanName } from '../src/sim/shopify/bucket';
import { embeddedHubConfig, DEMO_SECRETS } from '../src/config/hub-config';
import { demoLocationMapping } from '../src/config/demo';
import { createPipelineDeps } from '../src/pipelines/deps';
import { syncRunWorkflow } from '../src/workflows/sync-run';
import type { SyncObject } from '../src/shared/sync-object';
import type { SyncMode, SyncRunResult } from '../src/shared/sync-types';

interface Args {
  items: number;
  customers: number;
  orders: number;
  objects: SyncObject[];
  plan: PlanName;
  /** Per run (the whole continue-as-new chain); a run still retrying then is reported as failed. */
  timeoutSec: number;
  /** Where to write the JSON report, if anywhere. */
  jsonFile?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    items: 10_000,
    customers: 2_000,
    orders: 1_000,
    objects: ['inventory', 'product', 'customer', 'order'],
    plan: 'standard',
    timeoutSec: 600,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const int = (): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${k} needs a non-negative integer, got ${v}`);
      i++;
      return n;
    };
    if (k === '--items') a.items = int();
    else if (k === '--customers') a.customers = int();
    else if (k === '--orders') a.orders = int();
    else if (k === '--objects') {
      const objs = (v ?? '').split(',').filter(Boolean);
      for (const o of objs)
        if (!['inventory', 'product', 'customer', 'order'].includes(o)) throw new Error(`--objects: unknown object ${o}`);
      a.objects = objs as SyncObject[];
      i++;
    } else if (k === '--plan') {
      if (!v || !(v in PLANS)) throw new Error(`--plan must be one of ${Object.keys(PLANS).join(', ')}`);
      a.plan = v as PlanName;
      i++;
    } else if (k === '--timeout') a.timeoutSec = Math.max(1, int());
    else if (k === '--json') {
      if (!v || v.startsWith('--')) throw new Error('--json needs a file to write the report to');
      a.jsonFile = v;
      i++;
    } else throw new Error(`unknown option ${k}`);
  }
  return a;
}

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

function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

interface RunReport {
  object: SyncObject;
  mode: SyncMode;
  /** full, delta (right after the full run) or quiet (a delta after that delta). */
  label: string;
  status: 'ok' | 'not implemented' | 'failed';
  error?: string;
  records?: number;
  counts?: SyncRunResult['counts'];
  seconds?: number;
  recordsPerSec?: number;
  shopifyPoints?: number;
  pointsPerRecord?: number;
  /** records/s ÷ ceilingRecordsPerSec = points/s ÷ restore rate. */
  rateLimitFraction?: number;
  /** Records/s the restore rate sustains at this run's points per record. */
  ceilingRecordsPerSec?: number;
  /** Points used ÷ (bucket at start + restore rate × elapsed). */
  budgetFraction?: number;
  shopifyCalls?: number;
  b1Calls?: number;
  callsPerRecord?: number;
  inventoryWrites?: number;
  historyBytesPerRecord?: number;
  historyEventsPerRecord?: number;
  historyRuns?: number;
  /** History bytes per record by activity type and direction (input = scheduled event, result = completed event). */
  historyBreakdownPerRecord?: Record<string, number>;
  /** Mean milliseconds from an activity's scheduling to its completion, by activity type. */
  activityMeanMs?: Record<string, number>;
  workerPeakRssMb?: number | null;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const t0 = Date.now();
  const b1Sim = await startB1Simulator({ port: 0, seed: { items: args.items, customers: Math.max(5, Math.ceil(args.customers / 10)) } });
  // Every item is selected for the sync, so each pipeline works on the whole catalogue.
  const items = b1Sim.state.store('Items');
  for (const [code, rec] of items) items.set(code, { ...rec, U_ShopifySync: 'Y' });
  const shopifySim = await startShopifySimulator({
    port: 0,
    plan: args.plan,
    seed: { skus: demoItemCodes(args.items), customers: args.customers, orders: args.orders },
  });
  log(
    `seeded ${args.items} items, ${args.customers} customers, ${args.orders} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s (plan ${args.plan}: ${JSON.stringify(PLANS[args.plan])})`,
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
  const worker: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'test', 'support', 'worker-main.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TASK_QUEUE: taskQueue,
      B1_URL: b1Sim.url,
      SHOPIFY_URL: shopifySim.url,
      SHOPIFY_SHOP: shopifySim.shopDomain,
      HUB_MAPPING: JSON.stringify(config.mapping),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    worker.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('worker ready')) resolve();
    });
  });
  // Keep draining the worker's stdout so it never blocks on a full pipe.
  worker.stdout!.resume();

  const bucketNow = (): { available: number; restoreRate: number } => {
    const b = [...shopifySim.runtime.buckets.values()][0];
    if (!b) return { available: PLANS[args.plan].bucketSize, restoreRate: PLANS[args.plan].restoreRate };
    b.tryTake(0);
    return { available: (b as unknown as { available: number }).available, restoreRate: b.limits.restoreRate };
  };

  const history = async (
    workflowId: string,
    firstRunId: string,
  ): Promise<{
    bytes: number;
    events: number;
    runs: number;
    breakdown: Record<string, number>;
    timings: Record<string, { calls: number; ms: number }>;
  }> => {
    let runId: string | undefined = firstRunId;
    let bytes = 0;
    let events = 0;
    let runs = 0;
    // Where the bytes go: activity inputs and results by activity type, markers, everything else.
    const breakdown: Record<string, number> = {};
    const scheduledType = new Map<string, string>();
    const scheduledAt = new Map<string, number>();
    const ms = (t: temporal.api.history.v1.IHistoryEvent['eventTime']): number =>
      Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
    const timings: Record<string, { calls: number; ms: number }> = {};
    const addTo = (key: string, n: number): void => void (breakdown[key] = (breakdown[key] ?? 0) + n);
    while (runId) {
      // Paged by hand: one page of a large run's history can exceed gRPC's 4 MB message limit.
      let token: Uint8Array | undefined;
      let last: temporal.api.history.v1.IHistoryEvent | undefined;
      do {
        const res: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse =
          await env.client.workflowService.getWorkflowExecutionHistory({
            namespace: env.namespace ?? 'default',
            execution: { workflowId, runId },
            maximumPageSize: 25,
            ...(token ? { nextPageToken: token } : {}),
          });
        const evs = res.history?.events ?? [];
        bytes += temporal.api.history.v1.History.encode({ events: evs }).finish().length;
        for (const ev of evs) {
          const size = temporal.api.history.v1.History.encode({ events: [ev] }).finish().length;
          const sched = ev.activityTaskScheduledEventAttributes;
          const done = ev.activityTaskCompletedEventAttributes;
          if (sched) {
            const type = sched.activityType?.name ?? '?';
            scheduledType.set(String(ev.eventId), type);
            scheduledAt.set(String(ev.eventId), ms(ev.eventTime));
            addTo(`${type} input`, size);
          } else if (done) {
            const type = scheduledType.get(String(done.scheduledEventId)) ?? '?';
            addTo(`${type} result`, size);
            const t0 = scheduledAt.get(String(done.scheduledEventId));
            if (t0 !== undefined) {
              timings[type] = timings[type] ?? { calls: 0, ms: 0 };
              timings[type].calls++;
              timings[type].ms += ms(ev.eventTime) - t0;
            }
          } else if (ev.markerRecordedEventAttributes) addTo(`marker ${ev.markerRecordedEventAttributes.markerName ?? ''}`, size);
          else addTo('other events', size);
        }
        events += evs.length;
        if (evs.length) last = evs[evs.length - 1];
        token = res.nextPageToken && res.nextPageToken.length ? res.nextPageToken : undefined;
      } while (token);
      runs++;
      runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return { bytes, events, runs, breakdown, timings };
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
    const groups0 = Object.keys(shopifySim.state.data.adjustmentGroups).length;
    const t = Date.now();
    const handle = await env.client.workflow.start(syncRunWorkflow, {
      taskQueue,
      workflowId,
      args: [{ object, trigger: 'manual', mode, ...(since ? { since } : {}) }],
      workflowExecutionTimeout: `${args.timeoutSec}s`,
    });
    let result: SyncRunResult;
    try {
      result = await handle.result();
    } catch (err) {
      const msg = String((err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message);
      return { report: { object, mode, label, status: /not implemented/i.test(msg) ? 'not implemented' : 'failed', error: msg } };
    }
    const seconds = (Date.now() - t) / 1000;
    const c = result.counts;
    const records = c.created + c.updated + c.unchanged + c.skipped + c.failed;
    const points = pointsTaken - points0;
    const allowed = start.available + start.restoreRate * seconds;
    const fraction = points / seconds / start.restoreRate;
    const shopifyCalls = shopifySim.stats.requests - shop0;
    const b1Calls = b1Sim.faults.log.length - b10;
    const h = await history(workflowId, handle.firstExecutionRunId);
    const per = (n: number): number => (records ? n / records : 0);
    const report: RunReport = {
      object,
      label,
      mode,
      status: 'ok',
      records,
      counts: c,
      seconds: round(seconds, 1),
      recordsPerSec: round(records / seconds, 1),
      shopifyPoints: Math.round(points),
      pointsPerRecord: round(per(points), 2),
      rateLimitFraction: round(fraction, 3),
      ceilingRecordsPerSec: points > 0 ? round((start.restoreRate * records) / points, 1) : undefined,
      budgetFraction: round(points / allowed, 3),
      shopifyCalls,
      b1Calls,
      callsPerRecord: round(per(shopifyCalls + b1Calls), 4),
      inventoryWrites: Object.keys(shopifySim.state.data.adjustmentGroups).length - groups0,
      historyBytesPerRecord: Math.round(per(h.bytes)),
      historyEventsPerRecord: round(per(h.events), 3),
      historyRuns: h.runs,
      activityMeanMs: Object.fromEntries(Object.entries(h.timings).map(([k, v]) => [k, Math.round(v.ms / v.calls)])),
      historyBreakdownPerRecord: Object.fromEntries(Object.entries(h.breakdown).map(([k, v]) => [k, Math.round(per(v))])),
      workerPeakRssMb: worker.pid ? peakRssMb(worker.pid) : null,
    };
    return { report, ...(result.watermark ? { watermark: result.watermark } : {}) };
  };

  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      // The worker drains in-flight activities on SIGTERM; a stuck run must not keep it alive.
      const exited = new Promise<void>((r) =>
        worker.exitCode !== null || worker.signalCode !== null ? r() : worker.once('exit', () => r()),
      );
      worker.kill('SIGTERM');
      const t = setTimeout(() => worker.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
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

  const reports: RunReport[] = [];
  try {
    for (const object of args.objects) {
      log(`${object}: full sync…`);
      const full = await runOne(object, 'full', 'full');
      reports.push(full.report);
      log(line(full.report));
      if (full.report.status !== 'ok') continue;
      log(`${object}: no-change delta…`);
      const delta = await runOne(object, 'delta', 'delta', full.watermark);
      reports.push(delta.report);
      log(line(delta.report));
      if (delta.report.status !== 'ok') continue;
      log(`${object}: quiet delta…`);
      const quiet = await runOne(object, 'delta', 'quiet', delta.watermark ?? full.watermark);
      reports.push(quiet.report);
      log(line(quiet.report));
    }
  } finally {
    await cleanup();
  }
  if (args.jsonFile) writeFileSync(args.jsonFile, `${JSON.stringify({ args, reports }, null, 2)}\n`);
  process.stdout.write(`\nbenchmark: ${args.items} items, ${args.customers} customers, ${args.orders} orders, Shopify plan ${args.plan}\n`);
  for (const r of reports) process.stdout.write(`${line(r)}\n`);
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function line(r: RunReport): string {
  const head = `${r.object.padEnd(9)} ${r.label.padEnd(5)}`;
  if (r.status !== 'ok') return `${head} ${r.status}${r.status === 'failed' ? `: ${r.error}` : ''}`;
  const c = r.counts!;
  return (
    `${head} ${r.records} records in ${r.seconds} s = ${r.recordsPerSec} rec/s` +
    ` | ${r.shopifyPoints} pts (${r.pointsPerRecord}/rec)` +
    (r.ceilingRecordsPerSec !== undefined
      ? `, ${Math.round((r.rateLimitFraction ?? 0) * 100)}% of the rate-limit ceiling of ${r.ceilingRecordsPerSec} rec/s`
      : '') +
    `, ${Math.round((r.budgetFraction ?? 0) * 100)}% of the run's point budget` +
    ` | calls ${r.shopifyCalls} Shopify + ${r.b1Calls} B1 = ${r.callsPerRecord}/rec | inventory writes ${r.inventoryWrites}` +
    ` | history ${r.historyBytesPerRecord} B, ${r.historyEventsPerRecord} events /rec (${r.historyRuns} run${r.historyRuns === 1 ? '' : 's'};` +
    ` ${Object.entries(r.historyBreakdownPerRecord ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})` +
    ` | mean ms ${Object.entries(r.activityMeanMs ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}` +
    ` | worker peak RSS ${r.workerPeakRssMb} MB` +
    ` | created ${c.created} updated ${c.updated} unchanged ${c.unchanged} skipped ${c.skipped} failed ${c.failed}`
  );
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
