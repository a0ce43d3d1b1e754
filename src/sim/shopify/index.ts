export { startShopifySimulator, DEFAULT_ACCESS_TOKEN, DEFAULT_SEED, type ShopifySimulator, type ShopifySimulatorOptions } from './server';
export { generateShopifySeed, type ShopifySeedOptions } from './seed';
export { loadShopifySchema, shopifySchemaPath, SHOPIFY_SCHEMA_VERSION, ShopifySchemaMissingError } from './schema';
export { PLANS, type PlanLimits, type PlanName } from './bucket';
export { FaultInjector, type FaultRule } from './faults';
export { signWebhook, WebhookEmitter, type WebhookOptions, type WebhookDelivery } from './webhooks';
export type { OrderInput, ShopData } from './state';
