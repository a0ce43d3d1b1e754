/**
 * Fetch: one key-range page of B1 items selected for the sync with their per-warehouse stock,
 * enriched with the Shopify inventory items carrying their SKUs and Shopify's current
 * `available` at the mapped locations.
 *
 * Delta runs read the stock of every selected item, like full runs: stock movements and order
 * commitments do not reliably bump `Items.UpdateDate` (the reference marks it unconfirmed, and
 * the simulator does not), so an UpdateDate filter would miss exactly the changes this pipeline
 * exists for. The scan costs one B1 call per page (1000 items by default); Shopify's side comes from one bulk export
 * per run (snapshot.ts), or one or two cost-bounded reads per page for single-page runs and until
 * the export is ready. The diff against Shopify keeps a no-change run free of writes.
 *
 * What Shopify sold that B1 does not account for (pending.ts) is read after Shopify's levels: B1's
 * sales orders for the open Shopify orders (with their lines), then B1's stock again for the items
 * such an order touches, then those sales orders again. Each order deducts the larger of its two
 * B1 views, so it is counted once, or twice in a race (a transient undersell, never an oversell):
 * a change that adds to Committed (an import, a quantity raised, a reopen) is missed by the first
 * view only if it came after it, and one that takes from Committed without shipping (a close, a
 * cancel, a line removed) is seen by the second view if the re-read already misses it. A delivery
 * moves units from Committed and InStock alike. A sale after Shopify's levels were read makes the
 * compare-and-set write fail, and post re-reads the item.
 */
import { f } from '../../connectors/b1/odata-query';
import { pipelineConfigProblems } from '../../mapping/config';
import type { B1ItemWarehouseInfo } from '../../mapping/types';
import type { FetchPageInput, FetchPageResult, PipelineDeps, SourceRecord } from '../contract';
import { PipelineSetupError } from '../kit/errors';
import { eachRecordIsolated } from '../kit/fetch-poison';
import { b1OrderUnits, uncoveredUnits } from '../../mapping/inventory';
import {
  b1SalesOrders,
  loadOpenOrders,
  openOrdersForSkus,
  ordersFromExport,
  startOpenOrdersExport,
  type B1SalesOrderFacts,
  type OpenOrderUnits,
  type OpenOrdersExport,
} from './pending';
import { stockBySku } from './shopify-levels';
import { loadSnapshot, startSnapshot } from './snapshot';
import type { InventorySource, ShopifyStockMatch } from './types';

const SELECT = ['ItemCode', 'InventoryItem', 'ItemWarehouseInfoCollection'] as const;
/** The Service Layer has no `in`; an OR of this many ItemCodes keeps the URL short. */
const IDS_PER_B1_CALL = 50;

type RawItem = { ItemCode?: unknown; InventoryItem?: unknown; ItemWarehouseInfoCollection?: unknown };

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Only the quantities the formula reads: the rest of OITW would bloat the history. */
function trimItem(raw: RawItem): { code: string; data: Omit<InventorySource, 'shopify'> } {
  const rows = Array.isArray(raw.ItemWarehouseInfoCollection) ? (raw.ItemWarehouseInfoCollection as Record<string, unknown>[]) : [];
  const warehouses: B1ItemWarehouseInfo[] = rows
    .filter((r) => typeof r.WarehouseCode === 'string')
    .map((r) => ({
      WarehouseCode: r.WarehouseCode as string,
      InStock: num(r.InStock),
      Committed: num(r.Committed),
      Ordered: num(r.Ordered),
    }));
  return { code: String(raw.ItemCode), data: { inventoryItem: raw.InventoryItem !== 'tNO', warehouses } };
}

async function firstPage(deps: PipelineDeps, after: string | undefined, size: number): Promise<RawItem[]> {
  const pages = deps.b1.keyRange('Items', {
    keyField: 'ItemCode',
    filter: f.eq('U_ShopifySync', 'Y'),
    select: SELECT,
    pageSize: size,
    ...(after !== undefined ? { after } : {}),
  });
  try {
    const first = await pages.next();
    return first.done ? [] : (first.value as RawItem[]);
  } finally {
    await pages.return(undefined);
  }
}

