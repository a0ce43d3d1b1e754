/** Product writes' variables and the SKU → variants search. */
import { chunk } from './chunk';
import { VARIANTS_SEARCH } from './documents';
import type { ShopifyExecutor } from './executor';
import { searchValue } from './search';
import type { ProductUpsert, ShopifyVariant } from './types';

type PageInfo = { hasNextPage: boolean; endCursor: string | null };

export interface CustomIdSpec {
  namespace: string;
  key: string;
}

/** Variants per SKU. SKU is not unique in Shopify: a SKU can map to several variants. */
export async function variantsBySkus(exec: ShopifyExecutor, skus: string[]): Promise<Map<string, ShopifyVariant[]>> {
  const result = new Map<string, ShopifyVariant[]>(skus.map((s) => [s, []]));
  for (const batch of chunk([...new Set(skus)], 40)) {
    const query = batch.map((s) => `sku:${searchValue(s)}`).join(' OR ');
    let after: string | null = null;
    let first = 100;
    for (;;) {
      const res: { data: { productVariants: { nodes: ShopifyVariant[]; pageInfo: PageInfo } }; variables: Record<string, unknown> } =
        await exec.call(VARIANTS_SEARCH, { first, after, query }, { shrink: ['first'] });
      first = res.variables.first as number;
      for (const v of res.data.productVariants.nodes) if (v.sku != null && result.has(v.sku)) result.get(v.sku)?.push(v);
      if (!res.data.productVariants.pageInfo.hasNextPage) break;
      after = res.data.productVariants.pageInfo.endCursor;
    }
  }
  return result;
}

/**
 * Builds productSet variables for a single-variant B1 item. `existingVariantId` keeps the
 * variant (and its inventory item and stock) instead of replacing it.
 */
export function productSetVariables(idField: CustomIdSpec, p: ProductUpsert, existingVariantId: string | null): Record<string, unknown> {
  const variant: Record<string, unknown> = {
    optionValues: [{ optionName: 'Title', name: 'Default Title' }],
    sku: p.sku,
    barcode: p.barcode ?? null,
    price: p.price,
    compareAtPrice: p.compareAtPrice ?? null,
    taxable: p.taxable,
    inventoryItem: { tracked: p.tracked, ...(p.weight ? { measurement: { weight: { value: p.weight.value, unit: p.weight.unit } } } : {}) },
  };
  if (existingVariantId) variant.id = existingVariantId;
  else if (p.initialQuantities?.length)
    variant.inventoryQuantities = p.initialQuantities.map((q) => ({ locationId: q.locationId, name: 'available', quantity: q.available }));
  const input: Record<string, unknown> = {
    title: p.title,
    status: p.status,
    productOptions: [{ name: 'Title', values: [{ name: 'Default Title' }] }],
    variants: [variant],
    metafields: [{ namespace: idField.namespace, key: idField.key, type: 'id', value: p.customId }],
  };
  if (p.vendor !== undefined) input.vendor = p.vendor;
  if (p.productType !== undefined) input.productType = p.productType;
  if (p.descriptionHtml !== undefined) input.descriptionHtml = p.descriptionHtml;
  if (p.tags !== undefined) input.tags = p.tags;
  return { identifier: { customId: { ...idField, value: p.customId } }, input, synchronous: true };
}
