/** Product and variant documents. Page sizes are variables so the executor can halve them on MAX_COST_EXCEEDED. */
import { gql } from './gql';

export const VARIANT_FIELDS = gql`
  fragment VariantFields on ProductVariant {
    id
    sku
    barcode
    title
    price
    taxable
    updatedAt
    product {
      id
      title
      handle
      status
    }
    inventoryItem {
      id
      tracked
    }
  }
`;

export const VARIANTS_SEARCH = gql<'VariantsSearch'>`
  query VariantsSearch($first: Int!, $after: String, $query: String!) {
    productVariants(first: $first, after: $after, query: $query) {
      nodes {
        ...VariantFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${VARIANT_FIELDS}
`;

export const PRODUCT_FIELDS = gql`
  fragment ProductFields on Product {
    id
    title
    handle
    status
    vendor
    productType
    tags
    createdAt
    updatedAt
  }
`;

export const PRODUCT_VARIANT_ROW = gql`
  fragment ProductVariantRow on ProductVariant {
    id
    title
    sku
    barcode
    price
    taxable
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
`;

export const PRODUCTS_PAGE = gql<'ProductsPage'>`
  query ProductsPage($first: Int!, $after: String, $query: String, $variantsFirst: Int!, $idNamespace: String!, $idKey: String!) {
    products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        ...ProductFields
        customId: metafield(namespace: $idNamespace, key: $idKey) {
          value
        }
        variants(first: $variantsFirst) {
          nodes {
            ...ProductVariantRow
          }
          pageInfo {
            hasNextPage
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${PRODUCT_FIELDS}
  ${PRODUCT_VARIANT_ROW}
`;

export const PRODUCT_BY_CUSTOM_ID = gql<'ProductByCustomId'>`
  query ProductByCustomId($identifier: ProductIdentifierInput!, $variantsFirst: Int!) {
    productByIdentifier(identifier: $identifier) {
      ...ProductFields
      variants(first: $variantsFirst) {
        nodes {
          ...ProductVariantRow
        }
        pageInfo {
          hasNextPage
        }
      }
    }
  }
  ${PRODUCT_FIELDS}
  ${PRODUCT_VARIANT_ROW}
`;

export const PRODUCT_SET = gql<'ProductSet'>`
  mutation ProductSet($identifier: ProductSetIdentifiers, $input: ProductSetInput!, $synchronous: Boolean!) {
    productSet(identifier: $identifier, input: $input, synchronous: $synchronous) {
      product {
        id
        handle
        updatedAt
        variants(first: 100) {
          nodes {
            id
            sku
            inventoryItem {
              id
            }
          }
        }
      }
      productSetOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Bulk export of the catalogue (initial load / reconciliation); run via bulkOperationRunQuery. */
export const BULK_EXPORT_PRODUCTS = gql<'BulkExportProducts'>`
  query BulkExportProducts {
    products {
      edges {
        node {
          id
          title
          handle
          status
          updatedAt
          variants {
            edges {
              node {
                id
                sku
                barcode
                price
                inventoryItem {
                  id
                  tracked
                }
              }
            }
          }
        }
      }
    }
  }
`;