async function byIds(deps: PipelineDeps, ids: readonly string[]): Promise<RawItem[]> {
  const out: RawItem[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_B1_CALL) {
    const part = ids.slice(i, i + IDS_PER_B1_CALL);
    out.push(
      ...((await deps.b1.list(
        'Items',
        { filter: f.anyOf('ItemCode', part), select: SELECT },
        { maxPageSize: IDS_PER_B1_CALL },
      )) as RawItem[]),
    );
  }
  return out;
}

/** Position of a full/delta scan: the last ItemCode read and the run's Shopify exports (levels, open orders), if any. */
interface ScanCursor {
  after?: string;
  snapshot?: string;
  orders?: string;
}

function parseCursor(c: string | undefined): ScanCursor {
  if (!c) return {};
  try {
    const v = JSON.parse(c) as ScanCursor;
    return typeof v === 'object' && v !== null ? v : {};
  } catch {
    return { after: c };
  }
}

/**
 * Shopify's current stock for the page's SKUs: from the run's bulk snapshot when it is ready,
 * per request otherwise (and for SKUs the snapshot does not have).
 */
async function shopifyStock(
  deps: PipelineDeps,
  skus: string[],
  locationIds: string[],
  cursor: ScanCursor,
): Promise<{ stock: Map<string, ShopifyStockMatch[]>; snapshot?: string }> {
  let snapshotId = cursor.snapshot;
  const stock = new Map<string, ShopifyStockMatch[]>();
  let rest = skus;
  if (snapshotId) {
    const state = await loadSnapshot(deps.shopify, snapshotId, locationIds);
    if (state.kind === 'gone') snapshotId = undefined;
    if (state.kind === 'ready') {
      rest = [];
      for (const sku of skus) {
        const hit = state.snapshot.get(sku);
        if (hit) stock.set(sku, hit);
        else rest.push(sku);
      }
    }
  }
  for (const [sku, matches] of await stockBySku(deps.shopify, rest, locationIds)) stock.set(sku, matches);
  return { stock, ...(snapshotId ? { snapshot: snapshotId } : {}) };
}

const FIRST_PAGE_WAIT_MS = 3_000;
const FIRST_PAGE_POLL_MS = 250;

async function briefWait(deps: PipelineDeps, operationId: string): Promise<ScanCursor> {
  const locationIds = deps.mapping.locations.map((l) => l.locationId);
  const deadline = Date.now() + FIRST_PAGE_WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, FIRST_PAGE_POLL_MS));
    const state = await loadSnapshot(deps.shopify, operationId, locationIds);
    if (state.kind === 'ready') return { snapshot: operationId };
    if (state.kind === 'gone') return {};
  }
  return {};
}

/**
 * Adds to each item the units Shopify sold that B1 does not account for (`pending`), and re-reads
 * B1's stock of the items that have an open Shopify order B1 has a sales order for: the first stock
 * read came before B1's orders were read, so it may predate that order's import (the order would
 * then be counted nowhere). Items whose Shopify levels show nothing committed at a mapped location
 * have no open order there and cost nothing.
 */
