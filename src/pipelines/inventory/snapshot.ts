/**
 * A whole-shop inventory snapshot for multi-page runs, from one bulk export. The export, its
 * parsing and the per-client cache belong to the Shopify connector (inventory-bulk.ts).
 */
import type { ShopifyClient } from '../../connectors/shopify/client';
import type { InventorySnapshotState } from '../../connectors/shopify/inventory-bulk';

export type { InventorySnapshot as Snapshot, InventorySnapshotState as SnapshotState } from '../../connectors/shopify/inventory-bulk';

/** Starts the export; null when Shopify refuses (e.g. too many bulk queries running): pages then read per request. */
export function startSnapshot(shopify: ShopifyClient): Promise<string | null> {
  return shopify.bulkExports.inventory.start();
}

/** The snapshot of a bulk operation, if it is complete (from memory, or downloaded once). */
export function loadSnapshot(shopify: ShopifyClient, operationId: string, locationIds: readonly string[]): Promise<InventorySnapshotState> {
  return shopify.bulkExports.inventory.load(operationId, locationIds);
}
