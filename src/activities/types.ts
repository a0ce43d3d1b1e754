/**
 * Activity contracts the workflows call. Workflows import these *types* only; the
 * implementations are built by factories with their dependencies injected
 * (samples-typescript activities-dependency-injection), so tests and production wire
 * different clients into the same workflow code.
 */
import type { SyncObject } from '../shared/sync-object';
import type {
  FetchPageInput,
  FetchPageResult,
  LogPageInput,
  MapPageInput,
  MappedRecord,
  PostPageInput,
  RecordOutcome,
} from '../shared/sync-contract';

export interface SyncActivities {
  fetchPage(input: FetchPageInput): Promise<FetchPageResult>;
  mapPage(input: MapPageInput): Promise<MappedRecord[]>;
  postPage(input: PostPageInput): Promise<RecordOutcome[]>;
  logOutcomes(input: LogPageInput): Promise<void>;
  /** Open errors of the object due for a retry (src/activities/ledger-activities.ts). */
  openErrorsDue(input: OpenErrorsDueInput): Promise<string[]>;
}

export interface OpenErrorsDueInput {
  object: SyncObject;
  /** The asking run's clock (workflow time), so the back-off follows the server's time. */
  nowMs: number;
  limit?: number;
}
