/**
 * Reads one page of the product run: B1 items (delta/full/ids) in the first phase, Shopify-made
 * products whose variant SKUs have no B1 item in the second. Records carry only what the mapping
 * reads: the configured price list row, the cross-reference, the stamp; never stock rows.
 * Full runs of several pages start bulk exports of Shopify's product state (snapshot.ts): one on
 * the first page for the push's compare, one after the push for the Shopify → B1 scan.
 */
import { DateTime } from 'luxon';
import type { B1Client } from '../../connectors/b1/client';
import type { Item } from '../../connectors/b1/schemas';
import { deltaFilter, stampOf } from '../../connectors/b1/delta';
import { f } from '../../connectors/b1/odata-query';
import type { ShopifyProductVariant } from '../../connectors/shopify/types';
import { DEFAULT_OVERLAP_MS, updatedSinceQuery } from '../../connectors/shopify/client';
import { weightUnitMapFromMeasures, type MappingConfig } from '../../mapping/config';
import type { ShopifyWeightUnit } from '../../mapping/types';
import type { FetchPageInput, FetchPageResult, PipelineDeps, SourceRecord } from '../contract';
import { decodeCursor, encodeCursor, type ExportStep, type ProductCursor } from './cursor';
import { awaitProductSnapshot, startProductSnapshot, type SnapshotVariant } from './snapshot';
import { formatWatermark, later, parseWatermark } from './watermark';
import type { ItemRecord, ProductSource, VariantRecord } from './types';
import { hasHashFields, itemSelect } from './item-fields';

/** Minutes re-read before the watermark: B1 compares times at minute precision. */
export const B1_OVERLAP_MINUTES = 2;
/**
 * For a watermark without a Shopify part (written before the Shopify phase ever ran), the B1
 * stamp is the only clue; it is server-local without zone, so the Shopify window is widened by
 * the largest UTC offset (14 h): no product is missed whatever zone the B1 server runs in.
 */
export const SHOPIFY_OVERLAP_MS = (14 * 60 + 5) * 60_000;
/** Variants per scan page in the Shopify → B1 phase (the connection maximum). */
const SHOPIFY_VARIANTS_PER_SCAN = 250;

const SYNC_FILTER = f.eq('U_ShopifySync', 'Y');

/**
 * Initial load: a full run over at least `threshold` selected items, while fewer than
 * `maxLinked` of them are linked to Shopify yet, pushes `chunk` items per bulk productSet import
 * instead of one request per item (bulk imports are not bound by the request rate limit).
 * Mutable so an operator's tooling or a test can tune them per worker.
 */
export const PRODUCT_BULK = { threshold: 2000, chunk: 500, maxLinkedShare: 0.1 };

const weightMeasures = new WeakMap<B1Client, Promise<Record<string, ShopifyWeightUnit>>>();

/** The company's WeightMeasures as Shopify units, read once per worker (they change rarely). */
function measuresOf(b1: B1Client): Promise<Record<string, ShopifyWeightUnit>> {
  let p = weightMeasures.get(b1);
  if (!p) {
    p = b1.listWeightMeasures().then((ms) => weightUnitMapFromMeasures(ms.map((m) => ({ UnitCode: Number(m.UnitCode), UnitWeightinmg: m.UnitWeightinmg ?? null }))));
    p.catch(() => weightMeasures.delete(b1));
    weightMeasures.set(b1, p);
  }
  return p;
}

function dateTime(stamp: string): { date: string; time: string } {
  const [date, time] = stamp.split('T') as [string, string];
  return { date, time };
}

/** How the records were read: `hashFields` when the rows carry the hash fields, `trustHash` in delta runs. */
export interface ItemReadMode {
  hashFields: boolean;
  trustHash?: boolean;
}

