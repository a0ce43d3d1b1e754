/**
 * The chaos run: the whole hub on loopback (Temporal dev server, both simulators, two worker
 * processes on one task queue) with a fault proxy in front of each simulator; customer, order,
 * product and inventory runs at once; the merchant creating Shopify orders and customers, moving
 * B1 stock and selecting items meanwhile; workers SIGKILLed and restarted. After `minutes` the
 * faults stop, the runs drain, one clean run of each object follows, and the verdict is read
 * from the Service Layer and the Admin API (verify.ts).
 *
 * Bounded: every loop stops at the end of the chaos phase, every wait has a deadline, and every
 * process and server it started is stopped in `finally`.
 */
import { shipSomething } from './goods';
import { CHAOS_TAX_RATE, chaosMoneyConfig, refundSomething } from './money';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { createDevServerEnv, repoRoot } from '../../testing/temporal-servers';
import { HUB_SEARCH_ATTRIBUTES } from '../../shared/search-attributes';
import { startB1Simulator } from '../b1';
import { demoItemCodes } from '../b1/seed';
import { startShopifySimulator } from '../shopify';
import { mulberry32 } from '../shared/prng';
import { embeddedHubConfig, DEMO_SECRETS } from '../../config/hub-config';
import { demoLocationMapping } from '../../config/demo';
import { createPipelineDeps } from '../../pipelines/deps';
import { syncRunWorkflow } from '../../workflows/sync-run';
import type { SyncObject } from '../../shared/sync-object';
import type { SyncRunResult } from '../../shared/sync-types';
import { FAULT_KINDS, startFaultProxy, type FaultKind, type FaultProxy, type FaultRates } from './proxy';
import { AdminProbe, ServiceLayerProbe } from './probes';
import { runRecords } from '../../hub/run-log';
import { workerProcessEnv } from '../../hub/worker-env';
import { classifyReason, DEFAULT_STOCK_FORMULA, verify, type ReportedFailure, type StockFormula, type Verdict } from './verify';

export interface ChaosOptions {
  seed: number;
  /** Length of the chaos phase (faults, kills, merchant activity). */
  minutes: number;
  /** Share of requests faulted (spread over the kinds by DEFAULT_MIX); default 0.1. */
  faultRate?: number;
  /** Exact per-kind rates instead of faultRate × DEFAULT_MIX. */
  rates?: FaultRates;
  /** Every n-th POST /Orders, /$batch (batched creates), /BusinessPartners and money document is a slow commit (0: off). Default 4. */
  slowCommitEvery?: number;
  formula?: StockFormula;
  /** The hub clients' per-request timeouts in the workers (production: 120 s B1, 30 s Shopify). */
  b1TimeoutMs?: number;
  shopifyTimeoutMs?: number;
  /** Seconds between worker kills: [min, max]; [0, 0] for none. Default [20, 40]. */
  killEverySec?: [number, number];
  /** How long in-flight runs may take to finish after the faults stop; then they are terminated. Default 120 s. */
  drainSec?: number;
  /** The workers' in-doubt window for order reservations (production default 15 min). */
  reservationStaleMs?: number;
  /**
   * Wall-clock time (ms since epoch) by which the whole run must be over (a test's timeout): the
   * drain and the clean runs shrink to fit, keeping `reserveSec` for the verdict and the teardown.
   */
  deadline?: number;
  reserveSec?: number;
  items?: number;
  customers?: number;
  orders?: number;
  badCustomers?: number;
  /** Book the money side (reserve invoices, payments, refunds) and check it; default true. */
  money?: boolean;
  log?: (line: string) => void;
}

export interface ActivityAttempts {
  tasks: number;
  attempts: number;
  max: number;
  /** attempts → number of tasks that needed that many. */
  histogram: Record<number, number>;
  /**
   * What the last failed attempt of each retried task died of (its started event's lastFailure):
   * `timeout HEARTBEAT` is a worker killed mid-attempt, waited out; `error <type>` one the step threw.
   */
  retriedAfter: Record<string, number>;
}

/** temporal.api.enums.v1.TimeoutType, by number (the proto import here is types only). */
const TIMEOUT_TYPES: Record<number, string> = { 1: 'START_TO_CLOSE', 2: 'SCHEDULE_TO_START', 3: 'SCHEDULE_TO_CLOSE', 4: 'HEARTBEAT' };

function failureCause(f: temporal.api.failure.v1.IFailure): string {
  if (f.timeoutFailureInfo) return `timeout ${TIMEOUT_TYPES[Number(f.timeoutFailureInfo.timeoutType)] ?? '?'}`;
  if (f.applicationFailureInfo) return `error ${f.applicationFailureInfo.type || 'Error'}`;
  return (f.message ?? '?').slice(0, 60);
}

