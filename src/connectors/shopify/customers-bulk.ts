import { gql } from './gql';

/**
 * Bulk export of customers for runs with many pages: the fields of CustomerFields (so a bulk row
 * and a CustomersPage row map to the same ShopifyCustomer), every address as its own JSONL line
 * under its customer. Written without fragments, as bulk queries take one plain query; the
 * search filter is added by bulk.ts (a bulk query has no variables).
 */
export const BULK_EXPORT_CUSTOMERS = gql`
  query BulkExportCustomers {
    customers(sortKey: UPDATED_AT) {
      edges {
        node {
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
          addressesV2 {
            edges {
              node {
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
            }
          }
        }
      }
    }
  }
`;

/**
 * The newest customer change Shopify shows now: read just before a run's first page, its
 * updatedAt is the run's watermark (Shopify's own clock; see paging.ts, sourceNowWatermark).
 */
export const NEWEST_CUSTOMER = gql`
  query NewestCustomer {
    customers(first: 1, sortKey: UPDATED_AT, reverse: true) {
      nodes {
        updatedAt
      }
    }
  }
`;
