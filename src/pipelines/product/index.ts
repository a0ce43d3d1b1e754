/**
 * Products, one object per direction (as the Integration Hub schedules them), each with its own
 * scheduler, schedule, watermark, log and open-error ledger:
 *
 * `product` — B1 → Shopify (cursor `b1:<last ItemCode>`, `bulk:` for an initial load, `ids:<offset>`
 *   in ids mode): items with U_ShopifySync = 'Y' in key-range pages; delta runs filter on
 *   UpdateDate/UpdateTime from the watermark minus 2 minutes. Each item becomes a single-variant
 *   product via productSet keyed by the ItemCode custom id; unchanged products are not written
 *   (post.ts). Full runs of several pages compare with one bulk export of the product state.
 *
 * `shopify-product` — Shopify → B1 (import.ts): variants changed since its watermark (Shopify's
 *   clock) are scanned by SKU; those whose SKU has no B1 item and whose product was made in
 *   Shopify (no custom id) become items in product.defaultItemGroup. Full runs read one bulk
 *   export. Products the hub pushed carry its custom id and are never imported back, so the two
 *   objects need no ordering between them.
 *
 * Writing U_ShopifyId back bumps an item's stamp, so the delta after a push re-reads those items
 * once; the sync hash written in the same PATCH (hash.ts) lets it report them unchanged without
 * asking Shopify (no Shopify call, no write).
 */
import type { Pipeline } from '../contract';
import { fetchProductPage } from './fetch';
import { fetchImportPage } from './import';
import { createItem } from './import-post';
import { mapProductPage, mapVariant } from './map';
import { pushTarget } from './hash';
import { postProductPage } from './post';
import type { ProductPayload, ProductSource, VariantRecord } from './types';

export const productPipeline: Pipeline<ProductSource, ProductPayload> = {
  object: 'product',
  fetch: (deps, input) => fetchProductPage(deps, input),
  map: async (deps, input) => mapProductPage(deps.mapping, pushTarget(deps), input.records),
  post: (deps, input) => postProductPage(deps, input),
};

export const shopifyProductPipeline: Pipeline<VariantRecord, ProductPayload> = {
  object: 'shopify-product',
  fetch: (deps, input) => fetchImportPage(deps, input),
  map: async (deps, input) => input.records.map((r) => mapVariant(deps.mapping, r, 'shopify-product')),
  post: async (deps, input) => {
    const out = [];
    // One at a time: each POST is preceded by its own lookup (exactly-once by ItemCode).
    for (const r of input.records) {
      if (r.payload.kind !== 'createItem') throw new Error(`shopify-product: unexpected payload ${r.payload.kind}`);
      out.push(await createItem(deps, 'shopify-product', r.id, r.payload));
    }
    return out;
  },
};
