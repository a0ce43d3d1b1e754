/**
 * The product watermark as the combined run wrote it, both directions in one string (the
 * `product` run now moves only the B1 part and carries the Shopify part, which seeds the
 * `shopify-product` scheduler on upgrade; temporal/schedulers.ts):
 *   `<B1 stamp>~<Shopify updatedAt>`, e.g. `2026-11-26T15:03:00~2026-11-26T15:03:12Z`
 * The B1 part is B1's time (server-local, no zone) and the Shopify part Shopify's (UTC) just
 * before the run read its first page of that direction (fetch.ts: b1ReadStart, VARIANTS_SCAN's
 * `newest`; after a scan from an export, the export's createdAt): never the newest stamp read,
 * because pages are in key order and an edit behind the read position would be skipped. The two clocks cannot be compared, so each
 * direction filters on its own part. The B1 part leads, so plain string order (which the
 * scheduler uses to keep the newest) never moves the B1 part backwards; a B1 part that is not
 * known yet is written as 0000-00-00T00:00:00.
 */
export interface ProductWatermark {
  b1?: string;
  shopify?: string;
}

const NO_B1 = '0000-00-00T00:00:00';

export function parseWatermark(since: string | undefined): ProductWatermark {
  if (!since) return {};
  const [b1Raw, shopify] = since.split('~', 2) as [string, string | undefined];
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2}))?)?/.exec(b1Raw);
  if (!m) throw new Error(`product watermark '${since}' does not start with an ISO date-time`);
  const b1 = `${m[1]}T${m[2] ?? '00:00'}:${m[3] ?? '00'}`;
  return { ...(b1 !== NO_B1 ? { b1 } : {}), ...(shopify ? { shopify } : {}) };
}

export function formatWatermark(w: ProductWatermark): string | undefined {
  if (!w.b1 && !w.shopify) return undefined;
  return `${w.b1 ?? NO_B1}${w.shopify ? `~${w.shopify}` : ''}`;
}

/** The later of two stamps of the same clock (ISO strings of one format compare as strings). */
export function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
