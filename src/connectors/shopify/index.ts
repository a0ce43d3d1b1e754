export {
  ShopifyClient,
  updatedSinceQuery,
  searchValue,
  DEFAULT_OVERLAP_MS,
  MAX_INVENTORY_ROWS,
  MAX_METAFIELDS_PER_CALL,
  MAX_PAGE_SIZE,
  type DeltaPageArgs,
  type InventorySetOptions,
  type CustomIdSpec,
  type CostSnapshot,
} from './client';
export { shopifyConfigFromEnv, SHOPIFY_API_VERSION, type ShopifyClientConfig, type ShopifyAuthConfig } from './config';
export { Secret } from './secret';
export {
  ShopifyExecutor,
  CostBucketModel,
  type CallOptions,
  type CallResult,
  type ExecutorOptions,
  type ExecutorEvent,
  type ExecutorStats,
  type QueryCost,
  type ThrottleStatus,
} from './executor';
export { createShopFetch, type ShopFetch } from './transport';
export * from './errors';
export * from './types';
export {
  reassembleBulk,
  runBulkQuery,
  runBulkMutation,
  startBulkQuery,
  cancelBulkOperation,
  downloadJsonl,
  ShopifyBulkOperationError,
  type BulkOperation,
  type BulkNode,
  type BulkMutationLine,
  type BulkPollOptions,
} from './bulk';
export { gql, registeredDocuments, type GqlDocument } from './gql';
