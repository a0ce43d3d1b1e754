/**
 * The product run's position. A run has two phases, encoded in the cursor so a continue-as-new
 * or a retried fetch resumes exactly where it stopped:
 *   b1:<last ItemCode>|<b1 hw>[|<export>]    B1 → Shopify, key-range pages (absent cursor = first page)
 *   bulk:<last ItemCode>|<b1 hw>[|<export>]  B1 → Shopify initial load in bulk chunks (full mode)
 *   ids:<offset>                             B1 → Shopify for the requested ItemCodes (ids mode; extra ids of a delta)
 *   shopify:<end cursor>|<b1 hw>|<shop hw>   Shopify → B1, pages of the per-request variant scan
 *   export:<json>                            Shopify → B1 from a bulk export (full runs of several pages)
 * The high-water marks (newest B1 stamp, newest Shopify updatedAt read so far in this run) ride
 * along because pages are in key order, not time order: only the run as a whole knows its max.
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
  | { phase: 'b1'; after?: string; b1Hw?: string; snapshot?: string }
  | { phase: 'bulk'; after?: string; b1Hw?: string; snapshot?: string }
  | { phase: 'ids'; offset: number }
  | { phase: 'shopify'; after?: string; b1Hw?: string; shopHw?: string }
  | ({ phase: 'export'; b1Hw?: string } & ExportStep);

const BULK_GID = /^gid:\/\/shopify\/BulkOperation\/\d+$/;

export function encodeCursor(c: ProductCursor): string {
  if (c.phase === 'ids') return `ids:${c.offset}`;
  if (c.phase === 'export') {
    const { phase, ...rest } = c;
    return `${phase}:${JSON.stringify(rest)}`;
  }
  const parts = [c.after ?? '', c.b1Hw ?? ''];
  if (c.phase === 'shopify') parts.push(c.shopHw ?? '');
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
  if (phase === 'export') return { phase, ...(JSON.parse(rest) as ExportStep & { b1Hw?: string }) };
  // The marks are split off from the right, so an ItemCode containing '|' still round-trips.
  const parts = rest.split('|');
  const opt = (v: string | undefined) => (v ? v : undefined);
  if (phase === 'shopify') {
    const shopHw = parts.length >= 3 ? opt(parts.pop()) : undefined;
    const b1Hw = parts.length >= 2 ? opt(parts.pop()) : undefined;
    const after = opt(parts.join('|'));
    return { phase, ...(after ? { after } : {}), ...(b1Hw ? { b1Hw } : {}), ...(shopHw ? { shopHw } : {}) };
  }
  if (phase === 'b1' || phase === 'bulk') {
    // A B1 stamp never looks like a bulk operation GID, so cursors without the export still decode.
    const snapshot = parts.length >= 3 && BULK_GID.test(parts[parts.length - 1] ?? '') ? parts.pop() : undefined;
    const b1Hw = parts.length >= 2 ? opt(parts.pop()) : undefined;
    const after = opt(parts.join('|'));
    return { phase, ...(after ? { after } : {}), ...(b1Hw ? { b1Hw } : {}), ...(snapshot ? { snapshot } : {}) };
  }
  throw new Error(`product cursor '${raw}' is not b1:, bulk:, ids:, shopify: or export:`);
}
