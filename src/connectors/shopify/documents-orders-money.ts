/**
 * The money of orders (transactions, refunds, the current total, the fulfillment status) for the
 * order-to-cash stages, read apart from the order itself: a shop that books no money in B1 never
 * pays for these objects, and the order page keeps its cost. Sizes are variables: the usual order
 * (a few transactions, a refund or two) is read many to a call, and the rare longer one again on
 * its own with larger sizes (orders-money.ts).
 */
import { gql } from './gql';

export const TRANSACTION_FIELDS = gql`
  fragment TransactionFields on OrderTransaction {
    id
    kind
    status
    gateway
    manualPaymentGateway
    test
    createdAt
    processedAt
    amountSet {
      shopMoney {
        amount
        currencyCode
      }
    }
    parentTransaction {
      id
    }
  }
`;

/** A refund with its lines, refunded shipping, adjustments and transactions (sizes from the caller). */
export const REFUND_FIELDS = gql`
  fragment RefundFields on Refund {
    id
    createdAt
    note
    refundLineItems(first: $refundLinesFirst) {
      nodes {
        quantity
        restockType
        lineItem {
          id
          sku
        }
        subtotalSet {
          shopMoney {
            amount
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
    refundShippingLines(first: $refundPartsFirst) {
      nodes {
        subtotalAmountSet {
          shopMoney {
            amount
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
    orderAdjustments(first: $refundPartsFirst) {
      nodes {
        amountSet {
          shopMoney {
            amount
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
    transactions(first: $refundPartsFirst) {
      nodes {
        ...TransactionFields
      }
      pageInfo {
        hasNextPage
      }
    }
  }
  ${TRANSACTION_FIELDS}
`;

export const ORDER_MONEY_HEADER = gql`
  fragment OrderMoneyHeader on Order {
    id
    displayFulfillmentStatus
    currentTotalPriceSet {
      shopMoney {
        amount
        currencyCode
      }
    }
  }
`;

/** Many orders' money at the usual sizes; an order with more is read again (the two below). */
export const ORDERS_MONEY = gql<'OrdersMoney'>`
  query OrdersMoney($ids: [ID!]!, $transactionsFirst: Int!, $refundsFirst: Int!, $refundLinesFirst: Int!, $refundPartsFirst: Int!) {
    nodes(ids: $ids) {
      ... on Order {
        ...OrderMoneyHeader
        transactions(first: $transactionsFirst) {
          ...TransactionFields
        }
        refunds(first: $refundsFirst) {
          ...RefundFields
        }
      }
    }
  }
  ${ORDER_MONEY_HEADER}
  ${REFUND_FIELDS}
`;

/** A long order: every transaction and the ids of its refunds (read in full by REFUNDS_BY_IDS). */
export const ORDER_MONEY_LONG = gql<'OrderMoneyLong'>`
  query OrderMoneyLong($id: ID!, $transactionsFirst: Int!, $refundsFirst: Int!) {
    order(id: $id) {
      ...OrderMoneyHeader
      transactions(first: $transactionsFirst) {
        ...TransactionFields
      }
      refunds(first: $refundsFirst) {
        id
      }
    }
  }
  ${ORDER_MONEY_HEADER}
  ${TRANSACTION_FIELDS}
`;

export const REFUNDS_BY_IDS = gql<'RefundsByIds'>`
  query RefundsByIds($ids: [ID!]!, $refundLinesFirst: Int!, $refundPartsFirst: Int!) {
    nodes(ids: $ids) {
      ... on Refund {
        ...RefundFields
      }
    }
  }
  ${REFUND_FIELDS}
`;

/** The order a transaction or refund belongs to: a failed payment or refund is retried by its own id. */
export const MONEY_SOURCE_ORDERS = gql<'MoneySourceOrders'>`
  query MoneySourceOrders($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on OrderTransaction {
        id
        transactionOrder: order {
          id
        }
      }
      ... on Refund {
        id
        refundOrder: order {
          id
        }
      }
    }
  }
`;
