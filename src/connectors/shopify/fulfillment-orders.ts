/**
 * Shopify → B1 deliveries: the orders changed since a watermark (ids, names and fulfillment status
 * only; their fulfillments are read per order by fulfillment.ts when the delivery is posted).
 */
import type { ShopifyExecutor } from './executor';
import { gql, type ResultOf } from './gql';
import { updatedSinceQuery } from './search';

export const FULFILLED_ORDERS_PAGE = gql<'FulfilledOrdersPage'>`
  query FulfilledOrdersPage($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        updatedAt
        displayFulfillmentStatus
      }
    }
  }
`;

export interface OrderStub {
  id: string;
  name: string;
  updatedAt: string;
  displayFulfillmentStatus: string | null;
}

/** One page of orders updated since `since` (minus Shopify's 5-minute overlap), oldest change first. */
export async function ordersUpdatedSince(
  exec: ShopifyExecutor,
  args: { first: number; after: string | null; since: string | null },
): Promise<{ orders: OrderStub[]; endCursor: string | null; hasNextPage: boolean }> {
  const data: ResultOf<typeof FULFILLED_ORDERS_PAGE> = (
    await exec.call(FULFILLED_ORDERS_PAGE, { first: args.first, after: args.after, query: updatedSinceQuery(args.since) })
  ).data;
  const c = data.orders;
  return {
    orders: c.nodes.map((n) => ({
      id: n.id,
      name: n.name,
      updatedAt: n.updatedAt,
      displayFulfillmentStatus: n.displayFulfillmentStatus ?? null,
    })),
    endCursor: c.pageInfo.endCursor ?? null,
    hasNextPage: c.pageInfo.hasNextPage,
  };
}
