/**
 * The open-error ledger of one object (workflow id `ledger:<object>`): every record that failed
 * and has not yet succeeded, been skipped by a rule, or been dismissed by an operator.
 *
 * Sync runs write it from their log step (signal-with-start, one signal per page) and read it
 * at their start (a query for the errors due under the back-off), so a failed record is retried
 * by every later run of the object until it resolves. It lives in Temporal, not in a worker's
 * memory, and continues as new after a bounded number of events with its state carried compactly.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { OpenErrorsKey, SyncObjectKey } from '../shared/search-attributes';
import { DEFAULT_BACKOFF, LedgerState, type BackoffPolicy } from './ledger-state';
import {
  dismissUpdate,
  dueErrorsQuery,
  ledgerSummaryQuery,
  openErrorsQuery,
  recordOutcomesSignal,
  type LedgerInput,
} from './ledger-messages';

/** History events before continuing as new: a page signal costs ~3 events, a carried state one payload. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 1_000;

export async function ledgerWorkflow(input: LedgerInput): Promise<void> {
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...input.policy };
  const state = LedgerState.from(input.state);
  let changes = 0;
  let published = -1;

  setHandler(recordOutcomesSignal, (req) => {
    if (state.record(req, Date.now())) changes++;
  });

  setHandler(
    dismissUpdate,
    (req) => {
      const dismissed = state.dismiss(req.ids, req.reason, req.by, Date.now());
      changes++;
      return { dismissed, open: state.openCount };
    },
    {
      validator: (req) => {
        if (!req.reason?.trim()) throw new Error('a dismissal needs a reason');
        if (!req.ids.length) throw new Error('no source ids given');
        const unknown = state.unknown(req.ids);
        if (unknown.length)
          throw new Error(
            `not an open error of ${input.object}: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` (+${unknown.length - 10} more)` : ''}`,
          );
      },
    },
  );

  setHandler(openErrorsQuery, (o) => state.page(o?.offset ?? 0, o?.limit ?? 100, o?.lastFailedFromMs));
  setHandler(dueErrorsQuery, ({ nowMs, limit, policy: asked }) => {
    const p = { ...policy, ...asked };
    return state.due(nowMs, p, Math.min(limit ?? p.maxPerRun, 10_000));
  });
  setHandler(ledgerSummaryQuery, (o) => ({
    object: input.object,
    open: state.openCount,
    due: state.dueCount(Date.now(), policy),
    policy,
    recentlyResolved: state.recentResolved(o?.resolved ?? 20),
  }));

  const publish = () => {
    if (published === state.openCount) return;
    published = state.openCount;
    upsertSearchAttributes([
      { key: SyncObjectKey, value: input.object },
      { key: OpenErrorsKey, value: state.openCount },
    ]);
    setCurrentDetails(`**${input.object} open errors: ${state.openCount}** — \`b1hub log --failed --object ${input.object}\``);
  };

  const limit = input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS;
  for (;;) {
    publish();
    const seen = changes;
    await condition(() => changes !== seen);
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > limit) {
      await condition(allHandlersFinished);
      publish();
      await continueAsNew<typeof ledgerWorkflow>({ ...input, state: state.carry() });
    }
  }
}
