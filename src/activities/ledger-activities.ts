/**
 * The sync runs' side of the open-error ledger (src/workflows/ledger.ts), through an injected
 * Temporal client:
 * - `recordInLedger`: one page's outcomes into `ledger:<object>` with signal-with-start, so the
 *   ledger exists for any run (scheduled, Sync Now, started directly by a test or a script).
 *   Composed into the log step (`withLedger`): the run awaits every log before it completes,
 *   so every failure is in the ledger before the scheduler moves the watermark past it.
 *   Idempotent under activity retry: the ledger ignores a (run, page) it has seen.
 * - `openErrorsDue`: the open errors due for a retry under the back-off, bounded per run.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LogPageInput } from '../pipelines/contract';
import { withSyncId } from '../shared/sync-contract';
import { ledgerWorkflow } from '../workflows/ledger';
import { dueErrorsQuery, ledgerWorkflowId, recordOutcomesSignal } from '../workflows/ledger-messages';
import { DEFAULT_BACKOFF, type BackoffPolicy, type LedgerOutcome } from '../workflows/ledger-state';
import type { OpenErrorsDueInput } from './types';

export interface LedgerActivityDeps {
  client: Client;
  /** Back-off of the retries (hub config); defaults for whatever is left out. */
  policy?: Partial<BackoffPolicy>;
  /** Task queue of the ledger workflows; default: the queue of the activity that writes. */
  taskQueue?: string;
}

/** The page's outcomes, as the log step got them (labels ride along where the run knew them). */
export interface LedgerLogInput extends Omit<LogPageInput, 'outcomes'> {
  outcomes: Array<LogPageInput['outcomes'][number] & { label?: string }>;
}

export function createLedgerActivities({ client, policy, taskQueue }: LedgerActivityDeps) {
  const effective: BackoffPolicy = { ...DEFAULT_BACKOFF, ...policy };
  return {
    async recordInLedger(recorded: LedgerLogInput): Promise<void> {
      const input = withSyncId(recorded);
      if (!input.outcomes.length) return;
      const outcomes: LedgerOutcome[] = input.outcomes.map((o) => ({
        sourceId: o.sourceId,
        outcome: o.outcome,
        ...(o.label ? { label: o.label } : {}),
        ...(o.outcome === 'failed' ? { reason: o.reason ?? 'unknown reason', ...(o.field ? { field: o.field } : {}) } : {}),
        ...(o.outcome === 'skipped' && o.rule ? { rule: o.rule } : {}),
      }));
      const info = Context.current().info;
      // The attempt's time, for "newest outcome wins" (ledger-state.ts): when the run scheduled
      // this log step, i.e. after the page's post returned. It is the Temporal server's clock (the
      // ActivityTaskScheduled event), the same for every retry of this step on any worker, and
      // later for every later page of the object's runs (the scheduler never runs two at once,
      // and a run logs its pages in order), so workers' clocks that disagree do not matter.
      const attemptAtMs = info.isLocal ? undefined : info.scheduledTimestampMs;
      await client.workflow.signalWithStart(ledgerWorkflow, {
        workflowId: ledgerWorkflowId(input.object),
        taskQueue: taskQueue ?? Context.current().info.taskQueue,
        args: [{ object: input.object, policy: effective }],
        signal: recordOutcomesSignal,
        signalArgs: [
          {
            runId: input.syncId,
            pageIndex: input.pageIndex,
            dedupeKey: `${info.workflowExecution?.runId ?? input.syncId}#${input.pageIndex}`,
            ...(attemptAtMs ? { attemptAtMs } : {}),
            outcomes,
          },
        ],
        staticSummary: `${input.object} open-error ledger`,
      });
    },

    async openErrorsDue(input: OpenErrorsDueInput): Promise<string[]> {
      try {
        return await client.workflow
          .getHandle(ledgerWorkflowId(input.object))
          .query(dueErrorsQuery, { nowMs: input.nowMs, limit: input.limit ?? effective.maxPerRun, policy: effective });
      } catch (err) {
        // No failure was ever recorded for this object: nothing is due.
        if (err instanceof WorkflowNotFoundError) return [];
        throw err;
      }
    },
  };
}

export type LedgerActivitiesImpl = ReturnType<typeof createLedgerActivities>;

/** The pipeline activities with the ledger composed into the log step. */
export function withLedger<A extends { logOutcomes(input: LogPageInput): Promise<void> }>(activities: A, ledger: LedgerActivitiesImpl) {
  return {
    ...activities,
    async logOutcomes(input: LogPageInput): Promise<void> {
      await activities.logOutcomes(input);
      await ledger.recordInLedger(input);
    },
    openErrorsDue: ledger.openErrorsDue,
  };
}
