/**
 * A whole-shop inventory snapshot for multi-page runs, taken with one bulk query export so that
 * reading Shopify's current levels is not bound by the per-request rate limit (5 points per item
 * at two locations would cap a 10k-item run at ~20 items/s on the Standard plan).
 *
 * The first page starts the export and carries its id in the cursor; later pages use the result
 * once it is complete. Any worker can pick the snapshot up: the cursor holds the operation id,
 * and a client without it in memory asks Shopify for the result URL and downloads it (a pre-signed
 * file, no rate-limit cost). Until the export is done, or if it fails, pages read per request.
 *
 * Freshness: the snapshot is taken while the first page is written; later pages hold items the
 * run has not written yet, so their snapshot values are Shopify's values at the run's start. A sale in
 * Shopify after that is seen by the next run. SKUs missing from the snapshot (products created
 * since) are read per request, so a new product is never reported missing because of it.
 */
import { BULK_EXPORT_INVENTORY } from './documents';
import type { ShopifyExecutor } from './executor';
import { loadBulkExportFolded, rememberBounded, tryStartBulkQuery, type BulkExportState, type BulkFold } from './bulk';
import { ShopifyError } from './errors';
import type { StockMatch } from './stock';

export type InventorySnapshot = Map<string, StockMatch[]>;

const LEVEL_GID = /^gid:\/\/shopify\/InventoryLevel\//;

/**
 * Builds SKU → matches with `available` (null = not stocked there), `committed` and `reserved` at
 * the mapped locations, one export line at a time: at 100,000 items the file has 300,000 lines,
 * and holding them parsed (then reassembled) cost the worker hundreds of MB for a result of a few
 * tens. Same reading as reassembleBulk: an item line, then its levels (each naming its parent).
 */
export function snapshotFold(locationIds: readonly string[]): BulkFold<InventorySnapshot> {
  const out: InventorySnapshot = new Map();
  // Items by id, so their levels find them (null: an item without a SKU, whose levels are skipped).
  const items = new Map<string, StockMatch | null>();
  return {
    add(line) {
      const parentId = line.__parentId;
      if (typeof parentId !== 'string') {
        if (typeof line.id !== 'string') return;
        if (typeof line.sku !== 'string') {
          items.set(line.id, null);
          return;
        }
        const match: StockMatch = {
          inventoryItemId: line.id,
          tracked: line.tracked === true,
          available: Object.fromEntries(locationIds.map((l) => [l, null])),
          committed: Object.fromEntries(locationIds.map((l) => [l, 0])),
          reserved: Object.fromEntries(locationIds.map((l) => [l, 0])),
        };
        items.set(line.id, match);
        const list = out.get(line.sku);
        if (list) list.push(match);
        else out.set(line.sku, [match]);
        return;
      }
      const item = items.get(parentId);
      if (item === undefined)
        throw new ShopifyError(`Bulk result: child ${String(line.id ?? '?')} precedes or lacks its parent ${parentId}`, false);
      if (item === null || typeof line.id !== 'string' || !LEVEL_GID.test(line.id)) return;
      const loc = (line.location as { id?: string } | undefined)?.id;
      if (!loc || !(loc in item.available)) return;
      const q = (name: string): number =>
        (line.quantities as { name: string; quantity: number }[] | undefined)?.find((x) => x.name === name)?.quantity ?? 0;
      item.available[loc] = q('available');
      item.committed[loc] = q('committed');
      item.reserved[loc] = q('reserved');
    },
    result: () => out,
  };
}

/** snapshotFold over lines already read. */
export function snapshotFromLines(lines: Record<string, unknown>[], locationIds: readonly string[]): InventorySnapshot {
  const fold = snapshotFold(locationIds);
  for (const line of lines) fold.add(line);
  return fold.result();
}

/**
 * `load()` once per key while it is under way or ready; a pending or gone answer (or an error) is
 * not kept, so the next caller asks again.
 */
function memoReady<S extends { kind: string }>(
  cache: Map<string, Promise<S>>,
  key: string,
  limit: number,
  load: () => Promise<S>,
): Promise<S> {
  const hit = cache.get(key);
  if (hit) return hit;
  const loading = load();
  rememberBounded(cache, key, loading, limit);
  const forget = (): void => {
    if (cache.get(key) === loading) cache.delete(key);
  };
  loading.then((st) => {
    if (st.kind !== 'ready') forget();
  }, forget);
  return loading;
}

export type InventorySnapshotState = { kind: 'ready'; snapshot: InventorySnapshot } | { kind: 'pending' } | { kind: 'gone' };

/** One client's inventory exports: started, and each read once (the last two kept: a run reads one). */
export class InventorySnapshots {
  /**
   * Snapshots by operation id and locations (a run reads its snapshot once per page), kept while
   * being read too: pages that ask at once share one download instead of each holding a copy.
   */
  private readonly cache = new Map<string, Promise<InventorySnapshotState>>();
  private readonly orders = new Map<string, Promise<BulkExportState<unknown>>>();
  private static readonly LIMIT = 2;

  constructor(private readonly exec: ShopifyExecutor) {}

  /** Starts the export; null when Shopify refuses (e.g. too many bulk queries running): pages then read per request. */
  start(): Promise<string | null> {
    return tryStartBulkQuery(this.exec, BULK_EXPORT_INVENTORY);
  }

  /** The snapshot of a bulk operation, if it is complete (from memory, or downloaded once). */
  load(operationId: string, locationIds: readonly string[]): Promise<InventorySnapshotState> {
    return memoReady(this.cache, `${operationId}|${locationIds.join(',')}`, InventorySnapshots.LIMIT, () =>
      this.read(operationId, locationIds),
    );
  }

  /**
   * The run's open orders export (pipelines/inventory/pending.ts), read by `load` once it is
   * complete and then from memory: a completed export's file does not change, and each page
   * asking Shopify for its state again cost a round trip on the page's path.
   */
  openOrders<T>(operationId: string, load: () => Promise<BulkExportState<T>>): Promise<BulkExportState<T>> {
    return memoReady(this.orders as Map<string, Promise<BulkExportState<T>>>, operationId, InventorySnapshots.LIMIT, load);
  }

  private async read(operationId: string, locationIds: readonly string[]): Promise<InventorySnapshotState> {
    // A failed, unknown or unreadable export is gone: pages read per request.
    const state = await loadBulkExportFolded(this.exec, operationId, () => snapshotFold(locationIds));
    return state.kind === 'ready' ? { kind: 'ready', snapshot: state.result } : { kind: state.kind };
  }
}
