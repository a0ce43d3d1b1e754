/**
 * Finding the Shopify products that hold a page's SKUs, before anything is written: per request
 * (the product search, or an initial load's light variant lookup), or from the run's product
 * export when it is ready in time. The plan in post.ts decides from what is found here.
 */
import { searchValue, type ShopifyClient } from '../../connectors/shopify/client';
import type { ShopifyProduct } from '../../connectors/shopify/types';
import type { PipelineDeps } from '../contract';
import type { ComparedProduct } from './compare';
import { awaitProductSnapshot, type ProductSnapshot } from './snapshot';

/** SKUs per search request (`sku:a OR sku:b …`): a page of items is looked up in a few requests. */
const SKUS_PER_SEARCH = 40;

/** Products holding any of the SKUs (Shopify-made ones included), by SKU. */
export async function productsBySku(shopify: ShopifyClient, skus: string[]): Promise<Map<string, ShopifyProduct[]>> {
  const out = new Map<string, ShopifyProduct[]>();
  const unique = [...new Set(skus)];
  for (let i = 0; i < unique.length; i += SKUS_PER_SEARCH) {
    const chunk = unique.slice(i, i + SKUS_PER_SEARCH);
    const query = chunk.map((s) => `sku:${searchValue(s)}`).join(' OR ');
    let after: string | null = null;
    // Usually one product per SKU: asking for no more keeps the requested cost (what the
    // throttle reserves) close to the actual one.
    let first = chunk.length + 2;
    for (;;) {
      const page = await shopify.productsPage({ query, after, first, variantsFirst: 2 });
      for (const p of page.items) {
        for (const v of p.variants) {
          if (v.sku == null) continue;
          const list = out.get(v.sku) ?? [];
          if (!list.some((x) => x.id === p.id)) list.push(p);
          out.set(v.sku, list);
        }
      }
      if (!page.hasNextPage || !page.endCursor) break;
      after = page.endCursor;
      first = page.pageSize;
    }
  }
  return out;
}

/** A product holding the item's SKU; `full` when its fields were read (needed to compare). */
export interface Found {
  productId: string;
  customId: string | null;
  variantCount: number;
  variantId: string | null;
  full?: ComparedProduct & { id: string };
}

export function fromProduct(x: ComparedProduct & { id: string }): Found {
  return {
    productId: x.id,
    customId: x.customId,
    variantCount: x.moreVariants ? x.variants.length + 1 : x.variants.length,
    variantId: x.variants[0]?.id ?? null,
    full: x,
  };
}

/**
 * Query points a per-request lookup costs per SKU (the light lookup of an initial load is ~3,
 * a page's product search ~3 as well): waiting for the export longer than these points take
 * to restore would be slower than reading.
 */
const LOOKUP_POINTS_PER_SKU = 3;
/** Never wait longer than this for the export inside one post (the activity heartbeats meanwhile). */
const MAX_SNAPSHOT_WAIT_MS = 60_000;

/**
 * The run's export once it is complete: waits at most as long as the bucket would take to
 * restore the points of reading `count` SKUs per request (3 s when the plan is not known yet);
 * undefined when it is still running after that or failed: the caller reads per request.
 */
export async function readySnapshot(deps: PipelineDeps, operationId: string, count: number): Promise<ProductSnapshot | undefined> {
  const rate = deps.shopify.cost().restoreRate;
  const waitMs = rate ? Math.min(MAX_SNAPSHOT_WAIT_MS, (count * LOOKUP_POINTS_PER_SKU * 1000) / rate) : 3_000;
  const state = await awaitProductSnapshot(deps.shopify, operationId, waitMs);
  return state.kind === 'ready' ? state.snapshot : undefined;
}

/**
 * An initial load's lookups from the run's export. A SKU the export does not hold is taken as
 * having no product, and is imported by custom id: reading those per request would cost what
 * the export saves (in an initial load most items are new). What that leaves open: a product
 * made in Shopify with that SKU after the export started is not adopted (a second product with
 * the SKU results, as when the SKU search lags); a product the import itself created (a retried
 * chunk) is updated by custom id, never duplicated.
 */
export function foundInSnapshot(snapshot: ProductSnapshot, skus: string[]): Map<string, Found[]> {
  const out = new Map<string, Found[]>();
  for (const sku of new Set(skus)) out.set(sku, (snapshot.bySku.get(sku) ?? []).map(fromProduct));
  return out;
}

/**
 * Products by SKU for an initial load: the cheap variant lookup (about 3 query points per SKU
 * instead of 7) says which SKUs exist and where; only products already linked to their item are
 * then read in full, because only those can be unchanged.
 */
export async function foundForLoad(shopify: ShopifyClient, skus: string[]): Promise<Map<string, Found[]>> {
  const out = new Map<string, Found[]>();
  const unique = [...new Set(skus)];
  for (let i = 0; i < unique.length; i += SKUS_PER_SEARCH) {
    const chunk = unique.slice(i, i + SKUS_PER_SEARCH);
    const query = chunk.map((s) => `sku:${searchValue(s)}`).join(' OR ');
    let after: string | null = null;
    for (;;) {
      const page = await shopify.variantsBySkuLight({ first: chunk.length + 2, after, query });
      for (const v of page.holders) {
        if (v.sku == null) continue;
        const list = out.get(v.sku) ?? [];
        if (!list.some((x) => x.productId === v.productId))
          list.push({ productId: v.productId, customId: v.customId, variantCount: v.variantCount, variantId: v.variantId });
        out.set(v.sku, list);
      }
      if (!page.hasNextPage || !page.endCursor) break;
      after = page.endCursor;
    }
  }
  const linked = [...out].filter(([sku, list]) => list.some((x) => x.customId === sku)).map(([sku]) => sku);
  if (linked.length) {
    const full = await productsBySku(shopify, linked);
    for (const sku of linked) out.set(sku, (full.get(sku) ?? []).map(fromProduct));
  }
  return out;
}

/**
 * Products by SKU for a page of single pushes: from the run's export where it holds the SKU;
 * SKUs it lacks (new items, mostly: they are written next, which costs more than the read) are
 * looked up per request, so a product made in Shopify since the export is still adopted.
 */
export async function productsForPage(
  deps: PipelineDeps,
  skus: string[],
  snapshotId: string | undefined,
): Promise<Map<string, (ComparedProduct & { id: string })[]>> {
  const snapshot = snapshotId ? await readySnapshot(deps, snapshotId, skus.length) : undefined;
  if (!snapshot) return productsBySku(deps.shopify, skus);
  const out = new Map<string, (ComparedProduct & { id: string })[]>();
  const rest: string[] = [];
  for (const sku of skus) {
    const hit = snapshot.bySku.get(sku);
    if (hit) out.set(sku, hit);
    else rest.push(sku);
  }
  if (rest.length) for (const [sku, list] of await productsBySku(deps.shopify, rest)) out.set(sku, list);
  return out;
}
