/**
 * The open-error ledger's message interface, shared by the workflow, the ledger activities and
 * the CLI. Writes are signals (sent with signal-with-start, so the ledger exists for any run);
 * `dismiss` is an update, so the operator gets an answer, and its validator refuses an id that is not open before anything reaches history.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SyncObject } from '../shared/sync-object';
import type { BackoffPolicy, CarriedLedger, LedgerPage, RecordOutcomesRequest, ResolvedError } from './ledger-state';

/** Stable id of an object's ledger workflow. */
export function ledgerWorkflowId(object: SyncObject): string {
  return `ledger:${object}`;
}

export interface LedgerInput {
  object: SyncObject;
  /** Back-off of the retries; the defaults apply to any field left out. */
  policy?: Partial<BackoffPolicy>;
  /** Carried through continue-as-new (see ledger-state.ts). */
  state?: CarriedLedger;
  /** Test hook: continue as new after this many history events (default 1,000). */
  continueAsNewAfterEvents?: number;
}

export interface DismissRequest {
  ids: string[];
  reason: string;
  /** Who dismissed (operator name, OS user): shown with the resolution. */
  by: string;
}

export interface LedgerSummary {
  object: SyncObject;
  open: number;
  /** Open errors due for a retry now (with the back-off). */
  due: number;
  policy: BackoffPolicy;
  recentlyResolved: ResolvedError[];
}

export const recordOutcomesSignal = defineSignal<[RecordOutcomesRequest]>('recordOutcomes');
export const dismissUpdate = defineUpdate<{ dismissed: number; open: number }, [DismissRequest]>('dismiss');

/**
 * Open errors, a page at a time (`limit` at most 1,000). `lastFailedFromMs`: only those whose
 * last failure is at or after this time (epoch ms; `resync --failed --since`); `total` and
 * `offset` then count within them.
 */
export const openErrorsQuery = defineQuery<LedgerPage, [{ offset?: number; limit?: number; lastFailedFromMs?: number }?]>('openErrors');
/**
 * Source ids due for a retry at `nowMs` (the asking run's clock), at most `limit`; `policy`
 * (the asking worker's configuration) overrides the ledger's own.
 */
export const dueErrorsQuery = defineQuery<string[], [{ nowMs: number; limit?: number; policy?: Partial<BackoffPolicy> }]>('dueErrors');
export const ledgerSummaryQuery = defineQuery<LedgerSummary, [{ resolved?: number }?]>('summary');
