/**
 * Shopify fulfillments of B1 deliveries: an order's fulfillment orders (what is left to ship and
 * where), the fulfillments already made on a fulfillment order (to settle a create whose answer
 * was lost), and the writes `fulfillmentCreate` / `fulfillmentTrackingInfoUpdate`.
 *
 * `fulfillmentCreate` does not document `@idempotent` support (the directive is "only supported on
 * mutations that explicitly document idempotency support"), and a fulfillment carries no field
 * the hub could key it by. So the create is never repeated by the executor: a lost answer is a
 * ShopifyUnknownOutcomeError, and the pipeline settles it by re-reading the fulfillment order
 * (src/pipelines/delivery/post.ts).
 */
import { payloadOf, ShopifyUserErrors } from './errors';
import type { ShopifyExecutor } from './executor';
import { gql, type ResultOf } from './gql';

/** Fulfillment orders per call and lines per fulfillment order: ~540 points, under the 1,000 limit. */
const FO_FIRST = 5;
const FO_LINES_FIRST = 50;

export const DELIVERY_FULFILLMENT_ORDERS = gql<'DeliveryFulfillmentOrders'>`
  query DeliveryFulfillmentOrders($id: ID!, $first: Int!, $linesFirst: Int!, $after: String) {
    order(id: $id) {
      id
      name
      cancelledAt
      displayFulfillmentStatus
      fulfillmentOrders(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          status
          requestStatus
          supportedActions {
            action
          }
          assignedLocation {
            location {
              id
              isFulfillmentService
            }
          }
          fulfillmentHolds {
            reason
          }
          lineItems(first: $linesFirst) {
            pageInfo {
              hasNextPage
            }
            nodes {
              id
              remainingQuantity
              totalQuantity
              lineItem {
                id
                sku
              }
            }
          }
        }
      }
    }
  }
`;

export const FULFILLMENT_ORDER_FULFILLMENTS = gql<'FulfillmentOrderFulfillments'>`
  query FulfillmentOrderFulfillments($id: ID!, $after: String) {
    fulfillmentOrder(id: $id) {
      id
      fulfillments(first: 5, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          status
          trackingInfo(first: 1) {
            number
          }
          fulfillmentLineItems(first: 50) {
            nodes {
              quantity
              lineItem {
                id
              }
            }
          }
        }
      }
    }
  }
`;

export const FULFILLMENT_TRACKING = gql<'FulfillmentTracking'>`
  query FulfillmentTracking($id: ID!) {
    fulfillment(id: $id) {
      id
      status
      trackingInfo(first: 5) {
        number
        company
        url
      }
    }
  }
`;