export async function toItemRecords(deps: PipelineDeps, rows: Item[], asOf: string, read: ItemReadMode): Promise<SourceRecord<ItemRecord>[]> {
  const cfg = deps.mapping.product;
  const items = rows.filter((r): r is Item & { ItemCode: string } => typeof r.ItemCode === 'string');
  const needsMeasures = items.some((i) => (i.SalesUnitWeight ?? 0) > 0 && i.SalesWeightUnit != null && cfg.weightUnits[String(i.SalesWeightUnit)] === undefined);
  const measures = needsMeasures ? await measuresOf(deps.b1) : {};
  return items.map((r) => {
    const item: ItemRecord['item'] = {
      ItemCode: r.ItemCode,
      ItemName: r.ItemName ?? null,
      BarCode: r.BarCode ?? null,
      InventoryItem: r.InventoryItem ?? null,
      VatLiable: r.VatLiable ?? null,
      Valid: r.Valid ?? null,
      ValidFrom: r.ValidFrom ?? null,
      ValidTo: r.ValidTo ?? null,
      Frozen: r.Frozen ?? null,
      FrozenFrom: r.FrozenFrom ?? null,
      FrozenTo: r.FrozenTo ?? null,
      SalesUnitWeight: r.SalesUnitWeight ?? null,
      SalesWeightUnit: r.SalesWeightUnit ?? null,
      // Only the configured list: the other rows would only grow the history.
      ItemPrices: (r.ItemPrices ?? []).filter((p) => p.PriceList === cfg.priceList).map((p) => ({ PriceList: cfg.priceList, Price: p.Price ?? null, Currency: p.Currency ?? null })),
      U_ShopifyId: r.U_ShopifyId ?? null,
      U_ShopifySync: r.U_ShopifySync ?? null,
      U_ShopifyVariantId: r.U_ShopifyVariantId ?? null,
      U_ShopifyHash: r.U_ShopifyHash ?? null,
    };
    // Absent and null mean the same to the mapping; leaving nulls out keeps history small.
    for (const k of Object.keys(item) as (keyof typeof item)[]) if (item[k] === null) delete item[k];
    const code = r.SalesWeightUnit == null ? undefined : String(r.SalesWeightUnit);
    const unit = code === undefined ? undefined : (cfg.weightUnits[code] ?? measures[code]);
    const data: ItemRecord = {
      kind: 'item',
      item,
      asOf,
      ...(code !== undefined && unit !== undefined ? { weightUnit: { code, unit } } : {}),
      ...(read.hashFields ? { hashFields: true as const } : {}),
      ...(read.hashFields && read.trustHash ? { trustHash: true as const } : {}),
    };
    return { id: r.ItemCode, label: r.ItemName ?? r.ItemCode, data };
  });
}

function maxStamp(items: Item[]): string | undefined {
  let max: string | undefined;
  for (const i of items) {
    const s = stampOf(i.UpdateDate, i.UpdateTime);
    if (!s.startsWith('0000')) max = later(max, s);
  }
  return max;
}

/**
 * Where the B1 phase may claim to have read from (its watermark): the newest
 * UpdateDate/UpdateTime among the items of its window, read before its first page (one row,
 * newest first). Every write committed after this read gets a stamp at least as new on B1's own
 * clock (no hub clock and no zone involved); a write racing this read, or a clock stepped back a
 * little, is covered by the next delta's 2-minute overlap. So an item edited during the run, on
 * a page already read, is read again by the next delta. Not the newest stamp the run read: the
 * pages are in ItemCode order, and a later page's newer edit would push the watermark past an
 * earlier page's edit the run never saw. Undefined when the window holds no item (the run then
 * keeps its incoming watermark).
 */
async function b1ReadStart(b1: B1Client, filter: string): Promise<string | undefined> {
  const rows = await b1.list('Items', { filter, select: ['ItemCode', 'UpdateDate', 'UpdateTime'], orderby: ['UpdateDate desc', 'UpdateTime desc'], top: 1 }, { maxPageSize: 1 });
  return maxStamp(rows);
}

/** Today in the company's time zone: the date Valid/Frozen windows are judged on. */
export function companyToday(config: MappingConfig, now: Date = new Date()): string {
  return DateTime.fromJSDate(now).setZone(config.order.timeZone).toISODate() ?? now.toISOString().slice(0, 10);
}

