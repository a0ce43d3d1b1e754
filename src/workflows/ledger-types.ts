/**
 * The ledger's vocabulary: what a run's log step reports (outcomes per page), what queries
 * return (open and resolved errors), and the retry back-off. Plain data, kept apart from the
 * state class so activities, config and the CLI read these shapes without the ledger's rules.
 */
/** One record outcome as the log step reports it to the ledger (a page's worth per signal). */
export interface LedgerOutcome {
  sourceId: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';
  label?: string;
  reason?: string;
  field?: string;
  rule?: string;
}

/** The payload of one `recordOutcomes` signal: one page of one run. */
export interface RecordOutcomesRequest {
  /** The sync run's workflow id. */
  runId: string;
  pageIndex: number;
  /**
   * What makes a page's delivery unique: the Temporal run id of the sync run and the page index,
   * so an activity retry is ignored but a reset run (same workflow id, new run id) is recorded.
   * Default: workflow id and page index.
   */
  dedupeKey?: string;
  /**
   * When the page's outcomes were settled, in Temporal server time (epoch ms): the time the
   * run's workflow scheduled the log step, which comes after the page's post returned. Per
   * record the ledger keeps the outcome of the newest attempt, so a page whose signal arrives
   * late (a log step retried after a later run already reported the record) cannot reopen a
   * record a newer attempt fixed, nor resolve one a newer attempt failed. Absent (pages recorded
   * before this field existed): applied in arrival order, as before.
   */
  attemptAtMs?: number;
  outcomes: LedgerOutcome[];
}

export interface OpenError {
  sourceId: string;
  label?: string;
  reason: string;
  field?: string;
  /** ISO-8601, ledger (workflow) time. */
  firstSeen: string;
  lastSeen: string;
  attempts: number;
  /** Workflow id of the last run in which the record failed. */
  lastRun: string;
}

export type Resolution =
  | { how: 'succeeded'; run: string; outcome: string }
  | { how: 'skipped'; run: string; rule: string }
  | { how: 'dismissed'; reason: string; by: string };

export interface ResolvedError {
  sourceId: string;
  label?: string;
  /** The last reason it failed with. */
  reason: string;
  attempts: number;
  firstSeen: string;
  resolvedAt: string;
  resolution: Resolution;
}

/**
 * When an open error is retried. Default: every run during its first hour, then hourly until it
 * is a day old, then daily. `maxPerRun` bounds the retries a normal run does before its own work.
 */
export interface BackoffPolicy {
  everyRunForMs: number;
  thenEveryMs: number;
  untilMs: number;
  finallyEveryMs: number;
  maxPerRun: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  everyRunForMs: 3_600_000,
  thenEveryMs: 3_600_000,
  untilMs: 86_400_000,
  finallyEveryMs: 86_400_000,
  maxPerRun: 500,
};
