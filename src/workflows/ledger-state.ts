/**
 * The open-error ledger's state and rules (pure, deterministic): which records of one object
 * failed and are not yet resolved, which were resolved lately and how, and which open errors
 * are due for a retry under the back-off. The ledger workflow (ledger.ts) is a thin shell
 * around this class, as in samples-typescript message-passing/safe-message-handlers.
 *
 * Sized for a bad day: 50,000 open errors must travel through continue-as-new as one payload
 * far below Temporal's 2 MB limit, so the carried form is columnar (one array per field),
 * times are seconds since a base, and reasons, fields and runs go through a string table.
 */

import { delta, pack, undelta, unpack, type PackedStrings } from './ledger-packing';
import type { BackoffPolicy, OpenError, RecordOutcomesRequest, Resolution, ResolvedError } from './ledger-types';

export type { PackedStrings };
// The message and view types moved to ledger-types.ts; importers keep reading them from here.
export {
  DEFAULT_BACKOFF,
  type BackoffPolicy,
  type LedgerOutcome,
  type OpenError,
  type RecordOutcomesRequest,
  type Resolution,
  type ResolvedError,
} from './ledger-types';

/** Reasons are cut here: the full text stays in the failing run's history (`b1hub log show`). */
export const REASON_MAX_CHARS = 300;
/** How many resolved entries the ledger remembers (the runs' histories keep the rest). */
export const RESOLVED_KEPT = 200;
/** How many (run, page) keys the ledger remembers to ignore a page recorded twice (activity retry). */
export const SEEN_PAGES_KEPT = 2_000;
/**
 * How many records the ledger remembers as last seen succeeding (or skipped), with the attempt
 * time, so a late failure from an older attempt does not reopen them. Beyond this (the oldest
 * forgotten first) a late failure opens the record again: that costs one retry, which re-reads
 * the source, never a lost failure.
 */
export const RECENT_OK_KEPT = 5_000;

/** Carried through continue-as-new: columnar, so 50k entries compress well. */
export interface CarriedLedger {
  /** Epoch seconds all times are relative to. */
  base: number;
  strings: string[];
  ids: PackedStrings;
  labels: PackedStrings;
  /** Indexes into `strings` (-1 for none), as differences to the previous row. */
  reasons: number[];
  fields: number[];
  runs: number[];
  /** Seconds since `base`, as differences to the previous row. */
  firstSeen: number[];
  lastSeen: number[];
  attempts: number[];
  /** Attempt time (epoch ms, 0 = unknown) of each open error, as differences; absent in older states. */
  attemptAt?: number[];
  /** Records whose newest known outcome was not a failure, with its attempt time (see `RECENT_OK_KEPT`). */
  okIds?: PackedStrings;
  okAt?: number[];
  resolved: ResolvedError[];
  seenPages: string[];
}

/** In a reason, the record's own label is stored as this mark ("order \u0001: line 1 SKU …"). */
const LABEL_MARK = '\u0001';

interface Entry {
  label?: string;
  reason: string;
  field?: string;
  firstSeen: number; // epoch ms
  lastSeen: number;
  attempts: number;
  lastRun: string;
  /** Server time of the attempt that failed last (see `RecordOutcomesRequest.attemptAtMs`). */
  attemptAt?: number;
}

export interface LedgerPage {
  total: number;
  offset: number;
  entries: OpenError[];
}

/** Queries never return more than this many entries at once. */
export const LEDGER_PAGE_MAX = 1_000;

const iso = (ms: number) => new Date(ms).toISOString();

export class LedgerState {
  private open = new Map<string, Entry>();
  private resolved: ResolvedError[] = [];
  private seenPages: string[] = [];
  private seenSet = new Set<string>();
  /** Source id → attempt time of its newest outcome that was not a failure (insertion = age order). */
  private recentOk = new Map<string, number>();

  static from(carried?: CarriedLedger): LedgerState {
    const s = new LedgerState();
    if (!carried) return s;
    const t = (sec: number) => (carried.base + sec) * 1000;
    const str = (i: number | undefined) => (i === undefined || i < 0 ? undefined : carried.strings[i]);
    const ids = unpack(carried.ids, carried.strings);
    const labels = unpack(carried.labels, carried.strings);
    const [reasons, fields, runs, firstSeen, lastSeen] = [
      carried.reasons,
      carried.fields,
      carried.runs,
      carried.firstSeen,
      carried.lastSeen,
    ].map(undelta);
    const attemptAt = carried.attemptAt ? undelta(carried.attemptAt) : [];
    ids.forEach((id, i) => {
      const field = str(fields![i]);
      const label = labels[i];
      const reason = str(reasons![i]) ?? '';
      s.open.set(id, {
        ...(label ? { label } : {}),
        reason: label ? reason.split(LABEL_MARK).join(label) : reason,
        ...(field !== undefined ? { field } : {}),
        firstSeen: t(firstSeen![i]!),
        lastSeen: t(lastSeen![i]!),
        attempts: carried.attempts[i]!,
        lastRun: str(runs![i]) ?? '',
        ...(attemptAt[i] ? { attemptAt: attemptAt[i] } : {}),
      });
    });
    if (carried.okIds && carried.okAt) {
      const okAt = undelta(carried.okAt);
      unpack(carried.okIds, carried.strings).forEach((id, i) => s.recentOk.set(id, okAt[i]!));
    }
    s.resolved = carried.resolved;
    s.seenPages = carried.seenPages;
    s.seenSet = new Set(carried.seenPages);
    return s;
  }

