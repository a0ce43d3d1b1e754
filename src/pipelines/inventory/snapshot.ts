/**
 * A whole-shop inventory snapshot for multi-page runs, taken with one bulk query export so that
 * reading Shopify's current levels is not bound by the per-request rate limit (5 points per item
 * at two locations would cap a 10k-item run at ~20 items/s on the Standard plan).
 *
 * The first page starts the export and carries its id in the cursor; later pages use the result
 * once it is complete. Any worker can pick the snapshot up: the cursor holds the operation id,
 * and a worker without it in memory asks Shopify for the result URL and downloads it (a pre-signed
 * file, no rate-limit cost). Until the export is done, or if it fails, pages read per request.
 *
 * Freshness: the snapshot is taken while the first page is written; later pages hold items the
 * run has not written yet, so their snapshot values are Shopify's values at the run's start. A sale in
 * Shopify after that is seen by the next run. SKUs missing from the snapshot (products created
 * since) are read per request, so a new product is never reported missing because of it.
 */
import type { ShopifyClient } from '../../connectors/shopify/client';
import { BULK_EXPORT_INVENTORY } from '../../connectors/shopify/documents';
import { loadBulkExport, reassembleBulk, rememberBounded, tryStartBulkQuery } from '../../connectors/shopify/bulk';
import type { ShopifyStockMatch } from './types';

export type Snapshot = Map<string, ShopifyStockMatch[]>;

/** Recent snapshots by bulk operation id (a run reads its snapshot once per page). */
const cache = new Map<string, Snapshot>();
const CACHE_LIMIT = 4;

/** Starts the export; null when Shopify refuses (e.g. too many bulk queries running): pages then read per request. */
export function startSnapshot(shopify: ShopifyClient): Promise<string | null> {
  return tryStartBulkQuery(shopify.executor, BULK_EXPORT_INVENTORY);
}

/** Builds SKU → matches with `available` (null = not stocked there), `committed` and `reserved` at the mapped locations. */
export function snapshotFromLines(lines: Record<string, unknown>[], locationIds: readonly string[]): Snapshot {
  const out: Snapshot = new Map();
  for (const item of reassembleBulk(lines)) {
    if (typeof item.sku !== 'string' || typeof item.id !== 'string') continue;
    const available: Record<string, number | null> = Object.fromEntries(locationIds.map((l) => [l, null]));
    const committed: Record<string, number> = Object.fromEntries(locationIds.map((l) => [l, 0]));
    const reserved: Record<string, number> = Object.fromEntries(locationIds.map((l) => [l, 0]));
    for (const level of item.__children.InventoryLevel ?? []) {
      const loc = (level.location as { id?: string } | undefined)?.id;
      if (!loc || !(loc in available)) continue;
      const q = (name: string): number => (level.quantities as { name: string; quantity: number }[] | undefined)?.find((x) => x.name === name)?.quantity ?? 0;
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

export type SnapshotState = { kind: 'ready'; snapshot: Snapshot } | { kind: 'pending' } | { kind: 'gone' };

/** The snapshot of a bulk operation, if it is complete (from memory, or downloaded once). */
export async function loadSnapshot(shopify: ShopifyClient, operationId: string, locationIds: readonly string[]): Promise<SnapshotState> {
  const key = `${operationId}|${locationIds.join(',')}`;
  const hit = cache.get(key);
  if (hit) return { kind: 'ready', snapshot: hit };
  // A failed, unknown or unreadable export is gone: pages read per request.
  const state = await loadBulkExport(shopify.executor, operationId, (lines) => snapshotFromLines(lines, locationIds));
  if (state.kind !== 'ready') return { kind: state.kind };
  const snapshot = state.result;
  rememberBounded(cache, key, snapshot, CACHE_LIMIT);
  return { kind: 'ready', snapshot };
}
