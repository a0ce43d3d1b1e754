/** Command line of scripts/bench.ts. */
import type { SyncObject } from '../src/shared/sync-object';
import { PLANS, type PlanName } from '../src/sim/shopify/bucket';
import { LATENCY_USAGE, parseLatency, type LatencyProfile } from '../src/sim/latency';

export interface BenchArgs {
  items: number;
  customers: number;
  orders: number;
  objects: SyncObject[];
  plan: PlanName;
  /** Per run (the whole continue-as-new chain); a run still retrying then is reported as failed. */
  timeoutSec: number;
  /** Where to write the JSON report, if anywhere. */
  jsonFile?: string;
  /** Simulators' response times (src/sim/latency.ts); `zero` measures the hub's own overhead. */
  profileName: string;
  profile: LatencyProfile;
  /** Skip the two delta runs after each full run. */
  fullOnly: boolean;
  /** Report each run's Service Layer requests by method and entity set. */
  b1Calls: boolean;
  /** Worker processes on the one task queue. */
  workers: number;
}

export const BENCH_USAGE =
  'npx tsx scripts/bench.ts [--items 10000] [--customers 2000] [--orders 1000] [--objects inventory,product,customer,order]\n' +
  '  [--plan standard] [--profile zero|realistic[,b1.writeMs=300…]] [--full-only] [--b1-calls] [--workers 1] [--timeout 600] [--json <file>]\n' +
  `  --profile: ${LATENCY_USAGE}`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = {
    items: 10_000,
    customers: 2_000,
    orders: 1_000,
    objects: ['inventory', 'product', 'customer', 'order'],
    plan: 'standard',
    timeoutSec: 600,
    profileName: 'zero',
    profile: parseLatency('zero'),
    fullOnly: false,
    b1Calls: false,
    workers: 1,
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
    } else if (k === '--profile') {
      if (!v || v.startsWith('--')) throw new Error(`--profile needs ${LATENCY_USAGE}`);
      a.profile = parseLatency(v);
      a.profileName = v;
      i++;
    } else if (k === '--full-only') a.fullOnly = true;
    else if (k === '--workers') a.workers = Math.max(1, int());
    else if (k === '--b1-calls') a.b1Calls = true;
    else if (k === '--timeout') a.timeoutSec = Math.max(1, int());
    else if (k === '--json') {
      if (!v || v.startsWith('--')) throw new Error('--json needs a file to write the report to');
      a.jsonFile = v;
      i++;
    } else if (k === '-h' || k === '--help') throw new Error(BENCH_USAGE);
    else throw new Error(`unknown option ${k}\n${BENCH_USAGE}`);
  }
  return a;
}