  carry(): CarriedLedger {
    const strings: string[] = [];
    const index = new Map<string, number>();
    const intern = (v: string | undefined) => {
      if (v === undefined) return -1;
      let i = index.get(v);
      if (i === undefined) {
        i = strings.length;
        strings.push(v);
        index.set(v, i);
      }
      return i;
    };
    let base = Infinity;
    for (const e of this.open.values()) base = Math.min(base, Math.floor(e.firstSeen / 1000));
    if (base === Infinity) base = 0;
    const ids: string[] = [];
    const labels: string[] = [];
    const cols = {
      reasons: [] as number[],
      fields: [] as number[],
      runs: [] as number[],
      firstSeen: [] as number[],
      lastSeen: [] as number[],
      attempts: [] as number[],
      attemptAt: [] as number[],
    };
    for (const [id, e] of this.open) {
      ids.push(id);
      labels.push(e.label ?? '');
      // The label is kept once; a reason that names it ("order #1001: …") refers to it.
      cols.reasons.push(intern(e.label && !e.reason.includes(LABEL_MARK) ? e.reason.split(e.label).join(LABEL_MARK) : e.reason));
      cols.fields.push(intern(e.field));
      cols.runs.push(intern(e.lastRun));
      cols.firstSeen.push(Math.floor(e.firstSeen / 1000) - base);
      cols.lastSeen.push(Math.floor(e.lastSeen / 1000) - base);
      cols.attempts.push(e.attempts);
      cols.attemptAt.push(e.attemptAt ?? 0);
    }
    return {
      base,
      strings,
      ids: pack(ids, intern),
      labels: pack(labels, intern),
      reasons: delta(cols.reasons),
      fields: delta(cols.fields),
      runs: delta(cols.runs),
      firstSeen: delta(cols.firstSeen),
      lastSeen: delta(cols.lastSeen),
      attempts: cols.attempts,
      ...(cols.attemptAt.some((t) => t > 0) ? { attemptAt: delta(cols.attemptAt) } : {}),
      ...(this.recentOk.size ? { okIds: pack([...this.recentOk.keys()], intern), okAt: delta([...this.recentOk.values()]) } : {}),
      resolved: this.resolved,
      seenPages: this.seenPages,
    };
  }

  get openCount(): number {
    return this.open.size;
  }

  has(sourceId: string): boolean {
    return this.open.has(sourceId);
  }

  /**
   * Applies one page of outcomes. A page seen before (same run and page: the activity was
   * retried after its signal landed) changes nothing. Returns whether it was applied.
   *
   * Per record the newest attempt wins, whatever order the pages arrive in: an outcome older
   * than what the ledger knows of that record (its open error's attempt, or its last success)
   * is stale and ignored. Equal times (pages of one run, logged one after another) apply in
   * arrival order. Outcomes without an attempt time apply in arrival order, as before.
   */
  record(req: RecordOutcomesRequest, nowMs: number): boolean {
    const key = req.dedupeKey ?? `${req.runId}#${req.pageIndex}`;
    if (this.seenSet.has(key)) return false;
    this.seenSet.add(key);
    this.seenPages.push(key);
    while (this.seenPages.length > SEEN_PAGES_KEPT) this.seenSet.delete(this.seenPages.shift()!);

