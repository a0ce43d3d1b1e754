import { bulkQuery, gql } from './gql';

// Every document the hub sends to Shopify. Page sizes are variables so the executor can halve
// them on MAX_COST_EXCEEDED; nothing else is ever spliced into a document.

export const MAILING_ADDRESS = gql`
  fragment MailingAddressFields on MailingAddress {
    id
    firstName
    lastName
    company
    address1
    address2
    city
    provinceCode
    zip
    countryCodeV2
    phone
  }
`;

export const MONEY = gql`
  fragment MoneyBagFields on MoneyBag {
    shopMoney {
      amount
      currencyCode
    }
  }
`;

/** A customer without its addresses connection: shared by the per-request reads and the bulk export. */
export const CUSTOMER_CORE = gql`
  fragment CustomerCore on Customer {
    id
    legacyResourceId
    firstName
    lastName
    displayName
    note
    tags
    state
    taxExempt
    locale
    createdAt
    updatedAt
    defaultEmailAddress {
      emailAddress
      marketingState
    }
    defaultPhoneNumber {
      phoneNumber
    }
    defaultAddress {
      ...MailingAddressFields
    }
  }
  ${MAILING_ADDRESS}
`;

export const CUSTOMER_FIELDS = gql`
  fragment CustomerFields on Customer {
    ...CustomerCore
    addressesV2(first: $addressesFirst) {
      nodes {
        ...MailingAddressFields
      }
    }
  }
  ${CUSTOMER_CORE}
  ${MAILING_ADDRESS}
`;

export const SHOP_INFO = gql`
  query ShopInfo {
    shop {
      name
      myshopifyDomain
      currencyCode
    }
  }
`;

/** The scopes granted to the app's token (`b1hub init` checks them). */
export const ACCESS_SCOPES = gql`
  query HubAccessScopes {
    currentAppInstallation {
      accessScopes {
        handle
      }
    }
  }
`;

/**
 * The newest order change Shopify shows now: a time on Shopify's own clock no later than the
 * moment a read that follows begins (an order watermark is capped by it).
 */
export const NEWEST_ORDER = gql`
  query NewestOrder {
    orders(first: 1, sortKey: UPDATED_AT, reverse: true) {
      nodes {
        updatedAt
      }
    }
  }
`;

