/**
 * GraphQL the product pipeline sends beyond the client's typed calls (validated against the
 * 2026-07 schema in test/pipelines/product-units.test.ts).
 */
import { gql, type GqlDocument } from '../../connectors/shopify/gql';
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
 * scan pages by id, and its watermark cannot be the newest updatedAt it saw (a later page's
 * newer edit would claim an earlier page's edit made during the scan). On its first page
 * (`withStart`) the same request reads the newest product updatedAt: a time on Shopify's clock
 * before the scan read anything, so every write the scan may have missed is at least as new
 * (a variant write bumps its product; a write that does not is still stamped after that time).
 * ~1 query point more, once per run, and no extra request.
 */
export const VARIANTS_SCAN = gql`
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

/**
 * Bulk export of Shopify's product state for multi-page full runs (snapshot.ts): every product
 * with its custom id and every variant with the fields the compare reads, plus what the
 * Shopify → B1 scan needs (variant updatedAt, title). A bulk query takes no variables, so the
 * custom id's namespace and key are written into the text (productStateExport); the literals
 * here are the defaults the schema test validates.
 */
export const PRODUCT_STATE_EXPORT = gql`
  query ProductStateExport {
    products {
      edges {
        node {
          id
          title
          status
          customId: metafield(namespace: "b1hub", key: "item_code") {
            value
          }
          variants {
            edges {
              node {
                id
                title
                sku
                barcode
                price
                taxable
                updatedAt
                inventoryItem {
                  id
                  tracked
                  measurement {
                    weight {
                      unit
                      value
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

const DEFAULT_ID_FIELD = 'metafield(namespace: "b1hub", key: "item_code")';

/** PRODUCT_STATE_EXPORT for the configured custom id field (JSON strings are GraphQL string literals). */
export function productStateExport(idField: { namespace: string; key: string }): GqlDocument {
  const field = `metafield(namespace: ${JSON.stringify(idField.namespace)}, key: ${JSON.stringify(idField.key)})`;
  return { ...PRODUCT_STATE_EXPORT, text: PRODUCT_STATE_EXPORT.text.replace(DEFAULT_ID_FIELD, field) };
}
