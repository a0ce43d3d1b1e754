/**
 * Typed Shopify Admin GraphQL (2026-07) operations for the hub.
 *
 * Reaching the simulator: the client always talks to `https://<shop>/admin/api/<v>/graphql.json`
 * through @shopify/shopify-api. With `endpoint` set (SHOPIFY_ENDPOINT), the client's own fetch
 * (transport.ts, made and validated with the client) sends that shop's requests to the given origin;
 * plain http is accepted only for loopback (the simulator), anything else must be https. The
 * library client, the request executor, auth and error handling are identical for a real shop.
 */
import { readMoneySourceOrders, readOrdersMoney } from './orders-money';
import type { ShopifyOrderMoney } from '../../mapping/invoice';
import { randomUUID } from 'node:crypto';
import { ShopifyAuth } from './auth';
import type { ShopifyClientConfig } from './config';
import { ShopifyExecutor, type CallResult, type ExecutorOptions } from './executor';
import type { ResultOf } from './gql';
import {
  LOCATIONS_PAGE,
  PRODUCT_SET,
  SHOP_INFO,
  NEWEST_ORDER,
  ACCESS_SCOPES,
  BULK_EXPORT_INVENTORY,
  BULK_EXPORT_PRODUCTS,
} from './documents';
import { ensureCustomIdDefinitions } from './custom-id-definitions';
import { readProductByCustomId, readProductsPage } from './product-pages';
import { DEFAULT_ORDER_READ_SIZES, type OrderReadSizes } from './order-cost';
import { readOrdersByIds, readOrdersPage } from './orders';
import { reassembleBulk, runBulkMutation, runBulkQuery, type BulkNode, type BulkOperation, type BulkPollOptions } from './bulk';
import { productSetLineResult, productSetResult, type ProductSetPayload } from './product-set';
import {
  readVariantsByIds,
  scanVariants,
  variantsBySkuLight,
  type SkuHolder,
  type VariantScanPage,
  type VariantWithProduct,
} from './product-reads';
import { readStockBySku, type StockMatch } from './stock';
import { productSetVariables, variantsBySkus, type CustomIdSpec } from './products';
import {
  activateInventory,
  inventoryLevels,
  setInventoryQuantities,
  setInventoryQuantitiesBatched,
  type InventorySetOptions,
} from './inventory';
import {
  ensureMetafieldDefinition,
  hasMetafieldDefinition,
  setMetafields,
  type MetafieldDefinitionSpec,
  type MetafieldInput,
} from './metafields';
import { CustomerExports, NEWEST_CUSTOMER } from './customers-bulk';
import { ProductSnapshots } from './products-bulk';
import { InventorySnapshots } from './inventory-bulk';
import { OrderExports } from './orders-bulk';
import { updatedSinceQuery } from './search';
import { readCustomerByCustomId, readCustomersByIds, readCustomersPage } from './customers';
import { MAX_PAGE_SIZE, type CustomerReadOptions, type DeltaPageArgs } from './read-options';
import type {
  InventoryChange,
  InventoryQuantityRow,
  Page,
  ProductUpsert,
  ProductUpsertResult,
  ShopifyCustomer,
  ShopifyInventoryLevel,
  ShopifyLocation,
  ShopifyOrder,
  ShopifyProduct,
  ShopifyVariant,
  WriteResult,
} from './types';

export { searchValue, updatedSinceQuery, DEFAULT_OVERLAP_MS } from './search';

export { MAX_INVENTORY_ROWS, type InventorySetOptions } from './inventory';
export type { CustomIdSpec } from './products';
export { MAX_METAFIELDS_PER_CALL } from './metafields';
export { MAX_PAGE_SIZE, DEFAULT_CUSTOMER_ADDRESSES, type CustomerReadOptions, type DeltaPageArgs } from './read-options';

/**
 * What pipelines may know of Shopify's rate limit: a read-only copy of the client's cost model
 * (they steer page sizes and bulk exports by it, never the executor itself).
 */
export interface CostSnapshot {
  /** Points the bucket is expected to hold now; null until a response has said. */
  available: number | null;
  maximum: number | null;
  /** Points restored per second (the shop's plan); null until known. */
  restoreRate: number | null;
  /** actualQueryCost of the last successful call. */
  lastQueryCost: number | null;
  /** Points Shopify charged this client so far. */
  spent: number;
}

export class ShopifyClient {
  readonly executor: ShopifyExecutor;
  readonly auth: ShopifyAuth;
  readonly productIdField: CustomIdSpec;
  readonly customerIdField: CustomIdSpec;
  /** Bulk exports a run reads its later pages from, each kind with this client's cache of results. */
  readonly bulkExports: { customers: CustomerExports; products: ProductSnapshots; inventory: InventorySnapshots; orders: OrderExports };
  private locationCount: number | null = null;

