/**
 * Activity contracts the workflows call. Workflows import these *types* only; the
 * implementations are built by factories with their dependencies injected
 * (samples-typescript activities-dependency-injection), so tests and production wire
 * different clients into the same workflow code.
 */
import type { SyncRunInput, SyncRunResult } from '../shared/sync-types';

export interface SyncPassInput extends SyncRunInput {
  /** The sync run's workflow id: names the run in logs and idempotency keys. */
  runId: string;
}

export interface SyncActivities {
  /** One whole sync pass for an object (replaced by the fetch → map → post → log pipelines). */
  runSyncPass(input: SyncPassInput): Promise<SyncRunResult>;
}
