/** Record and payload shapes of the product pipeline (everything here travels through history). */
import type { B1Item, B1ItemCreate, ShopifyWeightUnit } from '../../mapping/types';
import type { ProductUpsert } from '../../connectors/shopify/types';

/** A B1 item as the push reads it: the mapped fields, the cross-references, the sync flag and hash. */
export interface ItemRecord {
  kind: 'item';
  item: B1Item & {
    U_ShopifyId?: string | null;
    U_ShopifySync?: string | null;
    U_ShopifyVariantId?: string | null;
    U_ShopifyHash?: string | null;
  };
  /** The item table has U_ShopifyVariantId and U_ShopifyHash (item-fields.ts): they are written back with the id. */
  hashFields?: true;
  /**
   * Read by a delta run: an item whose U_ShopifyHash still matches its mapped product is reported
   * unchanged without a Shopify read. Full and ids runs leave it out and compare with Shopify.
   */
  trustHash?: true;
  /** Company-local date the item's Valid/Frozen windows are judged on (fixed at fetch so map is deterministic). */
  asOf: string;
  /** The Shopify unit of the item's B1 weight unit, resolved from WeightMeasures when the config has none. */
  weightUnit?: { code: string; unit: ShopifyWeightUnit };
  /** GID of the run's product state export (snapshot.ts): the post compares with it instead of reading Shopify. */
  snapshot?: string;
}

/** A variant of a Shopify-made product whose SKU has no B1 item. */
export interface VariantRecord {
  kind: 'variant';
  product: { id: string; title: string };
  /** The product carries the hub's custom id: it came from B1 and is never imported back (resyncs report it skipped). */
  fromB1?: true;
  variant: {
    id: string;
    title: string;
    sku: string | null;
    barcode: string | null;
    price: string;
    taxable: boolean;
    inventoryItem: { id: string; tracked: boolean; measurement: { weight: { unit: ShopifyWeightUnit; value: number } | null } };
  };
}

/**
 * A key range of items pushed by one bulk productSet import: only the range travels through
 * history; the items are read, mapped and written inside the post activity.
 */
export interface BulkChunkRecord {
  kind: 'bulkChunk';
  first: string;
  last: string;
  count: number;
  asOf: string;
  /** GID of the run's product state export: the chunk's products are looked up there. */
  snapshot?: string;
}

export type ProductSource = ItemRecord | VariantRecord | BulkChunkRecord;

export interface PushPayload {
  kind: 'push';
  itemCode: string;
  upsert: ProductUpsert;
  /** The item's U_ShopifyId when read: written back only when the product id differs. */
  knownProductId: string | null;
  /**
   * The item's U_ShopifyVariantId and U_ShopifyHash when read; absent when the item table lacks
   * them (then only U_ShopifyId is written). All three are written in one PATCH when any differs.
   */
  knownLink?: { variantId: string | null; hash: string | null };
  /** From the item record: the run's product state export, read instead of a per-page SKU lookup. */
  snapshot?: string;
}

export interface CreateItemPayload {
  kind: 'createItem';
  sku: string;
  productId: string;
  item: B1ItemCreate;
}

export interface BulkChunkPayload extends Omit<BulkChunkRecord, 'kind'> {
  kind: 'bulkChunk';
}

export type ProductPayload = PushPayload | CreateItemPayload | BulkChunkPayload;