async function fetchItemsPage(deps: PipelineDeps, input: FetchPageInput, c: Extract<ProductCursor, { phase: 'b1' }>): Promise<FetchPageResult<ProductSource>> {
  const size = deps.pageSizes.product;
  const since = parseWatermark(input.since);
  const filter = input.mode === 'delta' && since.b1 ? f.and(SYNC_FILTER, deltaFilter(dateTime(since.b1), B1_OVERLAP_MINUTES)) : SYNC_FILTER;
  const hashFields = await hasHashFields(deps.b1);
  // First page: the read start, before any item is read; later pages carry it in the cursor.
  const b1From = c.after === undefined ? await b1ReadStart(deps.b1, filter) : c.b1From;
  const pages = deps.b1.keyRange('Items', { keyField: 'ItemCode', filter, select: itemSelect(hashFields), pageSize: size, ...(c.after !== undefined ? { after: c.after } : {}) });
  const first = await pages.next();
  await pages.return(undefined);
  const items = first.done ? [] : first.value;
  const more = items.length === size;
  const snapshot = c.snapshot ?? (input.mode === 'full' && c.after === undefined && more ? await startProductSnapshot(deps.shopify) : null) ?? undefined;
  // Only a delta trusts the hash: a full run compares every item with Shopify (and so repairs
  // B1-owned fields edited in Shopify), an ids run is an explicit request to look again.
  const records = (await toItemRecords(deps, items, companyToday(deps.mapping), { hashFields, trustHash: input.mode === 'delta' })).map((r) => (snapshot ? { ...r, data: { ...r.data, snapshot } } : r));
  const last = items[items.length - 1]?.ItemCode;
  const mark = b1From ? { b1From } : {};
  // A short page is the last one of the B1 phase; the Shopify phase follows.
  const nextCursor = more && last !== undefined ? encodeCursor({ phase: 'b1', after: last, ...mark, ...(snapshot ? { snapshot } : {}) }) : shopifyPhase(input, c.after !== undefined, mark);
  const watermark = formatWatermark({ b1: later(since.b1, b1From), ...(since.shopify ? { shopify: since.shopify } : {}) });
  return { records, nextCursor, ...(watermark ? { watermark } : {}) };
}

/**
 * Where the Shopify → B1 phase starts: a full run of several pages scans one bulk export taken
 * after its push (fetchExportPage), any other run pages through the variants per request.
 */
function shopifyPhase(input: FetchPageInput, severalPages: boolean, mark: { b1From?: string }): string {
  return input.mode === 'full' && severalPages ? encodeCursor({ phase: 'export', step: 'after-push', ...mark }) : encodeCursor({ phase: 'shopify', ...mark });
}

const VARIANT_GID = /^gid:\/\/shopify\/ProductVariant\/\d+$/;

/** Shopify → B1 records for variant GIDs (a resync of failed variants), re-read from Shopify. */
async function variantsByIds(deps: PipelineDeps, gids: string[]): Promise<{ records: SourceRecord<VariantRecord>[]; missing: string[]; pushed: Set<string> }> {
  const pushed = new Set<string>();
  if (!gids.length) return { records: [], missing: [], pushed };
  const nodes = await deps.shopify.variantsByIds(gids);
  const records: SourceRecord<VariantRecord>[] = [];
  const missing: string[] = [];
  nodes.forEach((n, i) => {
    if (!n) missing.push(gids[i] as string);
    else {
      if (n.product.customId) pushed.add(n.product.id);
      records.push(variantRecord(n.product, n));
    }
  });
  return { records, missing, pushed };
}

