/**
 * The client's product reads by delta page and by cross-reference code; both read the products'
 * custom id metafield, so they take the client's id field.
 */
import type { ShopifyExecutor } from './executor';
import { PRODUCTS_PAGE, PRODUCT_BY_CUSTOM_ID } from './documents';
import { mapProduct } from './mappers';
import { updatedSinceQuery } from './search';
import type { CustomIdSpec } from './products';
import { MAX_PAGE_SIZE, type DeltaPageArgs } from './read-options';
import type { Page, ShopifyProduct } from './types';

/** One page of products (with variants) changed since the watermark, e.g. for Shopify→B1. */
export async function readProductsPage(
  executor: ShopifyExecutor,
  idField: CustomIdSpec,
  args: DeltaPageArgs & { variantsFirst?: number },
): Promise<Page<ShopifyProduct>> {
  const query = [updatedSinceQuery(args.updatedSince, args.overlapMs), args.query].filter(Boolean).join(' AND ') || null;
  const res = await executor.call(
    PRODUCTS_PAGE,
    {
      first: Math.min(args.first ?? 20, MAX_PAGE_SIZE),
      after: args.after ?? null,
      query,
      variantsFirst: args.variantsFirst ?? 10,
      idNamespace: idField.namespace,
      idKey: idField.key,
    },
    { shrink: ['first', 'variantsFirst'] },
  );
  return {
    items: res.data.products.nodes.map(mapProduct),
    hasNextPage: res.data.products.pageInfo.hasNextPage,
    endCursor: res.data.products.pageInfo.endCursor,
    pageSize: res.variables.first as number,
  };
}

/** The product holding a cross-reference code; `variantsFirst` bounds the variants read (moreVariants tells if there are more). */
export async function readProductByCustomId(
  executor: ShopifyExecutor,
  idField: CustomIdSpec,
  value: string,
  variantsFirst: number,
): Promise<ShopifyProduct | null> {
  const { data } = await executor.call(PRODUCT_BY_CUSTOM_ID, {
    identifier: { customId: { ...idField, value } },
    variantsFirst,
  });
  return data.productByIdentifier ? mapProduct({ ...data.productByIdentifier, customId: { value } }) : null;
}
