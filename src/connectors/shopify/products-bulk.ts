/**
 * Shopify's product state from one bulk query export, for full runs of several pages: reading it
 * per request costs ~3 query points per item (the SKU lookups before each write) and ~1 per
 * variant (the Shopify → B1 scan), which bound a 2000-item run by the restore rate (about a
 * minute on the Standard plan); an export costs a few points whatever the shop's size.
 *
 * Same scheme as the inventory snapshot (inventory-bulk.ts): the run's first
 * page starts the export and carries the operation id in its cursor; any worker can load the
 * result from that id (Shopify gives the pre-signed URL of the JSONL file; downloading it costs
 * no points), and each client keeps the last two in memory. Until the export is complete, or when
 * Shopify refuses or fails it, the pages read per request as before.
 *
 * One export serves two purposes:
 *  - the push's lookups (`bySku`): the products holding each SKU, with every variant and the
 *    fields the compare reads;
 *  - the Shopify → B1 scan (`variants`, in file order): a second export of the same query, started
 *    after the push has written everything (the product pipeline's fetch.ts), so it also fixes the scan's watermark.
 */
import {
  awaitBulkExport,
  loadBulkExport,
  reassembleBulk,
  rememberBounded,
  tryStartBulkQuery,
  type BulkExportState,
  type BulkNode,
} from './bulk';
import { PRODUCT_VARIANT_ROW } from './documents';
import type { ShopifyExecutor } from './executor';
import { bulkQuery, gql, type GqlDocument } from './gql';
import type { ShopifyProductStatus, ShopifyProductVariant } from './types';

/**
 * Bulk export of Shopify's product state for multi-page full runs (snapshot.ts): every product
 * with its custom id and every variant with the fields the compare reads (ProductVariantRow, as the
 * per-request reads), plus what the Shopify → B1 scan needs (variant updatedAt, title). A bulk query takes no variables, so the
 * custom id's namespace and key are written into the text (productStateExport); the literals
 * here are the defaults the schema test validates.
 */
export const PRODUCT_STATE_EXPORT = bulkQuery(gql<'ProductStateExport'>`
  query ProductStateExport {
    products {
      edges {
        node {
          id
          title
          status
          customId: metafield(namespace: "b1hub", key: "item_code") {
            value
          }
          variants {
            edges {
              node {
                ...ProductVariantRow
                updatedAt
              }
            }
          }
        }
      }
    }
  }
  ${PRODUCT_VARIANT_ROW}
`);

const DEFAULT_ID_FIELD = 'metafield(namespace: "b1hub", key: "item_code")';

/** PRODUCT_STATE_EXPORT for the configured custom id field (JSON strings are GraphQL string literals). */
export function productStateExport(idField: { namespace: string; key: string }): GqlDocument {
  const field = `metafield(namespace: ${JSON.stringify(idField.namespace)}, key: ${JSON.stringify(idField.key)})`;
  if (!PRODUCT_STATE_EXPORT.text.includes(DEFAULT_ID_FIELD))
    throw new Error('ProductStateExport: the custom id field to replace is missing');
  return { ...PRODUCT_STATE_EXPORT, text: PRODUCT_STATE_EXPORT.text.replace(DEFAULT_ID_FIELD, field) };
}

/** A product as the export holds it: what the compare (compare.ts) and the scan read. */
export interface SnapshotProduct {
  id: string;
  title: string;
  status: ShopifyProductStatus;
  customId: string | null;
  variants: ShopifyProductVariant[];
  /** Every variant is in the export. */
  moreVariants: false;
}

export interface SnapshotVariant {
  product: SnapshotProduct;
  variant: ShopifyProductVariant;
  updatedAt: string;
}

export interface ProductSnapshot {
  /** When Shopify created the export (Shopify's clock, the one variant updatedAt uses). */
  createdAt: string;
  /** Products holding a variant with this SKU (exact SKU, as productsBySku keys them). */
  bySku: Map<string, SnapshotProduct[]>;
  /** Every variant, in file order: the scan's pages are offsets into this list. */
  variants: SnapshotVariant[];
}

