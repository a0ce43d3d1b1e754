/**
 * The product run's position. A run has two phases, encoded in the cursor so a continue-as-new
 * or a retried fetch resumes exactly where it stopped:
 *   b1:<last ItemCode>     B1 → Shopify, key-range pages of items (absent cursor = first page)
 *   ids:<offset>           B1 → Shopify for the requested ItemCodes (ids mode only)
 *   bulk:<last ItemCode>   B1 → Shopify initial load of a large catalogue in bulk chunks (full mode)
 *   shopify:<end cursor>   Shopify → B1, pages of products ("shopify:" = first page)
 */
export type ProductCursor =
  | { phase: 'b1'; after?: string }
  | { phase: 'ids'; offset: number }
  | { phase: 'bulk'; after?: string }
  | { phase: 'shopify'; after?: string };

export function encodeCursor(c: ProductCursor): string {
  if (c.phase === 'ids') return `ids:${c.offset}`;
  return `${c.phase}:${c.after ?? ''}`;
}

export function decodeCursor(raw: string | undefined, mode: string): ProductCursor {
  if (raw === undefined) return mode === 'ids' ? { phase: 'ids', offset: 0 } : { phase: 'b1' };
  const at = raw.indexOf(':');
  const phase = raw.slice(0, at);
  const rest = raw.slice(at + 1);
  if (phase === 'ids') return { phase, offset: Number(rest) || 0 };
  if (phase === 'b1' || phase === 'shopify' || phase === 'bulk') return rest === '' ? { phase } : { phase, after: rest };
  throw new Error(`product cursor '${raw}' is not b1:, ids:, bulk: or shopify:`);
}
