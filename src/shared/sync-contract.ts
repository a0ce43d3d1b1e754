/**
 * The contract between the sync-run workflow and its activities: what each of the four steps
 * (fetch → map → post → log) takes and returns. It lives here, apart from the pipelines, so the
 * workflow side imports plain types and never a module that does I/O; the pipelines implement
 * the same types (src/pipelines/contract.ts re-exports them).
 *
 * Payload discipline: every value here travels through Temporal history. Pages are sized so a
 * page stays well under the 256 KB payload warning, records carry only the fields the mapping
 * reads, and no secret ever appears.
 */
import type { RecordOutcome } from '../mapping/outcome';
import type { SyncObject } from './sync-object';
import type { SyncMode } from './sync-types';

export type { RecordOutcome } from '../mapping/outcome';

/**
 * What every step input says about its run. `syncId` is the sync run's workflow id
 * (`sync:<object>:<request or slot>`): it stays the same when a long run continues as new
 * (Temporal's run id does not), so the keys the pipelines build on it (idempotency keys, the
 * run's memory of its own creates) hold for the whole sync.
 */
export interface SyncStep {
  object: SyncObject;
  syncId: string;
  /**
   * @deprecated The former name of `syncId`, still written with it so a worker of the previous
   * release (which reads only this name) builds the same keys during a rolling deploy. Read
   * `syncId`; `withSyncId` fills it for inputs recorded under the old name.
   */
  runId?: string;
}

/** A step input as a sync run scheduled it before the rename: `runId` only. */
type RecordedUnderOldName<T extends SyncStep> = Omit<T, 'syncId'> & { syncId?: string; runId?: string };

/**
 * The step input with `syncId` set, whichever name the run that scheduled it used: activities
 * scheduled before the rename (in-flight runs, retries of their pages) carry only `runId`.
 */
export function withSyncId<T extends SyncStep>(input: T | RecordedUnderOldName<T>): T {
  if (typeof input.syncId === 'string') return input as T;
  if (typeof input.runId !== 'string') throw new TypeError(`${input.object} step input without syncId`);
  return { ...input, syncId: input.runId } as T;
}

/** The fields a sync run writes to name itself in a step input (both names; see `SyncStep.runId`). */
export function stepOf(object: SyncObject, syncId: string): SyncStep {
  return { object, syncId, runId: syncId };
}

/** One source record as read: its id (a Shopify GID or a B1 key), a label for humans, the data. */
export interface SourceRecord<T = unknown> {
  id: string;
  /** e.g. order name "#1001", customer e-mail, ItemCode: what an operator searches for. */
  label?: string;
  data: T;
}

export interface FetchPageInput extends SyncStep {
  mode: SyncMode;
  /** Delta watermark (ISO-8601) from the scheduler; absent for full runs. */
  since?: string;
  /** ids mode: exactly these records (re-read from the source); delta mode: extra records. */
  ids?: string[];
  /** Opaque position from the previous page (absent for the first page). */
  cursor?: string;
  pageIndex: number;
}

export interface FetchPageResult<T = unknown> {
  records: SourceRecord<T>[];
  /** Absent when this was the last page. */
  nextCursor?: string;
  /** High-water mark of the source data read so far (e.g. max updatedAt); ISO-8601. */
  watermark?: string;
  /** Requested ids the source does not have (resync of a deleted record): reported as failed. */
  missingIds?: string[];
  /**
   * This page's post may still run while the next page is fetched, mapped and posted (at most
   * two posts in flight): its records share nothing with the next page's, and its post spends
   * most of its time waiting on one system while the other's post needs the other system (an
   * initial-load chunk: its bulk import in Shopify, then its item links in B1).
   */
  postsMayOverlap?: boolean;
}

export type MappedRecord<P = unknown> =
  { id: string; label?: string; ok: true; payload: P } | { id: string; label?: string; ok: false; outcome: RecordOutcome };

export interface MapPageInput<T = unknown> extends SyncStep {
  records: SourceRecord<T>[];
}

export interface PostPageInput<P = unknown> extends SyncStep {
  pageIndex: number;
  records: Array<{ id: string; label?: string; payload: P }>;
}

export interface LogPageInput extends SyncStep {
  pageIndex: number;
  outcomes: RecordOutcome[];
}
