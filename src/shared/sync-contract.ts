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

/** One source record as read: its id (a Shopify GID or a B1 key), a label for humans, the data. */
export interface SourceRecord<T = unknown> {
  id: string;
  /** e.g. order name "#1001", customer e-mail, ItemCode: what an operator searches for. */
  label?: string;
  data: T;
}

export interface FetchPageInput {
  object: SyncObject;
  runId: string;
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
}

export type MappedRecord<P = unknown> =
  | { id: string; label?: string; ok: true; payload: P }
  | { id: string; label?: string; ok: false; outcome: RecordOutcome };

export interface MapPageInput<T = unknown> {
  object: SyncObject;
  runId: string;
  records: SourceRecord<T>[];
}

export interface PostPageInput<P = unknown> {
  object: SyncObject;
  runId: string;
  pageIndex: number;
  records: Array<{ id: string; label?: string; payload: P }>;
}

export interface LogPageInput {
  object: SyncObject;
  runId: string;
  pageIndex: number;
  outcomes: RecordOutcome[];
}
