/**
 * Reads one page of the `product` run (B1 → Shopify): B1 items (delta/full/ids). Records carry
 * only what the mapping reads: the configured price list row, the cross-reference, the stamp;
 * never stock rows. Full runs of several pages start a bulk export of Shopify's product state
 * (snapshot.ts) on the first page, for the push's compare. Shopify → B1 is its own object
 * (`shopify-product`, import.ts).
 */
import { DateTime } from 'luxon';
import type { B1Client } from '../../connectors/b1/client';
import type { CheckedRow } from '../../connectors/b1/core';
import type { Item } from '../../connectors/b1/schemas';
import { deltaFilter, stampOf } from '../../connectors/b1/delta';
import { f } from '../../connectors/b1/odata-query';
import { weightUnitMapFromMeasures, type MappingConfig } from '../../mapping/config';
import type { ShopifyWeightUnit } from '../../mapping/types';
import type { FetchPageInput, FetchPageResult, PipelineDeps, SourceRecord } from '../contract';
import { eachRecordIsolated, fetchFailureOf } from '../kit/fetch-poison';
import { decodeCursor, encodeCursor, type ProductCursor } from './cursor';
import { variantsByIds } from './import';
import { startProductSnapshot } from './snapshot';
import { formatWatermark, later, parseWatermark, type ProductWatermark } from './watermark';
import type { ItemRecord, ProductSource } from './types';
import { hasHashFields, itemSelect } from './item-fields';

/** Minutes re-read before the watermark: B1 compares times at minute precision. */
export const B1_OVERLAP_MINUTES = 2;
const SYNC_FILTER = f.eq('U_ShopifySync', 'Y');

