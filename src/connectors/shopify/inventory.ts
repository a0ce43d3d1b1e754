/** Inventory levels and quantity writes (inventorySetQuantities, inventoryActivate). */
import { chunk } from './chunk';
import { INVENTORY_ACTIVATE, INVENTORY_LEVELS_BY_ITEMS, INVENTORY_SET_QUANTITIES } from './documents';
import { payloadOf } from './errors';
import type { ShopifyExecutor } from './executor';
import { isNodeOf } from './mappers';
import type { InventoryChange, InventoryQuantityRow, ShopifyInventoryLevel, WriteResult } from './types';

export const MAX_INVENTORY_ROWS = 250;
const MAX_PAGE_SIZE = 250;

export interface InventorySetOptions {
  name?: 'available' | 'on_hand';
  reason?: string;
  /** e.g. gid://b1hub/SyncJob/<workflow id>; shows in the merchant's inventory history. */
  referenceDocumentUri?: string;
  /** Reuse the same key when retrying the same batch (e.g. derived from the workflow/activity id). */
  idempotencyKey: string;
  /**
   * When every failure is ITEM_NOT_STOCKED_AT_LOCATION: activate those item/location pairs and
   * resend once under `<key>:activated` (the failed call changed nothing: the mutation is atomic).
   */
  activateMissing?: boolean;
}

/**
 * Available/on_hand/committed per item and location. Batches are sized from the number of
 * locations so each query stays well under the 1000-point limit.
 */
export async function inventoryLevels(
  exec: ShopifyExecutor,
  locationCount: number,
  inventoryItemIds: string[],
  locationIds?: string[],
): Promise<ShopifyInventoryLevel[]> {
  const locs = locationCount;
  const levelsFirst = Math.min(MAX_PAGE_SIZE, Math.max(1, locs));
  // Per item: 1 (item) + 2 + levelsFirst × (1 level + 1 location + 1 quantities list).
  const perItem = 3 + 3 * levelsFirst;
  const batchSize = Math.max(1, Math.min(100, Math.floor(900 / perItem)));
  const wanted = locationIds ? new Set(locationIds) : null;
  const out: ShopifyInventoryLevel[] = [];
  for (const batch of chunk([...new Set(inventoryItemIds)], batchSize)) {
    const { data } = await exec.call(INVENTORY_LEVELS_BY_ITEMS, { ids: batch, levelsFirst });
    for (const item of data.nodes) {
      if (!isNodeOf(item)) continue;
      for (const lvl of item.inventoryLevels.nodes) {
        if (wanted && !wanted.has(lvl.location.id)) continue;
        const q = (n: string) => lvl.quantities.find((x) => x.name === n);
        out.push({
          inventoryItemId: item.id,
          sku: item.sku,
          tracked: item.tracked,
          locationId: lvl.location.id,
          available: q('available')?.quantity ?? 0,
          onHand: q('on_hand')?.quantity ?? 0,
          committed: q('committed')?.quantity ?? 0,
          updatedAt: q('available')?.updatedAt ?? null,
        });
      }
    }
  }
  return out;
}

/**
 * One inventorySetQuantities call (≤250 rows) under an @idempotent key, with changeFromQuantity
 * on every row as 2026-04+ requires. Retried on transport failures because the key makes it
 * safe; a retry with the same key replays Shopify's first result.
 */
export async function setInventoryQuantities(
  exec: ShopifyExecutor,
  rows: InventoryQuantityRow[],
  opts: InventorySetOptions,
): Promise<WriteResult<{ groupId: string | null; changes: InventoryChange[] }>> {
  if (rows.length === 0) return { ok: true, value: { groupId: null, changes: [] } };
  if (rows.length > MAX_INVENTORY_ROWS)
    throw new RangeError(
      `setInventoryQuantities: ${rows.length} rows exceed Shopify's input limit of ${MAX_INVENTORY_ROWS}; use setInventoryQuantitiesBatched`,
    );
  const input = {
    name: opts.name ?? 'available',
    reason: opts.reason ?? 'correction',
    referenceDocumentUri: opts.referenceDocumentUri ?? null,
    quantities: rows.map((r) => ({
      inventoryItemId: r.inventoryItemId,
      locationId: r.locationId,
      quantity: r.quantity,
      changeFromQuantity: r.changeFromQuantity,
    })),
  };
  const { data } = await exec.call(INVENTORY_SET_QUANTITIES, { input, idempotencyKey: opts.idempotencyKey }, { idempotent: true });
  const r = payloadOf('inventorySetQuantities', data.inventorySetQuantities);
  if (r.userErrors.length) {
    if (opts.activateMissing && r.userErrors.every((e) => e.code === 'ITEM_NOT_STOCKED_AT_LOCATION')) {
      for (const e of r.userErrors) {
        const row = rows[Number(e.field?.[2])];
        if (!row) return { ok: false, userErrors: r.userErrors };
        const act = await activateInventory(exec, row.inventoryItemId, row.locationId);
        if (!act.ok) return act;
      }
      return setInventoryQuantities(exec, rows, { ...opts, activateMissing: false, idempotencyKey: `${opts.idempotencyKey}:activated` });
    }
    return { ok: false, userErrors: r.userErrors };
  }
  const g = r.inventoryAdjustmentGroup;
  return {
    ok: true,
    value: {
      groupId: g?.id ?? null,
      changes: (g?.changes ?? []).map((c) => ({
        name: c.name,
        delta: c.delta,
        quantityAfterChange: c.quantityAfterChange,
        inventoryItemId: c.item?.id ?? null,
        locationId: c.location?.id ?? null,
      })),
    },
  };
}

/**
 * Splits rows into calls of ≤250 with keys `<idempotencyKey>:<batch index>`, so a retried run
 * with the same key and rows replays instead of applying twice. Results are per batch.
 */
export async function setInventoryQuantitiesBatched(
  exec: ShopifyExecutor,
  rows: InventoryQuantityRow[],
  opts: InventorySetOptions,
): Promise<{ rows: InventoryQuantityRow[]; result: WriteResult<{ groupId: string | null; changes: InventoryChange[] }> }[]> {
  const out = [];
  for (const [i, batch] of chunk(rows, MAX_INVENTORY_ROWS).entries()) {
    out.push({
      rows: batch,
      result: await setInventoryQuantities(exec, batch, { ...opts, idempotencyKey: `${opts.idempotencyKey}:${i}` }),
    });
  }
  return out;
}

/** Stocks an item at a location (needed before setting quantities there). Idempotent in effect. */
export async function activateInventory(
  exec: ShopifyExecutor,
  inventoryItemId: string,
  locationId: string,
  available?: number,
): Promise<WriteResult<{ inventoryLevelId: string }>> {
  const { data } = await exec.call(
    INVENTORY_ACTIVATE,
    { inventoryItemId, locationId, available: available ?? null },
    { idempotent: available == null },
  );
  const r = payloadOf('inventoryActivate', data.inventoryActivate);
  // Its errors are plain UserErrors (no code): the hub's carry code null.
  if (r.userErrors.length || !r.inventoryLevel) return { ok: false, userErrors: r.userErrors.map((e) => ({ ...e, code: null })) };
  return { ok: true, value: { inventoryLevelId: r.inventoryLevel.id } };
}
