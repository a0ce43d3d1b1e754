/**
 * Product reads beyond the client's page and custom-id reads: the Shopify → B1 scan, variants by
 * GID, and the light SKU lookup of an initial load. Documents and their parsing live together;
 * callers get plain typed rows.
 */
import { gql } from './gql';
import { PRODUCT_VARIANT_ROW } from './documents';
import type { ShopifyExecutor } from './executor';
import type { ShopifyProductVariant } from './types';
import { isNodeOf } from './mappers';

/** Variants by GID with their product: resync of a Shopify → B1 variant that failed. */
export const VARIANTS_BY_IDS = gql<'ProductVariantsByIds'>`
  query ProductVariantsByIds($ids: [ID!]!, $idNamespace: String!, $idKey: String!) {
    nodes(ids: $ids) {
      ... on ProductVariant {
        ...ProductVariantRow
        product {
          id
          title
          customId: metafield(namespace: $idNamespace, key: $idKey) {
            value
          }
        }
      }
    }
  }
  ${PRODUCT_VARIANT_ROW}
`;

/**
 * The Shopify → B1 scan: variant ids and SKUs only (about one query point per variant, 250 per
 * call), so looking through a whole shop stays cheap; the few variants whose SKU has no B1 item
 * are then read in full with VARIANTS_BY_IDS. Variants cannot be sorted by update time, so the
 * scan pages by id, and its watermark cannot be the newest updatedAt it saw (a later page's
 * newer edit would claim an earlier page's edit made during the scan). On its first page
 * (`withStart`) the same request reads the newest product updatedAt: a time on Shopify's clock
 * before the scan read anything, so every write the scan may have missed is at least as new
 * (a variant write bumps its product; a write that does not is still stamped after that time).
 * ~1 query point more, once per run, and no extra request.
 */
export const VARIANTS_SCAN = gql<'ProductVariantsScan'>`
  query ProductVariantsScan($first: Int!, $after: String, $query: String, $withStart: Boolean!) {
    productVariants(first: $first, after: $after, query: $query, sortKey: ID) {
      nodes {
        id
        sku
        updatedAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    newest: products(first: 1, sortKey: UPDATED_AT, reverse: true) @include(if: $withStart) {
      nodes {
        updatedAt
      }
    }
  }
`;

/**
 * Which products hold these SKUs, with just what an initial load needs to decide between create
 * and adopt (product id, custom id, variant count): cheaper than the full product read, which is
 * then made only for products already linked to an item (their fields are compared).
 */
export const VARIANTS_BY_SKU_LIGHT = gql<'ProductVariantsBySkuLight'>`
  query ProductVariantsBySkuLight($first: Int!, $after: String, $query: String!, $idNamespace: String!, $idKey: String!) {
    productVariants(first: $first, after: $after, query: $query) {
      nodes {
        id
        sku
        product {
          id
          customId: metafield(namespace: $idNamespace, key: $idKey) {
            value
          }
          variantsCount {
            count
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export interface IdField {
  namespace: string;
  key: string;
}

/** A variant with its product; `customId` is the product's cross-reference code, if any. */
export type VariantWithProduct = ShopifyProductVariant & { product: { id: string; title: string; customId: string | null } };

/** Variants by GID, in the order asked; null where Shopify has no such variant. */
export async function readVariantsByIds(
  exec: ShopifyExecutor,
  idField: IdField,
  ids: readonly string[],
): Promise<(VariantWithProduct | null)[]> {
  if (!ids.length) return [];
  const { data } = await exec.call(VARIANTS_BY_IDS, { ids: [...ids], idNamespace: idField.namespace, idKey: idField.key });
  return data.nodes.map((n) =>
    isNodeOf(n) ? { ...n, product: { id: n.product.id, title: n.product.title, customId: n.product.customId?.value ?? null } } : null,
  );
}

export interface VariantScanPage {
  variants: { id: string; sku: string | null; updatedAt: string }[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** With `withStart`: the newest product updatedAt (Shopify's clock) before the scan read anything. */
  newestProductUpdatedAt?: string;
}

/** One page of the variant scan (by id); the page size is halved when the query costs too much. */
export async function scanVariants(
  exec: ShopifyExecutor,
  args: { first: number; after: string | null; query: string | null; withStart: boolean },
): Promise<VariantScanPage> {
  const { data } = await exec.call(VARIANTS_SCAN, args, { shrink: ['first'] });
  const newest = data.newest?.nodes[0]?.updatedAt || undefined;
  return {
    variants: data.productVariants.nodes,
    hasNextPage: data.productVariants.pageInfo.hasNextPage,
    endCursor: data.productVariants.pageInfo.endCursor,
    ...(newest ? { newestProductUpdatedAt: newest } : {}),
  };
}

/** A variant holding a SKU, with what decides create or adopt. */
export interface SkuHolder {
  variantId: string;
  sku: string | null;
  productId: string;
  customId: string | null;
  variantCount: number;
}

/** One page of the light SKU lookup (`query` is a search such as `sku:'A' OR sku:'B'`). */
export async function variantsBySkuLight(
  exec: ShopifyExecutor,
  idField: IdField,
  args: { first: number; after: string | null; query: string },
): Promise<{ holders: SkuHolder[]; hasNextPage: boolean; endCursor: string | null }> {
  const { data } = await exec.call(VARIANTS_BY_SKU_LIGHT, { ...args, idNamespace: idField.namespace, idKey: idField.key });
  const pi = data.productVariants.pageInfo;
  return {
    holders: data.productVariants.nodes.map((v) => ({
      variantId: v.id,
      sku: v.sku,
      productId: v.product.id,
      customId: v.product.customId?.value ?? null,
      variantCount: v.product.variantsCount?.count ?? 1,
    })),
    hasNextPage: pi.hasNextPage,
    endCursor: pi.endCursor,
  };
}
