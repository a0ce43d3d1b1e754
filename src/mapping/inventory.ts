/**
 * Inventory, B1 → Shopify. B1 owns `available` at every mapped location: the value pushed is
 * computed from B1's per-warehouse quantities, less what Shopify has sold or holds that B1 does
 * not know yet (orders not imported, reservations), and a Shopify-side adjustment is overwritten
 * by the next push that sees a difference:
 *
 *   available = max(0, floor( Σ over the location's warehouses of formula(InStock, Committed, Ordered)
 *                             − pending − reserved ))
 *
 * where `pending` sums, over open Shopify orders, the units B1 does not account for (uncoveredUnits).
 *
 * Every row is written compare-and-set against the `available` it was computed from, so a sale
 * between read and write makes the write fail (and the pipeline re-read) instead of undoing it.
 *
 * Only rows whose value differs from Shopify's current `available` are written: every write adds
 * an entry to the merchant's inventory history, so rewriting unchanged values would bury real
 * movements and burn rate limit.
 */
import type { AvailabilityFormula, MappingConfig } from './config';
import { deterministicUuid, stableStringify } from './fingerprint';
import type { B1ItemWarehouseInfo, B1YesNo, ShopifyInventoryQuantityInput } from './types';

/** Shopify caps every input array at 250 elements. */
export const INVENTORY_BATCH_SIZE = 250;
/** Shopify refuses quantities above 1,000,000,000 (INVALID_QUANTITY_TOO_HIGH). */
const MAX_QUANTITY = 1_000_000_000;

/** The formula over one warehouse row, before flooring (negative when over-committed). */
export function warehouseRaw(row: B1ItemWarehouseInfo, formula: AvailabilityFormula): number {
  const inStock = row.InStock ?? 0;
  const committed = row.Committed ?? 0;
  const ordered = row.Ordered ?? 0;
  switch (formula) {
    case 'inStock':
      return inStock;
    case 'inStockMinusCommittedPlusOrdered':
      return inStock - committed + ordered;
    case 'inStockMinusCommitted':
      return inStock - committed;
  }
}

/**
 * Whole units Shopify may sell: floored at 0 and truncated, never rounded up, so a fractional B1
 * quantity (UoM conversions) never becomes stock that cannot ship.
 */
export function toAvailable(raw: number): number {
  return Math.min(MAX_QUANTITY, Math.max(0, Math.floor(raw + 1e-9)));
}

/** Availability of one warehouse by the configured formula. */
export function warehouseAvailable(row: B1ItemWarehouseInfo, formula: AvailabilityFormula): number {
  return toAvailable(warehouseRaw(row, formula));
}

export interface ItemStock {
  ItemCode: string;
  /** Non-inventory items have no stock to push. */
  InventoryItem?: B1YesNo | null;
  ItemWarehouseInfoCollection: B1ItemWarehouseInfo[];
}

export interface DesiredLevel {
  itemCode: string;
  inventoryItemId: string;
  locationId: string;
  available: number;
}

export interface DesiredLevelsResult {
  levels: DesiredLevel[];
  /** Items with no Shopify inventory item (not pushed as products yet, or SKU unknown). */
  unmatched: string[];
  /** Non-inventory items, skipped on purpose. */
  notTracked: string[];
}

/**
 * Desired `available` per (inventory item, location): every mapped location gets a value, the
 * sum of the formula over the warehouses that feed it (a warehouse the item has no row for
 * counts 0), less the location's `deductions` (levelKey → units Shopify has sold or reserved
 * that B1 does not account for), floored at 0 after subtracting. Warehouses not mapped to any
 * location are not pushed anywhere.
 */
export function desiredLevels(
  items: readonly ItemStock[],
  inventoryItemIdByItemCode: ReadonlyMap<string, string>,
  config: MappingConfig,
  deductions: ReadonlyMap<string, number> = new Map(),
): DesiredLevelsResult {
  const levels: DesiredLevel[] = [];
  const unmatched: string[] = [];
  const notTracked: string[] = [];
  for (const item of items) {
    if (item.InventoryItem === 'tNO') {
      notTracked.push(item.ItemCode);
      continue;
    }
    const inventoryItemId = inventoryItemIdByItemCode.get(item.ItemCode);
    if (inventoryItemId === undefined) {
      unmatched.push(item.ItemCode);
      continue;
    }
    const byWarehouse = new Map<string, number>();
    for (const row of item.ItemWarehouseInfoCollection) {
      byWarehouse.set(row.WarehouseCode, (byWarehouse.get(row.WarehouseCode) ?? 0) + warehouseRaw(row, config.inventory.formula));
    }
    for (const loc of config.locations) {
      // Summed before flooring: orders over-committed in one warehouse are served from its
      // siblings' stock, so they reduce what the location can still sell (no overselling).
      const sum = loc.warehouses.reduce((s, wh) => s + (byWarehouse.get(wh) ?? 0), 0);
      const less = Math.max(0, deductions.get(levelKey(inventoryItemId, loc.locationId)) ?? 0);
      levels.push({ itemCode: item.ItemCode, inventoryItemId, locationId: loc.locationId, available: toAvailable(sum - less) });
    }
  }
  return { levels, unmatched, notTracked };
}

