/** Shop, scopes, locations, metafields and bulk-operation documents. Page sizes are variables so the executor can halve them on MAX_COST_EXCEEDED. */
import { gql } from './gql';

export const SHOP_INFO = gql<'ShopInfo'>`
  query ShopInfo {
    shop {
      name
      myshopifyDomain
      currencyCode
    }
  }
`;

/** The scopes granted to the app's token (`b1hub init` checks them). */
export const ACCESS_SCOPES = gql<'HubAccessScopes'>`
  query HubAccessScopes {
    currentAppInstallation {
      accessScopes {
        handle
      }
    }
  }
`;

export const LOCATIONS_PAGE = gql<'LocationsPage'>`
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

export const METAFIELDS_SET = gql<'MetafieldsSet'>`
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

/** A definition as the lookup and the create answer it: `b1hub init` compares its type. */
const METAFIELD_DEFINITION_FIELDS = gql`
  fragment MetafieldDefinitionFields on MetafieldDefinition {
    id
    namespace
    key
    type {
      name
    }
  }
`;

export const METAFIELD_DEFINITION_LOOKUP = gql<'MetafieldDefinitionLookup'>`
  query MetafieldDefinitionLookup($ownerType: MetafieldOwnerType!, $namespace: String!, $key: String!) {
    metafieldDefinitions(first: 1, ownerType: $ownerType, namespace: $namespace, key: $key) {
      nodes {
        ...MetafieldDefinitionFields
      }
    }
  }
  ${METAFIELD_DEFINITION_FIELDS}
`;

export const METAFIELD_DEFINITION_CREATE = gql<'MetafieldDefinitionCreate'>`
  mutation MetafieldDefinitionCreate($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition {
        ...MetafieldDefinitionFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
  ${METAFIELD_DEFINITION_FIELDS}
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

export const BULK_RUN_QUERY = gql<'BulkRunQuery'>`
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

export const BULK_RUN_MUTATION = gql<'BulkRunMutation'>`
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

export const BULK_OPERATION_STATUS = gql<'BulkOperationStatus'>`
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      ...BulkOperationFields
    }
  }
  ${BULK_OPERATION_FIELDS}
`;

export const BULK_OPERATION_CANCEL = gql<'BulkOperationCancel'>`
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

export const STAGED_UPLOADS_CREATE = gql<'StagedUploadsCreate'>`
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