export interface ChaosReport {
  seed: number;
  minutes: number;
  verdict: Verdict;
  kills: number;
  faults: Record<FaultKind | 'latency', number>;
  faultsTotal: number;
  faultsByProxy: Record<string, { requests: number; faults: Record<string, number>; writeFaults: Record<string, number> }>;
  runs: Record<
    SyncObject,
    {
      started: number;
      completed: number;
      failed: number;
      terminated: number;
      created: number;
      updated: number;
      failedRecords: number;
      /** Seconds from start to result of each run that ended, in order: what paces a run loop. */
      seconds: number[];
    }
  >;
  /** Records created per minute of the chaos phase, and by the clean run after it (the catch-up). */
  createdPerMinute: Record<SyncObject, number>;
  createdByCleanRun: Record<SyncObject, number>;
  cleanRuns: Record<SyncObject, string>;
  /** Activity attempts per task (page) over every run's history, by activity type. */
  attempts: Record<string, ActivityAttempts>;
  /**
   * Records any run reported failed because of a conflict with a concurrent writer of the hub's
   * own (e.g. "business partner code … already assigned": a customer run and an order run created
   * one partner at once), even when a later run healed them. Not in the verdict line; the
   * two-minute test requires none.
   */
  conflicts: { object: string; sourceId: string; reason: string; run: string }[];
  merchant: {
    orders: number;
    customers: number;
    stockChanges: number;
    itemsSelected: number;
    refunds: number;
    deliveries: number;
    errors: number;
  };
  workDir: string;
  line: string;
}

/** The fault mix at rate r: r × weight per kind; latency is drawn apart (on 2 r of requests). */
export const DEFAULT_MIX: Record<FaultKind, number> = {
  'html-5xx': 0.3,
  'throttle-429': 0.15,
  'reset-before': 0.15,
  'reset-after': 0.15,
  'slow-commit': 0.15,
  'slow-response': 0.1,
};

export function ratesFor(rate: number): FaultRates {
  return { ...Object.fromEntries(FAULT_KINDS.map((k) => [k, rate * DEFAULT_MIX[k]])), latency: Math.min(1, 2 * rate) };
}

const OBJECTS: SyncObject[] = ['customer', 'order', 'product', 'inventory', 'delivery'];
/** The clean run after the faults: products first (their variants carry stock), inventory last (after orders committed it). */
const CLEAN_ORDER: SyncObject[] = ['product', 'customer', 'order', 'delivery', 'inventory'];

/** Runs start on multiples of this after the chaos phase began. */
const RUN_BEAT_MS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<'timeout'>((r) => (t = setTimeout(() => r('timeout'), ms)))]).finally(() => clearTimeout(t));
}

