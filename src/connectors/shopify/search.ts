/** Shopify search syntax: quoted terms and the delta filter every incremental read uses. */

/** Default overlap subtracted from delta watermarks: equal timestamps and search-index lag. */
export const DEFAULT_OVERLAP_MS = 5 * 60_000;

/** Escapes a value for a quoted term of Shopify's search syntax. */
export function searchValue(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `updated_at:>='<since − overlap>'`, or null when there is no watermark yet. */
export function updatedSinceQuery(since: string | Date | null | undefined, overlapMs = DEFAULT_OVERLAP_MS): string | null {
  if (!since) return null;
  const t = (since instanceof Date ? since.getTime() : Date.parse(since)) - overlapMs;
  if (Number.isNaN(t)) throw new RangeError(`updatedSince is not a timestamp: ${String(since)}`);
  return `updated_at:>=${searchValue(new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'))}`;
}
