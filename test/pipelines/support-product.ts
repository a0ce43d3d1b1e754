/** Helpers for the product pipeline tests: Shopify-side facts read from the simulator's state. */
import type { HubFixture } from '../support/hub-fixture';
import { PRODUCT_SET } from '../../src/connectors/shopify/documents';

/**
 * The demo company prices in '$' (its local currency code), which is the shop's USD: the
 * company setting product.shopCurrencyAliases says so. Set before any worker starts.
 */
export function useDemoCurrency(fx: HubFixture): void {
  fx.config.mapping.product.shopCurrencyAliases = ['$'];
}

/** Distinct product ids holding a variant with this SKU. */
export function productIdsBySku(fx: HubFixture, sku: string): string[] {
  return [...new Set(fx.shopifySim.state.variantsBySku(sku).map((v) => `gid://shopify/Product/${v.productId}`))];
}

/** updatedAt of every product, by id: equal snapshots mean no product was written. */
export function productStamps(fx: HubFixture): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of Object.values(fx.shopifySim.state.data.products)) {
    const variants = p.variantIds.map((v) => fx.shopifySim.state.variant(v)?.updatedAt ?? '').join(',');
    out.set(String(p.id), `${p.updatedAt}|${variants}`);
  }
  return out;
}

/** B1 requests that write (everything but GET and the session calls). */
export function b1Writes(fx: HubFixture, fromIndex: number): string[] {
  return fx.b1Sim.faults.log.slice(fromIndex).filter((l) => !l.startsWith('GET ') && !/\/(Login|Logout)\b/.test(l));
}

/** Creates a product in Shopify the way a merchant would (no hub custom id), over the Admin API. */
export async function createShopifyProduct(fx: HubFixture, p: { title: string; sku: string; price: string; tracked: boolean; weightKg?: number }): Promise<string> {
  const vars = fx.deps.shopify.productSetVariables(
    { customId: 'unused', title: p.title, sku: p.sku, price: p.price, tracked: p.tracked, taxable: true, status: 'ACTIVE', weight: p.weightKg ? { unit: 'KILOGRAMS', value: p.weightKg } : null },
    null,
  );
  delete vars.identifier;
  (vars.input as Record<string, unknown>).metafields = [];
  const { data } = await fx.deps.shopify.executor.call<{ productSet: { product: { id: string } | null; userErrors: unknown[] } }>(PRODUCT_SET, vars);
  if (!data.productSet.product) throw new Error(`productSet failed: ${JSON.stringify(data.productSet.userErrors)}`);
  return data.productSet.product.id;
}