async function fetchIdsPage(deps: PipelineDeps, input: FetchPageInput, offset: number): Promise<FetchPageResult<ProductSource>> {
  const size = deps.pageSizes.product;
  const ids = [...new Set(input.ids ?? [])];
  // ItemCodes (B1 → Shopify) and variant GIDs (Shopify → B1, from failed outcomes) may be mixed.
  const page = ids.slice(offset, offset + size);
  const gids = page.filter((id) => VARIANT_GID.test(id));
  const slice = page.filter((id) => !VARIANT_GID.test(id));
  // Re-read whatever the flag says: a resync of an unflagged item is reported as skipped, not lost.
  const hashFields = slice.length > 0 && (await hasHashFields(deps.b1));
  const items = slice.length ? await deps.b1.list('Items', { filter: f.anyOf('ItemCode', slice), select: itemSelect(hashFields) }) : [];
  const byCode = new Map(items.map((i) => [i.ItemCode, i]));
  const found = new Set(byCode.keys());
  const ordered = slice.flatMap((c): Item[] => {
    const it = byCode.get(c);
    return it ? [it] : [];
  });
  const variants = await variantsByIds(deps, gids);
  const records: SourceRecord<ProductSource>[] = [...(await toItemRecords(deps, ordered, companyToday(deps.mapping), { hashFields })), ...variants.records];
  const missingIds = [...slice.filter((c) => !found.has(c)), ...variants.missing];
  const next = offset + size;
  // Extra ids of a delta run come first; the delta itself follows.
  const after = next < ids.length ? encodeCursor({ phase: 'ids', offset: next }) : input.mode === 'ids' ? undefined : encodeCursor({ phase: 'b1' });
  return { records, ...(after ? { nextCursor: after } : {}), ...(missingIds.length ? { missingIds } : {}) };
}

/** ItemCodes among `codes` that exist in B1 (one query per 40 codes: URL length). */
export async function existingItemCodes(b1: B1Client, codes: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const unique = [...new Set(codes)];
  for (let i = 0; i < unique.length; i += 40) {
    const chunk = unique.slice(i, i + 40);
    const rows = await b1.list('Items', { filter: f.anyOf('ItemCode', chunk), select: ['ItemCode'] });
    for (const r of rows) if (r.ItemCode !== undefined) out.add(r.ItemCode);
  }
  return out;
}

function variantRecord(p: { id: string; title: string }, v: ShopifyProductVariant): SourceRecord<VariantRecord> {
  const sku = v.sku?.trim() ?? '';
  return {
    id: v.id,
    label: sku || `${p.title} (no SKU)`,
    data: {
      kind: 'variant',
      product: { id: p.id, title: p.title },
      variant: { id: v.id, title: v.title, sku: v.sku, barcode: v.barcode, price: v.price, taxable: v.taxable, inventoryItem: v.inventoryItem },
    },
  };
}

async function fetchShopifyPage(deps: PipelineDeps, input: FetchPageInput, c: Extract<ProductCursor, { phase: 'shopify' }>): Promise<FetchPageResult<ProductSource>> {
  const since = parseWatermark(input.since);
  const delta = input.mode === 'delta';
  // Own clock when known (the client's default overlap); else the B1 stamp, widened (see above).
  const query = !delta ? null : since.shopify ? updatedSinceQuery(since.shopify) : since.b1 ? updatedSinceQuery(`${since.b1}Z`, SHOPIFY_OVERLAP_MS) : null;
  // The first page also reads the scan's start (see VARIANTS_SCAN); later pages carry it.
  const first = c.after === undefined;
  const scan = await deps.shopify.scanVariants({ first: SHOPIFY_VARIANTS_PER_SCAN, after: c.after ?? null, query, withStart: first });
  const scanned = scan.variants;
  const skus = scanned.map((v) => v.sku?.trim() ?? '').filter((s) => s !== '');
  const inB1 = skus.length ? await existingItemCodes(deps.b1, skus) : new Set<string>();
  const candidates = scanned.filter((v) => !inB1.has(v.sku?.trim() ?? ''));
  const full = await variantsByIds(deps, candidates.map((v) => v.id));
  // Products carrying the hub's custom id came from B1: an item deleted there is not re-created.
  const records = full.records.filter((r) => !full.pushed.has(r.data.product.id));

  // Not the newest variant updatedAt seen: the scan pages by id, so a later page's newer edit
  // would claim an earlier page's edit made during the scan.
  const shopFrom = first ? scan.newestProductUpdatedAt : c.shopFrom;
  const b1From = c.b1From;
  const watermark = formatWatermark({ b1: later(since.b1, b1From), shopify: later(since.shopify, shopFrom) });
  const { hasNextPage, endCursor } = scan;
  const next = hasNextPage && endCursor ? encodeCursor({ phase: 'shopify', after: endCursor, ...(b1From ? { b1From } : {}), ...(shopFrom ? { shopFrom } : {}) }) : undefined;
  return { records, ...(next ? { nextCursor: next } : {}), ...(watermark ? { watermark } : {}) };
}

