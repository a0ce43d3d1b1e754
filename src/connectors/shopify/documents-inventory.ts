/** Inventory documents: levels, quantity writes, open orders' remaining units. Page sizes are variables so the executor can halve them on MAX_COST_EXCEEDED. */
import { gql } from './gql';

export const INVENTORY_LEVELS_BY_ITEMS = gql<'InventoryLevelsByItems'>`
  query InventoryLevelsByItems($ids: [ID!]!, $levelsFirst: Int!) {
    nodes(ids: $ids) {
      ... on InventoryItem {
        id
        sku
        tracked
        inventoryLevels(first: $levelsFirst) {
          nodes {
            location {
              id
            }
            quantities(names: ["available", "on_hand", "committed"]) {
              name
              quantity
              updatedAt
            }
          }
        }
      }
    }
  }
`;

export const INVENTORY_SET_QUANTITIES = gql<'InventorySetQuantities'>`
  mutation InventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
      inventoryAdjustmentGroup {
        id
        createdAt
        reason
        referenceDocumentUri
        changes(quantityNames: ["available", "on_hand"]) {
          name
          delta
          quantityAfterChange
          item {
            id
          }
          location {
            id
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** What an open order still holds per location: its fulfillment orders' remaining quantities. */
const OPEN_FULFILLMENT_FIELDS = gql`
  fragment OpenFulfillmentFields on Order {
    fulfillmentOrders(first: $fulfillmentOrdersFirst) {
      nodes {
        status
        assignedLocation {
          location {
            id
          }
        }
        lineItems(first: $linesFirst) {
          nodes {
            remainingQuantity
            totalQuantity
            inventoryItemId
          }
          pageInfo {
            hasNextPage
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`;

/**
 * Open orders carrying some SKUs, with what each still has to ship per location: the units
 * Shopify holds as `committed`. The inventory push deducts those of orders B1 does not have yet.
 * `remainingQuantity` of a fulfillment order line is what is left to fulfil (edits, refunds and
 * fulfilments already taken off); the assigned location is where Shopify committed it.
 */
export const INVENTORY_OPEN_ORDERS = gql<'InventoryOpenOrders'>`
  query InventoryOpenOrders($first: Int!, $after: String, $query: String!, $fulfillmentOrdersFirst: Int!, $linesFirst: Int!) {
    orders(first: $first, after: $after, query: $query) {
      nodes {
        id
        name
        ...OpenFulfillmentFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${OPEN_FULFILLMENT_FIELDS}
`;

/** The same for one order whose fulfillment orders did not fit the page read. */
export const INVENTORY_ORDER_REMAINING = gql<'InventoryOrderRemaining'>`
  query InventoryOrderRemaining($id: ID!, $fulfillmentOrdersFirst: Int!, $linesFirst: Int!) {
    order(id: $id) {
      id
      name
      ...OpenFulfillmentFields
    }
  }
  ${OPEN_FULFILLMENT_FIELDS}
`;

export const INVENTORY_ACTIVATE = gql<'InventoryActivate'>`
  mutation InventoryActivate($inventoryItemId: ID!, $locationId: ID!, $available: Int) {
    inventoryActivate(inventoryItemId: $inventoryItemId, locationId: $locationId, available: $available) {
      inventoryLevel {
        id
        quantities(names: ["available"]) {
          name
          quantity
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Bulk export of inventory levels per item and location. */
export const BULK_EXPORT_INVENTORY = gql<'BulkExportInventory'>`
  query BulkExportInventory {
    inventoryItems {
      edges {
        node {
          id
          sku
          tracked
          inventoryLevels {
            edges {
              node {
                id
                location {
                  id
                }
                quantities(names: ["available", "on_hand", "committed", "reserved"]) {
                  name
                  quantity
                }
              }
            }
          }
        }
      }
    }
  }
`;

/**
 * Bulk export of every open order's remaining units per fulfillment order (location) and
 * inventory item: what Shopify holds as `committed`. A multi-page inventory run reads it once
 * instead of querying orders per page (a bulk query costs no rate-limit points).
 */
export const BULK_EXPORT_OPEN_ORDERS = gql<'BulkExportOpenOrders'>`
  query BulkExportOpenOrders {
    orders(query: "status:open") {
      edges {
        node {
          id
          name
          fulfillmentOrders {
            edges {
              node {
                id
                status
                assignedLocation {
                  location {
                    id
                  }
                }
                lineItems {
                  edges {
                    node {
                      id
                      remainingQuantity
                      totalQuantity
                      inventoryItemId
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
