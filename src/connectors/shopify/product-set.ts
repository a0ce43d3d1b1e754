/**
 * productSet results, parsed in one place for the per-request and the bulk import paths: the
 * product, its (single) variant and inventory item, or the userErrors naming the refused field.
 */
import type { BulkMutationLine } from './bulk';
import type { ProductSetMutation } from './generated/operations';
import type { ProductUpsertResult, WriteResult } from './types';

/** What PRODUCT_SET answers, per request and per line of a bulk import. */
export type ProductSetPayload = ProductSetMutation;

export function productSetResult(r: ProductSetPayload['productSet'] | undefined): WriteResult<ProductUpsertResult> {
  if (!r) return { ok: false, userErrors: [{ field: null, message: 'no productSet result', code: null }] };
  if (r.userErrors.length || !r.product)
    return {
      ok: false,
      userErrors: r.userErrors.length ? r.userErrors : [{ field: null, message: 'productSet returned no product', code: null }],
    };
  const v = r.product.variants.nodes[0];
  if (!v)
    return { ok: false, userErrors: [{ field: ['variants'], message: 'productSet returned a product without variants', code: null }] };
  return {
    ok: true,
    value: {
      productId: r.product.id,
      variantId: v.id,
      inventoryItemId: v.inventoryItem.id,
      handle: r.product.handle,
      updatedAt: r.product.updatedAt,
    },
  };
}

/** One line of a bulk productSet import: a top-level GraphQL error fails that input only. */
export function productSetLineResult(line: BulkMutationLine<unknown> | undefined): WriteResult<ProductUpsertResult> {
  if (line?.errors?.length) return { ok: false, userErrors: line.errors.map((e) => ({ field: null, message: e.message, code: null })) };
  return productSetResult((line?.data as ProductSetPayload | null | undefined)?.productSet);
}