export const FULFILLMENT_CREATE = gql<'FulfillmentCreate'>`
  mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) {
      fulfillment {
        id
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const FULFILLMENT_TRACKING_UPDATE = gql<'FulfillmentTrackingUpdate'>`
  mutation FulfillmentTrackingUpdate($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!, $notifyCustomer: Boolean) {
    fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId, trackingInfoInput: $trackingInfoInput, notifyCustomer: $notifyCustomer) {
      fulfillment {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export interface FulfillmentOrderLine {
  /** FulfillmentOrderLineItem GID. */
  id: string;
  lineItemId: string;
  sku: string | null;
  remainingQuantity: number;
  totalQuantity: number;
}

export interface ShopifyFulfillmentOrder {
  id: string;
  status: string;
  requestStatus: string;
  canCreateFulfillment: boolean;
  locationId: string | null;
  atFulfillmentService: boolean;
  holds: string[];
  lines: FulfillmentOrderLine[];
  /** More lines than one read returns: the plan would be incomplete. */
  linesTruncated: boolean;
}

export interface OrderFulfillmentState {
  orderId: string;
  name: string;
  cancelled: boolean;
  displayFulfillmentStatus: string | null;
  fulfillmentOrders: ShopifyFulfillmentOrder[];
}

// One page each; apart so the loops' cursors do not make the answers' types circular.
async function foPage(exec: ShopifyExecutor, id: string, after: string | null): Promise<ResultOf<typeof DELIVERY_FULFILLMENT_ORDERS>> {
  return (await exec.call(DELIVERY_FULFILLMENT_ORDERS, { id, first: FO_FIRST, linesFirst: FO_LINES_FIRST, after })).data;
}

async function fulfillmentsPage(
  exec: ShopifyExecutor,
  id: string,
  after: string | null,
): Promise<ResultOf<typeof FULFILLMENT_ORDER_FULFILLMENTS>> {
  return (await exec.call(FULFILLMENT_ORDER_FULFILLMENTS, { id, after })).data;
}

/** The order's fulfillment orders with their open lines; null when Shopify has no such order. */
export async function orderFulfillmentState(exec: ShopifyExecutor, orderId: string): Promise<OrderFulfillmentState | null> {
  const fos: ShopifyFulfillmentOrder[] = [];
  let after: string | null = null;
  let head: Omit<OrderFulfillmentState, 'fulfillmentOrders'> | null = null;
  for (;;) {
    const data = await foPage(exec, orderId, after);
    const o = data.order;
    if (!o) return null;
    head ??= {
      orderId: o.id,
      name: o.name,
      cancelled: o.cancelledAt != null,
      displayFulfillmentStatus: o.displayFulfillmentStatus ?? null,
    };
    for (const n of o.fulfillmentOrders.nodes) {
      fos.push({
        id: n.id,
        status: n.status,
        requestStatus: n.requestStatus,
        canCreateFulfillment: n.supportedActions.some((a) => a.action === 'CREATE_FULFILLMENT'),
        locationId: n.assignedLocation.location?.id ?? null,
        atFulfillmentService: n.assignedLocation.location?.isFulfillmentService ?? false,
        holds: n.fulfillmentHolds.map((h) => h.reason),
        lines: n.lineItems.nodes.map((l) => ({
          id: l.id,
          lineItemId: l.lineItem.id,
          sku: l.lineItem.sku ?? null,
          remainingQuantity: l.remainingQuantity,
          totalQuantity: l.totalQuantity,
        })),
        linesTruncated: n.lineItems.pageInfo.hasNextPage,
      });
    }
    if (!o.fulfillmentOrders.pageInfo.hasNextPage) break;
    after = o.fulfillmentOrders.pageInfo.endCursor ?? null;
  }
  return { ...head!, fulfillmentOrders: fos };
}

export interface ShopifyFulfillment {
  id: string;
  status: string;
  trackingNumber: string | null;
  /** Quantity per order line item GID. */
  lines: Record<string, number>;
}

/** Every fulfillment made on a fulfillment order (any status). */
export async function fulfillmentsOfFulfillmentOrder(exec: ShopifyExecutor, fulfillmentOrderId: string): Promise<ShopifyFulfillment[]> {
  const out: ShopifyFulfillment[] = [];
  let after: string | null = null;
  for (;;) {
    const data = await fulfillmentsPage(exec, fulfillmentOrderId, after);
    const fo = data.fulfillmentOrder;
    if (!fo) return out;
    for (const n of fo.fulfillments.nodes) {
      const lines: Record<string, number> = {};
      for (const l of n.fulfillmentLineItems.nodes) lines[l.lineItem.id] = (lines[l.lineItem.id] ?? 0) + (l.quantity ?? 0);
      out.push({ id: n.id, status: n.status, trackingNumber: n.trackingInfo[0]?.number ?? null, lines });
    }
    if (!fo.fulfillments.pageInfo.hasNextPage) return out;
    after = fo.fulfillments.pageInfo.endCursor ?? null;
  }
}

export interface TrackingInfo {
  number: string;
  company?: string;
  url?: string;
}

/** A fulfillment's tracking (first entry), or null when Shopify has no such fulfillment. */
export async function fulfillmentTracking(
  exec: ShopifyExecutor,
  id: string,
): Promise<{ status: string; tracking: { number: string | null; company: string | null; url: string | null } | null } | null> {
  const { data } = await exec.call(FULFILLMENT_TRACKING, { id });
  const f = data.fulfillment;
  if (!f) return null;
  const t = f.trackingInfo[0];
  return { status: f.status, tracking: t ? { number: t.number ?? null, company: t.company ?? null, url: t.url ?? null } : null };
}

export interface FulfillmentCreateInput {
  fulfillmentOrderId: string;
  lines: { id: string; quantity: number }[];
  notifyCustomer: boolean;
  tracking?: TrackingInfo;
}

/**
 * One fulfillmentCreate for one fulfillment order. Not idempotent: a lost answer throws
 * ShopifyUnknownOutcomeError and is never sent again by the executor. Refusals throw
 * ShopifyUserErrors (a record rejection).
 */
export async function createFulfillment(exec: ShopifyExecutor, input: FulfillmentCreateInput): Promise<string> {
  const { data } = await exec.call(FULFILLMENT_CREATE, {
    fulfillment: {
      lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: input.fulfillmentOrderId, fulfillmentOrderLineItems: input.lines }],
      notifyCustomer: input.notifyCustomer,
      ...(input.tracking ? { trackingInfo: input.tracking } : {}),
    },
  });
  const r = payloadOf('fulfillmentCreate', data.fulfillmentCreate);
  if (r.userErrors.length || !r.fulfillment) throw new ShopifyUserErrors('fulfillmentCreate', r.userErrors);
  return r.fulfillment.id;
}

/** Replaces a fulfillment's tracking: the same input sent twice leaves the same state (idempotent). */
export async function updateFulfillmentTracking(
  exec: ShopifyExecutor,
  fulfillmentId: string,
  tracking: TrackingInfo,
  notifyCustomer: boolean,
): Promise<void> {
  const { data } = await exec.call(
    FULFILLMENT_TRACKING_UPDATE,
    { fulfillmentId, trackingInfoInput: tracking, notifyCustomer },
    { idempotent: true },
  );
  const r = payloadOf('fulfillmentTrackingInfoUpdate', data.fulfillmentTrackingInfoUpdate);
  if (r.userErrors.length) throw new ShopifyUserErrors('fulfillmentTrackingInfoUpdate', r.userErrors);
}
