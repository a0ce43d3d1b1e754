/**
 * `delivery` — B1 → Shopify: B1 deliveries of synced Shopify orders become Shopify fulfillments
 * with tracking (README "Deliveries → fulfillments"; src/pipelines/delivery/README.md).
 *
 * fetch (fetch.ts): deliveries changed since the watermark (UpdateDate/UpdateTime, read start of
 *   the window, 2-minute overlap), or the requested DocEntries; only those based on a sales
 *   order (or reserve invoice) carrying a Shopify order id.
 * map: the record as read; the plan needs Shopify's fulfillment orders as they are when posting,
 *   so it is made there by the pure mapping/fulfillment.ts.
 * post (post.ts): one delivery at a time, exactly once per delivery and fulfillment order.
 *
 * With `mapping.fulfillment.direction: 'shopifyToB1'` (off by default) the object runs the other
 * way instead (from-shopify.ts): fulfillments made in Shopify become B1 deliveries.
 */
import { poisoned } from '../kit/fetch-poison';
import { concernsOneRecord } from '../../shared/error-policy';
import type { Pipeline } from '../contract';
import { fetchDeliveryPage } from './fetch';
import { fetchFulfilledOrders, postShopifyOrder, type ShopifyOrderRecord } from './from-shopify';
import { postDelivery } from './post';
import type { DeliveryRecord } from './types';

type DeliverySource = DeliveryRecord | ShopifyOrderRecord;

export const deliveryPipeline: Pipeline<DeliverySource, DeliverySource> = {
  object: 'delivery',
  // One direction per shop (mapping.fulfillment.direction), never both.
  fetch: (deps, input) =>
    deps.mapping.fulfillment.direction === 'shopifyToB1' ? fetchFulfilledOrders(deps, input) : fetchDeliveryPage(deps, input),
  map: async (_deps, input) =>
    input.records.map((r) => ({ id: r.id, ...(r.label !== undefined ? { label: r.label } : {}), ok: true as const, payload: r.data })),
  post: async (deps, input) => {
    const out = [];
    // One at a time: each delivery reads the order's current fulfillment orders before it writes.
    for (const r of input.records) {
      try {
        const p = r.payload;
        out.push(
          'shopifyOrder' in p ? await postShopifyOrder(deps, { id: r.id, payload: p }) : await postDelivery(deps, { id: r.id, payload: p }),
        );
      } catch (e) {
        if (!concernsOneRecord(e)) throw e;
        out.push(poisoned('delivery', r, 'posting', e));
      }
    }
    return out;
  },
};

export type { DeliveryRecord } from './types';
export { fulfillmentKey } from './post';
