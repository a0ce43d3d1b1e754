import type { ShopifyCustomer, ShopifyLineItem, ShopifyMailingAddress, ShopifyOrder, ShopifyProduct, ShopifyProductVariant, ShopifyShippingLine } from './types';

/*
 * Raw response shapes of the documents in documents.ts. The hub types keep Shopify's fields;
 * these functions only flatten connections ({ nodes }) and attach the values that are not fields.
 */

export type RawCustomer = Omit<ShopifyCustomer, 'addressesV2'> & { addressesV2: { nodes: ShopifyMailingAddress[] } };

export function mapCustomer(c: RawCustomer): ShopifyCustomer {
  return { ...c, addressesV2: c.addressesV2.nodes };
}

export type RawLineItem = Omit<ShopifyLineItem, 'locationId'>;

type Connection<T> = { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };

/** FulfillmentOrder as OrderWithLines reads it: where it ships from and which lines it holds. */
export type RawFulfillmentOrder = { assignedLocation: { location: { id: string } | null }; lineItems: Connection<{ lineItem: { id: string } }> };

export type RawOrder = Omit<ShopifyOrder, 'lineItems' | 'shippingLines'> & {
  lineItems: Connection<RawLineItem>;
  shippingLines: Connection<ShopifyShippingLine>;
  /** Absent in bulk exports (their children come on their own lines) and in line-item pages. */
  fulfillmentOrders?: Connection<RawFulfillmentOrder>;
};

/** Line item id → location, from fulfillment orders; false when the list is incomplete (more pages). */
export function lineLocationsOf(fos: Connection<RawFulfillmentOrder> | undefined): Map<string, string> | false {
  if (!fos || fos.pageInfo.hasNextPage) return false;
  const out = new Map<string, string>();
  for (const fo of fos.nodes) {
    if (fo.lineItems.pageInfo.hasNextPage) return false;
    const loc = fo.assignedLocation.location?.id;
    if (loc) for (const li of fo.lineItems.nodes) out.set(li.lineItem.id, loc);
  }
  return out;
}

/** `locations` maps a line item id to the location of the fulfillment order it is assigned to. */
export function mapOrder(o: RawOrder, lineItems: RawLineItem[], shippingLines: ShopifyShippingLine[], locations: ReadonlyMap<string, string>): ShopifyOrder {
  const { fulfillmentOrders: _fos, lineItems: _lines, shippingLines: _ship, ...rest } = o;
  return {
    ...rest,
    shippingLines,
    lineItems: lineItems.map((l) => ({ ...l, locationId: locations.get(l.id) ?? null })),
  };
}

export type RawProduct = Omit<ShopifyProduct, 'customId' | 'variants' | 'moreVariants'> & {
  customId?: { value: string } | null;
  variants: { nodes: ShopifyProductVariant[]; pageInfo?: { hasNextPage: boolean } };
};

export function mapProduct(p: RawProduct): ShopifyProduct {
  const { customId, variants, ...rest } = p;
  return { ...rest, customId: customId?.value ?? null, variants: variants.nodes, moreVariants: variants.pageInfo?.hasNextPage ?? false };
}