async function withPending(
  deps: PipelineDeps,
  items: TrimmedItem[],
  stock: ReadonlyMap<string, ShopifyStockMatch[]>,
  loadExport?: () => Promise<OpenOrdersExport | undefined>,
): Promise<TrimmedItem[]> {
  const locationIds = new Set(deps.mapping.locations.map((l) => l.locationId));
  const codeByInventoryItem = new Map<string, string>();
  const committed = new Map<string, Record<string, number>>();
  for (const i of items) {
    const matches = stock.get(i.code) ?? [];
    const m = matches[0];
    if (!i.data.inventoryItem || matches.length !== 1 || !m?.tracked) continue;
    if (Object.entries(m.committed ?? {}).some(([loc, q]) => locationIds.has(loc) && q > 0)) {
      codeByInventoryItem.set(m.inventoryItemId, i.code);
      committed.set(m.inventoryItemId, m.committed ?? {});
    }
  }
  if (codeByInventoryItem.size === 0) return items;

  // Each item's orders come from one source: the export where it agrees with the levels read,
  // else a fresh query (an order in both lists is never applied twice to one item).
  const exported = loadExport ? await loadExport() : undefined;
  const fromExport = exported
    ? ordersFromExport(exported, committed, locationIds)
    : { orders: [] as OpenOrderUnits[], unresolved: new Set(committed.keys()) };
  const { orders: queried, uncertain } = fromExport.unresolved.size
    ? await openOrdersForSkus(
        deps,
        [...fromExport.unresolved].map((id) => codeByInventoryItem.get(id)!),
      )
    : { orders: [], uncertain: new Set<string>() };
  const sources: { orders: OpenOrderUnits[]; applies: (inventoryItemId: string) => boolean }[] = [
    { orders: fromExport.orders, applies: (id) => !fromExport.unresolved.has(id) },
    { orders: queried, applies: (id) => fromExport.unresolved.has(id) },
  ];
  // B1's sales orders for these Shopify orders, read before the stock re-read (an import or a
  // quantity raised in B1 after it is then deducted here and maybe in Committed: an undersell).
  const first = await b1SalesOrders(deps, [...new Set(sources.flatMap((src) => src.orders.map((o) => o.orderId)))]);
  const reread = new Set<string>();
  const again = new Set<string>();
  for (const src of sources) {
    for (const o of src.orders) {
      if (!first.has(o.orderId)) continue;
      for (const key of o.units.keys()) {
        const [inventoryItemId = '', loc = ''] = key.split('|');
        const code = codeByInventoryItem.get(inventoryItemId);
        if (code === undefined || !locationIds.has(loc) || !src.applies(inventoryItemId)) continue;
        reread.add(code);
        again.add(o.orderId);
      }
    }
  }
  const fresh = new Map(
    (reread.size ? await byIds(deps, [...reread]) : []).map((r) => {
      const t = trimItem(r);
      return [t.code, t.data] as const;
    }),
  );
  // And again after it: a line or order closed, cancelled, reduced or delivered meanwhile left
  // Committed before the re-read, so the later view deducts it. Each order deducts the larger of
  // the two views: never less than the view at the instant the stock was read.
  const second = again.size ? await b1SalesOrders(deps, [...again]) : new Map<string, B1SalesOrderFacts[]>();
  const warehousesOf = new Map(deps.mapping.locations.map((l) => [l.locationId, l.warehouses]));
  const pending = new Map<string, Record<string, number>>();
  for (const src of sources) {
    for (const o of src.orders) {
      for (const [key, qty] of o.units) {
        const [inventoryItemId = '', loc = ''] = key.split('|');
        const code = codeByInventoryItem.get(inventoryItemId);
        if (code === undefined || !locationIds.has(loc) || !src.applies(inventoryItemId)) continue;
        const shop = { unfulfilled: qty, fulfilled: o.fulfilled?.get(key) ?? 0 };
        const whs = warehousesOf.get(loc) ?? [];
        const view = (b1: ReadonlyMap<string, B1SalesOrderFacts[]>): number => {
          const docs = b1.get(o.orderId);
          return uncoveredUnits(shop, docs ? b1OrderUnits(docs, code, whs) : undefined);
        };
        const less = again.has(o.orderId) ? Math.max(view(first), view(second)) : view(first);
        if (less <= 0) continue;
        const p = pending.get(code) ?? {};
        p[loc] = (p[loc] ?? 0) + less;
        pending.set(code, p);
      }
    }
  }
  // Shopify's committed counts orders the search can miss (its index lags, a line sold under an
  // older SKU, an unfulfilled order archived or older than the shop may read): whatever of it the
  // orders read do not explain is deducted whole, as sold and not in B1 (an undersell at worst,
  // when B1 has such an order). An order placed after the levels were read makes the sum exceed
  // committed, not fall short of it.
  for (const [inventoryItemId, code] of codeByInventoryItem) {
    const src = sources.find((s) => s.applies(inventoryItemId));
    for (const loc of locationIds) {
      const key = `${inventoryItemId}|${loc}`;
      const explained = (src?.orders ?? []).reduce((n, o) => n + (o.units.get(key) ?? 0), 0);
      const unexplained = (committed.get(inventoryItemId)?.[loc] ?? 0) - explained;
      if (unexplained <= 0) continue;
      const p = pending.get(code) ?? {};
      p[loc] = (p[loc] ?? 0) + unexplained;
      pending.set(code, p);
    }
  }
  // An order too large to read whole: deduct every unit Shopify holds for these items (never too few).
  for (const [inventoryItemId, code] of codeByInventoryItem) {
    if (!uncertain.has(code)) continue;
    pending.set(code, Object.fromEntries([...locationIds].map((loc) => [loc, committed.get(inventoryItemId)?.[loc] ?? 0])));
  }
  return items.map((i) => {
    const data = fresh.get(i.code) ?? i.data;
    const p = pending.get(i.code);
    return { code: i.code, data: p ? { ...data, pending: p } : data };
  });
}

