/**
 * One long-running scheduler per synced object (workflow id `schedule:<object>`).
 *
 * It owns the object's schedule and sync state (the delta watermark), so both survive worker
 * restarts and redeploys, and it is the single writer that enforces the overlap rule: at most
 * one sync run of the object at a time, later triggers coalesced into one follow-up run.
 * Modelled on samples-typescript message-passing/safe-message-handlers: the state and its rules
 * live in a class (scheduler-state.ts), this function wires the handlers and runs the main loop,
 * and it continues as new when idle; the slot timer is a movable timer (scheduler-timer.ts).
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  ParentClosePolicy,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { ScheduleSpec } from '../schedule/spec';
import { errorChainText } from '../shared/error-chain';
import type { SyncObject } from '../shared/sync-object';
import { SyncModeKey, SyncObjectKey, SyncTriggerKey } from '../shared/search-attributes';
import { changeScheduleUpdate, pauseSignal, resumeSignal, setScheduleSignal, statusQuery, syncNowSignal } from './messages';
import { initialSchedulerState, SchedulerRules, validateSchedule, type SchedulerState } from './scheduler-state';
import { MovableTimer } from './scheduler-timer';
import { syncRunWorkflow } from './sync-run';

export { RECENT_RUNS_KEPT, type SchedulerState } from './scheduler-state';

/** Continue as new well before Temporal's own suggestion: a scheduler lives for years. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

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
  const rules = new SchedulerRules(object, input.state ?? initialSchedulerState(input.spec));

  setHandler(setScheduleSignal, (spec) => rules.setSchedule(spec));
  setHandler(changeScheduleUpdate, (spec) => rules.changeSchedule(spec), { validator: validateSchedule });
  setHandler(syncNowSignal, (req) => rules.syncNow(req));
  setHandler(pauseSignal, (req) => rules.pause(req?.reason));
  setHandler(resumeSignal, () => rules.resume());
  setHandler(statusQuery, (opts) => rules.statusWithNextFireTimes(opts?.nextCount));

  const timer = new MovableTimer();
  let iterations = 0;
  for (;;) {
    // No `await` on this path unless a run starts: the commands keep their recorded order.
    const start = rules.startNext();
    if (start) await startRun(rules, start);
    setCurrentDetails(rules.details());

    const next = rules.nextFireTime();
    const seen = rules.changes;
    const summary = next !== undefined ? `next ${object} sync at ${new Date(next).toISOString()}` : undefined;
    const fired = await timer.wait(next, () => rules.changes !== seen, summary);
    timer.cancel();
    if (fired && next !== undefined) rules.slotFired(next);

    iterations++;
    const info = workflowInfo();
    const due =
      info.continueAsNewSuggested ||
      info.historyLength > CONTINUE_AS_NEW_AFTER_EVENTS ||
      (input.continueAsNewAfterIterations !== undefined && iterations >= input.continueAsNewAfterIterations);
    if (due && rules.idle()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof schedulerWorkflow>({
        object,
        spec: rules.state.spec,
        state: rules.state,
        continueAsNewAfterIterations: input.continueAsNewAfterIterations,
      });
    }
  }
}

/** Starts the run the rules took off the queue, as a child; its end is reported to the rules. */
async function startRun(
  rules: SchedulerRules,
  { run, summary, input }: NonNullable<ReturnType<SchedulerRules['startNext']>>,
): Promise<void> {
  try {
    const child = await startChild(syncRunWorkflow, {
      workflowId: run.workflowId,
      args: [input],
      // A scheduler reset or terminate must not cut a sync off mid-way.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: SyncObjectKey, value: rules.object },
        { key: SyncTriggerKey, value: run.trigger },
        { key: SyncModeKey, value: run.mode },
      ],
      staticSummary: `${run.trigger} ${run.mode} sync of ${rules.object}s`,
    });
    child.result().then(
      (result) =>
        rules.finishRun(
          summary,
          { outcome: result.counts.failed > 0 ? 'completed_with_failures' : 'completed', counts: result.counts },
          result.watermark,
        ),
      (err: unknown) => rules.finishRun(summary, { outcome: 'failed', error: errorChainText(err) }),
    );
  } catch (err) {
    rules.finishRun(summary, { outcome: 'failed', error: `could not start ${run.workflowId}: ${errorChainText(err)}` });
  }
}
