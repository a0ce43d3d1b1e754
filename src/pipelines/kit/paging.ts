/**
 * Paging helpers shared by the pipelines: ids-mode cursors, the page watermark, the position of
 * a run reading by updatedAt (bulk export or per request) and batched OData `or` lookups.
 */
import { f } from '../../connectors/b1/odata-query';
import type { FetchPageInput } from '../contract';

/** ids mode: the cursor is the offset of the next id to read. */
export function idsSlice(input: FetchPageInput, pageSize: number): { ids: string[]; nextCursor?: string } {
  const all = [...new Set(input.ids ?? [])];
  const start = input.cursor ? Number(input.cursor) : 0;
  const ids = all.slice(start, start + pageSize);
  const next = start + ids.length;
  return next < all.length ? { ids, nextCursor: String(next) } : { ids };
}

/** Highest updatedAt of the records read (ISO-8601 strings of one format compare as text). */
export function maxUpdatedAt(records: ReadonlyArray<{ updatedAt?: string }>): string | undefined {
  let max: string | undefined;
  for (const r of records) if (r.updatedAt && (!max || Date.parse(r.updatedAt) > Date.parse(max))) max = r.updatedAt;
  return max;
}

/**
 * `field eq v1 or field eq v2 …` in chunks, so many keys are looked up in a few requests while
 * every URL stays short (the Service Layer sits behind Apache, which limits request lines).
 */
export function orFilters(field: string, values: readonly string[], chunkSize = 20): string[] {
  const uniq = [...new Set(values)];
  const out: string[] = [];
  for (let i = 0; i < uniq.length; i += chunkSize) out.push(f.anyOf(field, uniq.slice(i, i + chunkSize)));
  return out;
}

/**
 * Where a run reading records ordered by updatedAt stands, so pages cut from a bulk export and
 * pages read per request can take over from each other: the last updatedAt delivered, plus the
 * ids delivered at exactly that instant (Shopify stamps whole seconds, so several can share it).
 */
export interface UpdatedAtPosition {
  since: string;
  seen: string[];
}

type Stamped = { id: string; updatedAt?: string };

const instant = (t: string | undefined): number => Date.parse(t ?? '');

/** The position after delivering `records` (continuing from `prev`). */
export function positionAfter(records: readonly Stamped[], prev?: UpdatedAtPosition): UpdatedAtPosition {
  const since = maxUpdatedAt(records) ?? prev?.since ?? '';
  const seen = records.filter((r) => instant(r.updatedAt) === instant(since)).map((r) => r.id);
  return { since, seen: prev && instant(prev.since) === instant(since) ? [...new Set([...prev.seen, ...seen])] : seen };
}

/** The records past the position: a later updatedAt, or the same one and not delivered yet. */
export function pastPosition<T extends Stamped>(records: readonly T[], p: UpdatedAtPosition): T[] {
  const since = instant(p.since);
  const seen = new Set(p.seen);
  return records.filter((r) => instant(r.updatedAt) > since || (instant(r.updatedAt) === since && !seen.has(r.id)));
}

const EXPORT_CURSOR_PREFIX = 'bulk:';

/** A cursor of a run reading from a bulk export (told apart from Shopify's opaque page cursors by its prefix). */
export function exportCursor<C extends UpdatedAtPosition>(c: C): string {
  return EXPORT_CURSOR_PREFIX + JSON.stringify(c);
}

export function parseExportCursor<C extends UpdatedAtPosition>(cursor: string): C | null {
  return cursor.startsWith(EXPORT_CURSOR_PREFIX) ? (JSON.parse(cursor.slice(EXPORT_CURSOR_PREFIX.length)) as C) : null;
}
