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
 * (InStock − Committed), less the units Shopify sold that B1 does not account for (per order,
 * see pendingInShopify) and Shopify's `reserved` at the location, floored at 0. Without `shop`, B1 alone.
 */
export function expectedAvailable(
  b1: B1Sim,
  itemCode: string,
  warehouses: readonly string[],
  shop?: ShopifySim,
  locationGid?: string,
): number {
  const sum = b1Rows(b1, itemCode)
    .filter((r) => warehouses.includes(r.WarehouseCode))
    .reduce((s, r) => s + (r.InStock ?? 0) - (r.Committed ?? 0), 0);
  const less =
    shop && locationGid
      ? pendingInShopify(b1, shop, itemCode, locationGid, warehouses) + shopifyQuantity(shop, itemCode, locationGid, 'reserved')
      : 0;
  return Math.max(0, Math.floor(sum - less + 1e-9));
}

type SimLine = { ItemCode?: string; WarehouseCode?: string; Quantity?: number; RemainingOpenQuantity?: number; LineStatus?: string };

/**
 * Units of open, unfulfilled Shopify orders for the SKU (matched by the line's variant, as Shopify's
 * `committed` counts them) at the location that B1 does not account for, per order: unfulfilled − B1 open (open lines of open, uncancelled sales orders in the
 * location's warehouses) − B1 delivered (the simulated shop fulfils nothing), at least 0.
 * Without `warehouses`, every B1 line of the SKU counts.
 */
export function pendingInShopify(b1: B1Sim, shop: ShopifySim, sku: string, locationGid: string, warehouses?: readonly string[]): number {
  const b1Orders = [...b1.state.store('Orders').values()].filter((o) => o.Cancelled !== 'tYES');
  const loc = locationNumber(locationGid);
  let units = 0;
  for (const o of Object.values(shop.state.data.orders)) {
    if (o.cancelledAt || o.closedAt || o.fulfillmentStatus === 'FULFILLED') continue;
    let unfulfilled = 0;
    for (const l of o.lineItems) if (lineSku(shop, l) === sku && l.locationId === loc) unfulfilled += l.currentQuantity;
    if (unfulfilled <= 0) continue;
    let open = 0;
    let delivered = 0;
    for (const d of b1Orders.filter((x) => x.U_ShopifyId === `gid://shopify/Order/${o.id}`)) {
      for (const l of (d.DocumentLines as SimLine[] | undefined) ?? []) {
        if (l.ItemCode !== sku || (warehouses && !warehouses.includes(String(l.WarehouseCode)))) continue;
        const q = l.Quantity ?? 0;
        const left = l.RemainingOpenQuantity ?? q;
        delivered += q - left;
        if (d.DocumentStatus === 'bost_Open' && l.LineStatus === 'bost_Open') open += left;
      }
    }
    units += Math.max(0, unfulfilled - open - delivered);
  }
  return units;
}

/**
 * The SKU a line's units are counted under in Shopify's `committed`: its variant's (the inventory
 * item's) today, not the SKU the line was sold under (renamed since, or a search index behind).
 */
function lineSku(shop: ShopifySim, l: { variantId: number | null; sku: string | null }): string | null {
  const v = l.variantId != null ? shop.state.variant(l.variantId) : undefined;
  return v ? v.sku : l.sku;
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
