/**
 * Paging helpers shared by the Shopify → B1 pipelines: ids-mode cursors, the page watermark and
 * batched OData `or` lookups.
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