/**
 * The Shopify → B1 scan of a full run of several pages, from one bulk export started after the
 * push (ExportStep in cursor.ts):
 *  - `after-push`: this page is read while the last push page is still being written (the
 *    workflow prefetches); it returns nothing, so the next fetch starts only once that post is done.
 *  - `start`: starts the export (refused → the per-request scan, from the start).
 *  - `read`: waits for it (up to SCAN_EXPORT.waitPerPageMs per page, then an empty page, up to
 *    SCAN_EXPORT.giveUpMs in all), then reads it from `offset`: only variants of products made in
 *    Shopify (no custom id) are looked up in B1, at most SCAN_EXPORT.candidatesPerPage per page;
 *    those whose SKU has no item become records. An export that failed, expired or hangs leaves
 *    the run to the per-request scan (records already read are found in B1 then: unchanged).
 *
 * Watermark: the export sees every variant written before Shopify created it, so the next delta
 * only needs variants updated since then. The Shopify part is set so that the delta's window
 * (the part minus the client's 5-minute search-lag overlap) opens `marginMs` before the export's
 * createdAt (Shopify's clock, the one updatedAt uses): the margin covers a write Shopify committed
 * just before the export could see it. The overlap is not needed here: it is for the search
 * index behind `updated_at:` queries, and the export reads the products themselves. The `start`
 * step waits `marginMs` + 1 s (updatedAt has whole seconds) before starting the export; the push
 * finished before that step began, so every variant it wrote is older than the window and the
 * next delta does not re-read the whole push through the overlap (before: ~1 point per pushed
 * variant).
 */
export const SCAN_EXPORT = { waitPerPageMs: 120_000, giveUpMs: 30 * 60_000, candidatesPerPage: SHOPIFY_VARIANTS_PER_SCAN, marginMs: 2_000 };

