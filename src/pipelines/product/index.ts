/**
 * The product pipeline, both directions in one run:
 *
 * 1. B1 → Shopify (cursor `b1:<last ItemCode>`, or `ids:<offset>` in ids mode): items with
 *    U_ShopifySync = 'Y' in key-range pages; delta runs filter on UpdateDate/UpdateTime from the
 *    watermark minus 2 minutes. Each item becomes a single-variant product via productSet keyed
 *    by the ItemCode custom id; unchanged products are not written (see post.ts).
 *    Full runs of a large, still unlinked catalogue go through bulk imports instead (`bulk:`).
 * 2. Shopify → B1 (cursor `shopify:<end cursor>`; not in ids mode): variants changed since the
 *    watermark are scanned by SKU; those whose SKU has no B1 item and whose product was made in
 *    Shopify (no custom id) become items in product.defaultItemGroup (non-inventory when Shopify
 *    does not track them). In ids mode, variant GIDs (from failed outcomes) are re-read and retried.
 *
 * Full runs of several pages read Shopify's side from bulk exports (snapshot.ts): the push
 * compares with one taken on the first page, the Shopify → B1 scan reads one taken after the push.
 *
 * The watermark carries both clocks (watermark.ts): each part is the source's time just before
 * its phase read its first page (not the newest stamp read: pages are in key order, so an edit
 * made during the run behind the read position would be skipped). Writing U_ShopifyId back bumps an item's stamp, so
 * the delta after a push re-reads those items once; the sync hash written in the same PATCH
 * (hash.ts) lets it report them unchanged without asking Shopify (no Shopify call, no write).
 */
import type { Pipeline } from '../contract';
import { fetchProductPage } from './fetch';
import { mapProductPage } from './map';
import { pushTarget } from './hash';
import { postProductPage } from './post';
import type { ProductPayload, ProductSource } from './types';

export const productPipeline: Pipeline<ProductSource, ProductPayload> = {
  object: 'product',
  fetch: (deps, input) => fetchProductPage(deps, input),
  map: async (deps, input) => mapProductPage(deps.mapping, pushTarget(deps), input.records),
  post: (deps, input) => postProductPage(deps, input),
};