export type SnapshotState = { kind: 'ready'; snapshot: ProductSnapshot } | { kind: 'pending' } | { kind: 'gone' };

function variantOf(n: BulkNode): ShopifyProductVariant {
  const inv = (n.inventoryItem ?? {}) as {
    id?: string;
    tracked?: boolean;
    measurement?: { weight?: ShopifyProductVariant['inventoryItem']['measurement']['weight'] } | null;
  };
  return {
    id: String(n.id),
    title: typeof n.title === 'string' ? n.title : '',
    sku: typeof n.sku === 'string' ? n.sku : null,
    barcode: typeof n.barcode === 'string' ? n.barcode : null,
    price: String(n.price ?? '0'),
    taxable: n.taxable === true,
    inventoryItem: { id: String(inv.id ?? ''), tracked: inv.tracked === true, measurement: { weight: inv.measurement?.weight ?? null } },
  };
}

/** Builds the snapshot from the export's JSONL lines (children follow their parent, __parentId). */
export function snapshotFromLines(lines: Record<string, unknown>[], createdAt: string): ProductSnapshot {
  const bySku = new Map<string, SnapshotProduct[]>();
  const variants: SnapshotVariant[] = [];
  for (const node of reassembleBulk(lines)) {
    if (typeof node.id !== 'string') continue;
    const children = node.__children.ProductVariant ?? [];
    const product: SnapshotProduct = {
      id: node.id,
      title: typeof node.title === 'string' ? node.title : '',
      status: node.status as ShopifyProductStatus,
      customId: (node.customId as { value?: string } | null | undefined)?.value ?? null,
      variants: children.map(variantOf),
      moreVariants: false,
    };
    product.variants.forEach((v, i) => {
      variants.push({ product, variant: v, updatedAt: String(children[i]?.updatedAt ?? '') });
      if (v.sku == null) return;
      const list = bySku.get(v.sku) ?? [];
      if (!list.includes(product)) list.push(product);
      bySku.set(v.sku, list);
    });
  }
  return { createdAt, bySku, variants };
}

/** One client's product state exports: started, and each read once (the last two kept). */
export class ProductSnapshots {
  /**
   * Snapshots by operation id, loading or ready; a run reads its snapshot once per page. A run
   * holds two: the push export and, after the push, the scan export.
   */
  private readonly cache = new Map<string, Promise<BulkExportState<ProductSnapshot>>>();
  private static readonly LIMIT = 2;

  constructor(
    private readonly exec: ShopifyExecutor,
    private readonly idField: { namespace: string; key: string },
  ) {}

  /** Starts the export; null when Shopify refuses it (e.g. its bulk query slots are taken): pages then read per request. */
  start(): Promise<string | null> {
    return tryStartBulkQuery(this.exec, productStateExport(this.idField));
  }

  /** The snapshot of a bulk operation, if it is complete (from memory, or downloaded once). */
  async load(operationId: string): Promise<SnapshotState> {
    const key = operationId;
    // Concurrent pages of the same run share one status check and one download; only a complete
    // snapshot stays cached (a pending or gone state is asked for again).
    let loading = this.cache.get(key);
    if (!loading) {
      loading = loadBulkExport(this.exec, operationId, (lines, op) => snapshotFromLines(lines, op.createdAt));
      rememberBounded(this.cache, key, loading, ProductSnapshots.LIMIT);
    }
    const state = await loading.catch((err: unknown) => {
      if (this.cache.get(key) === loading) this.cache.delete(key);
      throw err;
    });
    if (state.kind !== 'ready') {
      if (this.cache.get(key) === loading) this.cache.delete(key);
      // A failed or unreadable export: the caller reads per request.
      return state.kind === 'pending' ? state : { kind: 'gone' };
    }
    return { kind: 'ready', snapshot: state.result };
  }

  /** Waits up to `maxWaitMs` for the export to complete (polling with back-off to 2 s). */
  await(operationId: string, maxWaitMs: number): Promise<SnapshotState> {
    return awaitBulkExport(() => this.load(operationId), maxWaitMs);
  }
}
