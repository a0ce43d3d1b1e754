/**
 * Unchanged detection: the desired single-variant product against what Shopify holds, field by
 * field over exactly the fields B1 owns (README "which system owns which field"). Equal means no
 * write at all, so a no-change run adds nothing to the product's history in Shopify.
 */
import type { ProductUpsert, ShopifyProduct } from '../../connectors/shopify/types';

function sameMoney(a: string, b: string): boolean {
  return Number(a) === Number(b);
}

function sameWeight(want: ProductUpsert['weight'], have: { unit: string; value: number } | null | undefined): boolean {
  const w = want && want.value > 0 ? want : null;
  const h = have && have.value > 0 ? have : null;
  if (!w || !h) return !w && !h;
  return w.unit === h.unit && Math.abs(w.value - h.value) < 1e-9;
}

/** What the compare reads of a product: a per-request read or the run's export (snapshot.ts). */
export type ComparedProduct = Pick<ShopifyProduct, 'customId' | 'title' | 'status' | 'variants' | 'moreVariants'>;

/** The first B1-owned field that differs, or undefined when the product is up to date. */
export function firstDifference(want: ProductUpsert, have: ComparedProduct): string | undefined {
  if (have.customId !== want.customId) return 'customId';
  if (have.title !== want.title) return 'title';
  if (have.status !== want.status) return 'status';
  if (have.variants.length !== 1 || have.moreVariants) return 'variants';
  const v = have.variants[0];
  if (!v) return 'variants';
  if (v.sku !== want.sku) return 'sku';
  if ((v.barcode ?? null) !== (want.barcode ?? null)) return 'barcode';
  if (!sameMoney(v.price, want.price)) return 'price';
  if (v.taxable !== want.taxable) return 'taxable';
  if (v.inventoryItem.tracked !== want.tracked) return 'tracked';
  if (!sameWeight(want.weight, v.inventoryItem.measurement.weight)) return 'weight';
  return undefined;
}