  constructor(
    readonly config: ShopifyClientConfig,
    executorOptions: ExecutorOptions = {},
  ) {
    this.auth = new ShopifyAuth(config);
    this.executor = new ShopifyExecutor(this.auth, {
      requestTimeoutMs: config.requestTimeoutMs,
      maxAttempts: config.maxAttempts,
      maxBackoffMs: config.maxBackoffMs,
      ...executorOptions,
    });
    this.productIdField = { namespace: config.customIdNamespace ?? 'b1hub', key: config.customIdKey ?? 'item_code' };
    this.customerIdField = { namespace: config.customIdNamespace ?? 'b1hub', key: 'card_code' };
    this.bulkExports = {
      customers: new CustomerExports(this.executor),
      products: new ProductSnapshots(this.executor, this.productIdField),
      inventory: new InventorySnapshots(this.executor),
      orders: new OrderExports(this.executor),
    };
  }

  cost(): CostSnapshot {
    const known = this.executor.bucket.known();
    return {
      available: known ? this.executor.bucket.available() : null,
      maximum: known?.maximumAvailable ?? null,
      restoreRate: known?.restoreRate ?? null,
      lastQueryCost: this.executor.lastActualCost,
      spent: this.executor.stats.actualPoints,
    };
  }

  async shop(): Promise<{ name: string; myshopifyDomain: string; currencyCode: string }> {
    const { data } = await this.executor.call(SHOP_INFO);
    return data.shop;
  }

  /** The scope handles granted to the app's token. */
  async accessScopes(): Promise<string[]> {
    const { data } = await this.executor.call(ACCESS_SCOPES);
    return data.currentAppInstallation?.accessScopes.map((s) => s.handle) ?? [];
  }

  // ------------------------------------------------------------------ locations

  /** Every location, following pagination (no 50-location cap). */
  async locations(opts: { includeInactive?: boolean } = {}): Promise<ShopifyLocation[]> {
    const out: ShopifyLocation[] = [];
    let after: string | null = null;
    let first = 100;
    for (;;) {
      const res: CallResult<ResultOf<typeof LOCATIONS_PAGE>> = await this.executor.call(
        LOCATIONS_PAGE,
        { first, after, includeInactive: opts.includeInactive ?? false },
        { shrink: ['first'] },
      );
      first = res.variables.first as number;
      out.push(...res.data.locations.nodes);
      if (!res.data.locations.pageInfo.hasNextPage) break;
      after = res.data.locations.pageInfo.endCursor;
    }
    this.locationCount = out.length;
    return out;
  }

  // ------------------------------------------------------------------ customers

  /** One page of customers updated since the watermark (minus overlap), oldest change first. */
  customersPage(args: DeltaPageArgs & CustomerReadOptions = {}): Promise<Page<ShopifyCustomer>> {
    return readCustomersPage(this.executor, args);
  }

  /**
   * The newest customer updatedAt Shopify shows now (Shopify's own clock), undefined for a shop
   * without customers: read before a run's first page, it is a watermark the run can claim.
   */
  async newestCustomerUpdatedAt(): Promise<string | undefined> {
    const { data } = await this.executor.call(NEWEST_CUSTOMER);
    return data.customers.nodes[0]?.updatedAt ?? undefined;
  }

  customersByIds(ids: string[], opts: CustomerReadOptions = {}): Promise<ShopifyCustomer[]> {
    return readCustomersByIds(this.executor, ids, opts);
  }

  /** Customer holding the given cross-reference code (B1 CardCode) in its `id` metafield. */
  customerByCustomId(value: string, opts: CustomerReadOptions = {}): Promise<ShopifyCustomer | null> {
    return readCustomerByCustomId(this.executor, this.customerIdField, value, opts);
  }

  // ------------------------------------------------------------------ orders

  /**
   * One page of orders updated since the watermark (oldest change first), each complete: all its
   * line items and shipping lines, every line with its fulfillment location. `first` is an upper
   * bound: the call holds as many orders as fit the query limit and the bucket (order-cost.ts).
   */
  async ordersPage(args: DeltaPageArgs & { sizes?: Partial<OrderReadSizes> } = {}): Promise<Page<ShopifyOrder>> {
    const query = [updatedSinceQuery(args.updatedSince, args.overlapMs), args.query].filter(Boolean).join(' AND ') || null;
    return readOrdersPage(this.executor, {
      after: args.after ?? null,
      query,
      first: Math.min(args.first ?? 25, MAX_PAGE_SIZE),
      sizes: { ...DEFAULT_ORDER_READ_SIZES, ...args.sizes },
    });
  }

