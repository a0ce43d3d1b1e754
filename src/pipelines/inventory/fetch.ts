/**
 * Fetch: one key-range page of B1 items selected for the sync with their per-warehouse stock,
 * enriched with the Shopify inventory items carrying their SKUs and Shopify's current
 * `available` at the mapped locations.
 *
 * Delta runs read the stock of every selected item, like full runs: stock movements and order
 * commitments do not reliably bump `Items.UpdateDate` (the reference marks it unconfirmed, and
 * the simulator does not), so an UpdateDate filter would miss exactly the changes this pipeline
 * exists for. The scan costs one B1 call per page (500 items by default); Shopify's side comes from one bulk export
 * per run (snapshot.ts), or one or two cost-bounded reads per page for single-page runs and until
 * the export is ready. The diff against Shopify keeps a no-change run free of writes.
 */
import { f } from '../../connectors/b1/odata-query';
import { pipelineConfigProblems } from '../../mapping/config';
import type { B1ItemWarehouseInfo } from '../../mapping/types';
import type { FetchPageInput, FetchPageResult, PipelineDeps, SourceRecord } from '../contract';
import { PipelineSetupError } from '../errors';
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
    .map((r) => ({ WarehouseCode: r.WarehouseCode as string, InStock: num(r.InStock), Committed: num(r.Committed), Ordered: num(r.Ordered) }));
  return { code: String(raw.ItemCode), data: { inventoryItem: raw.InventoryItem !== 'tNO', warehouses } };
}

async function firstPage(deps: PipelineDeps, after: string | undefined, size: number): Promise<RawItem[]> {
  const pages = deps.b1.keyRange('Items', { keyField: 'ItemCode', filter: f.eq('U_ShopifySync', 'Y'), select: SELECT, pageSize: size, ...(after !== undefined ? { after } : {}) });
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
    out.push(...((await deps.b1.list('Items', { filter: f.anyOf('ItemCode', part), select: SELECT }, { maxPageSize: IDS_PER_B1_CALL })) as RawItem[]));
  }
  return out;
}

/** Position of a full/delta scan: the last ItemCode read and the run's Shopify snapshot, if any. */
interface ScanCursor {
  after?: string;
  snapshot?: string;
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
async function shopifyStock(deps: PipelineDeps, skus: string[], locationIds: string[], cursor: ScanCursor): Promise<{ stock: Map<string, ShopifyStockMatch[]>; snapshot?: string }> {
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

export async function fetchInventoryPage(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<InventorySource>> {
  const problems = pipelineConfigProblems('inventory', deps.mapping);
  if (problems.length) throw new PipelineSetupError(`inventory sync cannot run: ${problems.join('; ')}`);
  // Up to 1000 items per page: a page's payloads are compressed in history (zlib codec), and the
  // fixed cost of a page (workflow tasks, round trips) is what bounds a large run's speed.
  const size = Math.max(1, Math.min(1000, deps.pageSizes.inventory));

  let raw: RawItem[];
  let nextCursor: string | undefined;
  let missingIds: string[] | undefined;
  let scan: ScanCursor = {};
  let started: string | undefined;
  if (input.mode === 'ids') {
    // The cursor is the offset into the requested ids: resync re-reads exactly these items.
    const ids = [...new Set(input.ids ?? [])];
    const offset = input.cursor ? Number(input.cursor) : 0;
    const part = ids.slice(offset, offset + size);
    raw = await byIds(deps, part);
    const found = new Set(raw.map((r) => String(r.ItemCode)));
    missingIds = part.filter((id) => !found.has(id));
    if (offset + size < ids.length) nextCursor = String(offset + size);
  } else {
    scan = parseCursor(input.cursor);
    raw = await firstPage(deps, scan.after, size);
    // A run of several pages reads Shopify from one bulk export instead of per request.
    if (raw.length === size && input.pageIndex === 0 && !scan.snapshot) {
      started = (await startSnapshot(deps.shopify)) ?? undefined;
      // A small shop's export is ready within moments; waiting briefly saves this page's
      // per-request reads (over a thousand points for 250 items at two locations).
      if (started) scan = { ...scan, ...(await briefWait(deps, started)) };
    }
  }

  const items = raw.map(trimItem);
  const locationIds = deps.mapping.locations.map((l) => l.locationId);
  const skus = items.filter((i) => i.data.inventoryItem).map((i) => i.code);
  const { stock, snapshot = started } = await shopifyStock(deps, skus, locationIds, scan);
  if (input.mode !== 'ids' && raw.length === size) nextCursor = JSON.stringify({ after: String(raw[raw.length - 1]?.ItemCode), ...(snapshot ? { snapshot } : {}) });
  const records: SourceRecord<InventorySource>[] = items.map((i) => ({
    id: i.code,
    label: i.code,
    data: i.data.inventoryItem ? { ...i.data, shopify: stock.get(i.code) ?? [] } : i.data,
  }));
  return { records, ...(nextCursor !== undefined ? { nextCursor } : {}), ...(missingIds?.length ? { missingIds } : {}) };
}