export function levelKey(inventoryItemId: string, locationId: string): string {
  return `${inventoryItemId}|${locationId}`;
}

export interface InventoryDiff {
  /** Rows to write, in a stable order (by inventory item, then location). */
  changes: (ShopifyInventoryQuantityInput & { itemCode: string })[];
  /** Item/location pairs not stocked yet: inventoryActivate before setting quantities. */
  toActivate: { inventoryItemId: string; locationId: string; itemCode: string }[];
  unchanged: number;
}

/**
 * Compares desired levels with Shopify's current `available` (key levelKey → quantity; a missing
 * key means the item is not stocked at that location). Unchanged rows are dropped. A pair that is
 * not stocked is listed for activation; after activation its quantity is 0, so it also gets a
 * set row when the desired value is not 0 (with changeFromQuantity 0).
 *
 * Every row carries the value it was computed against as `changeFromQuantity`, whatever
 * `inventory.compareQuantity` says: the desired value already deducts the orders Shopify had
 * when it was read, so writing it over a later sale would sell those units again.
 */
export function diffInventory(
  desired: readonly DesiredLevel[],
  current: ReadonlyMap<string, number>,
  // Kept for callers: the diff no longer depends on the config (compare-and-set is always on).
  _config?: MappingConfig,
): InventoryDiff {
  const changes: InventoryDiff['changes'] = [];
  const toActivate: InventoryDiff['toActivate'] = [];
  let unchangedCount = 0;
  const sorted = [...desired].sort((a, b) =>
    a.inventoryItemId === b.inventoryItemId
      ? a.locationId < b.locationId
        ? -1
        : a.locationId > b.locationId
          ? 1
          : 0
      : a.inventoryItemId < b.inventoryItemId
        ? -1
        : 1,
  );
  for (const d of sorted) {
    const cur = current.get(levelKey(d.inventoryItemId, d.locationId));
    if (cur === undefined) toActivate.push({ inventoryItemId: d.inventoryItemId, locationId: d.locationId, itemCode: d.itemCode });
    const base = cur ?? 0;
    if (base === d.available) {
      if (cur !== undefined) unchangedCount++;
      continue;
    }
    changes.push({
      itemCode: d.itemCode,
      inventoryItemId: d.inventoryItemId,
      locationId: d.locationId,
      quantity: d.available,
      changeFromQuantity: base,
    });
  }
  return { changes, toActivate, unchanged: unchangedCount };
}

/** Splits rows into consecutive batches of at most `size` (default 250, Shopify's input cap). */
export function chunk<T>(rows: readonly T[], size: number = INVENTORY_BATCH_SIZE): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Idempotency key for one inventorySetQuantities batch: a UUID (the form Shopify's guide asks
 * for) derived from the run id, the batch index and the batch's rows. A retry of the same batch
 * gets the same key, so Shopify applies it once; if a retried activity recomputed a different
 * batch (some rows already applied), the key differs too, so Shopify never answers
 * IDEMPOTENCY_KEY_PARAMETER_MISMATCH for a legitimately different request.
 */
export function inventoryIdempotencyKey(runId: string, batchIndex: number, rows?: readonly ShopifyInventoryQuantityInput[]): string {
  const content = rows ? rows.map((r) => [r.inventoryItemId, r.locationId, r.quantity, r.changeFromQuantity]) : null;
  return deterministicUuid(stableStringify(['inventorySetQuantities', runId, batchIndex, content]));
}

