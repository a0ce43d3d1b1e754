/**
 * One long-running scheduler per synced object (workflow id `schedule:<object>`).
 *
 * It owns the object's schedule and sync state (the delta watermark), so both survive worker
 * restarts and redeploys, and it is the single writer that enforces the overlap rule: at most
 * one sync run of the object at a time, later triggers coalesced into one follow-up run.
 * Modelled on samples-typescript message-passing/safe-message-handlers (state + handlers +
 * main loop + continue-as-new when idle) and timer-examples (a timer a signal can move).
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  ParentClosePolicy,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { describeSchedule, nextFireTime, nextFireTimes, parseScheduleSpec, type ScheduleSpec } from '../schedule/spec';
import { coalesce, compactTimestamp, isValidRequestId, type QueuedRequest } from '../schedule/run-queue';
import { errorChainText } from '../shared/error-chain';
import type { SyncObject } from '../shared/sync-object';
import { SyncModeKey, SyncObjectKey, SyncTriggerKey } from '../shared/search-attributes';
import type {
  PendingRun,
  RunSummary,
  SchedulerStatus,
  SyncMode,
  SyncNowRequest,
  SyncRunInput,
  SyncTrigger,
} from '../shared/sync-types';
import { changeScheduleUpdate, pauseSignal, resumeSignal, setScheduleSignal, statusQuery, syncNowSignal } from './messages';
import { syncRunWorkflow } from './sync-run';

/** How many finished runs the scheduler remembers (the full log is in the runs' own histories). */
export const RECENT_RUNS_KEPT = 20;
const REQUESTS_KEPT = 50;
/** Continue as new well before Temporal's own suggestion: a scheduler lives for years. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

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

export interface SchedulerInput {
  object: SyncObject;
  /** The schedule to start with (ignored when `state` is carried over). */
  spec: ScheduleSpec;
  state?: SchedulerState;
  /** Test hook: continue as new after this many loop iterations (when idle). */
  continueAsNewAfterIterations?: number;
}

