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
