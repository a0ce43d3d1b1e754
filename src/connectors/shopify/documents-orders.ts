/** Order documents: an order with its lines, shipping lines and line locations, per request and in bulk. Page sizes are variables so the executor can halve them on MAX_COST_EXCEEDED. */
import { bulkQuery, gql } from './gql';
import { MAILING_ADDRESS } from './documents-customers';

export const MONEY = gql`
  fragment MoneyBagFields on MoneyBag {
    shopMoney {
      amount
      currencyCode
    }
  }
`;

/**
 * The newest order change Shopify shows now: a time on Shopify's own clock no later than the
 * moment a read that follows begins (an order watermark is capped by it).
 */
export const NEWEST_ORDER = gql<'NewestOrder'>`
  query NewestOrder {
    orders(first: 1, sortKey: UPDATED_AT, reverse: true) {
      nodes {
        updatedAt
      }
    }
  }
`;

export const TAX_LINE_FIELDS = gql`
  fragment TaxLineFields on TaxLine {
    title
    rate
    priceSet {
      ...MoneyBagFields
    }
  }
  ${MONEY}
`;

/** Where a fulfillment order ships from: the location of each line it holds. */
export const FULFILLMENT_ORDER_LOCATION = gql`
  fragment FulfillmentOrderLocation on FulfillmentOrder {
    assignedLocation {
      location {
        id
      }
    }
  }
`;

/**
 * Order reads carry exactly what src/mapping (ShopifyOrder, ShopifyLineItem) and the pipeline's
 * watermark read. Scalars cost nothing; every object (a MoneyBag and its shopMoney are two) costs
 * a point per order or per line, so objects the mapping never reads are not requested.
 */
export const LINE_ITEM_FIELDS = gql`
  fragment LineItemFields on LineItem {
    id
    sku
    name
    quantity
    currentQuantity
    taxable
    isGiftCard
    originalUnitPriceSet {
      ...MoneyBagFields
    }
    discountedUnitPriceAfterAllDiscountsSet {
      ...MoneyBagFields
    }
    taxLines {
      ...TaxLineFields
    }
  }
  ${MONEY}
  ${TAX_LINE_FIELDS}
`;

export const SHIPPING_LINE_FIELDS = gql`
  fragment ShippingLineFields on ShippingLine {
    title
    code
    isRemoved
    currentDiscountedPriceSet {
      ...MoneyBagFields
    }
    taxLines {
      ...TaxLineFields
    }
  }
  ${MONEY}
  ${TAX_LINE_FIELDS}
`;

export const ORDER_FIELDS = gql`
  fragment OrderFields on Order {
    id
    name
    email
    test
    createdAt
    updatedAt
    processedAt
    cancelledAt
    cancelReason
    currencyCode
    taxesIncluded
    displayFinancialStatus
    customer {
      id
    }
    retailLocation {
      id
    }
    currentTotalTaxSet {
      ...MoneyBagFields
    }
    shippingAddress {
      ...MailingAddressFields
    }
    billingAddress {
      ...MailingAddressFields
    }
  }
  ${MONEY}
  ${MAILING_ADDRESS}
`;

/**
 * An order with its first pages of lines, shipping lines and fulfillment orders (the location of
 * each line). Page sizes are variables: the client sizes them for the usual order and reads the
 * rest of a long order separately (pageInfo tells which).
 */
export const ORDER_WITH_LINES = gql`
  fragment OrderWithLines on Order {
    ...OrderFields
    lineItems(first: $lineItemsFirst) {
      nodes {
        ...LineItemFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    shippingLines(first: $shippingLinesFirst, includeRemovals: true) {
      nodes {
        ...ShippingLineFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    fulfillmentOrders(first: $fulfillmentOrdersFirst) {
      nodes {
        ...FulfillmentOrderLocation
        lineItems(first: $lineItemsFirst) {
          nodes {
            lineItem {
              id
            }
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
  ${ORDER_FIELDS}
  ${LINE_ITEM_FIELDS}
  ${SHIPPING_LINE_FIELDS}
  ${FULFILLMENT_ORDER_LOCATION}
`;

export const ORDERS_PAGE = gql<'OrdersPage'>`
  query OrdersPage(
    $first: Int!
    $after: String
    $query: String
    $lineItemsFirst: Int!
    $shippingLinesFirst: Int!
    $fulfillmentOrdersFirst: Int!
  ) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        ...OrderWithLines
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${ORDER_WITH_LINES}
`;

export const ORDERS_BY_IDS = gql<'OrdersByIds'>`
  query OrdersByIds($ids: [ID!]!, $lineItemsFirst: Int!, $shippingLinesFirst: Int!, $fulfillmentOrdersFirst: Int!) {
    nodes(ids: $ids) {
      ... on Order {
        ...OrderWithLines
      }
    }
  }
  ${ORDER_WITH_LINES}
`;

export const ORDER_LINE_ITEMS_PAGE = gql<'OrderLineItemsPage'>`
  query OrderLineItemsPage($id: ID!, $first: Int!, $after: String) {
    order(id: $id) {
      lineItems(first: $first, after: $after) {
        nodes {
          ...LineItemFields
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
  ${LINE_ITEM_FIELDS}
`;

export const ORDER_SHIPPING_LINES_PAGE = gql<'OrderShippingLinesPage'>`
  query OrderShippingLinesPage($id: ID!, $first: Int!, $after: String) {
    order(id: $id) {
      shippingLines(first: $first, after: $after, includeRemovals: true) {
        nodes {
          ...ShippingLineFields
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
  ${SHIPPING_LINE_FIELDS}
`;

/** Where each line item is to be fulfilled from: the location of its fulfillment order. */
export const ORDER_LINE_LOCATIONS = gql<'OrderLineLocations'>`
  query OrderLineLocations($ids: [ID!]!, $fulfillmentOrdersFirst: Int!, $linesFirst: Int!) {
    nodes(ids: $ids) {
      ... on Order {
        id
        fulfillmentOrders(first: $fulfillmentOrdersFirst) {
          nodes {
            ...FulfillmentOrderLocation
            lineItems(first: $linesFirst) {
              nodes {
                lineItem {
                  id
                }
              }
            }
          }
        }
      }
    }
  }
  ${FULFILLMENT_ORDER_LOCATION}
`;

/**
 * Bulk export of orders for runs with many pages: the fields of OrderWithLines (the same
 * fragments), with every line, shipping line and fulfillment order (a bulk query has no page
 * sizes and costs no query points); bulkQuery inlines the fragments, as a bulk query is one plain
 * query. The search filter is added by orders-bulk.ts (a bulk query has no variables). Five
 * connections, nested two deep: Shopify's limits for bulk queries.
 */
export const BULK_EXPORT_ORDERS = bulkQuery(gql<'BulkExportOrders'>`
  query BulkExportOrders {
    orders(sortKey: UPDATED_AT) {
      edges {
        node {
          ...OrderFields
          lineItems {
            edges {
              node {
                ...LineItemFields
              }
            }
          }
          shippingLines(includeRemovals: true) {
            edges {
              node {
                id
                ...ShippingLineFields
              }
            }
          }
          fulfillmentOrders {
            edges {
              node {
                id
                ...FulfillmentOrderLocation
                lineItems {
                  edges {
                    node {
                      id
                      lineItem {
                        id
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
  }
  ${ORDER_FIELDS}
  ${LINE_ITEM_FIELDS}
  ${SHIPPING_LINE_FIELDS}
  ${FULFILLMENT_ORDER_LOCATION}
`);
