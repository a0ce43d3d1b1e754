import type { SyncObject } from '../shared/sync-object';

/**
 * What a delivery asks the hub to do. Payloads are only hints: a sync run re-reads the record
 * from Shopify, so a stale, reordered or partial payload cannot write stale data.
 */
export type WebhookAction =
  /** Coalesced into the object's next run as an id trigger (ids re-read from the source). */
  | { kind: 'ids'; object: SyncObject; ids: string[] }
  /** A delta run of the object (for a topic whose payload names no record the object's runs take). */
  | { kind: 'delta'; object: SyncObject }
  /** Pause every scheduler: the hub's access is gone until the app is installed again. */
  | { kind: 'pause'; reason: string }
  /** Accepted and counted, nothing to do (yet). */
  | { kind: 'ignore'; why: string };

/** The topics the hub subscribes to (REST names). */
export const HUB_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'refunds/create',
  'customers/create',
  'customers/update',
  'products/create',
  'products/update',
  'fulfillments/create',
  'app/uninstalled',
] as const;

/** `orders/create` → `ORDERS_CREATE` (the GraphQL enum), as @shopify/shopify-api normalises it. */
export function topicEnum(rest: string): string {
  return rest.toUpperCase().replace(/\/|\./g, '_');
}

function gidOf(body: Record<string, unknown>, type: string, idKey = 'id'): string | null {
  const g = body.admin_graphql_api_id;
  if (typeof g === 'string' && g.startsWith(`gid://shopify/${type}/`)) return g;
  const id = body[idKey];
  if ((typeof id === 'number' && Number.isSafeInteger(id) && id > 0) || (typeof id === 'string' && /^\d{1,20}$/.test(id)))
    return `gid://shopify/${type}/${String(id)}`;
  return null;
}

/** Pure: topic + parsed body → action. `null` = the body lacks the id the topic needs. */
export function actionFor(topic: string, body: Record<string, unknown>): WebhookAction | null {
  if (topic === 'refunds/create') {
    const g = typeof body.order_id === 'number' || typeof body.order_id === 'string' ? gidOf({ id: body.order_id }, 'Order') : null;
    return g ? { kind: 'ids', object: 'order', ids: [g] } : null;
  }
  if (topic.startsWith('orders/')) {
    const g = gidOf(body, 'Order');
    return g ? { kind: 'ids', object: 'order', ids: [g] } : null;
  }
  if (topic.startsWith('customers/')) {
    const g = gidOf(body, 'Customer');
    return g ? { kind: 'ids', object: 'customer', ids: [g] } : null;
  }
  // A product made in Shopify becomes a B1 item through `shopify-product` (Shopify → B1), which
  // re-reads every variant of the product: the product GID, never the payload's frozen variant
  // list (a variant added after the trigger would be missed). Most products/update deliveries
  // echo the hub's own B1 → Shopify writes: those products carry the hub's custom id, which the
  // import's ids mode reads with the variants and skips (two Shopify reads, no B1 call), and the
  // scheduler folds hints arriving during a run into one follow-up run.
  if (topic === 'products/create' || topic === 'products/update') {
    const g = gidOf(body, 'Product');
    return g ? { kind: 'ids', object: 'shopify-product', ids: [g] } : null;
  }
  if (topic === 'app/uninstalled') return { kind: 'pause', reason: 'Shopify app uninstalled (app/uninstalled webhook)' };
  if (topic === 'fulfillments/create') return { kind: 'ignore', why: 'fulfillments are not synchronised yet' };
  return { kind: 'ignore', why: `topic ${topic} is not used by the hub` };
}