  /** The newest order updatedAt Shopify shows now (Shopify's clock); undefined without orders. */
  async newestOrderUpdatedAt(): Promise<string | undefined> {
    const { data } = await this.executor.call(NEWEST_ORDER);
    return data.orders.nodes[0]?.updatedAt ?? undefined;
  }

  async ordersByIds(ids: string[], sizes: Partial<OrderReadSizes> = {}): Promise<ShopifyOrder[]> {
    return readOrdersByIds(this.executor, ids, { ...DEFAULT_ORDER_READ_SIZES, ...sizes });
  }

  /** Transactions, refunds, current total and fulfillment status of orders (orders-money.ts). */
  ordersMoney(ids: readonly string[]): Promise<Map<string, ShopifyOrderMoney>> {
    return readOrdersMoney(this.executor, ids);
  }

  /** The order GID of each transaction or refund GID (a failed payment is retried by its own id). */
  moneySourceOrders(ids: readonly string[]): Promise<Map<string, string>> {
    return readMoneySourceOrders(this.executor, ids);
  }

  // ------------------------------------------------------------------ products & variants

  /** Variants per SKU. SKU is not unique in Shopify: a SKU can map to several variants. */
  variantsBySkus(skus: string[]): Promise<Map<string, ShopifyVariant[]>> {
    return variantsBySkus(this.executor, skus);
  }

  /** One page of products (with variants) changed since the watermark, e.g. for Shopify→B1. */
  productsPage(args: DeltaPageArgs & { variantsFirst?: number } = {}): Promise<Page<ShopifyProduct>> {
    return readProductsPage(this.executor, this.productIdField, args);
  }

  /** The product holding a cross-reference code; `variantsFirst` bounds the variants read (moreVariants tells if there are more). */
  productByCustomId(value: string, variantsFirst = 100): Promise<ShopifyProduct | null> {
    return readProductByCustomId(this.executor, this.productIdField, value, variantsFirst);
  }

  /** Variants by GID with their product, in the order asked; null where there is none. */
  variantsByIds(ids: readonly string[]): Promise<(VariantWithProduct | null)[]> {
    return readVariantsByIds(this.executor, this.productIdField, ids);
  }

  /** One page of the Shopify → B1 variant scan (by id); see product-reads.ts. */
  scanVariants(args: { first: number; after: string | null; query: string | null; withStart: boolean }): Promise<VariantScanPage> {
    return scanVariants(this.executor, args);
  }

  /** One page of the light SKU lookup: which products hold these SKUs, linked or not. */
  variantsBySkuLight(args: {
    first: number;
    after: string | null;
    query: string;
  }): Promise<{ holders: SkuHolder[]; hasNextPage: boolean; endCursor: string | null }> {
    return variantsBySkuLight(this.executor, this.productIdField, args);
  }

  /** productSet variables for a single-variant B1 item (products.ts). */
  productSetVariables(p: ProductUpsert, existingVariantId: string | null): Record<string, unknown> {
    return productSetVariables(this.productIdField, p, existingVariantId);
  }

  /**
   * Upserts a B1 item by its custom id with productSet (synchronous). The existing product is
   * read first: its variant id is passed so the variant is updated in place, and a product that
   * has gained extra variants in Shopify is refused rather than having them deleted by productSet's
   * full-replacement semantics. Safe to retry (an upsert by identifier).
   */
  async upsertProduct(p: ProductUpsert): Promise<WriteResult<ProductUpsertResult>> {
    // Two variants are enough to know whether replacing with one would drop any.
    const existing = await this.productByCustomId(p.customId, 2);
    if (existing && (existing.variants.length > 1 || existing.moreVariants)) {
      return {
        ok: false,
        userErrors: [
          {
            field: ['variants'],
            message: `Product ${existing.id} (custom id ${p.customId}) has ${existing.variants.length} variants in Shopify; refusing to replace them with one`,
            code: 'VARIANTS_WOULD_BE_DROPPED',
          },
        ],
      };
    }
    return this.setProduct(this.productSetVariables(p, existing?.variants[0]?.id ?? null));
  }

  /** One productSet with the given variables (from productSetVariables); safe to retry (an upsert by identifier). */
  async setProduct(vars: Record<string, unknown>): Promise<WriteResult<ProductUpsertResult>> {
    const { data } = await this.executor.call<ProductSetPayload>(PRODUCT_SET, vars, { idempotent: true });
    return productSetResult(data.productSet);
  }

  /** Many productSets as one bulk import; results per input, in input order. */
  async bulkSetProducts(
    vars: Record<string, unknown>[],
    opts: BulkPollOptions & { clientIdentifier: string },
  ): Promise<{ operation: BulkOperation; results: WriteResult<ProductUpsertResult>[] }> {
    const { operation, results } = await runBulkMutation(this.executor, PRODUCT_SET, vars, opts);
    return { operation, results: vars.map((_, i) => productSetLineResult(results[i])) };
  }

