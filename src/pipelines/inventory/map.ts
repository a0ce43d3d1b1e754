/**
 * Map (pure): desired `available` per mapped location by the configured formula, several
 * warehouses summed into one location, less the units of Shopify orders B1 does not have yet and
 * Shopify's reservations, diffed against Shopify's current values. An item whose
 * levels all match is `unchanged` and never reaches post, so an unchanged value is never
 * rewritten (each write would add an entry to the merchant's inventory history).
 */
import type { MappingConfig } from '../../mapping/config';
import { desiredLevels, diffInventory, levelKey } from '../../mapping/inventory';
import { failed, skipped, unchanged } from '../../mapping/outcome';
import type { MappedRecord, SourceRecord } from '../contract';
import type { InventoryPayload, InventorySource } from './types';

const hasStock = (w: { InStock?: number | null; Committed?: number | null; Ordered?: number | null }): boolean =>
  (w.InStock ?? 0) !== 0 || (w.Committed ?? 0) !== 0 || (w.Ordered ?? 0) !== 0;

export function mapInventoryRecord(rec: SourceRecord<InventorySource>, config: MappingConfig): MappedRecord<InventoryPayload> {
  const code = rec.id;
  const base = { id: code, label: rec.label ?? code };
  const d = rec.data;
  if (!d.inventoryItem) return { ...base, ok: false, outcome: skipped('inventory', code, 'non-inventory-item') };

  const matches = d.shopify ?? [];
  if (matches.length === 0) {
    return {
      ...base,
      ok: false,
      outcome: failed('inventory', code, `item ${code}: no Shopify variant has SKU ${code} (push the product first)`, 'ItemCode'),
    };
  }
  if (matches.length > 1) {
    const ids = matches.map((m) => m.inventoryItemId).join(', ');
    return {
      ...base,
      ok: false,
      outcome: failed(
        'inventory',
        code,
        `item ${code}: SKU ${code} is on ${matches.length} Shopify variants (${ids}); stock cannot be assigned to one`,
        'ItemCode',
      ),
    };
  }
  const match = matches[0]!;
  if (!match.tracked) return { ...base, ok: false, outcome: skipped('inventory', code, 'shopify-inventory-not-tracked') };

  // Stock only in warehouses no location reads would silently show as 0 in Shopify: name the setting instead.
  const mapped = new Set(config.locations.flatMap((l) => l.warehouses));
  const stocked = d.warehouses.filter(hasStock);
  if (stocked.length > 0 && !stocked.some((w) => mapped.has(w.WarehouseCode))) {
    const whs = [...new Set(stocked.map((w) => `'${w.WarehouseCode}'`))].join(', ');
    return {
      ...base,
      ok: false,
      outcome: failed(
        'inventory',
        code,
        `item ${code}: its stock is in warehouse ${whs}, which no Shopify location is mapped to (setting locations[].warehouses)`,
        'locations',
      ),
    };
  }

  // Units Shopify sold that B1 has no sales order for yet, and units Shopify holds outside orders.
  const deductions = new Map<string, number>();
  for (const loc of config.locations) {
    const less = (d.pending?.[loc.locationId] ?? 0) + (match.reserved?.[loc.locationId] ?? 0);
    if (less > 0) deductions.set(levelKey(match.inventoryItemId, loc.locationId), less);
  }
  const { levels } = desiredLevels(
    [{ ItemCode: code, ItemWarehouseInfoCollection: d.warehouses }],
    new Map([[code, match.inventoryItemId]]),
    config,
    deductions,
  );
  const current = new Map<string, number>();
  for (const [loc, q] of Object.entries(match.available)) if (q !== null) current.set(levelKey(match.inventoryItemId, loc), q);
  const diff = diffInventory(levels, current, config);
  if (diff.changes.length === 0 && diff.toActivate.length === 0) {
    return { ...base, ok: false, outcome: unchanged('inventory', code, match.inventoryItemId) };
  }
  return {
    ...base,
    ok: true,
    payload: {
      inventoryItemId: match.inventoryItemId,
      activate: diff.toActivate.map((a) => a.locationId),
      rows: diff.changes.map((c) => ({ locationId: c.locationId, quantity: c.quantity, changeFromQuantity: c.changeFromQuantity })),
    },
  };
}

export function mapInventoryPage(
  records: readonly SourceRecord<InventorySource>[],
  config: MappingConfig,
): MappedRecord<InventoryPayload>[] {
  return records.map((r) => mapInventoryRecord(r, config));
}
