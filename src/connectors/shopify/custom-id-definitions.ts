/**
 * The metafield definitions the hub's cross-reference codes live in: `id`-typed, so Shopify keeps
 * each code unique per owner type and productByIdentifier/customerByIdentifier can find it.
 */
import type { ShopifyExecutor } from './executor';
import { ensureMetafieldDefinition } from './metafields';
import type { CustomIdSpec } from './products';

/** Looks up both definitions and creates the missing ones; throws if one exists with another type. */
export async function ensureCustomIdDefinitions(
  executor: ShopifyExecutor,
  productIdField: CustomIdSpec,
  customerIdField: CustomIdSpec,
): Promise<{ product: string; customer: string }> {
  const product = await ensureMetafieldDefinition(executor, {
    ownerType: 'PRODUCT',
    ...productIdField,
    name: 'B1 item code',
    type: 'id',
    description: 'SAP Business One ItemCode (b1-shopify-hub cross-reference)',
  });
  const customer = await ensureMetafieldDefinition(executor, {
    ownerType: 'CUSTOMER',
    ...customerIdField,
    name: 'B1 card code',
    type: 'id',
    description: 'SAP Business One CardCode (b1-shopify-hub cross-reference)',
  });
  return { product, customer };
}