  // ------------------------------------------------------------------ inventory

  /**
   * Available/on_hand/committed per item and location. Batches are sized from the number of
   * locations so each query stays well under the 1000-point limit.
   */
  async inventoryLevels(inventoryItemIds: string[], locationIds?: string[]): Promise<ShopifyInventoryLevel[]> {
    return inventoryLevels(this.executor, this.locationCount ?? (await this.locations()).length, inventoryItemIds, locationIds);
  }

  /** SKU → the inventory items carrying it (exact match), with their quantities at `locationIds` (stock.ts). */
  stockBySku(skus: readonly string[], locationIds: readonly string[]): Promise<Map<string, StockMatch[]>> {
    return readStockBySku(this.executor, skus, locationIds);
  }

  /** One inventorySetQuantities call (≤250 rows) under an @idempotent key (inventory.ts). */
  setInventoryQuantities(
    rows: InventoryQuantityRow[],
    opts: InventorySetOptions,
  ): Promise<WriteResult<{ groupId: string | null; changes: InventoryChange[] }>> {
    return setInventoryQuantities(this.executor, rows, opts);
  }

  /** Rows in calls of ≤250, keys `<idempotencyKey>:<batch index>`; results per batch. */
  setInventoryQuantitiesBatched(
    rows: InventoryQuantityRow[],
    opts: InventorySetOptions,
  ): Promise<{ rows: InventoryQuantityRow[]; result: WriteResult<{ groupId: string | null; changes: InventoryChange[] }> }[]> {
    return setInventoryQuantitiesBatched(this.executor, rows, opts);
  }

  /** Stocks an item at a location (needed before setting quantities there). */
  activateInventory(inventoryItemId: string, locationId: string, available?: number): Promise<WriteResult<{ inventoryLevelId: string }>> {
    return activateInventory(this.executor, inventoryItemId, locationId, available);
  }

  // ------------------------------------------------------------------ metafields

  /** metafieldsSet (atomic, ≤25 per call), retried: setting a value is idempotent. */
  setMetafields(list: MetafieldInput[]): Promise<WriteResult<{ id: string; ownerId: string | null; namespace: string; key: string }[]>> {
    return setMetafields(this.executor, list);
  }

  /** Whether a metafield definition exists (whatever its type). */
  hasMetafieldDefinition(d: { ownerType: string; namespace: string; key: string }): Promise<boolean> {
    return hasMetafieldDefinition(this.executor, d);
  }

  /** Looks up a metafield definition and creates it if missing; throws if it exists with another type. */
  ensureMetafieldDefinition(def: MetafieldDefinitionSpec): Promise<string> {
    return ensureMetafieldDefinition(this.executor, def);
  }

  /** The `id`-typed definitions the hub's cross-reference codes live in (products and customers). */
  ensureCustomIdDefinitions(): Promise<{ product: string; customer: string }> {
    return ensureCustomIdDefinitions(this.executor, this.productIdField, this.customerIdField);
  }

  // ------------------------------------------------------------------ bulk

  /** Whole-catalogue export (products with variants), reassembled from JSONL. */
  async bulkExportProducts(opts: BulkPollOptions = {}): Promise<{ operation: BulkOperation; products: BulkNode[] }> {
    const { operation, lines } = await runBulkQuery(this.executor, BULK_EXPORT_PRODUCTS, opts);
    return { operation, products: reassembleBulk(lines) };
  }

  async bulkExportInventory(opts: BulkPollOptions = {}): Promise<{ operation: BulkOperation; items: BulkNode[] }> {
    const { operation, lines } = await runBulkQuery(this.executor, BULK_EXPORT_INVENTORY, opts);
    return { operation, items: reassembleBulk(lines) };
  }

  /**
   * Initial load of many items as one bulk productSet import: bypasses the per-request cost
   * limit. Results come back per input, in input order.
   */
  async bulkUpsertProducts(
    products: ProductUpsert[],
    opts: BulkPollOptions & { clientIdentifier?: string } = {},
  ): Promise<{ operation: BulkOperation; results: { input: ProductUpsert; result: WriteResult<ProductUpsertResult> }[] }> {
    const vars = products.map((p) => this.productSetVariables(p, null));
    const { operation, results } = await this.bulkSetProducts(vars, {
      ...opts,
      clientIdentifier: opts.clientIdentifier ?? `b1hub-${randomUUID()}`,
    });
    return { operation, results: results.map((result, i) => ({ input: products[i] as ProductUpsert, result })) };
  }
}
