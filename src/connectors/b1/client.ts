/**
 * The hub's SAP Business One Service Layer client: generic OData operations (core.ts) plus the
 * typed calls the sync pipelines make.
 */
import type { BatchOperation, BatchPartResult } from './batch';
import { B1ClientCore, type B1ClientOptions, type PageOptions } from './core';
import { B1Error, B1ProtocolError } from './errors';
import { f } from './odata-query';
import { MoneyDocuments } from './documents-money';
import { Reservations, type ReservationOptions } from './reservations';
import type {
  BusinessPartner,
  Item,
  ItemPrice,
  ItemWarehouseInfo,
  Order,
  PriceList,
  SalesTaxCode,
  Warehouse,
  WeightMeasure,
} from './schemas';

export type { B1ClientOptions } from './core';

export interface B1HubClientOptions extends B1ClientOptions {
  /** Holder name and stale window of the reservations this client takes (reservations.ts). */
  reservations?: ReservationOptions;
}

export class B1Client extends B1ClientCore {
  /** Keys B1 keeps unique (user-defined tables): one sales order / partner per Shopify id. */
  readonly reservations: Reservations;
  /** Invoices, payments, credit memos and refunds of order to cash (documents-money.ts). */
  readonly money: MoneyDocuments;

  constructor(options: B1HubClientOptions) {
    super(options);
    this.reservations = new Reservations(this, options.reservations);
    this.money = new MoneyDocuments(this);
  }

  // ---------- business partners ----------

  findBusinessPartnersByShopifyId(shopifyId: string, select?: readonly string[]): Promise<BusinessPartner[]> {
    return this.list('BusinessPartners', { filter: f.eq('U_ShopifyId', shopifyId), ...(select ? { select } : {}) });
  }
  findBusinessPartnersByEmail(email: string, select?: readonly string[], po: PageOptions = {}): Promise<BusinessPartner[]> {
    return this.list('BusinessPartners', { filter: f.eq('EmailAddress', email), ...(select ? { select } : {}) }, po);
  }
  getBusinessPartner(cardCode: string, select?: readonly string[]): Promise<BusinessPartner> {
    return this.get('BusinessPartners', cardCode, select ? { select } : {});
  }
  createBusinessPartner(
    bp: Partial<BusinessPartner> & { CardCode: string; CardName: string } & Record<`U_${string}`, unknown>,
  ): Promise<BusinessPartner> {
    return this.create('BusinessPartners', bp);
  }
  patchBusinessPartner(
    cardCode: string,
    patch: Partial<BusinessPartner> & Record<`U_${string}`, unknown>,
    o: { replaceCollections?: boolean } = {},
  ): Promise<void> {
    return this.patch('BusinessPartners', cardCode, patch, o);
  }

  // ---------- items ----------