/** The company's WeightMeasures as Shopify units, read once per deps (they change rarely). */
function measuresOf(deps: PipelineDeps): Promise<Record<string, ShopifyWeightUnit>> {
  let p = deps.product.weightMeasures;
  if (!p) {
    const read = deps.b1
      .listWeightMeasures()
      .then((ms) => weightUnitMapFromMeasures(ms.map((m) => ({ UnitCode: Number(m.UnitCode), UnitWeightinmg: m.UnitWeightinmg ?? null }))));
    read.catch(() => {
      if (deps.product.weightMeasures === read) deps.product.weightMeasures = undefined;
    });
    deps.product.weightMeasures = p = read;
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

/** The code and name of a row read row by row, whatever else is wrong with it. */
function rowRef(row: CheckedRow<Item>): { code: unknown; name: unknown } {
  const r: Record<string, unknown> = row.ok ? row.entity : row.raw;
  return { code: r.ItemCode, name: r.ItemName };
}

/**
 * The records of items read row by row: an item B1 answered in a shape SAP's schema refuses, or
 * that this code cannot read, fails alone (kit/fetch-poison.ts) with an error naming the item
 * and the field; the rest of the page goes on.
 */
export async function toItemRecords(
  deps: PipelineDeps,
  rows: readonly CheckedRow<Item>[],
  asOf: string,
  read: ItemReadMode,
): Promise<SourceRecord<ItemRecord>[]> {
  const cfg = deps.mapping.product;
  const keyed = rows.filter((r) => typeof rowRef(r).code === 'string');
  const needsMeasures = keyed.some(
    (r) =>
      r.ok &&
      (r.entity.SalesUnitWeight ?? 0) > 0 &&
      r.entity.SalesWeightUnit != null &&
      cfg.weightUnits[String(r.entity.SalesWeightUnit)] === undefined,
  );
  const measures = needsMeasures ? await measuresOf(deps) : {};
  const ref = (row: CheckedRow<Item>) => {
    const { code, name } = rowRef(row);
    return { id: String(code), label: typeof name === 'string' && name ? name : String(code) };
  };
  return eachRecordIsolated('product', keyed, ref, (row) => {
    if (!row.ok) throw row.error;
    const r = row.entity as Item & { ItemCode: string };
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
      ItemPrices: (r.ItemPrices ?? [])
        .filter((p) => p.PriceList === cfg.priceList)
        .map((p) => ({ PriceList: cfg.priceList, Price: p.Price ?? null, Currency: p.Currency ?? null })),
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
  const rows = await b1.list(
    'Items',
    { filter, select: ['ItemCode', 'UpdateDate', 'UpdateTime'], orderby: ['UpdateDate desc', 'UpdateTime desc'], top: 1 },
    { maxPageSize: 1 },
  );
  return maxStamp(rows);
}

/** Today in the company's time zone: the date Valid/Frozen windows are judged on. */
export function companyToday(config: MappingConfig, now: Date = new Date()): string {
  return DateTime.fromJSDate(now).setZone(config.order.timeZone).toISODate() ?? now.toISOString().slice(0, 10);
}

async function fetchItemsPage(
  deps: PipelineDeps,
  input: FetchPageInput,
  c: Extract<ProductCursor, { phase: 'b1' }>,
): Promise<FetchPageResult<ProductSource>> {
  const size = deps.pageSizes.product;
  const since = parseWatermark(input.since);
  const filter = input.mode === 'delta' && since.b1 ? f.and(SYNC_FILTER, deltaFilter(dateTime(since.b1), B1_OVERLAP_MINUTES)) : SYNC_FILTER;
  const hashFields = await hasHashFields(deps);
  // First page: the read start, before any item is read; later pages carry it in the cursor.
  const b1From = c.after === undefined ? await b1ReadStart(deps.b1, filter) : c.b1From;
  const pages = deps.b1.keyRangeChecked('Items', {
    keyField: 'ItemCode',
    filter,
    select: itemSelect(hashFields),
    pageSize: size,
    ...(c.after !== undefined ? { after: c.after } : {}),
  });
  const first = await pages.next();
  await pages.return(undefined);
  const items = first.done ? [] : first.value;
  const more = items.length === size;
  const snapshot =
    c.snapshot ?? (input.mode === 'full' && c.after === undefined && more ? await startProductSnapshot(deps.shopify) : null) ?? undefined;
  // Only a delta trusts the hash: a full run compares every item with Shopify (and so repairs
  // B1-owned fields edited in Shopify), an ids run is an explicit request to look again.
  const records = (await toItemRecords(deps, items, companyToday(deps.mapping), { hashFields, trustHash: input.mode === 'delta' })).map(
    (r) => (snapshot && !fetchFailureOf(r) ? { ...r, data: { ...r.data, snapshot } } : r),
  );
  const lastCode = items.length ? rowRef(items[items.length - 1]!).code : undefined;
  const last = typeof lastCode === 'string' ? lastCode : undefined;
  const mark = b1From ? { b1From } : {};
  // A short page is the last one.
  const nextCursor =
    more && last !== undefined ? encodeCursor({ phase: 'b1', after: last, ...mark, ...(snapshot ? { snapshot } : {}) }) : undefined;
  const watermark = productWatermark(since, b1From);
  return { records, ...(nextCursor ? { nextCursor } : {}), ...(watermark ? { watermark } : {}) };
}

/**
 * The product watermark after this run: the B1 part moves; the Shopify part of an older combined
 * watermark (`<B1>~<Shopify>`, from when one run did both directions) is carried unchanged. The
 * hub seeds the `shopify-product` scheduler from it when that scheduler is first created
 * (temporal/schedulers.ts), so it must stay readable for as long as an upgrade may still happen.
 */
function productWatermark(since: ProductWatermark, b1From: string | undefined): string | undefined {
  return formatWatermark({ b1: later(since.b1, b1From), ...(since.shopify ? { shopify: since.shopify } : {}) });
}

const VARIANT_GID = /^gid:\/\/shopify\/ProductVariant\/\d+$/;

async function fetchIdsPage(deps: PipelineDeps, input: FetchPageInput, offset: number): Promise<FetchPageResult<ProductSource>> {
  const size = deps.pageSizes.product;
  const ids = [...new Set(input.ids ?? [])];
  // ItemCodes, and variant GIDs: failed outcomes of runs from before the Shopify → B1 direction
  // became its own object, still retried from this object's ledger (their items are created as before).
  const page = ids.slice(offset, offset + size);
  const gids = page.filter((id) => VARIANT_GID.test(id));
  const slice = page.filter((id) => !VARIANT_GID.test(id));
  // Re-read whatever the flag says: a resync of an unflagged item is reported as skipped, not lost.
  const hashFields = slice.length > 0 && (await hasHashFields(deps));
  const items = slice.length
    ? await deps.b1.listChecked('Items', { filter: f.anyOf('ItemCode', slice), select: itemSelect(hashFields) })
    : [];
  const byCode = new Map(items.map((i) => [rowRef(i).code, i]));
  const found = new Set(byCode.keys());
  const ordered = slice.flatMap((c): CheckedRow<Item>[] => {
    const it = byCode.get(c);
    return it ? [it] : [];
  });
  const variants = await variantsByIds(deps, gids, 'product');
  const records: SourceRecord<ProductSource>[] = [
    ...(await toItemRecords(deps, ordered, companyToday(deps.mapping), { hashFields })),
    ...variants.records,
  ];
  const missingIds = [...slice.filter((c) => !found.has(c)), ...variants.missing];
  const next = offset + size;
  // Extra ids of a delta run come first; the delta itself follows.
  const after =
    next < ids.length ? encodeCursor({ phase: 'ids', offset: next }) : input.mode === 'ids' ? undefined : encodeCursor({ phase: 'b1' });
  return { records, ...(after ? { nextCursor: after } : {}), ...(missingIds.length ? { missingIds } : {}) };
}

/** Whether this full run is an initial load: many selected items, hardly any linked yet. */
async function isInitialLoad(deps: PipelineDeps): Promise<boolean> {
  const { threshold, maxLinkedShare } = deps.product.tuning.bulk;
  const selected = await deps.b1.count('Items', SYNC_FILTER);
  if (selected < threshold) return false;
  const linked = await deps.b1.count('Items', f.and(SYNC_FILTER, f.ne('U_ShopifyId', null)));
  return linked <= selected * maxLinkedShare;
}

/**
 * The next key range of selected items (codes only: the items are read again by the post). The
 * first chunk of several starts the run's product state export; every chunk names it.
 */
async function fetchBulkChunk(
  deps: PipelineDeps,
  input: FetchPageInput,
  c: { after?: string; b1From?: string; snapshot?: string },
): Promise<FetchPageResult<ProductSource>> {
  // The items are read again by the post, later still: only the start before the first chunk is safe.
  const b1From = c.after === undefined ? await b1ReadStart(deps.b1, SYNC_FILTER) : c.b1From;
  const chunk = deps.product.tuning.bulk.chunk;
  const pages = deps.b1.keyRange('Items', {
    keyField: 'ItemCode',
    filter: SYNC_FILTER,
    select: ['ItemCode', 'UpdateDate', 'UpdateTime'],
    pageSize: chunk,
    ...(c.after !== undefined ? { after: c.after } : {}),
  });
  const first = await pages.next();
  await pages.return(undefined);
  const rows = (first.done ? [] : first.value).filter((r): r is Item & { ItemCode: string } => typeof r.ItemCode === 'string');
  const a = rows[0]?.ItemCode;
  const z = rows[rows.length - 1]?.ItemCode;
  const mark = b1From ? { b1From } : {};
  const since = parseWatermark(input.since);
  if (a === undefined || z === undefined) {
    const end = productWatermark(since, b1From);
    return { records: [], ...(end ? { watermark: end } : {}) };
  }
  const more = rows.length === chunk;
  const snapshot = c.snapshot ?? (c.after === undefined && more ? await startProductSnapshot(deps.shopify) : null) ?? undefined;
  const watermark = productWatermark(since, b1From);
  return {
    records: [
      {
        id: `${a}..${z}`,
        label: `bulk load of ${rows.length} items`,
        data: {
          kind: 'bulkChunk',
          first: a,
          last: z,
          count: rows.length,
          asOf: companyToday(deps.mapping),
          ...(snapshot ? { snapshot } : {}),
        },
      },
    ],
    ...(more ? { nextCursor: encodeCursor({ phase: 'bulk', after: z, ...mark, ...(snapshot ? { snapshot } : {}) }) } : {}),
    ...(watermark ? { watermark } : {}),
    // Chunks are disjoint key ranges: one chunk's links go to B1 while the next one imports.
    postsMayOverlap: true,
  };
}

export async function fetchProductPage(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<ProductSource>> {
  const cursor = decodeCursor(input.cursor, input.mode, (input.ids?.length ?? 0) > 0);
  if (cursor.phase === 'ids') return fetchIdsPage(deps, input, cursor.offset);
  if (cursor.phase === 'bulk') return fetchBulkChunk(deps, input, cursor);
  if (cursor.phase === 'b1') {
    // The choice is made once, on the first page, and kept in the cursor from then on.
    if (input.mode === 'full' && cursor.after === undefined && (await isInitialLoad(deps))) return fetchBulkChunk(deps, input, {});
    return fetchItemsPage(deps, input, cursor);
  }
  // A run from before the split, in its Shopify → B1 phase: its push is done, so it ends here with
  // the B1 part it earned. What that phase had left to read is the `shopify-product` object's
  // (seeded from this scheduler's Shopify part, which this run does not move).
  const end = productWatermark(parseWatermark(input.since), cursor.b1From);
  return { records: [], ...(end ? { watermark: end } : {}) };
}