export function summaryLine(v: Pick<Verdict, 'duplicates' | 'lost' | 'inventoryMismatches'>, kills: number, faults: number): string {
  return `chaos: ${v.duplicates} duplicates, ${v.lost} lost, ${v.inventoryMismatches} inventory mismatches, ${kills} kills, ${faults} faults injected`;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const tStart = Date.now();
  const out = o.log ?? ((s: string) => void process.stderr.write(`${s}\n`));
  const log = (s: string): void => out(`[${Math.round((Date.now() - tStart) / 1000)} s] ${s}`);
  const remainingMs = (): number => (o.deadline ? o.deadline - Date.now() - (o.reserveSec ?? 30) * 1000 : Number.POSITIVE_INFINITY);
  const seed = o.seed >>> 0;
  const chaosMs = Math.round(o.minutes * 60_000);
  const b1TimeoutMs = o.b1TimeoutMs ?? 8_000;
  const shopifyTimeoutMs = o.shopifyTimeoutMs ?? 8_000;
  // Well past the slowest commit the proxy makes (client timeout + its slow range), so a takeover
  // never races a commit still held by the proxy.
  const reservationStaleMs = o.reservationStaleMs ?? 45_000;
  let faultsStoppedAt = Number.POSITIVE_INFINITY;
  const rates = o.rates ?? ratesFor(o.faultRate ?? 0.1);
  const slowEvery = o.slowCommitEvery ?? 4;
  const killEvery = o.killEverySec ?? [20, 40];
  const formula = o.formula ?? DEFAULT_STOCK_FORMULA;
  const items = o.items ?? 40;
  const selectedAtStart = 20;
  const workDir = mkdtempSync(join(tmpdir(), `chaos-${seed}-`));
  const root = repoRoot();
  const tsxLoader = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  // One stream per concern, so a change in how often one loop draws leaves the others' choices alone.
  const stream = (k: number) => mulberry32((seed * 7919 + k * 104729) >>> 0);
  const closers: (() => Promise<void>)[] = [];
  let closing: Promise<void> | undefined;
  const closeAll = (): Promise<void> =>
    (closing ??= (async () => {
      for (const close of closers.reverse()) await close().catch((e: unknown) => log(`chaos: cleanup: ${(e as Error).message}`));
    })());
  // Ctrl-C or a SIGTERM still stops every process and server this run started.
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`chaos: ${sig}: stopping the workers, the dev server, the proxies and the simulators`);
    void closeAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // ── the systems ──
    const b1Sim = await startB1Simulator({ port: 0, host: '127.0.0.1', seed: { items, customers: 5 } });
    closers.push(() => b1Sim.close());
    const shopifySim = await startShopifySimulator({
      port: 0,
      host: '127.0.0.1',
      plan: 'plus',
      seed: {
        skus: demoItemCodes(selectedAtStart),
        customers: o.customers ?? 12,
        orders: o.orders ?? 12,
        badCustomers: o.badCustomers ?? 2,
      },
    });
    closers.push(() => shopifySim.close());
    const env = await createDevServerEnv({ searchAttributes: HUB_SEARCH_ATTRIBUTES });
    closers.push(() => env.teardown());
    log(`chaos: seed ${seed}, ${o.minutes} min, work dir ${workDir}, Temporal ${env.address}`);

    const b1Origin = new URL(b1Sim.url).origin;
    const b1Path = new URL(b1Sim.url).pathname;
    const slowRule = (path: RegExp) => ({ method: 'POST', path, kind: 'slow-commit' as const, every: slowEvery });
    const b1Proxy = await startFaultProxy({
      name: 'b1',
      target: b1Origin,
      seed,
      rates,
      clientTimeoutMs: b1TimeoutMs,
      slowMarginMs: [2000, 8000],
      flavor: 'b1',
      // Session handling is not under test here: a failed login makes the client wait out its
      // 30 s login cool-down, which would only slow the run down.
      exempt: (_m, path) => /\/(Login|Logout)$/.test(path),
      rules:
        slowEvery > 0
          ? [
              /\/Orders$/,
              /\/\$batch$/,
              /\/BusinessPartners$/,
              /\/Invoices$/,
              /\/IncomingPayments$/,
              /\/CreditNotes$/,
              /\/VendorPayments$/,
            ].map(slowRule)
          : [],
    });
    closers.push(() => b1Proxy.close());
    const shopProxy = await startFaultProxy({
      name: 'shopify',
      target: shopifySim.url,
      seed,
      rates,
      clientTimeoutMs: shopifyTimeoutMs,
      slowMarginMs: [2000, 8000],
      flavor: 'shopify',
    });
    closers.push(() => shopProxy.close());
    const proxies: FaultProxy[] = [b1Proxy, shopProxy];

    // The hub's view: the proxies. The driver's own view (setup, merchant, checks): the simulators.
    const config = embeddedHubConfig({ b1BaseUrl: `${b1Proxy.url}${b1Path}`, shopifyEndpoint: shopProxy.url, shop: shopifySim.shopDomain });
    const direct = createPipelineDeps(
      embeddedHubConfig({ b1BaseUrl: b1Sim.url, shopifyEndpoint: shopifySim.url, shop: shopifySim.shopDomain }),
      DEMO_SECRETS,
    );
    config.mapping = demoLocationMapping(config.mapping, await direct.shopify.locations());
    // The money side too (reserve invoices, payments, refunds), unless switched off.
    const money = o.money !== false;
    if (money) config.mapping = { ...config.mapping, money: chaosMoneyConfig() };
    const mapping = config.mapping;
    // What `b1hub up`'s first-start checks do: orders without a Shopify customer post to the guest partner.
    if (!(await direct.b1.tryGet('BusinessPartners', mapping.customer.guestCardCode))) {
      await direct.b1.createBusinessPartner({
        CardCode: mapping.customer.guestCardCode,
        CardName: 'Shopify guest customer',
        CardType: 'cCustomer',
        GroupCode: mapping.customer.groupCode,
      } as never);
    }
    const sl = new ServiceLayerProbe(b1Sim.url);
    const admin = new AdminProbe(shopifySim.url, shopifySim.accessToken);
    const taskQueue = `chaos-${seed}`;

    // ── workers ──
    const workerLogs: WriteStream[] = [];
    const workers: (ChildProcess | undefined)[] = [undefined, undefined];
    let generation = 0;
    const startWorker = async (slot: number): Promise<void> => {
      const out = createWriteStream(join(workDir, `worker-${slot}.log`), { flags: 'a' });
      workerLogs.push(out);
      const child = spawn(process.execPath, ['--import', tsxLoader, join(__dirname, 'worker-main.ts')], {
        cwd: root,
        // The memory settings a hub worker runs with (bin/hub-env), so a chaos worker is the one merchants run.
        env: workerProcessEnv({
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: env.namespace ?? 'default',
          TASK_QUEUE: taskQueue,
          B1_URL: config.b1.baseUrl,
          SHOPIFY_URL: config.shopify.endpoint ?? '',
          SHOPIFY_SHOP: config.shopify.shop,
          HUB_MAPPING: JSON.stringify(mapping),
          CHAOS_B1_TIMEOUT_MS: String(b1TimeoutMs),
          CHAOS_RESERVATION_STALE_MS: String(reservationStaleMs),
          CHAOS_SHOPIFY_TIMEOUT_MS: String(shopifyTimeoutMs),
          WORKER_IDENTITY: `chaos-worker-${slot}-${++generation}`,
        }),
        // stdin stays open as a lifeline: the worker exits when this process goes away.
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      workers[slot] = child;
      child.stderr!.pipe(out, { end: false });
      await withDeadline(
        new Promise<void>((resolve, reject) => {
          child.once('exit', (code) =>
            reject(new Error(`worker ${slot} exited early with ${code}; see ${join(workDir, `worker-${slot}.log`)}`)),
          );
          child.stdout!.on('data', (b: Buffer) => {
            out.write(b);
            if (b.toString().includes('worker ready')) resolve();
          });
        }),
        120_000,
      );
    };
    const killWorker = (slot: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const child = workers[slot];
        workers[slot] = undefined;
        if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    closers.push(async () => {
      await Promise.all(workers.map((_, i) => killWorker(i)));
      for (const s of workerLogs) s.end();
    });
    await Promise.all([startWorker(0), startWorker(1)]);
    log('chaos: two workers ready');

    // ── the chaos phase ──
    const t0 = Date.now();
    const chaosEnd = t0 + chaosMs;
    const running = () => Date.now() < chaosEnd;
    const runs = Object.fromEntries(
      OBJECTS.map((x) => [
        x,
        { started: 0, completed: 0, failed: 0, terminated: 0, created: 0, updated: 0, failedRecords: 0, seconds: [] as number[] },
      ]),
    ) as ChaosReport['runs'];
    const watermark: Partial<Record<SyncObject, string>> = {};
    const everyRun: { workflowId: string; runId: string }[] = [];
    const current: Partial<Record<SyncObject, WorkflowHandle<typeof syncRunWorkflow>>> = {};
    let runSeq = 0;

    const startRun = async (object: SyncObject, full: boolean, label: string): Promise<WorkflowHandle<typeof syncRunWorkflow>> => {
      const since = watermark[object];
      const handle = await env.client.workflow.start(syncRunWorkflow, {
        taskQueue,
        workflowId: `sync:${object}:chaos-${seed}-${label}-${++runSeq}`,
        args: [{ object, trigger: 'manual', mode: full ? 'full' : 'delta', ...(since && !full ? { since } : {}) }],
        workflowExecutionTimeout: '10 minutes',
      });
      everyRun.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
      return handle;
    };
    const settle = (object: SyncObject, r: SyncRunResult): void => {
      if (r.watermark) watermark[object] = r.watermark;
      runs[object].completed++;
      runs[object].created += r.counts.created;
      runs[object].updated += r.counts.updated;
      runs[object].failedRecords += r.counts.failed;
    };

    const runLoop = async (object: SyncObject, k: number): Promise<void> => {
      const r = stream(10 + k);
      let first = true;
      while (running()) {
        const handle = await startRun(object, first, 'run');
        first = false;
        current[object] = handle;
        runs[object].started++;
        const began = Date.now();
        try {
          settle(object, await handle.result());
        } catch {
          runs[object].failed++;
        }
        runs[object].seconds.push(Math.round((Date.now() - began) / 100) / 10);
        current[object] = undefined;
        // Runs start on a common beat, like schedules firing at :00: a customer run and an order
        // run often start together and meet the same new customer.
        const pause = 1000 + r() * 3000;
        await sleep(pause + (RUN_BEAT_MS - ((Date.now() + pause - t0) % RUN_BEAT_MS)));
      }
    };

    let refundAttempts = 0;
    const merchant = { orders: 0, customers: 0, stockChanges: 0, itemsSelected: 0, refunds: 0, deliveries: 0, errors: 0 };
    const allCodes = demoItemCodes(items);
    const unselected = allCodes.slice(selectedAtStart);
    const locationIds = mapping.locations.map((l) => Number(/\d+$/.exec(l.locationId)?.[0]));
    /** The mapped locations where a SKU's Shopify inventory item is stocked (has a level). */
    const stockedAt = (sku: string): number[] => {
      const v = shopifySim.state.variantsBySku(sku)[0];
      const item = v ? shopifySim.state.inventoryItem(v.inventoryItemId) : undefined;
      return item ? locationIds.filter((id) => item.levels[id]) : [];
    };
    const warehouses = mapping.locations.flatMap((l) => l.warehouses);
    const customerIds: string[] = (await admin.all<{ id: string }>('customers', 'id', 100)).map((c) => c.id);
    let customerSeq = 0;
    const createCustomer = async (r: () => number): Promise<string> => {
      const n = ++customerSeq;
      const first = ['Ada', 'Bruno', 'Cleo', 'Dirk', 'Elif', 'Femke'][Math.floor(r() * 6)]!;
      const d = await admin.gql<{ customerCreate: { customer: { id: string } | null; userErrors: { message: string }[] } }>(
        'mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id } userErrors { message } } }',
        {
          input: {
            firstName: first,
            lastName: `Chaos${seed}x${n}`,
            email: `chaos-${seed}-${n}@example.com`,
            addresses: [{ address1: `Teststraße ${n}`, city: 'Berlin', zip: '10115', countryCode: 'DE' }],
          },
        },
      );
      const id = d.customerCreate.customer?.id;
      if (!id) throw new Error(`customerCreate: ${d.customerCreate.userErrors.map((e) => e.message).join('; ')}`);
      customerIds.push(id);
      merchant.customers++;
      return id;
    };
    // Halfway through, the merchant fixes the customers whose data the hub refused (an e-mail with
    // two @): they and the orders that failed with them must arrive after that.
    const fixedCustomers: string[] = [];
    const fixBadCustomers = async (): Promise<void> => {
      const all = await admin.all<{ id: string; email: string | null }>('customers', 'id email', 100);
      for (const c of all.filter((x) => x.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(x.email))) {
        const d = await admin.gql<{ customerUpdate: { userErrors: { message: string }[] } }>(
          'mutation($input: CustomerInput!) { customerUpdate(input: $input) { userErrors { message } } }',
          {
            input: { id: c.id, email: `fixed-${/\d+$/.exec(c.id)?.[0] ?? 'x'}@example.com` },
          },
        );
        if (d.customerUpdate.userErrors.length)
          throw new Error(`customerUpdate ${c.id}: ${d.customerUpdate.userErrors.map((e) => e.message).join('; ')}`);
        fixedCustomers.push(c.id);
      }
      log(`chaos: merchant fixed the e-mail of ${fixedCustomers.length} customer(s)`);
    };
    const merchantLoop = async (): Promise<void> => {
      const r = stream(1);
      let fixedYet = false;
      while (running()) {
        await sleep(1500 + r() * 2500);
        if (!running()) break;
        if (!fixedYet && Date.now() >= t0 + chaosMs / 2) {
          fixedYet = true;
          await fixBadCustomers().catch((e: Error) => {
            merchant.errors++;
            log(`chaos: fixing customers failed: ${e.message}`);
          });
        }
        const dice = r();
        try {
          if (dice < 0.45) {
            // A new order: by a known customer, a brand-new one (customer and order runs race for its partner), or a guest.
            const who = r();
            const customerId =
              who < 0.4 ? await createCustomer(r) : who < 0.85 ? customerIds[Math.floor(r() * customerIds.length)] : undefined;
            // Shopify sells an item only where it is stocked: a product the hub created a moment ago has no
            // level until the first stock push, and checkout routes each line to a location that has one.
            const skus = allCodes.filter((c) => stockedAt(c).length > 0);
            if (!skus.length) continue;
            const lines = Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
              const sku = skus[Math.floor(r() * skus.length)]!;
              const quantity = 1 + Math.floor(r() * 3);
              const at = stockedAt(sku);
              return { sku, quantity, locationId: at[Math.floor(r() * at.length)] };
            });
            const fs = r();
            await admin.control('/_sim/orders', {
              ...(customerId ? { customerId } : { email: `guest-${seed}-${merchant.orders}@example.com` }),
              lines,
              taxRate: CHAOS_TAX_RATE,
              financialStatus: fs < 0.75 ? 'PAID' : fs < 0.9 ? 'PENDING' : 'AUTHORIZED',
            });
            merchant.orders++;
          } else if (money && dice < 0.52) {
            // A refund: one unit taken off with restock, the money back (a credit memo and an outgoing payment in B1).
            // A key per attempt: a refund Shopify refused must not lend its key to the next one.
            if (await refundSomething(admin, r, `chaos-${seed}-refund-${++refundAttempts}`)) merchant.refunds++;
          } else if (dice < 0.57) {
            // The warehouse ships one unit in B1 (a delivery the delivery object turns into a fulfillment).
            if (await shipSomething(sl, b1Sim.state, r, `CHAOS-${seed}-${merchant.deliveries + 1}`)) merchant.deliveries++;
          } else if (dice < 0.6) {
            await createCustomer(r);
          } else if (dice < 0.9) {
            // B1 stock moves (goods receipt or issue in the warehouse).
            const code = allCodes[Math.floor(r() * Math.min(allCodes.length, selectedAtStart + merchant.itemsSelected))]!;
            const wh = warehouses[Math.floor(r() * warehouses.length)]!;
            const row = (
              (b1Sim.state.get('Items', code)?.ItemWarehouseInfoCollection as { WarehouseCode: string; InStock?: number }[] | undefined) ??
              []
            ).find((w) => w.WarehouseCode === wh);
            const inStock = Math.max(0, (row?.InStock ?? 0) + Math.floor(r() * 14) - 3);
            b1Sim.state.setStock(code, wh, { InStock: inStock });
            merchant.stockChanges++;
          } else if (unselected.length) {
            const code = unselected.shift()!;
            await sl.patch(`Items('${code}')`, { U_ShopifySync: 'Y' });
            merchant.itemsSelected++;
          }
        } catch (e) {
          merchant.errors++;
          log(`chaos: merchant action failed: ${(e as Error).message}`);
        }
      }
    };

    let kills = 0;
    const killLoop = async (): Promise<void> => {
      if (killEvery[1] <= 0) return;
      const r = stream(2);
      for (;;) {
        const wait = (killEvery[0] + r() * (killEvery[1] - killEvery[0])) * 1000;
        const slot = r() < 0.5 ? 0 : 1;
        const down = 2000 + r() * 3000;
        await sleep(Math.min(wait, Math.max(0, chaosEnd - Date.now())));
        if (!running()) return;
        await killWorker(slot);
        kills++;
        log(`chaos: SIGKILL worker ${slot}`);
        await sleep(down);
        // A restart that fails (a loaded machine) is tried once more; the other worker carries on meanwhile.
        await startWorker(slot).catch((e: Error) => {
          log(`chaos: worker ${slot} restart failed (${e.message}); retrying`);
          return startWorker(slot);
        });
      }
    };

    // The faults stop on time, whatever the loops are waiting for (a worker still starting).
    const stopFaults = setTimeout(() => {
      for (const p of proxies) p.setRates({});
      faultsStoppedAt = Date.now();
      log('chaos: faults stopped');
    }, chaosMs);
    closers.push(async () => clearTimeout(stopFaults));
    const loops = OBJECTS.map((obj, k) => runLoop(obj, k));
    const killer = killLoop();
    await merchantLoop();
    await sleep(Math.max(0, chaosEnd - Date.now()));

    // ── the runs in flight drain (at least one worker is up: the kill loop kills one at a time) ──
    const drainMs = Math.max(5_000, Math.min((o.drainSec ?? 120) * 1000, remainingMs() - 60_000));
    log(`chaos: chaos phase over; draining runs for up to ${Math.round(drainMs / 1000)} s`);
    if ((await withDeadline(Promise.all(loops), drainMs)) === 'timeout') {
      for (const [object, h] of Object.entries(current) as [SyncObject, WorkflowHandle<typeof syncRunWorkflow> | undefined][]) {
        if (!h) continue;
        await h.terminate('chaos: still running at the end of the drain').catch(() => undefined);
        runs[object].terminated++;
      }
      await withDeadline(Promise.all(loops), 30_000);
    }
    await withDeadline(killer, 120_000);
    // A slow commit still held by a proxy lands before anything is counted.
    await Promise.all(proxies.map((p) => p.idle(Math.max(b1TimeoutMs, shopifyTimeoutMs) + 10_000)));

    // An order left in doubt by a faulted POST is posted once its reservation is stale: wait for
    // that, so the clean run retries it from the ledger and the verdict sees it created.
    const staleWait = Math.min(faultsStoppedAt + reservationStaleMs + 2_000 - Date.now(), remainingMs() - 60_000);
    if (staleWait > 0) {
      log(`chaos: waiting ${Math.round(staleWait / 1000)} s for reservations left in doubt to become stale`);
      await sleep(staleWait);
    }

    // ── one clean run of each object ──
    const cleanRuns = {} as ChaosReport['cleanRuns'];
    const createdByCleanRun = {} as ChaosReport['createdByCleanRun'];
    for (const object of CLEAN_ORDER) {
      const h = await startRun(object, false, 'clean');
      const res = await withDeadline(
        h.result().then(
          (r) => ({ r }),
          (e: Error) => ({ e }),
        ),
        Math.max(10_000, Math.min(300_000, remainingMs())),
      );
      if (res === 'timeout') {
        await h.terminate('chaos: clean run timed out').catch(() => undefined);
        cleanRuns[object] = 'timed out';
      } else if ('e' in res) cleanRuns[object] = `failed: ${res.e.message}`;
      else {
        cleanRuns[object] =
          `ok: created ${res.r.counts.created}, updated ${res.r.counts.updated}, unchanged ${res.r.counts.unchanged}, skipped ${res.r.counts.skipped}, failed ${res.r.counts.failed}`;
        createdByCleanRun[object] = res.r.counts.created;
        if (res.r.watermark) watermark[object] = res.r.watermark;
      }
      log(`chaos: clean ${object} run ${cleanRuns[object]}`);
    }

    // ── the verdict ──
    const failures = failedLog(root, tsxLoader, env.address, env.namespace ?? 'default', workDir, log);
    const verdict = await verify({ sl, admin, mapping, formula, failures, fixedCustomers, money, goods: merchant.deliveries > 0 });
    const attempts = await activityAttempts(env.client.workflowService, env.namespace ?? 'default', everyRun);
    const conflicts: ChaosReport['conflicts'] = [];
    for (const { workflowId } of everyRun) {
      const rec = await runRecords(env.client, workflowId).catch(() => undefined);
      for (const x of rec?.outcomes ?? []) {
        if (x.outcome === 'failed' && classifyReason(x.reason) === 'conflict')
          conflicts.push({ object: x.object, sourceId: x.sourceId, reason: x.reason ?? '', run: workflowId });
      }
    }

    const faults = Object.fromEntries(
      [...FAULT_KINDS, 'latency'].map((k) => [k, proxies.reduce((a, p) => a + p.stats.faults[k as FaultKind], 0)]),
    ) as ChaosReport['faults'];
    const faultsTotal = Object.values(faults).reduce((a, b) => a + b, 0);
    const minutes = chaosMs / 60_000;
    return {
      seed,
      minutes: o.minutes,
      verdict,
      kills,
      faults,
      faultsTotal,
      faultsByProxy: Object.fromEntries(
        proxies.map((p) => [
          p.name,
          { requests: p.stats.requests, faults: { ...p.stats.faults }, writeFaults: { ...p.stats.writeFaults } },
        ]),
      ),
      runs,
      createdPerMinute: Object.fromEntries(
        OBJECTS.map((x) => [x, Math.round((runs[x].created / minutes) * 10) / 10]),
      ) as ChaosReport['createdPerMinute'],
      createdByCleanRun,
      cleanRuns,
      attempts,
      conflicts,
      merchant,
      workDir,
      line: summaryLine(verdict, kills, faultsTotal),
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await closeAll();
  }
}

