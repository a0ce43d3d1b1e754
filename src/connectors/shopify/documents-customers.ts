/** Customer documents. Page sizes are variables so the executor can halve them on MAX_COST_EXCEEDED. */
import { gql } from './gql';

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

export const CUSTOMERS_PAGE = gql<'CustomersPage'>`
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

export const CUSTOMERS_BY_IDS = gql<'CustomersByIds'>`
  query CustomersByIds($ids: [ID!]!, $addressesFirst: Int!) {
    nodes(ids: $ids) {
      ... on Customer {
        ...CustomerFields
      }
    }
  }
  ${CUSTOMER_FIELDS}
`;

export const CUSTOMER_BY_IDENTIFIER = gql<'CustomerByIdentifier'>`
  query CustomerByIdentifier($identifier: CustomerIdentifierInput!, $addressesFirst: Int!) {
    customerByIdentifier(identifier: $identifier) {
      ...CustomerFields
    }
  }
  ${CUSTOMER_FIELDS}
`;
