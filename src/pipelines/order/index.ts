/**
 * The order pipeline, Shopify → SAP B1 sales orders: fetch orders changed since the watermark
 * (with the B1 facts mapping needs), map them purely (filter, customer, lines, freight, tax,
 * addresses), create each sales order exactly once and mirror later cancellations and quantity
 * edits while the B1 order is open.
 */
import type { Pipeline } from '../contract';
import { fetchOrders } from './fetch';
import { mapOrders } from './map';
import { postOrders } from './post';
import type { OrderPayload, OrderSource } from './types';

export const orderPipeline: Pipeline<OrderSource, OrderPayload> = {
  object: 'order',
  fetch: fetchOrders,
  map: async (deps, input) => mapOrders(deps, input),
  post: postOrders,
};

export type { OrderContext, OrderPayload, OrderSource } from './types';