function exportWatermark(createdAt: string): string {
  const from = Date.parse(createdAt) - SCAN_EXPORT.marginMs + DEFAULT_OVERLAP_MS;
  return new Date(from).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function fetchExportPage(deps: PipelineDeps, input: FetchPageInput, c: Extract<ProductCursor, { phase: 'export' }>): Promise<FetchPageResult<ProductSource>> {
  const mark = c.b1From ? { b1From: c.b1From } : {};
  const perRequest = () => fetchShopifyPage(deps, input, { phase: 'shopify', ...mark });
  if (c.step === 'after-push') return { records: [], nextCursor: encodeCursor({ phase: 'export', step: 'start', ...mark }) };
  let read: Extract<ExportStep, { step: 'read' }>;
  if (c.step === 'start') {
    await new Promise((r) => setTimeout(r, SCAN_EXPORT.marginMs + 1_000));
    const op = await startProductSnapshot(deps.shopify);
    if (!op) return perRequest();
    read = { step: 'read', op, offset: 0, startedAt: Date.now() };
  } else read = c;
  const giveUpAt = read.startedAt + SCAN_EXPORT.giveUpMs;
  const state = await awaitProductSnapshot(deps.shopify, read.op, Math.max(0, Math.min(SCAN_EXPORT.waitPerPageMs, giveUpAt - Date.now())));
  if (state.kind === 'pending' && Date.now() < giveUpAt) return { records: [], nextCursor: encodeCursor({ phase: 'export', ...read, ...mark }) };
  if (state.kind !== 'ready') return perRequest();
  const { variants, createdAt } = state.snapshot;
  const candidates: SnapshotVariant[] = [];
  let i = read.offset;
  for (; i < variants.length && candidates.length < SCAN_EXPORT.candidatesPerPage; i++) {
    const v = variants[i] as SnapshotVariant;
    // Products carrying the hub's custom id came from B1: an item deleted there is not re-created.
    if (v.product.customId === null) candidates.push(v);
  }
  const skus = candidates.map((v) => v.variant.sku?.trim() ?? '').filter((s) => s !== '');
  const inB1 = skus.length ? await existingItemCodes(deps.b1, skus) : new Set<string>();
  const records = candidates.filter((v) => !inB1.has(v.variant.sku?.trim() ?? '')).map((v) => variantRecord(v.product, v.variant));
  const since = parseWatermark(input.since);
  const watermark = formatWatermark({ b1: later(since.b1, c.b1From), shopify: later(since.shopify, exportWatermark(createdAt)) });
  const next = i < variants.length ? encodeCursor({ phase: 'export', ...read, offset: i, ...mark }) : undefined;
  return { records, ...(next ? { nextCursor: next } : {}), ...(watermark ? { watermark } : {}) };
}

/** Whether this full run is an initial load: many selected items, hardly any linked yet. */
async function isInitialLoad(b1: B1Client): Promise<boolean> {
  const selected = await b1.count('Items', SYNC_FILTER);
  if (selected < PRODUCT_BULK.threshold) return false;
  const linked = await b1.count('Items', f.and(SYNC_FILTER, f.ne('U_ShopifyId', null)));
  return linked <= selected * PRODUCT_BULK.maxLinkedShare;
}

/**
 * The next key range of selected items (codes only: the items are read again by the post). The
 * first chunk of several starts the run's product state export; every chunk names it.
 */
async function fetchBulkChunk(deps: PipelineDeps, input: FetchPageInput, c: { after?: string; b1From?: string; snapshot?: string }): Promise<FetchPageResult<ProductSource>> {
  // The items are read again by the post, later still: only the start before the first chunk is safe.
  const b1From = c.after === undefined ? await b1ReadStart(deps.b1, SYNC_FILTER) : c.b1From;
  const pages = deps.b1.keyRange('Items', { keyField: 'ItemCode', filter: SYNC_FILTER, select: ['ItemCode', 'UpdateDate', 'UpdateTime'], pageSize: PRODUCT_BULK.chunk, ...(c.after !== undefined ? { after: c.after } : {}) });
  const first = await pages.next();
  await pages.return(undefined);
  const rows = (first.done ? [] : first.value).filter((r): r is Item & { ItemCode: string } => typeof r.ItemCode === 'string');
  const a = rows[0]?.ItemCode;
  const z = rows[rows.length - 1]?.ItemCode;
  const mark = b1From ? { b1From } : {};
  if (a === undefined || z === undefined) return { records: [], nextCursor: shopifyPhase(input, c.after !== undefined, mark) };
  const more = rows.length === PRODUCT_BULK.chunk;
  const snapshot = c.snapshot ?? (c.after === undefined && more ? await startProductSnapshot(deps.shopify) : null) ?? undefined;
  const since = parseWatermark(input.since);
  const watermark = formatWatermark({ b1: later(since.b1, b1From), ...(since.shopify ? { shopify: since.shopify } : {}) });
  return {
    records: [{ id: `${a}..${z}`, label: `bulk load of ${rows.length} items`, data: { kind: 'bulkChunk', first: a, last: z, count: rows.length, asOf: companyToday(deps.mapping), ...(snapshot ? { snapshot } : {}) } }],
    nextCursor: more ? encodeCursor({ phase: 'bulk', after: z, ...mark, ...(snapshot ? { snapshot } : {}) }) : shopifyPhase(input, c.after !== undefined, mark),
    ...(watermark ? { watermark } : {}),
  };
}

export async function fetchProductPage(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<ProductSource>> {
  const cursor = decodeCursor(input.cursor, input.mode, (input.ids?.length ?? 0) > 0);
  if (cursor.phase === 'ids') return fetchIdsPage(deps, input, cursor.offset);
  if (cursor.phase === 'bulk') return fetchBulkChunk(deps, input, cursor);
  if (cursor.phase === 'b1') {
    // The choice is made once, on the first page, and kept in the cursor from then on.
    if (input.mode === 'full' && cursor.after === undefined && (await isInitialLoad(deps.b1))) return fetchBulkChunk(deps, input, {});
    return fetchItemsPage(deps, input, cursor);
  }
  if (cursor.phase === 'export') return fetchExportPage(deps, input, cursor);
  return fetchShopifyPage(deps, input, cursor);
}
