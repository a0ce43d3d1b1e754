/**
 * The scheduler's state and rules, apart from the workflow that drives them (as in
 * samples-typescript message-passing/safe-message-handlers, whose ClusterManager holds the state
 * and the workflow function only wires handlers and the main loop).
 *
 * The rules: a schedule slot fires once; at most one sync run of the object at a time, every
 * trigger that arrives meanwhile folded into one follow-up run (schedule/run-queue.ts); a retried
 * Sync Now request is served once; only a finished delta or full run moves the watermark.
 *
 * Deterministic: the clock is workflow time (`Date.now()` in the sandbox). Every method that
 * changes something bumps `changes`, which wakes the main loop.
 */
import { describeSchedule, nextFireTime, nextFireTimes, parseScheduleSpec, type ScheduleSpec } from '../schedule/spec';
import { coalesce, compactTimestamp, isValidRequestId, type QueuedRequest } from '../schedule/run-queue';
import type { SyncObject } from '../shared/sync-object';
import type { PendingRun, RunSummary, SchedulerStatus, SyncMode, SyncNowRequest, SyncRunInput, SyncTrigger } from '../shared/sync-types';

/** How many finished runs the scheduler remembers (the full log is in the runs' own histories). */
export const RECENT_RUNS_KEPT = 20;
const REQUESTS_KEPT = 50;

/** Everything the scheduler carries from one run of its history to the next (continue-as-new). */
export interface SchedulerState {
  spec: ScheduleSpec;
  paused: boolean;
  pauseReason?: string;
  watermark?: string;
  pending?: PendingRun;
  recentRuns: RunSummary[];
  lastRejected?: { at: string; reason: string };
  requests: Record<string, string>;
  /** The last schedule slot that fired (epoch ms): a slot never fires twice. */
  lastSlot?: number;
  seq: number;
}

export function initialSchedulerState(spec: ScheduleSpec): SchedulerState {
  return { spec, paused: false, recentRuns: [], requests: {}, seq: 0 };
}

/** The update's validator: a bad spec is refused before it reaches history. */
export function validateSchedule(spec: ScheduleSpec): void {
  const parsed = parseScheduleSpec(spec);
  if (!parsed.ok) throw new Error(`invalid schedule: ${parsed.error}`);
}

const nowIso = () => new Date(Date.now()).toISOString();

export class SchedulerRules {
  /** The run in progress; not carried over (the scheduler continues as new only when idle). */
  running: RunSummary | undefined;
  /** Bumped by every message and run completion: the main loop waits for it to move. */
  changes = 0;

  constructor(
    readonly object: SyncObject,
    readonly state: SchedulerState,
  ) {}

  // ---------- messages ----------

  /** The setSchedule signal. Signals cannot answer: an invalid spec is kept out of the state and reported in status. */
  setSchedule(spec: unknown): void {
    const parsed = parseScheduleSpec(spec);
    if (parsed.ok) {
      this.state.spec = parsed.spec;
      this.state.lastRejected = undefined;
    } else {
      this.state.lastRejected = { at: nowIso(), reason: parsed.error };
    }
    this.changes++;
  }

  /** The changeSchedule update (after its validator). */
  changeSchedule(spec: ScheduleSpec): SchedulerStatus {
    // The state keeps the parsed form, as the signal does. The validator already accepted this
    // spec; a parse can fail here only when replaying an update an older, looser schema accepted,
    // and then the spec is kept as it came so the replay rebuilds the state it had.
    const parsed = parseScheduleSpec(spec);
    this.state.spec = parsed.ok ? parsed.spec : spec;
    this.state.lastRejected = undefined;
    this.changes++;
    return this.status();
  }

  syncNow(req?: SyncNowRequest): void {
    const requestId = req?.requestId;
    if (requestId !== undefined) {
      if (!isValidRequestId(requestId)) {
        this.state.lastRejected = {
          at: nowIso(),
          reason: `syncNow: invalid requestId '${requestId.slice(0, 80)}' (letters, digits, . _ - up to 64)`,
        };
        this.changes++;
        return;
      }
      if (this.state.requests[requestId]) return; // a retried signal: that request is already served
    }
    const mode: SyncMode = req?.full ? 'full' : req?.ids?.length ? 'ids' : 'delta';
    this.enqueue(req?.trigger ?? 'manual', mode, { ids: req?.ids, requestId });
    this.changes++;
  }

  pause(reason?: string): void {
    this.state.paused = true;
    this.state.pauseReason = reason;
    this.changes++;
  }

  resume(): void {
    this.state.paused = false;
    this.state.pauseReason = undefined;
    // Slots missed while paused are not made up; the schedule resumes from now.
    this.state.lastSlot = Math.max(this.state.lastSlot ?? 0, Date.now());
    this.changes++;
  }

  // ---------- schedule ----------

  /** The next slot to fire (epoch ms), or undefined while paused or when the spec never fires again. */
  nextFireTime(): number | undefined {
    return this.state.paused ? undefined : nextFireTime(this.state.spec, this.slotsAfter());
  }