  getItem(itemCode: string, select?: readonly string[]): Promise<Item> {
    return this.get('Items', itemCode, select ? { select } : {});
  }
  /** Items flagged for the Shopify sync, in key-range pages. */
  syncedItems(o: { select?: readonly string[]; pageSize?: number; after?: string; filter?: string } = {}): AsyncGenerator<Item[]> {
    return this.keyRange('Items', {
      keyField: 'ItemCode',
      filter: f.and(f.eq('U_ShopifySync', 'Y'), o.filter),
      ...(o.select ? { select: o.select } : {}),
      ...(o.pageSize ? { pageSize: o.pageSize } : {}),
      ...(o.after !== undefined ? { after: o.after } : {}),
    });
  }
  /** Per-warehouse stock rows (InStock, Committed, Ordered) of one item. */
  async getItemStock(itemCode: string): Promise<ItemWarehouseInfo[]> {
    const it = await this.get('Items', itemCode, { select: ['ItemCode', 'ItemWarehouseInfoCollection'] });
    return it.ItemWarehouseInfoCollection ?? [];
  }
  /** The item's row in one price list, or undefined when the item has none. */
  async getItemPrice(itemCode: string, priceList: number): Promise<ItemPrice | undefined> {
    const it = await this.get('Items', itemCode, { select: ['ItemCode', 'ItemPrices'] });
    return (it.ItemPrices ?? []).find((p) => p.PriceList === priceList);
  }
  /**
   * Bulk stock read: per-warehouse rows (InStock, Committed, Ordered) of many items in key-range
   * pages, by default the ones flagged for the sync.
   */
  async *itemStock(
    o: { filter?: string; pageSize?: number; after?: string; onlySynced?: boolean } = {},
  ): AsyncGenerator<Array<{ ItemCode: string; warehouses: ItemWarehouseInfo[] }>> {
    const filter = f.and(o.onlySynced === false ? undefined : f.eq('U_ShopifySync', 'Y'), o.filter);
    for await (const page of this.keyRange('Items', {
      keyField: 'ItemCode',
      select: ['ItemCode', 'ItemWarehouseInfoCollection'],
      ...(filter ? { filter } : {}),
      ...(o.pageSize ? { pageSize: o.pageSize } : {}),
      ...(o.after !== undefined ? { after: o.after } : {}),
    })) {
      yield page.map((it) => ({ ItemCode: String(it.ItemCode), warehouses: it.ItemWarehouseInfoCollection ?? [] }));
    }
  }
  /** Bulk price read: each item's row in one price list (undefined when the item has none). */
  async *itemPrices(
    priceList: number,
    o: { filter?: string; pageSize?: number; after?: string; onlySynced?: boolean } = {},
  ): AsyncGenerator<Array<{ ItemCode: string; price: ItemPrice | undefined }>> {
    const filter = f.and(o.onlySynced === false ? undefined : f.eq('U_ShopifySync', 'Y'), o.filter);
    for await (const page of this.keyRange('Items', {
      keyField: 'ItemCode',
      select: ['ItemCode', 'ItemPrices'],
      ...(filter ? { filter } : {}),
      ...(o.pageSize ? { pageSize: o.pageSize } : {}),
      ...(o.after !== undefined ? { after: o.after } : {}),
    })) {
      yield page.map((it) => ({ ItemCode: String(it.ItemCode), price: (it.ItemPrices ?? []).find((p) => p.PriceList === priceList) }));
    }
  }
  createItem(item: Partial<Item> & { ItemCode: string } & Record<`U_${string}`, unknown>): Promise<Item> {
    return this.create('Items', item);
  }
  patchItem(
    itemCode: string,
    patch: Partial<Item> & Record<`U_${string}`, unknown>,
    o: { replaceCollections?: boolean } = {},
  ): Promise<void> {
    return this.patch('Items', itemCode, patch, o);
  }
  /**
   * Sets U_ShopifySync on many items in `$batch` changesets of `chunkSize`. Each changeset is
   * atomic; processing stops at the first failing changeset and reports which item failed.
   */
  async setItemsShopifySync(
    itemCodes: readonly string[],
    value: 'Y' | 'N',
    chunkSize = 100,
  ): Promise<{ updated: string[]; failed?: { itemCode: string | undefined; error: B1Error } }> {
    const updated: string[] = [];
    for (let i = 0; i < itemCodes.length; i += chunkSize) {
      const chunk = itemCodes.slice(i, i + chunkSize);
      const r = await this.batch(
        chunk.map((code) => ({ method: 'PATCH' as const, path: `Items('${code.replace(/'/g, "''")}')`, body: { U_ShopifySync: value } })),
      );
      if (r.failed)
        return { updated, failed: { itemCode: r.failed.index !== undefined ? chunk[r.failed.index] : undefined, error: r.failed.error } };
      updated.push(...chunk);
    }
    return { updated };
  }

  // ---------- orders ----------

