/**
 * Read arguments the client's paged reads share, kept apart from the client so the per-object
 * read modules (customers.ts) use the same bounds without importing the client.
 */
export const MAX_PAGE_SIZE = 250;

/** Addresses read per customer: the mapping's `customer.maxAddresses` (its default, 10, when not given). */
export interface CustomerReadOptions {
  addressesFirst?: number;
}

export const DEFAULT_CUSTOMER_ADDRESSES = 10;
export const MAX_QUERY_COST = 1000;

export function addressesFirstOf(o: CustomerReadOptions): number {
  return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(o.addressesFirst ?? DEFAULT_CUSTOMER_ADDRESSES)));
}

export interface DeltaPageArgs {
  /** Watermark: max updatedAt of the last successful run (overlap is subtracted). */
  updatedSince?: string | Date | null;
  overlapMs?: number;
  /** Extra search terms ANDed to the delta filter. */
  query?: string;
  after?: string | null;
  first?: number;
}
