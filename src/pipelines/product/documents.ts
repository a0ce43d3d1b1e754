/**
 * GraphQL the product pipeline sends beyond the client's typed calls (validated against the
 * 2026-07 schema in test/pipelines/product-units.test.ts).
 */
import { gql } from '../../connectors/shopify/gql';
import { PRODUCT_VARIANT_ROW } from '../../connectors/shopify/documents';

/** Variants by GID with their product: resync of a Shopify → B1 variant that failed. */
export const VARIANTS_BY_IDS = gql`
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
 * scan pages by id and the run keeps the newest updatedAt it saw.
 */
export const VARIANTS_SCAN = gql`
  query ProductVariantsScan($first: Int!, $after: String, $query: String) {
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
  }
`;

/**
 * Which products hold these SKUs, with just what an initial load needs to decide between create
 * and adopt (product id, custom id, variant count): cheaper than the full product read, which is
 * then made only for products already linked to an item (their fields are compared).
 */
export const VARIANTS_BY_SKU_LIGHT = gql`
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
