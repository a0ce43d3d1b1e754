/**
 * Poison records found while fetching. A record whose source data breaks the step that turns
 * it into a source record (an unexpected shape, a value the code cannot read) must fail alone,
 * like a poison record in mapping or posting, not fail the page and with it the run (the other
 * records would never sync, and the next run would stop at the same record again).
 *
 * A pipeline builds its page's records through `eachRecordIsolated`; a record that throws an
 * error the policy says concerns one record travels on as a marked record carrying its failure,
 * and the map step (sync-activities.ts) turns it into a failed outcome without calling the
 * pipeline's map, so the log step puts it in the ledger (id, label, reason, field) and every
 * later run retries it. Errors about the connection or the setup still fail the fetch.
 */
import { failed, type RecordOutcome } from '../../mapping/outcome';
import { concernsOneRecord, errorField } from '../../shared/error-policy';
import type { SourceRecord } from '../contract';
import type { SyncObject } from '../../shared/sync-object';

/** Key of the marked record's data: no source field is named like this. */
const FETCH_FAILURE = '__hubFetchFailure';

interface MarkedData {
  [FETCH_FAILURE]: RecordOutcome;
}

/** A record an unexpected error stopped: it fails alone, with the error's text and field. */
export function poisoned(
  object: SyncObject,
  r: { id: string; label?: string },
  stage: 'fetching' | 'mapping' | 'posting',
  err: unknown,
): RecordOutcome {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return failed(object, r.id, `${object} ${r.label ?? r.id}: error while ${stage}: ${text}`, errorField(err));
}

/**
 * `build` for each raw record of a page; a record it throws on (an error concerning one
 * record) becomes a marked record that fails alone in the map step. `ref` names the raw record
 * (its id and label) from fields that were read whatever else is wrong with it.
 */
export function eachRecordIsolated<Raw, T>(
  object: SyncObject,
  raws: readonly Raw[],
  ref: (raw: Raw) => { id: string; label?: string },
  build: (raw: Raw) => SourceRecord<T>,
): SourceRecord<T>[] {
  return raws.map((raw) => {
    try {
      return build(raw);
    } catch (err) {
      if (!concernsOneRecord(err)) throw err;
      const r = ref(raw);
      const data: MarkedData = { [FETCH_FAILURE]: poisoned(object, r, 'fetching', err) };
      return { id: r.id, ...(r.label !== undefined ? { label: r.label } : {}), data: data as unknown as T };
    }
  });
}

/** The failure of a record marked while fetching, else undefined. */
export function fetchFailureOf(r: SourceRecord): RecordOutcome | undefined {
  const d = r.data as Partial<MarkedData> | null | undefined;
  return d && typeof d === 'object' && FETCH_FAILURE in d ? d[FETCH_FAILURE] : undefined;
}