/** `InventorySetQuantitiesInput` for one batch (the `itemCode` bookkeeping field stripped). */
export function inventorySetInput(
  rows: readonly ShopifyInventoryQuantityInput[],
  config: MappingConfig,
  referenceDocumentUri?: string,
): { name: 'available'; reason: string; referenceDocumentUri?: string; quantities: ShopifyInventoryQuantityInput[] } {
  const input: { name: 'available'; reason: string; referenceDocumentUri?: string; quantities: ShopifyInventoryQuantityInput[] } = {
    name: 'available',
    reason: config.inventory.reason,
    quantities: rows.map((r) => ({
      inventoryItemId: r.inventoryItemId,
      locationId: r.locationId,
      quantity: r.quantity,
      changeFromQuantity: r.changeFromQuantity,
    })),
  };
  if (referenceDocumentUri !== undefined) input.referenceDocumentUri = referenceDocumentUri;
  return input;
}

// ───────────────────────── Shopify units B1 does not account for ─────────────────────────

/** One Shopify order's units of one item at one location. */
export interface ShopifyOrderUnits {
  /** Still to ship: `remainingQuantity` of its open fulfillment orders there (Shopify's `committed`). */
  unfulfilled: number;
  /** Already shipped according to Shopify: `totalQuantity − remainingQuantity` of its fulfillment orders there. */
  fulfilled: number;
}

/** The same order's units of the item in B1, over the warehouses feeding the location. */
export interface B1OrderUnits {
  /** Open quantity of open lines of open, uncancelled sales orders: what B1 holds in `Committed`. */
  open: number;
  /** `Quantity − RemainingOpenQuantity` of the lines of uncancelled sales orders: gone from `InStock`. */
  delivered: number;
}

/**
 * Units of one Shopify order (item, location) that B1's `InStock − Committed` does not account
 * for, so the push must deduct them:
 *
 *   uncovered = max(0, unfulfilled − open − max(0, delivered − fulfilled))
 *
 * Shopify still has to ship `unfulfilled`. B1 holds `open` of them in `Committed`; of the units B1
 * has delivered, those Shopify has not fulfilled yet (`delivered − fulfilled`) are part of
 * `unfulfilled` too and have already left `InStock`. The rest is sold in Shopify and in B1's
 * sellable stock: a sale not imported (no sales order: open = delivered = 0), a quantity raised
 * or a line added in Shopify after the import, a line or order closed or removed by hand in B1
 * (not in `Committed` any more). Fractions (units of measure) are kept; the formula floors last.
 */
export function uncoveredUnits(shopify: ShopifyOrderUnits, b1: B1OrderUnits | undefined): number {
  const open = Math.max(0, b1?.open ?? 0);
  const shippedByB1Only = Math.max(0, (b1?.delivered ?? 0) - Math.max(0, shopify.fulfilled));
  return Math.max(0, shopify.unfulfilled - open - shippedByB1Only);
}

/** A sales-order line as read for the rule: only the fields it needs. */
export interface B1OrderLineFacts {
  ItemCode?: unknown;
  WarehouseCode?: unknown;
  Quantity?: unknown;
  RemainingOpenQuantity?: unknown;
  LineStatus?: unknown;
}

/**
 * B1's units of one item over some warehouses, summed over the sales orders carrying one Shopify
 * order id. A cancelled order counts nothing (B1 released it, and a cancelled order delivered
 * nothing that counts: at worst the units are deducted, an undersell). Lines of a closed order
 * or closed lines are not in `Committed`; what was delivered on them stays delivered.
 */
export function b1OrderUnits(
  orders: readonly { Cancelled?: unknown; DocumentStatus?: unknown; DocumentLines?: readonly B1OrderLineFacts[] | null }[],
  itemCode: string,
  warehouses: readonly string[],
): B1OrderUnits {
  let open = 0;
  let delivered = 0;
  for (const o of orders) {
    if (o.Cancelled === 'tYES') continue;
    const docOpen = o.DocumentStatus === 'bost_Open';
    for (const l of o.DocumentLines ?? []) {
      if (l.ItemCode !== itemCode || typeof l.WarehouseCode !== 'string' || !warehouses.includes(l.WarehouseCode)) continue;
      const qty = typeof l.Quantity === 'number' ? l.Quantity : 0;
      // A missing RemainingOpenQuantity is read as nothing delivered (never too much delivered).
      const remaining = typeof l.RemainingOpenQuantity === 'number' ? Math.min(qty, Math.max(0, l.RemainingOpenQuantity)) : qty;
      delivered += qty - remaining;
      if (docOpen && l.LineStatus === 'bost_Open') open += remaining;
    }
  }
  return { open, delivered };
}
