/**
 * The product pipelines' per-worker state and tuning, carried by the injected deps (never module
 * state): what one worker learnt about its B1 company and Shopify shop, and the knobs an
 * operator's tooling or a test sets per deps instead of patching globals.
 */
import type { ShopifyWeightUnit } from '../../mapping/types';
import { POST_CONCURRENCY } from '../kit/activity';
import { createSlots, type Slots } from '../kit/slots';

export interface ProductTuning {
  /**
   * Initial load: a full run over at least `threshold` selected items, while at most
   * `maxLinkedShare` of them are linked to Shopify yet, pushes `chunk` items per bulk productSet
   * import instead of one request per item (bulk imports are not bound by the request rate limit).
   */
  bulk: { threshold: number; chunk: number; maxLinkedShare: number };
  /** The Shopify → B1 full run from a bulk export (import.ts, fetchExportPage). */
  scanExport: { waitPerPageMs: number; giveUpMs: number; candidatesPerPage: number; marginMs: number };
  /** Missing hash fields are looked for again after this long (item-fields.ts). */
  hashFieldsRecheckMs: number;
  /**
   * Item write-backs per `$batch` request, each PATCH in its own changeset (post.ts writeLinks):
   * a page's links cost a few B1 requests instead of one per item, while one request stays far
   * below the Service Layer's proxy timeouts (reference §11: big batches can outlive them).
   */
  linksPerBatch: number;
}

/** Variants per scan page in the Shopify → B1 direction (the connection maximum). */
export const SHOPIFY_VARIANTS_PER_SCAN = 250;

export const DEFAULT_PRODUCT_TUNING: ProductTuning = {
  bulk: { threshold: 2000, chunk: 500, maxLinkedShare: 0.1 },
  scanExport: { waitPerPageMs: 120_000, giveUpMs: 30 * 60_000, candidatesPerPage: SHOPIFY_VARIANTS_PER_SCAN, marginMs: 2_000 },
  hashFieldsRecheckMs: 5 * 60_000,
  linksPerBatch: 100,
};

/** Caches of one deps (one B1 client, one Shopify client), filled on first use. */
export interface ProductState {
  tuning: ProductTuning;
  /** The company's WeightMeasures as Shopify units (they change rarely). */
  weightMeasures?: Promise<Record<string, ShopifyWeightUnit>>;
  /** The custom id metafield definition productSet by custom id needs, made once. */
  definitions?: Promise<unknown>;
  /** Whether OITM has the hash fields, and when that was asked. */
  hashFieldsProbe?: { at: number; present: Promise<boolean> };
  /**
   * The worker's Service Layer requests for initial-load chunks (item reads, link write-backs):
   * two chunks' posts overlap (one imports while the other writes its links), and together they
   * keep no more requests in flight than one page's post does.
   */
  b1Slots: Slots;
}

export function createProductState(
  tuning: { [K in keyof ProductTuning]?: Partial<ProductTuning[K]> | ProductTuning[K] } = {},
): ProductState {
  const d = DEFAULT_PRODUCT_TUNING;
  return {
    tuning: {
      bulk: { ...d.bulk, ...(tuning.bulk as object) },
      scanExport: { ...d.scanExport, ...(tuning.scanExport as object) },
      hashFieldsRecheckMs: (tuning.hashFieldsRecheckMs as number | undefined) ?? d.hashFieldsRecheckMs,
      linksPerBatch: (tuning.linksPerBatch as number | undefined) ?? d.linksPerBatch,
    },
    b1Slots: createSlots(POST_CONCURRENCY),
  };
}
