export {
  startShopifySimulator,
  DEFAULT_ACCESS_TOKEN,
  DEFAULT_SEED,
  DEFAULT_WEBHOOK_SECRET,
  type ShopifySimulator,
  type ShopifySimulatorOptions,
} from './server';
export { generateShopifySeed, type ShopifySeedOptions } from './seed';
export { loadShopifySchema, shopifySchemaPath, SHOPIFY_SCHEMA_VERSION, ShopifySchemaMissingError } from './schema';
export { PLANS, type PlanLimits, type PlanName } from './bucket';
export { FaultInjector, type FaultRule } from './faults';
export {
  signWebhook,
  WebhookEmitter,
  SHOPIFY_RETRY_DELAYS_MS,
  type WebhookOptions,
  type WebhookDelivery,
  type WebhookFaults,
} from './webhooks';
export { TOPIC_REST_NAMES } from './webhook-subscriptions';
export type { OrderInput, ShopData } from './state';
