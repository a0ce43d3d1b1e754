import { gql, type GqlDocument } from './gql';

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