/**
 * Failed records as the operator sees them: `b1hub log --failed --json`. When the failed-record
 * ledger lands, this is the one place to switch to it.
 */
function failedLog(
  root: string,
  tsxLoader: string,
  address: string,
  namespace: string,
  workDir: string,
  log: (s: string) => void,
): ReportedFailure[] {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      tsxLoader,
      join(root, 'src', 'cli', 'main.ts'),
      '--data-dir',
      join(workDir, 'data'),
      '--temporal-address',
      address,
      '--namespace',
      namespace,
      'log',
      '--failed',
      '--json',
      '--since',
      '24h',
    ],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, B1HUB_CONFIG: '' },
    },
  );
  if (r.status !== 0) {
    log(`chaos: b1hub log --failed exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    return [];
  }
  const start = r.stdout.indexOf('[');
  try {
    return JSON.parse(r.stdout.slice(start)) as ReportedFailure[];
  } catch {
    log(`chaos: b1hub log --failed printed no JSON: ${r.stdout.slice(0, 300)}`);
    return [];
  }
}

type WorkflowService = Awaited<ReturnType<typeof createDevServerEnv>>['client']['workflowService'];

/** Attempts per activity task (a page's fetch or post) from the runs' histories, continued-as-new runs included. */
async function activityAttempts(
  svc: WorkflowService,
  namespace: string,
  list: { workflowId: string; runId: string }[],
): Promise<Record<string, ActivityAttempts>> {
  const out: Record<string, ActivityAttempts> = {};
  for (const { workflowId, runId: first } of list) {
    let runId: string | undefined = first;
    for (let hops = 0; runId && hops < 50; hops++) {
      const types = new Map<string, string>();
      let token: Uint8Array | undefined;
      let last: temporal.api.history.v1.IHistoryEvent | undefined;
      do {
        const res: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse = await svc.getWorkflowExecutionHistory({
          namespace,
          execution: { workflowId, runId },
          maximumPageSize: 200,
          ...(token ? { nextPageToken: token } : {}),
        });
        for (const ev of res.history?.events ?? []) {
          last = ev;
          const sched = ev.activityTaskScheduledEventAttributes;
          if (sched) types.set(String(ev.eventId), sched.activityType?.name ?? '?');
          const started = ev.activityTaskStartedEventAttributes;
          if (started) {
            const type = types.get(String(started.scheduledEventId)) ?? '?';
            const a = (out[type] ??= { tasks: 0, attempts: 0, max: 0, histogram: {}, retriedAfter: {} });
            const n = started.attempt ?? 1;
            if (n > 1 && started.lastFailure) {
              const cause = failureCause(started.lastFailure);
              a.retriedAfter[cause] = (a.retriedAfter[cause] ?? 0) + 1;
            }
            a.tasks++;
            a.attempts += n;
            a.max = Math.max(a.max, n);
            a.histogram[n] = (a.histogram[n] ?? 0) + 1;
          }
        }
        token = res.nextPageToken && res.nextPageToken.length ? res.nextPageToken : undefined;
      } while (token);
      runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
  }
  return out;
}

/** Human-readable report (the last line is the verdict line). */
export function formatReport(r: ChaosReport): string {
  const lines: string[] = [];
  lines.push(`seed ${r.seed}, ${r.minutes} min; work dir ${r.workDir}`);
  lines.push(
    `faults by kind: ${Object.entries(r.faults)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  for (const [name, p] of Object.entries(r.faultsByProxy))
    lines.push(
      `  ${name}: ${p.requests} requests; on writes: ${
        Object.entries(p.writeFaults)
          .filter(([, v]) => v)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      }`,
    );
  lines.push(`kills: ${r.kills}`);
  lines.push(
    `merchant: ${r.merchant.orders} orders, ${r.merchant.customers} customers, ${r.merchant.stockChanges} stock changes, ${r.merchant.itemsSelected} items selected, ${r.merchant.refunds} refunds, ${r.merchant.deliveries} deliveries, ${r.merchant.errors} errors`,
  );
  for (const [obj, x] of Object.entries(r.runs)) {
    lines.push(
      `runs ${obj}: ${x.started} started, ${x.completed} completed, ${x.failed} failed, ${x.terminated} terminated; created ${x.created} (${r.createdPerMinute[obj as SyncObject]}/min), by the clean run ${r.createdByCleanRun[obj as SyncObject] ?? '-'}; clean run ${r.cleanRuns[obj as SyncObject] ?? '-'}; seconds per run ${x.seconds.join(' ') || '-'}`,
    );
  }
  for (const [type, a] of Object.entries(r.attempts)) {
    lines.push(
      `attempts ${type}: ${a.tasks} tasks, mean ${(a.attempts / Math.max(1, a.tasks)).toFixed(2)}, max ${a.max}; histogram ${Object.entries(
        a.histogram,
      )
        .map(([n, c]) => `${n}×${c}`)
        .join(' ')}${
        Object.keys(a.retriedAfter).length
          ? `; retried after ${Object.entries(a.retriedAfter)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')}`
          : ''
      }`,
    );
  }
  const c = r.verdict.counts;
  lines.push(
    `checked: ${c.shopifyOrders} Shopify orders (${c.eligibleOrders} eligible), ${c.b1OpenOrders} open sales orders, ${c.shopifyCustomers} customers, ${c.partners} linked partners, ${c.selectedItems} selected items, ${c.variants} variants, ${c.stockRows} stock rows, ${c.invoicedOrders} invoiced orders (payments and refunds checked), ${c.deliveries} deliveries`,
  );
  lines.push(
    `failed for a data reason and reported by \`b1hub log --failed\`: ${r.verdict.reportedDataFailures.length}${r.verdict.reportedDataFailures.length ? ` (${r.verdict.reportedDataFailures.map((f) => `${f.object} ${f.sourceId}: ${f.reason}`).join('; ')})` : ''}`,
  );
  lines.push(
    `conflicts with the hub's own concurrent writes (healed or not): ${r.conflicts.length}${r.conflicts.length ? ` (${r.conflicts.map((c) => `${c.object} ${c.sourceId} in ${c.run}: ${c.reason}`).join('; ')})` : ''}`,
  );
  lines.push(
    `in doubt (the hub's POST may still commit; in the ledger, posted after the reservation window): ${r.verdict.inDoubt.length}${r.verdict.inDoubt.length ? ` (${r.verdict.inDoubt.map((f) => `${f.object} ${f.sourceId}`).join('; ')})` : ''}`,
  );
  if (r.verdict.nonDataFailures.length)
    lines.push(
      `failed-log entries with a transient or conflict reason (not counted): ${r.verdict.nonDataFailures.map((f) => `${f.object} ${f.sourceId} [${f.why}]: ${f.reason}`).join('; ')}`,
    );
  for (const f of r.verdict.findings) lines.push(`  ${f.kind} ${f.object} ${f.id}: ${f.detail}`);
  lines.push(r.line);
  return lines.join('\n');
}
