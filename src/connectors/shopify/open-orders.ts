/**
 * Open orders with what is left to fulfil of them, per fulfillment order and location: what the
 * inventory pipeline deducts for orders B1 has no sales order for yet (pipelines/inventory/
 * pending.ts). One search page, one order read whole when its fulfillment orders did not fit the
 * page, and the bulk export of every open order for runs of many pages.
 */
import { loadBulkExport, tryStartBulkQuery, type BulkExportState } from './bulk';
import type { ShopifyClient } from './client';
import { BULK_EXPORT_OPEN_ORDERS, INVENTORY_OPEN_ORDERS, INVENTORY_ORDER_REMAINING } from './documents';

/** An order's fulfillment orders as OpenFulfillmentFields reads them (a page of each, and of their lines). */
export type OpenFulfillmentOrders = {
  nodes: {
    status: string;
    assignedLocation: { location: { id: string } | null } | null;
    lineItems: {
      nodes: { remainingQuantity: number; totalQuantity?: number | null; inventoryItemId: string | null }[];
      pageInfo: { hasNextPage: boolean };
    };
  }[];
  pageInfo: { hasNextPage: boolean };
};
export type OpenOrderNode = { id: string; name: string; fulfillmentOrders: OpenFulfillmentOrders };
export interface OpenOrdersPage {
  orders: OpenOrderNode[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** How many fulfillment orders per order, and lines per fulfillment order, a read asks for. */
export interface OpenOrderSizes {
  fulfillmentOrdersFirst: number;
  linesFirst: number;
}

/** One page of the orders an `orders(query:)` search finds (`first` shrinks when the query would cost too much). */
export async function openOrdersPage(
  shopify: ShopifyClient,
  args: { query: string; after: string | null; first: number } & OpenOrderSizes,
): Promise<OpenOrdersPage> {
  type Data = { orders: { nodes: OpenOrderNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const { data } = await shopify.executor.call<Data>(INVENTORY_OPEN_ORDERS, { ...args }, { shrink: ['first'] });
  return { orders: data.orders.nodes, hasNextPage: data.orders.pageInfo.hasNextPage, endCursor: data.orders.pageInfo.endCursor };
}

/** One order read with room for more fulfillment orders and lines; null when it is gone. */
export async function openOrderRemaining(shopify: ShopifyClient, id: string, sizes: OpenOrderSizes): Promise<OpenOrderNode | null> {
  const { data } = await shopify.executor.call<{ order: OpenOrderNode | null }>(INVENTORY_ORDER_REMAINING, { id, ...sizes });
  return data.order;
}

/** Starts the export of every open order; null when Shopify refuses one now. */
export function startOpenOrdersExport(shopify: ShopifyClient): Promise<string | null> {
  return tryStartBulkQuery(shopify.executor, BULK_EXPORT_OPEN_ORDERS);
}

/** The export's state, its file parsed by `parse` once it is complete. */
export function loadOpenOrdersExport<T>(
  shopify: ShopifyClient,
  operationId: string,
  parse: (lines: Record<string, unknown>[]) => T,
): Promise<BulkExportState<T>> {
  return loadBulkExport(shopify.executor, operationId, (lines) => parse(lines));
}
