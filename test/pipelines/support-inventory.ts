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

/**
 * The documented formula, from the simulators' own state: Σ over the location's warehouses of
 * (InStock − Committed), less the unfulfilled units of open Shopify orders B1 has no uncancelled
 * sales order for and Shopify's `reserved` at the location, floored at 0. Without `shop`, B1 alone.
 */
export function expectedAvailable(b1: B1Sim, itemCode: string, warehouses: readonly string[], shop?: ShopifySim, locationGid?: string): number {
  const sum = b1Rows(b1, itemCode)
    .filter((r) => warehouses.includes(r.WarehouseCode))
    .reduce((s, r) => s + (r.InStock ?? 0) - (r.Committed ?? 0), 0);
  const less = shop && locationGid ? pendingInShopify(b1, shop, itemCode, locationGid) + shopifyQuantity(shop, itemCode, locationGid, 'reserved') : 0;
  return Math.max(0, Math.floor(sum - less + 1e-9));
}

/** Units of open, unfulfilled Shopify orders for the SKU at the location that B1 has no (uncancelled) sales order for. */
export function pendingInShopify(b1: B1Sim, shop: ShopifySim, sku: string, locationGid: string): number {
  const inB1 = new Set(
    [...b1.state.store('Orders').values()].filter((o) => o.Cancelled !== 'tYES').map((o) => String(o.U_ShopifyId)),
  );
  const loc = locationNumber(locationGid);
  let units = 0;
  for (const o of Object.values(shop.state.data.orders)) {
    if (o.cancelledAt || o.closedAt || o.fulfillmentStatus === 'FULFILLED' || inB1.has(`gid://shopify/Order/${o.id}`)) continue;
    for (const l of o.lineItems) if (l.sku === sku && l.locationId === loc) units += l.currentQuantity;
  }
  return units;
}

export function shopifyQuantity(shop: ShopifySim, sku: string, locationGid: string, name: string): number {
  const [variant] = shop.state.variantsBySku(sku);
  const level = variant ? shop.state.inventoryItem(variant.inventoryItemId)?.levels[locationNumber(locationGid)] : undefined;
  return level?.quantities[name] ?? 0;
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
      const want = expectedAvailable(b1, code, loc.warehouses, shop, loc.locationId);
      const have = shopifyAvailable(shop, code, loc.locationId);
      if (want !== have) out.push(`${code}@${loc.locationId}: want ${want}, have ${have}`);
    }
  }
  return out;
}