export const LOCATIONS_PAGE = gql`
  query LocationsPage($first: Int!, $after: String, $includeInactive: Boolean) {
    locations(first: $first, after: $after, includeInactive: $includeInactive, includeLegacy: false, sortKey: ID) {
      nodes {
        id
        name
        isActive
        fulfillsOnlineOrders
        address {
          city
          countryCode
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const CUSTOMERS_PAGE = gql`
  query CustomersPage($first: Int!, $after: String, $query: String, $addressesFirst: Int!) {
    customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        ...CustomerFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${CUSTOMER_FIELDS}
`;

export const CUSTOMERS_BY_IDS = gql`
  query CustomersByIds($ids: [ID!]!, $addressesFirst: Int!) {
    nodes(ids: $ids) {
      ... on Customer {
        ...CustomerFields
      }
    }
  }
  ${CUSTOMER_FIELDS}
`;

/*
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
      title
      rate
      priceSet {
        ...MoneyBagFields
      }
    }
  }
  ${MONEY}
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
      title
      rate
      priceSet {
        ...MoneyBagFields
      }
    }
  }
  ${MONEY}
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
        assignedLocation {
          location {
            id
          }
        }
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
`;

export const ORDERS_PAGE = gql`
  query OrdersPage($first: Int!, $after: String, $query: String, $lineItemsFirst: Int!, $shippingLinesFirst: Int!, $fulfillmentOrdersFirst: Int!) {
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

export const ORDERS_BY_IDS = gql`
  query OrdersByIds($ids: [ID!]!, $lineItemsFirst: Int!, $shippingLinesFirst: Int!, $fulfillmentOrdersFirst: Int!) {
    nodes(ids: $ids) {
      ... on Order {
        ...OrderWithLines
      }
    }
  }
  ${ORDER_WITH_LINES}
`;

export const ORDER_LINE_ITEMS_PAGE = gql`
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

export const ORDER_SHIPPING_LINES_PAGE = gql`
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
export const ORDER_LINE_LOCATIONS = gql`
  query OrderLineLocations($ids: [ID!]!, $fulfillmentOrdersFirst: Int!, $linesFirst: Int!) {
    nodes(ids: $ids) {
      ... on Order {
        id
        fulfillmentOrders(first: $fulfillmentOrdersFirst) {
          nodes {
            assignedLocation {
              location {
                id
              }
            }
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
`;

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

export const VARIANTS_SEARCH = gql`
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

export const INVENTORY_LEVELS_BY_ITEMS = gql`
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

export const PRODUCTS_PAGE = gql`
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

export const PRODUCT_BY_CUSTOM_ID = gql`
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

export const CUSTOMER_BY_IDENTIFIER = gql`
  query CustomerByIdentifier($identifier: CustomerIdentifierInput!, $addressesFirst: Int!) {
    customerByIdentifier(identifier: $identifier) {
      ...CustomerFields
    }
  }
  ${CUSTOMER_FIELDS}
`;

export const PRODUCT_SET = gql`
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

export const INVENTORY_SET_QUANTITIES = gql`
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
export const INVENTORY_OPEN_ORDERS = gql`
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
export const INVENTORY_ORDER_REMAINING = gql`
  query InventoryOrderRemaining($id: ID!, $fulfillmentOrdersFirst: Int!, $linesFirst: Int!) {
    order(id: $id) {
      id
      name
      ...OpenFulfillmentFields
    }
  }
  ${OPEN_FULFILLMENT_FIELDS}
`;

export const INVENTORY_ACTIVATE = gql`
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

export const METAFIELDS_SET = gql`
  mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        id
        namespace
        key
        value
        owner {
          ... on Node {
            id
          }
        }
      }
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;

export const METAFIELD_DEFINITION_LOOKUP = gql`
  query MetafieldDefinitionLookup($ownerType: MetafieldOwnerType!, $namespace: String!, $key: String!) {
    metafieldDefinitions(first: 1, ownerType: $ownerType, namespace: $namespace, key: $key) {
      nodes {
        id
        namespace
        key
        type {
          name
        }
      }
    }
  }
`;

export const METAFIELD_DEFINITION_CREATE = gql`
  mutation MetafieldDefinitionCreate($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition {
        id
        namespace
        key
        type {
          name
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

export const BULK_OPERATION_FIELDS = gql`
  fragment BulkOperationFields on BulkOperation {
    id
    type
    status
    errorCode
    createdAt
    completedAt
    objectCount
    rootObjectCount
    fileSize
    url
    partialDataUrl
  }
`;

export const BULK_RUN_QUERY = gql`
  mutation BulkRunQuery($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: false) {
      bulkOperation {
        ...BulkOperationFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
  ${BULK_OPERATION_FIELDS}
`;

export const BULK_RUN_MUTATION = gql`
  mutation BulkRunMutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
    bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) {
      bulkOperation {
        ...BulkOperationFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
  ${BULK_OPERATION_FIELDS}
`;

export const BULK_OPERATION_STATUS = gql`
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      ...BulkOperationFields
    }
  }
  ${BULK_OPERATION_FIELDS}
`;

export const BULK_OPERATION_CANCEL = gql`
  mutation BulkOperationCancel($id: ID!) {
    bulkOperationCancel(id: $id) {
      bulkOperation {
        ...BulkOperationFields
      }
      userErrors {
        field
        message
      }
    }
  }
  ${BULK_OPERATION_FIELDS}
`;

export const STAGED_UPLOADS_CREATE = gql`
  mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets {
        url
        resourceUrl
        parameters {
          name
          value
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Bulk export of the catalogue (initial load / reconciliation); run via bulkOperationRunQuery. */
export const BULK_EXPORT_PRODUCTS = gql`
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

/** Bulk export of inventory levels per item and location. */
export const BULK_EXPORT_INVENTORY = gql`
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
export const BULK_EXPORT_OPEN_ORDERS = gql`
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

/**
 * Bulk export of orders for runs with many pages: the fields of OrderWithLines (the same
 * fragments), with every line, shipping line and fulfillment order (a bulk query has no page
 * sizes and costs no query points); bulkQuery inlines the fragments, as a bulk query is one plain
 * query. The search filter is added by orders-bulk.ts (a bulk query has no variables). Five
 * connections, nested two deep: Shopify's limits for bulk queries.
 */
export const BULK_EXPORT_ORDERS = bulkQuery(gql`
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
                assignedLocation {
                  location {
                    id
                  }
                }
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
`);