    const at = req.attemptAtMs;
    for (const o of req.outcomes) {
      const prev = this.open.get(o.sourceId);
      if (at !== undefined && this.newerKnown(o.sourceId, prev, at)) continue;
      if (o.outcome === 'failed') {
        this.recentOk.delete(o.sourceId);
        const reason = (o.reason ?? 'unknown reason').slice(0, REASON_MAX_CHARS);
        const label = o.label ?? prev?.label;
        this.open.set(o.sourceId, {
          ...(label ? { label } : {}),
          reason,
          ...(o.field ? { field: o.field } : {}),
          firstSeen: prev?.firstSeen ?? nowMs,
          lastSeen: nowMs,
          attempts: (prev?.attempts ?? 0) + 1,
          lastRun: req.runId,
          ...(at !== undefined ? { attemptAt: Math.max(at, prev?.attemptAt ?? 0) } : {}),
        });
        continue;
      }
      if (at !== undefined) this.rememberOk(o.sourceId, at);
      if (prev) {
        const resolution: Resolution =
          o.outcome === 'skipped'
            ? { how: 'skipped', run: req.runId, rule: o.rule ?? 'skipped' }
            : { how: 'succeeded', run: req.runId, outcome: o.outcome };
        this.resolve(o.sourceId, prev, resolution, nowMs);
      }
    }
    return true;
  }

  /** Whether the ledger knows an attempt of this record newer than `at`. */
  private newerKnown(sourceId: string, prev: Entry | undefined, at: number): boolean {
    if (prev) return prev.attemptAt !== undefined && prev.attemptAt > at;
    const ok = this.recentOk.get(sourceId);
    return ok !== undefined && ok > at;
  }

  private rememberOk(sourceId: string, at: number): void {
    this.recentOk.delete(sourceId);
    this.recentOk.set(sourceId, at);
    // Oldest remembered first out (a Map iterates in insertion order).
    while (this.recentOk.size > RECENT_OK_KEPT) this.recentOk.delete(this.recentOk.keys().next().value!);
  }

  /** Ids that are not open, in the order given (a dismiss naming them is refused). */
  unknown(ids: readonly string[]): string[] {
    return ids.filter((id) => !this.open.has(id));
  }

  dismiss(ids: readonly string[], reason: string, by: string, nowMs: number): number {
    let n = 0;
    for (const id of ids) {
      const e = this.open.get(id);
      if (!e) continue;
      this.resolve(id, e, { how: 'dismissed', reason, by }, nowMs);
      n++;
    }
    return n;
  }

  private resolve(sourceId: string, e: Entry, resolution: Resolution, nowMs: number): void {
    this.open.delete(sourceId);
    this.resolved.unshift({
      sourceId,
      ...(e.label ? { label: e.label } : {}),
      reason: e.reason,
      attempts: e.attempts,
      firstSeen: iso(e.firstSeen),
      resolvedAt: iso(nowMs),
      resolution,
    });
    if (this.resolved.length > RESOLVED_KEPT) this.resolved.length = RESOLVED_KEPT;
  }

  isDue(e: Entry, nowMs: number, policy: BackoffPolicy): boolean {
    const age = nowMs - e.firstSeen;
    if (age < policy.everyRunForMs) return true;
    const every = age < policy.untilMs ? policy.thenEveryMs : policy.finallyEveryMs;
    return nowMs - e.lastSeen >= every;
  }

  /** Source ids due for a retry at `nowMs`, least recently tried first, at most `limit`. */
  due(nowMs: number, policy: BackoffPolicy, limit: number): string[] {
    const due: Array<[string, number]> = [];
    for (const [id, e] of this.open) if (this.isDue(e, nowMs, policy)) due.push([id, e.lastSeen]);
    due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return due.slice(0, Math.max(0, limit)).map(([id]) => id);
  }

  dueCount(nowMs: number, policy: BackoffPolicy): number {
    let n = 0;
    for (const e of this.open.values()) if (this.isDue(e, nowMs, policy)) n++;
    return n;
  }

  /** Open errors, oldest first, one page at a time (never all 50k at once); optionally only those last failed at or after `lastFailedFromMs`. */
  page(offset: number, limit: number, lastFailedFromMs?: number): LedgerPage {
    const size = Math.min(Math.max(limit, 1), LEDGER_PAGE_MAX);
    const from = Math.max(offset, 0);
    const entries: OpenError[] = [];
    let i = 0;
    for (const [sourceId, e] of this.open) {
      if (lastFailedFromMs === undefined && i >= from + size) break;
      if (lastFailedFromMs !== undefined && e.lastSeen < lastFailedFromMs) continue;
      if (i++ < from || entries.length >= size) continue;
      entries.push({
        sourceId,
        ...(e.label ? { label: e.label } : {}),
        reason: e.reason,
        ...(e.field ? { field: e.field } : {}),
        firstSeen: iso(e.firstSeen),
        lastSeen: iso(e.lastSeen),
        attempts: e.attempts,
        lastRun: e.lastRun,
      });
    }
    return { total: lastFailedFromMs === undefined ? this.open.size : i, offset: from, entries };
  }

  recentResolved(limit: number): ResolvedError[] {
    return this.resolved.slice(0, Math.min(Math.max(limit, 0), RESOLVED_KEPT));
  }
}
