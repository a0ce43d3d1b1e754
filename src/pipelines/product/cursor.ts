/**
 * The `product` run's position, encoded in the cursor so a continue-as-new or a retried fetch
 * resumes exactly where it stopped. `shopify:` and `export:` are only decoded: they are the
 * Shopify → B1 phase of runs from before products split into two objects (such a run ends at its
 * next page, fetch.ts; the `shopify-product` object has its own cursor, import.ts):
 *   b1:<last ItemCode>|@<b1 from>[|<export>]      B1 → Shopify, key-range pages (absent cursor = first page)
 *   bulk:<last ItemCode>|@<b1 from>[|<export>]    B1 → Shopify initial load in bulk chunks (full mode)
 *   ids:<offset>                                  B1 → Shopify for the requested ItemCodes (ids mode; extra ids of a delta)
 *   shopify:<end cursor>|@<b1 from>|@<shop from>  Shopify → B1, pages of the per-request variant scan
 *   export:<json>                                 Shopify → B1 from a bulk export (full runs of several pages)
 * The read starts (`from`: the source's time, on its own clock, just before the phase's first
 * page was read; watermark.ts) ride along because pages are in key order, not time order: an
 * edit that lands during the run behind the read position is only covered by a watermark no
 * later than the start. Cursors written before this rule carried the newest stamp read so far
 * in the same slots, without the `@`: they decode without a start, so such a run keeps its
 * incoming watermark instead of claiming what it may have missed.
 * `<export>` is the GID of the run's product state export (snapshot.ts), which the push compares
 * with instead of reading Shopify per page.
 */
export type ExportStep =
  /** Read while the last push page is still being written (prefetch): waits for it, does nothing. */
  | { step: 'after-push' }
  /** The push is done: start the export. */
  | { step: 'start' }
  /** Read the export from `offset` (an index into its variants); `startedAt` (ms) bounds the wait. */
  | { step: 'read'; op: string; offset: number; startedAt: number };

export type ProductCursor =
  | { phase: 'b1'; after?: string; b1From?: string; snapshot?: string }
  | { phase: 'bulk'; after?: string; b1From?: string; snapshot?: string }
  | { phase: 'ids'; offset: number }
  | { phase: 'shopify'; after?: string; b1From?: string; shopFrom?: string }
  | ({ phase: 'export'; b1From?: string } & ExportStep);

const BULK_GID = /^gid:\/\/shopify\/BulkOperation\/\d+$/;

const from = (stamp: string | undefined): string => (stamp ? `@${stamp}` : '');
/** A read start; a mark without `@` is an older cursor's newest-stamp-read: no start known. */
const startOf = (slot: string | undefined): string | undefined => (slot?.startsWith('@') && slot.length > 1 ? slot.slice(1) : undefined);

export function encodeCursor(c: ProductCursor): string {
  if (c.phase === 'ids') return `ids:${c.offset}`;
  if (c.phase === 'export') {
    const { phase, ...rest } = c;
    return `${phase}:${JSON.stringify(rest)}`;
  }
  const parts = [c.after ?? '', from(c.b1From)];
  if (c.phase === 'shopify') parts.push(from(c.shopFrom));
  else if (c.snapshot) parts.push(c.snapshot);
  return `${c.phase}:${parts.join('|')}`;
}

/** `withIds`: a delta run given extra ItemCodes reads those first, then its delta. */
export function decodeCursor(raw: string | undefined, mode: string, withIds = false): ProductCursor {
  if (raw === undefined) return mode === 'ids' || withIds ? { phase: 'ids', offset: 0 } : { phase: 'b1' };
  const at = raw.indexOf(':');
  const phase = raw.slice(0, at);
  const rest = raw.slice(at + 1);
  if (phase === 'ids') return { phase, offset: Number(rest) || 0 };
  if (phase === 'export') {
    // An older cursor's `b1Hw` (newest stamp read) is dropped: it is no read start.
    const { b1Hw: _old, ...step } = JSON.parse(rest) as ExportStep & { b1From?: string; b1Hw?: string };
    return { phase, ...step };
  }
  // The marks are split off from the right, so an ItemCode containing '|' still round-trips.
  const parts = rest.split('|');
  const opt = (v: string | undefined) => (v ? v : undefined);
  if (phase === 'shopify') {
    const shopFrom = parts.length >= 3 ? startOf(parts.pop()) : undefined;
    const b1From = parts.length >= 2 ? startOf(parts.pop()) : undefined;
    const after = opt(parts.join('|'));
    return { phase, ...(after ? { after } : {}), ...(b1From ? { b1From } : {}), ...(shopFrom ? { shopFrom } : {}) };
  }
  if (phase === 'b1' || phase === 'bulk') {
    // A B1 stamp never looks like a bulk operation GID, so cursors without the export still decode.
    const snapshot = parts.length >= 3 && BULK_GID.test(parts[parts.length - 1] ?? '') ? parts.pop() : undefined;
    const b1From = parts.length >= 2 ? startOf(parts.pop()) : undefined;
    const after = opt(parts.join('|'));
    return { phase, ...(after ? { after } : {}), ...(b1From ? { b1From } : {}), ...(snapshot ? { snapshot } : {}) };
  }
  throw new Error(`product cursor '${raw}' is not b1:, bulk:, ids:, shopify: or export:`);
}
