/**
 * Shapes the inventory pipeline passes between its activities. Everything here is written to
 * the run's history, so records carry only what the mapping reads: per-warehouse quantities
 * from B1 and the Shopify inventory item with its current `available` at the mapped locations.
 */
import type { B1ItemWarehouseInfo } from '../../mapping/types';

/** One Shopify inventory item whose variant carries the item's SKU. */
export interface ShopifyStockMatch {
  inventoryItemId: string;
  tracked: boolean;
  /** Current `available` per mapped location id; null = not stocked there (needs inventoryActivate). */
  available: Record<string, number | null>;
  /**
   * Shopify's `committed` (unfulfilled units of placed orders) and `reserved` (units held outside
   * orders, e.g. draft orders) per mapped location, read together with `available`. Absent on
   * records written by an older worker: read as 0.
   */
  committed?: Record<string, number>;
  reserved?: Record<string, number>;
}

/** One B1 item as read for the push (the record's id and label are its ItemCode). */
export interface InventorySource {
  /** False for non-inventory items (B1 `InventoryItem = tNO`): nothing to push. */
  inventoryItem: boolean;
  /** Only the fields the formula reads. */
  warehouses: B1ItemWarehouseInfo[];
  /** Variants with this SKU in Shopify (none: not pushed as a product yet; several: ambiguous). Absent for non-inventory items. */
  shopify?: ShopifyStockMatch[];
  /**
   * Units Shopify has sold that B1 does not account for, per mapped location id: per open Shopify
   * order, its unfulfilled units less B1's open quantity for it and less what B1 delivered beyond
   * Shopify's fulfilments (mapping/inventory.ts `uncoveredUnits`). Only locations with such units are present.
   */
  pending?: Record<string, number>;
}

/** One row to write: the desired `available` of the item at one location. */
export interface InventoryRow {
  locationId: string;
  quantity: number;
  /** Compare-and-swap base: Shopify's `available` as read (0 for a pair being activated); null = no check (only for hand-made payloads). */
  changeFromQuantity: number | null;
}

/** What post writes for one item: activations first, then the rows that differ. */
export interface InventoryPayload {
  inventoryItemId: string;
  /** Locations where the item is not stocked yet. */
  activate: string[];
  rows: InventoryRow[];
}
