import type { DeliveryDoc } from '../../mapping/fulfillment';

/** One B1 delivery of a synced Shopify order, as the fetch read it (only what post needs). */
export interface DeliveryRecord {
  delivery: DeliveryDoc;
  /** The Shopify order GID of the base sales order (through a reserve invoice when based on one). */
  orderId: string;
  /** What the delivery's `U_ShopifyFulfillId` held when read. */
  fulfillIds?: string;
}

/** The run's position: extra ids first (offset), then key-range pages of the delta/full read. */
export type DeliveryCursor = { phase: 'ids'; offset: number } | { phase: 'scan'; after?: number; from?: string };

export function encodeCursor(c: DeliveryCursor): string {
  return JSON.stringify(c);
}

export function decodeCursor(raw: string | undefined, mode: string, hasIds: boolean): DeliveryCursor {
  if (raw) return JSON.parse(raw) as DeliveryCursor;
  return hasIds || mode === 'ids' ? { phase: 'ids', offset: 0 } : { phase: 'scan' };
}
