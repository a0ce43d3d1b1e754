import type {
  CustomerFieldsFragment,
  LineItemFieldsFragment,
  OrderWithLinesFragment,
  ProductFieldsFragment,
  ProductVariantRowFragment,
  ShippingLineFieldsFragment,
} from './generated/operations';
import type { ShopifyCustomer, ShopifyOrder, ShopifyProduct } from './types';

/*
 * Response shapes of the documents (generated from them: generated/operations.ts). The hub types
 * keep Shopify's fields; these functions only flatten connections ({ nodes }) and attach the
 * values that are not fields. Returning the hub types from the generated ones is what makes the
 * compiler check that a document asks for every field a hub type promises.
 */

export type RawCustomer = CustomerFieldsFragment;

/** A `nodes(ids:)` entry of the type asked for: Shopify answers null for an unknown id and {} for an id of another type. */
export function isNodeOf<T extends { id: string }>(n: T | Record<PropertyKey, never> | null): n is T {
  return !!n && 'id' in n && !!n.id;
}

export function mapCustomer(c: RawCustomer): ShopifyCustomer {
  return { ...c, addressesV2: c.addressesV2.nodes };
}

export type RawLineItem = LineItemFieldsFragment;
export type RawShippingLine = ShippingLineFieldsFragment;
export type RawOrder = OrderWithLinesFragment;

/** Line item id → location, from fulfillment orders; false when the list is incomplete (more pages). */
export function lineLocationsOf(fos: RawOrder['fulfillmentOrders']): Map<string, string> | false {
  if (fos.pageInfo.hasNextPage) return false;
  const out = new Map<string, string>();
  for (const fo of fos.nodes) {
    if (fo.lineItems.pageInfo.hasNextPage) return false;
    const loc = fo.assignedLocation.location?.id;
    if (loc) for (const li of fo.lineItems.nodes) out.set(li.lineItem.id, loc);
  }
  return out;
}

/** `locations` maps a line item id to the location of the fulfillment order it is assigned to. */
export function mapOrder(
  o: RawOrder,
  lineItems: RawLineItem[],
  shippingLines: RawShippingLine[],
  locations: ReadonlyMap<string, string>,
): ShopifyOrder {
  const { fulfillmentOrders: _fos, lineItems: _lines, shippingLines: _ship, ...rest } = o;
  return {
    ...rest,
    shippingLines,
    lineItems: lineItems.map((l) => ({ ...l, locationId: locations.get(l.id) ?? null })),
  };
}

/** ProductsPage and ProductByCustomId nodes (the latter knows the custom id it asked for, the former reads it). */
export type RawProduct = ProductFieldsFragment & {
  customId: { value: string } | null;
  variants: { nodes: ProductVariantRowFragment[]; pageInfo: { hasNextPage: boolean } };
};

export function mapProduct(p: RawProduct): ShopifyProduct {
  const { customId, variants, ...rest } = p;
  return { ...rest, customId: customId?.value ?? null, variants: variants.nodes, moreVariants: variants.pageInfo.hasNextPage };
}
