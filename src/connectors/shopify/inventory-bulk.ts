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
import { loadBulkExport, reassembleBulk, rememberBounded, tryStartBulkQuery } from './bulk';
import type { StockMatch } from './stock';

export type InventorySnapshot = Map<string, StockMatch[]>;

/** Builds SKU → matches with `available` (null = not stocked there), `committed` and `reserved` at the mapped locations. */
export function snapshotFromLines(lines: Record<string, unknown>[], locationIds: readonly string[]): InventorySnapshot {
  const out: InventorySnapshot = new Map();
  for (const item of reassembleBulk(lines)) {
    if (typeof item.sku !== 'string' || typeof item.id !== 'string') continue;
    const available: Record<string, number | null> = Object.fromEntries(locationIds.map((l) => [l, null]));
    const committed: Record<string, number> = Object.fromEntries(locationIds.map((l) => [l, 0]));
    const reserved: Record<string, number> = Object.fromEntries(locationIds.map((l) => [l, 0]));
    for (const level of item.__children.InventoryLevel ?? []) {
      const loc = (level.location as { id?: string } | undefined)?.id;
      if (!loc || !(loc in available)) continue;
      const q = (name: string): number =>
        (level.quantities as { name: string; quantity: number }[] | undefined)?.find((x) => x.name === name)?.quantity ?? 0;
      available[loc] = q('available');
      committed[loc] = q('committed');
      reserved[loc] = q('reserved');
    }
    const list = out.get(item.sku) ?? [];
    list.push({ inventoryItemId: item.id, tracked: item.tracked === true, available, committed, reserved });
    out.set(item.sku, list);
  }
  return out;
}

export type InventorySnapshotState = { kind: 'ready'; snapshot: InventorySnapshot } | { kind: 'pending' } | { kind: 'gone' };

/** One client's inventory exports: started, and each read once (the last four kept). */
export class InventorySnapshots {
  /** Ready snapshots by operation id and locations (a run reads its snapshot once per page). */
  private readonly cache = new Map<string, InventorySnapshot>();
  private static readonly LIMIT = 4;

  constructor(private readonly exec: ShopifyExecutor) {}

  /** Starts the export; null when Shopify refuses (e.g. too many bulk queries running): pages then read per request. */
  start(): Promise<string | null> {
    return tryStartBulkQuery(this.exec, BULK_EXPORT_INVENTORY);
  }

  /** The snapshot of a bulk operation, if it is complete (from memory, or downloaded once). */
  async load(operationId: string, locationIds: readonly string[]): Promise<InventorySnapshotState> {
    const key = `${operationId}|${locationIds.join(',')}`;
    const hit = this.cache.get(key);
    if (hit) return { kind: 'ready', snapshot: hit };
    // A failed, unknown or unreadable export is gone: pages read per request.
    const state = await loadBulkExport(this.exec, operationId, (lines) => snapshotFromLines(lines, locationIds));
    if (state.kind !== 'ready') return { kind: state.kind };
    rememberBounded(this.cache, key, state.result, InventorySnapshots.LIMIT);
    return { kind: 'ready', snapshot: state.result };
  }
}
