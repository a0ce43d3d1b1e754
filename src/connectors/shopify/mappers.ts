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

export type RawOrder = Omit<ShopifyOrder, 'lineItems' | 'shippingLines'> & {
  shippingLines: { nodes: ShopifyShippingLine[] };
  lineItems: { nodes: RawLineItem[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
};

/** `locations` maps a line item id to the location of the fulfillment order it is assigned to. */
export function mapOrder(o: RawOrder, lineItems: RawLineItem[], locations: ReadonlyMap<string, string>): ShopifyOrder {
  return {
    ...o,
    shippingLines: o.shippingLines.nodes,
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
