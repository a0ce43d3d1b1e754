/** One benchmarked run's figures: the console line, the JSON row, and the README table. */
import type { SyncObject } from '../src/shared/sync-object';
import type { SyncMode, SyncRunResult } from '../src/shared/sync-types';
import { bulkDurationMs, type ShopifyLatency } from '../src/sim/latency';
import type { BulkOperationRec } from '../src/sim/shopify/state';

export interface RunReport {
  pipeline: SyncObject;
  mode: SyncMode;
  /** full, delta (right after the full run) or quiet (a delta after that delta). */
  run: string;
  status: 'ok' | 'not implemented' | 'failed';
  error?: string;
  records?: number;
  counts?: SyncRunResult['counts'];
  seconds?: number;
  recordsPerSec?: number;
  /** The lower of the ceilings below: what binds this run. */
  ceilingPerSec?: number;
  ceilingKind?: 'Shopify rate limit' | 'B1 concurrency';
  /** recordsPerSec ÷ ceilingPerSec. */
  ceilingShare?: number;
  /** Records/s the plan's restore rate sustains at this run's points per record. */
  rateLimitCeilingPerSec?: number;
  /** Records/s the Service Layer sustains at the hub's B1 concurrency and this run's B1 time per record. */
  b1CeilingPerSec?: number;
  /** Profile latency the Service Layer served per record (its busy time), in ms. */
  b1MsPerRecord?: number;
  shopifyPoints?: number;
  pointsPerRecord?: number;
  /** Points used ÷ (bucket at start + restore rate × elapsed). */
  budgetFraction?: number;
  shopifyCalls?: number;
  /** Service Layer requests the run caused (counted at the simulator). */
  b1CallsTotal?: number;
  /** The same by method and entity set (b1CallBreakdown), with --b1-calls. */
  b1Calls?: Record<string, number>;
  shopifyCallsPerRecord?: number;
  b1CallsPerRecord?: number;
  inventoryWrites?: number;
  historyBytesPerRecord?: number;
  historyEventsPerRecord?: number;
  historyRuns?: number;
  historyBreakdownPerRecord?: Record<string, number>;
  /** Mean milliseconds from an activity's scheduling to its completion, by activity type. */
  activityMeanMs?: Record<string, number>;
  /** Bulk operations the run started, and what the latency profile charged for them. */
  bulk?: BulkTime;
  /** The worker's peak RSS during this run (VmHWM, reset before the run); with several workers, the highest. */
  workerPeakRssMb?: number | null;
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The binding ceiling: the lower of the rate-limit and the B1 ceilings that apply. */
export function bindingCeiling(r: RunReport): Pick<RunReport, 'ceilingPerSec' | 'ceilingKind' | 'ceilingShare'> {
  const options: [number, NonNullable<RunReport['ceilingKind']>][] = [];
  if (r.rateLimitCeilingPerSec !== undefined) options.push([r.rateLimitCeilingPerSec, 'Shopify rate limit']);
  if (r.b1CeilingPerSec !== undefined) options.push([r.b1CeilingPerSec, 'B1 concurrency']);
  if (!options.length) return {};
  const [ceiling, kind] = options.sort((a, b) => a[0] - b[0])[0]!;
  return { ceilingPerSec: ceiling, ceilingKind: kind, ceilingShare: round((r.recordsPerSec ?? 0) / ceiling, 3) };
}

/** The JSON row: the documented keys always present (null when a figure does not apply), then the rest. */
export function jsonRow(r: RunReport, profile: string): Record<string, unknown> {
  const { pipeline, run, status, ...rest } = r;
  return {
    pipeline,
    run,
    profile,
    status,
    records: r.records ?? null,
    recordsPerSec: r.recordsPerSec ?? null,
    ceilingPerSec: r.ceilingPerSec ?? null,
    ceilingKind: r.ceilingKind ?? null,
    ceilingShare: r.ceilingShare ?? null,
    b1CallsPerRecord: r.b1CallsPerRecord ?? null,
    shopifyCallsPerRecord: r.shopifyCallsPerRecord ?? null,
    historyBytesPerRecord: r.historyBytesPerRecord ?? null,
    workerPeakRssMb: r.workerPeakRssMb ?? null,
    ...rest,
  };
}

const n = (v: number | undefined): string => (v === undefined ? '–' : v.toLocaleString('en-US'));

export function line(r: RunReport): string {
  const head = `${r.pipeline.padEnd(9)} ${r.run.padEnd(5)}`;
  if (r.status !== 'ok') return `${head} ${r.status}${r.status === 'failed' ? `: ${r.error}` : ''}`;
  const c = r.counts!;
  return (
    `${head} ${r.records} records in ${r.seconds} s = ${r.recordsPerSec} rec/s` +
    (r.ceilingPerSec !== undefined
      ? ` = ${Math.round((r.ceilingShare ?? 0) * 100)}% of the ${r.ceilingKind} ceiling of ${r.ceilingPerSec} rec/s` +
        ` (rate limit ${n(r.rateLimitCeilingPerSec)}, B1 ${n(r.b1CeilingPerSec)} at ${n(r.b1MsPerRecord)} ms B1 time/rec)`
      : '') +
    ` | ${r.shopifyPoints} pts (${r.pointsPerRecord}/rec), ${Math.round((r.budgetFraction ?? 0) * 100)}% of the run's point budget` +
    ` | calls/rec ${r.b1CallsPerRecord} B1 (${r.b1CallsTotal}), ${r.shopifyCallsPerRecord} Shopify (${r.shopifyCalls}) | inventory writes ${r.inventoryWrites}` +
    ` | history ${r.historyBytesPerRecord} B, ${r.historyEventsPerRecord} events /rec (${r.historyRuns} run${r.historyRuns === 1 ? '' : 's'};` +
    ` ${Object.entries(r.historyBreakdownPerRecord ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})` +
    ` | mean ms ${Object.entries(r.activityMeanMs ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}` +
    (r.bulk
      ? ` | bulk: ${r.bulk.mutations} imports of ${r.bulk.mutationRows} lines + ${r.bulk.queries} exports, ${r.bulk.chargedSec} s charged; one import of every line ${r.bulk.unavoidableSec} s (run = ${round((r.seconds ?? 0) / (r.bulk.unavoidableSec || 1), 2)}×)`
      : '') +
    ` | worker peak RSS ${r.workerPeakRssMb} MB` +
    ` | created ${c.created} updated ${c.updated} unchanged ${c.unchanged} skipped ${c.skipped} failed ${c.failed}`
  );
}

/** The README's table: one row per run. */
export function markdownTable(reports: readonly RunReport[]): string {
  const rows = reports.map((r) =>
    r.status !== 'ok'
      ? `| ${r.pipeline} | ${r.run} | ${r.status} | | | | | | |`
      : `| ${r.pipeline} | ${r.run} | ${n(r.records)} | ${n(r.recordsPerSec)} | ${r.ceilingPerSec !== undefined ? `${n(r.ceilingPerSec)} (${r.ceilingKind}); ${Math.round((r.ceilingShare ?? 0) * 100)} %` : '–'} | ${r.b1CallsPerRecord} | ${r.shopifyCallsPerRecord} | ${n(r.historyBytesPerRecord)} B | ${n(r.workerPeakRssMb ?? undefined)} MB |`,
  );
  return [
    '| pipeline | run | records | records/s | binding ceiling (rec/s); share | B1 calls / rec | Shopify calls / rec | history / rec | worker peak RSS |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * Service Layer requests grouped by method and entity set ("GET Orders", "POST $batch",
 * "POST Orders/Cancel" for a bound action), from the B1 simulator's request lines
 * ("METHOD /b1s/v1/Set(key)/Action?query"). A `$batch` counts once: its parts are not requests.
 */
export function b1CallBreakdown(lines: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) {
    const sp = l.indexOf(' ');
    const method = l.slice(0, sp);
    const url = l.slice(sp + 1);
    const m = /^\/b1s\/v[12]\/([^/(?]+)(?:\((?:'(?:[^']|'')*'|[^)]*)\))?(?:\/([^/?(]+))?/.exec(url);
    const key = m ? `${method} ${m[1]}${m[2] ? `/${m[2]}` : ''}` : `${method} ${url.split('?')[0]}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  // Most requested first, so the console line leads with what costs.
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

export function b1CallsLine(r: RunReport): string {
  return `${r.pipeline.padEnd(9)} ${r.run.padEnd(5)} B1 calls: ${Object.entries(r.b1Calls ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`;
}

export interface BulkTime {
  queries: number;
  mutations: number;
  /** Lines imported by the bulk mutations. */
  mutationRows: number;
  /** The profile's duration of every bulk operation of the run, summed (they ran one after another). */
  chargedSec: number;
  /** The one bulk import of every row the run could not avoid: bulkBaseMs + rows × the per-line figure. */
  unavoidableSec: number;
}

/** What the simulator's latency profile charged for a run's bulk operations (src/sim/latency.ts bulkDurationMs). */
export function bulkTime(ops: readonly BulkOperationRec[], l: ShopifyLatency): BulkTime | undefined {
  if (!ops.length) return undefined;
  const mutations = ops.filter((o) => o.type === 'MUTATION');
  const mutationRows = mutations.reduce((n, o) => n + o.objectCount, 0);
  const charged = ops.reduce((ms, o) => ms + bulkDurationMs(l, o.type, o.objectCount), 0);
  return {
    queries: ops.length - mutations.length,
    mutations: mutations.length,
    mutationRows,
    chargedSec: round(charged / 1000, 1),
    unavoidableSec: mutations.length ? round(bulkDurationMs(l, 'MUTATION', mutationRows) / 1000, 1) : 0,
  };
}