  findOrdersByShopifyId(shopifyId: string, select?: readonly string[]): Promise<Order[]> {
    return this.list('Orders', { filter: f.eq('U_ShopifyId', shopifyId), ...(select ? { select } : {}) });
  }
  getOrder(docEntry: number, select?: readonly string[]): Promise<Order> {
    return this.get('Orders', docEntry, select ? { select } : {});
  }
  /** Never retried on ambiguous failures: look the order up by U_ShopifyId before creating again. */
  createOrder(order: Partial<Order> & { CardCode: string } & Record<`U_${string}`, unknown>): Promise<Order> {
    return this.create('Orders', order);
  }
  /**
   * POST /Orders with `Prefer: return-no-content`, telling apart an order from a document an
   * approval procedure turned into a Draft (204 without an Orders Location; reference §5, §11.8).
   * A -2028 answer may also be a draft (a Service Layer that ignores the preference): callers
   * look for a draft by their key before treating it as a missing master record.
   */
  async createOrderOrDraft(
    order: Partial<Order> & { CardCode: string } & Record<`U_${string}`, unknown>,
  ): Promise<{ kind: 'order'; docEntry: number } | { kind: 'draft'; draftEntry?: number }> {
    const ctx = { entity: 'Orders' };
    const res = await this.request('POST', 'Orders', { body: order, headers: { Prefer: 'return-no-content' }, context: ctx });
    const loc = res.headers.location;
    return orderCreated(res.status, Array.isArray(loc) ? loc[0] : loc, () => this.parseJson(res, ctx));
  }
  /** The POST of createOrderOrDraft as a `$batch` operation; its part's answer is read by `orderCreatedPart`. */
  orderCreateOperation(order: Partial<Order> & { CardCode: string } & Record<`U_${string}`, unknown>): BatchOperation {
    return { method: 'POST', path: 'Orders', body: order, headers: { Prefer: 'return-no-content' } };
  }
  orderCreatedPart(part: BatchPartResult): { kind: 'order'; docEntry: number } | { kind: 'draft'; draftEntry?: number } {
    return orderCreated(part.status, part.headers.location, () => {
      try {
        return JSON.parse(part.body) as Record<string, unknown>;
      } catch {
        throw new B1ProtocolError('the sales order part of a $batch answered 201 without a JSON body', {
          status: part.status,
          context: { entity: 'Orders' },
        });
      }
    });
  }
  /** Drafts of sales orders (approval procedures) carrying this Shopify GID, oldest first. */
  async findOrderDraftsByShopifyId(
    shopifyId: string,
  ): Promise<Array<{ DocEntry: number; AuthorizationStatus?: string; DocumentStatus?: string }>> {
    const rows = await this.listRaw('Drafts', {
      filter: f.and(f.eq('U_ShopifyId', shopifyId), f.eq('DocObjectCode', 'oOrders')),
      select: ['DocEntry', 'AuthorizationStatus', 'DocumentStatus'],
    });
    return rows
      .map((r) => ({
        DocEntry: Number(r.DocEntry),
        ...(typeof r.AuthorizationStatus === 'string' ? { AuthorizationStatus: r.AuthorizationStatus } : {}),
        ...(typeof r.DocumentStatus === 'string' ? { DocumentStatus: r.DocumentStatus } : {}),
      }))
      .sort((a, b) => a.DocEntry - b.DocEntry);
  }
  cancelOrder(docEntry: number): Promise<void> {
    return this.action('Orders', docEntry, 'Cancel');
  }
  closeOrder(docEntry: number): Promise<void> {
    return this.action('Orders', docEntry, 'Close');
  }

  // ---------- reference data ----------

  listWarehouses(select?: readonly string[]): Promise<Warehouse[]> {
    return this.list('Warehouses', { orderby: 'WarehouseCode', ...(select ? { select } : {}) });
  }
  listPriceLists(select?: readonly string[]): Promise<PriceList[]> {
    return this.list('PriceLists', { orderby: 'PriceListNo', ...(select ? { select } : {}) });
  }
  listWeightMeasures(): Promise<WeightMeasure[]> {
    return this.list('WeightMeasures', { orderby: 'UnitCode' });
  }
  listSalesTaxCodes(select?: readonly string[]): Promise<SalesTaxCode[]> {
    return this.list('SalesTaxCodes', { orderby: 'Code', ...(select ? { select } : {}) });
  }
}

/**
 * What a sales order POST with `Prefer: return-no-content` created: 201 with the order, or 204
 * whose Location names the order, or the approval draft (approval procedures answer with a draft).
 */
function orderCreated(
  status: number,
  location: string | undefined,
  body: () => Record<string, unknown>,
): { kind: 'order'; docEntry: number } | { kind: 'draft'; draftEntry?: number } {
  if (status === 201) return { kind: 'order', docEntry: Number(body().DocEntry) };
  if (status !== 204) throw new B1ProtocolError(`expected 201 or 204, got ${status}`, { status, context: { entity: 'Orders' } });
  const m = location ? /\/(Orders|Drafts)\((\d+)\)\s*$/.exec(decodeURIComponent(location)) : null;
  if (m?.[1] === 'Orders') return { kind: 'order', docEntry: Number(m[2]) };
  return m ? { kind: 'draft', draftEntry: Number(m[2]) } : { kind: 'draft' };
}