  /** A slot's timer fired: queue its delta run (folded into a pending one, if any). */
  slotFired(slot: number): void {
    if (this.state.paused) return;
    this.state.lastSlot = slot;
    this.enqueue('schedule', 'delta', { scheduledFor: slot });
  }

  private slotsAfter(): number {
    return Math.max(Date.now(), this.state.lastSlot ?? 0);
  }

  // ---------- runs ----------

  /**
   * The pending run, taken off the queue and marked running, with the child's input; undefined
   * while a run is in progress (the overlap rule) or when nothing is queued.
   */
  startNext(): { run: PendingRun; summary: RunSummary; input: SyncRunInput } | undefined {
    const run = this.state.pending;
    if (this.running || !run) return undefined;
    this.state.pending = undefined;
    const summary: RunSummary = {
      workflowId: run.workflowId,
      trigger: run.trigger,
      mode: run.mode,
      requestIds: run.requestIds,
      scheduledFor: run.scheduledFor,
      startedAt: nowIso(),
      outcome: 'running',
    };
    this.running = summary;
    const input: SyncRunInput = {
      object: this.object,
      trigger: run.trigger,
      mode: run.mode,
      ids: run.ids,
      since: run.mode === 'full' ? undefined : this.state.watermark,
      scheduledFor: run.scheduledFor,
    };
    return { run, summary, input };
  }

  finishRun(summary: RunSummary, patch: Partial<RunSummary>, watermark?: string): void {
    const done: RunSummary = { ...summary, ...patch, endedAt: nowIso() };
    this.state.recentRuns = [done, ...this.state.recentRuns].slice(0, RECENT_RUNS_KEPT);
    // Only a finished run moves the watermark; an id-scoped resync says nothing about the rest.
    // The watermark moves past records that failed: a run completes only after every page's
    // outcomes are in the object's open-error ledger (ledger.ts), which retries them in later runs.
    if (watermark && summary.mode !== 'ids' && (!this.state.watermark || watermark > this.state.watermark))
      this.state.watermark = watermark;
    this.running = undefined;
    this.changes++;
  }

  /** Nothing running or queued: the moment the scheduler may continue as new. */
  idle(): boolean {
    return !this.running && !this.state.pending;
  }

  // ---------- what callers see ----------

  status(): SchedulerStatus {
    const next = this.nextFireTime();
    const s = this.state;
    return {
      object: this.object,
      spec: s.spec,
      description: describeSchedule(s.spec),
      paused: s.paused,
      pauseReason: s.pauseReason,
      nextFireAt: next !== undefined ? new Date(next).toISOString() : undefined,
      running: this.running,
      pending: s.pending,
      recentRuns: s.recentRuns,
      watermark: s.watermark,
      lastRejected: s.lastRejected,
      requests: s.requests,
    };
  }

  /** The status query: `nextCount` upcoming fire times (default 1, at most 20). */
  statusWithNextFireTimes(nextCount?: number): SchedulerStatus & { nextFireTimes: string[] } {
    const count = Math.min(Math.max(nextCount ?? 1, 1), 20);
    const times = this.state.paused ? [] : nextFireTimes(this.state.spec, this.slotsAfter(), count);
    return { ...this.status(), nextFireTimes: times.map((t) => new Date(t).toISOString()) };
  }

  /** Markdown for the Temporal UI's current details. */
  details(): string {
    const s = this.status();
    const st = this.state;
    return [
      `**${this.object}** — ${s.description}${s.paused ? ` — **paused**${st.pauseReason ? ` (${st.pauseReason})` : ''}` : ''}`,
      `Next run: ${s.nextFireAt ?? '—'}`,
      `Running: ${this.running ? this.running.workflowId : '—'}; queued: ${st.pending ? st.pending.workflowId : '—'}`,
      `Watermark: ${st.watermark ?? 'none (next delta run reads everything)'}`,
    ].join('\n\n');
  }

  // ---------- internals ----------

  private enqueue(trigger: SyncTrigger, mode: SyncMode, extra: { ids?: string[]; requestId?: string; scheduledFor?: number }): void {
    const now = Date.now();
    this.state.seq += 1;
    const suffix = extra.requestId ?? `${compactTimestamp(extra.scheduledFor ?? now)}-${this.state.seq}`;
    const req: QueuedRequest = {
      workflowId: `sync:${this.object}:${suffix}`,
      trigger,
      mode,
      ids: extra.ids,
      requestId: extra.requestId,
      scheduledFor: extra.scheduledFor !== undefined ? new Date(extra.scheduledFor).toISOString() : undefined,
      queuedAt: new Date(now).toISOString(),
    };
    this.state.pending = coalesce(this.state.pending, req);
    if (extra.requestId) this.remember(extra.requestId, this.state.pending.workflowId);
  }

  private remember(requestId: string, workflowId: string): void {
    this.state.requests[requestId] = workflowId;
    const keys = Object.keys(this.state.requests);
    for (const k of keys.slice(0, Math.max(0, keys.length - REQUESTS_KEPT))) delete this.state.requests[k];
  }
}
