/**
 * Helpers for the inventory pipeline tests: what B1's stock says a location should show, and
 * what the Shopify simulator's state holds, read from the simulators' own state (not through
 * the code under test).
 */
import type { B1Sim, ShopifySim } from '../support/hub-fixture';
import type { MappingConfig } from '../../src/mapping/config';

type Row = { WarehouseCode: string; InStock?: number; Committed?: number; Ordered?: number };

export function b1Rows(b1: B1Sim, itemCode: string): Row[] {
  const item = b1.state.get('Items', itemCode) as { ItemWarehouseInfoCollection?: Row[] } | undefined;
  if (!item) throw new Error(`no B1 item ${itemCode}`);
  return item.ItemWarehouseInfoCollection ?? [];
}

/** Default formula: Σ over the location's warehouses of (InStock − Committed), floored at 0 after summing. */
export function expectedAvailable(b1: B1Sim, itemCode: string, warehouses: readonly string[]): number {
  const sum = b1Rows(b1, itemCode)
    .filter((r) => warehouses.includes(r.WarehouseCode))
    .reduce((s, r) => s + (r.InStock ?? 0) - (r.Committed ?? 0), 0);
  return Math.max(0, Math.floor(sum + 1e-9));
}

export function locationNumber(locationGid: string): number {
  const m = /\/Location\/(\d+)$/.exec(locationGid);
  if (!m) throw new Error(`not a location gid: ${locationGid}`);
  return Number(m[1]);
}

/** Shopify's `available` for the SKU at the location, or null when not stocked there. */
export function shopifyAvailable(shop: ShopifySim, sku: string, locationGid: string): number | null {
  const [variant, ...more] = shop.state.variantsBySku(sku);
  if (!variant || more.length) throw new Error(`expected exactly one variant with SKU ${sku}`);
  const item = shop.state.inventoryItem(variant.inventoryItemId);
  const level = item?.levels[locationNumber(locationGid)];
  return level ? (level.quantities.available ?? 0) : null;
}

/** Every applied inventorySetQuantities creates one adjustment group (one entry in the merchant's history). */
export function adjustmentGroups(shop: ShopifySim): number {
  return Object.keys(shop.state.data.adjustmentGroups).length;
}

/** Asserts-ready list of mismatches between B1's expectation and Shopify for the given items. */
export function mismatches(b1: B1Sim, shop: ShopifySim, mapping: MappingConfig, itemCodes: readonly string[]): string[] {
  const out: string[] = [];
  for (const code of itemCodes) {
    for (const loc of mapping.locations) {
      const want = expectedAvailable(b1, code, loc.warehouses);
      const have = shopifyAvailable(shop, code, loc.locationId);
      if (want !== have) out.push(`${code}@${loc.locationId}: want ${want}, have ${have}`);
    }
  }
  return out;
}
