// Which pipeline serves which object; the sync activities dispatch on the input's object.
import type { SyncObject } from '../shared/sync-object';
import type { Pipeline } from './contract';
import { customerPipeline } from './customer';
import { deliveryPipeline } from './delivery';
import { inventoryPipeline } from './inventory';
import { orderPipeline } from './order';
import { productPipeline, shopifyProductPipeline } from './product';

export const PIPELINES: Record<SyncObject, Pipeline> = {
  customer: customerPipeline,
  product: productPipeline,
  'shopify-product': shopifyProductPipeline,
  order: orderPipeline,
  inventory: inventoryPipeline,
  delivery: deliveryPipeline,
};