export async function schedulerWorkflow(input: SchedulerInput): Promise<void> {
  const { object } = input;
  const state: SchedulerState = input.state ?? { spec: input.spec, paused: false, recentRuns: [], requests: {}, seq: 0 };
  let running: RunSummary | undefined;
  let changes = 0; // bumped by every handler and run completion: wakes the main loop
  const nowIso = () => new Date(Date.now()).toISOString();

  const remember = (requestId: string, workflowId: string) => {
    state.requests[requestId] = workflowId;
    const keys = Object.keys(state.requests);
    for (const k of keys.slice(0, Math.max(0, keys.length - REQUESTS_KEPT))) delete state.requests[k];
  };

  const enqueue = (trigger: SyncTrigger, mode: SyncMode, extra: { ids?: string[]; requestId?: string; scheduledFor?: number }) => {
    const now = Date.now();
    state.seq += 1;
    const suffix = extra.requestId ?? `${compactTimestamp(extra.scheduledFor ?? now)}-${state.seq}`;
    const req: QueuedRequest = {
      workflowId: `sync:${object}:${suffix}`,
      trigger,
      mode,
      ids: extra.ids,
      requestId: extra.requestId,
      scheduledFor: extra.scheduledFor !== undefined ? new Date(extra.scheduledFor).toISOString() : undefined,
      queuedAt: new Date(now).toISOString(),
    };
    state.pending = coalesce(state.pending, req);
    if (extra.requestId) remember(extra.requestId, state.pending.workflowId);
  };

  const status = (): SchedulerStatus => {
    const next = state.paused ? undefined : nextFireTime(state.spec, Math.max(Date.now(), state.lastSlot ?? 0));
    return {
      object,
      spec: state.spec,
      description: describeSchedule(state.spec),
      paused: state.paused,
      nextFireAt: next !== undefined ? new Date(next).toISOString() : undefined,
      running,
      pending: state.pending,
      recentRuns: state.recentRuns,
      watermark: state.watermark,
      lastRejected: state.lastRejected,
      requests: state.requests,
    };
  };

  const publishDetails = () => {
    const s = status();
    const lines = [
      `**${object}** — ${s.description}${s.paused ? ` — **paused**${state.pauseReason ? ` (${state.pauseReason})` : ''}` : ''}`,
      `Next run: ${s.nextFireAt ?? '—'}`,
      `Running: ${running ? running.workflowId : '—'}; queued: ${state.pending ? state.pending.workflowId : '—'}`,
      `Watermark: ${state.watermark ?? 'none (next delta run reads everything)'}`,
    ];
    setCurrentDetails(lines.join('\n\n'));
  };

  setHandler(setScheduleSignal, (spec) => {
    // Signals cannot answer: an invalid spec is kept out of the state and reported in status.
    const parsed = parseScheduleSpec(spec);
    if (parsed.ok) {
      state.spec = parsed.spec;
      state.lastRejected = undefined;
    } else {
      state.lastRejected = { at: nowIso(), reason: parsed.error };
    }
    changes++;
  });

  setHandler(
    changeScheduleUpdate,
    (spec) => {
      // The state keeps the parsed form, as the signal does. The validator already accepted this
      // spec; a parse can fail here only when replaying an update an older, looser schema accepted,
      // and then the spec is kept as it came so the replay rebuilds the state it had.
      const parsed = parseScheduleSpec(spec);
      state.spec = parsed.ok ? parsed.spec : spec;
      state.lastRejected = undefined;
      changes++;
      return status();
    },
    {
      validator: (spec) => {
        const parsed = parseScheduleSpec(spec);
        if (!parsed.ok) throw new Error(`invalid schedule: ${parsed.error}`);
      },
    },
  );

  setHandler(syncNowSignal, (req?: SyncNowRequest) => {
    const requestId = req?.requestId;
    if (requestId !== undefined) {
      if (!isValidRequestId(requestId)) {
        state.lastRejected = { at: nowIso(), reason: `syncNow: invalid requestId '${requestId.slice(0, 80)}' (letters, digits, . _ - up to 64)` };
        changes++;
        return;
      }
      if (state.requests[requestId]) return; // a retried signal: that request is already served
    }
    const mode: SyncMode = req?.full ? 'full' : req?.ids?.length ? 'ids' : 'delta';
    enqueue(req?.trigger ?? 'manual', mode, { ids: req?.ids, requestId });
    changes++;
  });

  setHandler(pauseSignal, (req) => {
    state.paused = true;
    state.pauseReason = req?.reason;
    changes++;
  });

  setHandler(resumeSignal, () => {
    state.paused = false;
    state.pauseReason = undefined;
    // Slots missed while paused are not made up; the schedule resumes from now.
    state.lastSlot = Math.max(state.lastSlot ?? 0, Date.now());
    changes++;
  });

  setHandler(statusQuery, (opts) => {
    const count = Math.min(Math.max(opts?.nextCount ?? 1, 1), 20);
    const times = state.paused ? [] : nextFireTimes(state.spec, Math.max(Date.now(), state.lastSlot ?? 0), count);
    return { ...status(), nextFireTimes: times.map((t) => new Date(t).toISOString()) };
  });

  const finishRun = (summary: RunSummary, patch: Partial<RunSummary>, watermark?: string) => {
    const done: RunSummary = { ...summary, ...patch, endedAt: nowIso() };
    state.recentRuns = [done, ...state.recentRuns].slice(0, RECENT_RUNS_KEPT);
    // Only a finished run moves the watermark; an id-scoped resync says nothing about the rest.
    // The watermark moves past records that failed: a run completes only after every page's
    // outcomes are in the object's open-error ledger (ledger.ts), which retries them in later runs.
    if (watermark && summary.mode !== 'ids' && (!state.watermark || watermark > state.watermark)) state.watermark = watermark;
    running = undefined;
    changes++;
  };

  const startRun = async (run: PendingRun) => {
    const summary: RunSummary = {
      workflowId: run.workflowId,
      trigger: run.trigger,
      mode: run.mode,
      requestIds: run.requestIds,
      scheduledFor: run.scheduledFor,
      startedAt: nowIso(),
      outcome: 'running',
    };
    running = summary;
    const runInput: SyncRunInput = {
      object,
      trigger: run.trigger,
      mode: run.mode,
      ids: run.ids,
      since: run.mode === 'full' ? undefined : state.watermark,
      scheduledFor: run.scheduledFor,
    };
    try {
      const child = await startChild(syncRunWorkflow, {
        workflowId: run.workflowId,
        args: [runInput],
        // A scheduler reset or terminate must not cut a sync off mid-way.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: SyncObjectKey, value: object },
          { key: SyncTriggerKey, value: run.trigger },
          { key: SyncModeKey, value: run.mode },
        ],
        staticSummary: `${run.trigger} ${run.mode} sync of ${object}s`,
      });
      child.result().then(
        (result) =>
          finishRun(summary, { outcome: result.counts.failed > 0 ? 'completed_with_failures' : 'completed', counts: result.counts }, result.watermark),
        (err: unknown) => finishRun(summary, { outcome: 'failed', error: errorChainText(err) }),
      );
    } catch (err) {
      finishRun(summary, { outcome: 'failed', error: `could not start ${run.workflowId}: ${errorChainText(err)}` });
    }
  };

  let iterations = 0;
  for (;;) {
    if (!running && state.pending) {
      const run = state.pending;
      state.pending = undefined;
      await startRun(run);
    }
    publishDetails();

    const next = state.paused ? undefined : nextFireTime(state.spec, Math.max(Date.now(), state.lastSlot ?? 0));
    const seen = changes;
    const woke = condition(() => changes !== seen);
    let fired = false;
    if (next === undefined) {
      await woke;
    } else {
      // A timer the handlers can move (timer-examples' UpdatableTimer): any change cancels it.
      const timerScope = new CancellationScope();
      const timer = timerScope
        .run(() => sleep(Math.max(next - Date.now(), 1), { summary: `next ${object} sync at ${new Date(next).toISOString()}` }))
        .then(
          () => {
            fired = true;
          },
          (err: unknown) => {
            if (!isCancellation(err)) throw err;
          },
        );
      await Promise.race([woke, timer]);
      // A signal and the timer can land in the same activation; the clock decides, not the race.
      fired = fired || Date.now() >= next;
      if (!fired) timerScope.cancel();
    }
    if (fired && next !== undefined && !state.paused) {
      state.lastSlot = next;
      enqueue('schedule', 'delta', { scheduledFor: next });
    }

    iterations++;
    const info = workflowInfo();
    const due =
      info.continueAsNewSuggested ||
      info.historyLength > CONTINUE_AS_NEW_AFTER_EVENTS ||
      (input.continueAsNewAfterIterations !== undefined && iterations >= input.continueAsNewAfterIterations);
    if (due && !running && !state.pending) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof schedulerWorkflow>({ object, spec: state.spec, state, continueAsNewAfterIterations: input.continueAsNewAfterIterations });
    }
  }
}