type TrimmedItem = ReturnType<typeof trimItem>;

function toRecords(items: TrimmedItem[], stock: ReadonlyMap<string, ShopifyStockMatch[]>): SourceRecord<InventorySource>[] {
  return eachRecordIsolated(
    'inventory',
    items,
    (i) => ({ id: i.code, label: i.code }),
    (i) => ({
      id: i.code,
      label: i.code,
      data: i.data.inventoryItem ? { ...i.data, shopify: stock.get(i.code) ?? [] } : i.data,
    }),
  );
}

/**
 * Fresh records for the given items (never from a snapshot): B1's stock, Shopify's levels, then
 * the pending orders. Used by ids runs and by post when a compare-and-set found Shopify changed.
 */
export async function readInventoryItems(
  deps: PipelineDeps,
  codes: readonly string[],
): Promise<{ records: SourceRecord<InventorySource>[]; missing: string[] }> {
  const raw = await byIds(deps, codes);
  const found = new Set(raw.map((r) => String(r.ItemCode)));
  const items = raw.map(trimItem);
  const locationIds = deps.mapping.locations.map((l) => l.locationId);
  const stock = await stockBySku(
    deps.shopify,
    items.filter((i) => i.data.inventoryItem).map((i) => i.code),
    locationIds,
  );
  return { records: toRecords(await withPending(deps, items, stock), stock), missing: codes.filter((c) => !found.has(c)) };
}

export async function fetchInventoryPage(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<InventorySource>> {
  const problems = pipelineConfigProblems('inventory', deps.mapping);
  if (problems.length) throw new PipelineSetupError(`inventory sync cannot run: ${problems.join('; ')}`);
  // Up to 1000 items per page: a page's payloads are compressed in history (zlib codec), and the
  // fixed cost of a page (workflow tasks, round trips) is what bounds a large run's speed.
  const size = Math.max(1, Math.min(1000, deps.pageSizes.inventory));

  if (input.mode === 'ids') {
    // The cursor is the offset into the requested ids: resync re-reads exactly these items.
    const ids = [...new Set(input.ids ?? [])];
    const offset = input.cursor ? Number(input.cursor) : 0;
    const { records, missing } = await readInventoryItems(deps, ids.slice(offset, offset + size));
    const nextCursor = offset + size < ids.length ? String(offset + size) : undefined;
    return { records, ...(nextCursor !== undefined ? { nextCursor } : {}), ...(missing.length ? { missingIds: missing } : {}) };
  }

  let scan = parseCursor(input.cursor);
  let started: string | undefined;
  let ordersExport = scan.orders;
  const raw = await firstPage(deps, scan.after, size);
  // A run of several pages reads Shopify from one bulk export instead of per request.
  if (raw.length === size && input.pageIndex === 0 && !scan.snapshot) {
    ordersExport = (await startOpenOrdersExport(deps.shopify)) ?? undefined;
    started = (await startSnapshot(deps.shopify)) ?? undefined;
    // A small shop's export is ready within moments; waiting briefly saves this page's
    // per-request reads (over a thousand points for 250 items at two locations).
    if (started) scan = { ...scan, ...(await briefWait(deps, started)) };
  }

  const items = raw.map(trimItem);
  const locationIds = deps.mapping.locations.map((l) => l.locationId);
  const skus = items.filter((i) => i.data.inventoryItem).map((i) => i.code);
  const { stock, snapshot = started } = await shopifyStock(deps, skus, locationIds, scan);
  // The open orders export, once complete, and only for a page with committed units to explain.
  const exportId = ordersExport;
  const loadExport = exportId
    ? async (): Promise<OpenOrdersExport | undefined> => {
        const state = await loadOpenOrders(deps.shopify, exportId);
        if (state.kind === 'gone') ordersExport = undefined;
        return state.kind === 'ready' ? state.result : undefined;
      }
    : undefined;
  const records = toRecords(await withPending(deps, items, stock, loadExport), stock);
  const nextCursor =
    raw.length === size
      ? JSON.stringify({
          after: String(raw[raw.length - 1]?.ItemCode),
          ...(snapshot ? { snapshot } : {}),
          ...(ordersExport ? { orders: ordersExport } : {}),
        })
      : undefined;
  return { records, ...(nextCursor !== undefined ? { nextCursor } : {}) };
}
