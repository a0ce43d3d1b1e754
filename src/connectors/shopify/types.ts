/**
 * What the Shopify connector returns: Admin GraphQL 2026-07 objects with Shopify's own field
 * names and nesting (so src/mapping, which mirrors the API, takes them as they are). Only
 * connections are flattened to their node lists, and the few values that are not fields of the
 * object (a line item's fulfillment location, a product's custom id) are added beside them.
 * Amounts are decimal strings.
 */

export interface ShopifyMoneyV2 {
  amount: string;
  currencyCode: string;
}

export interface ShopifyMoneyBag {
  shopMoney: ShopifyMoneyV2;
}

export interface ShopifyMailingAddress {
  id: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  provinceCode: string | null;
  zip: string | null;
  countryCodeV2: string | null;
  phone: string | null;
}

export interface ShopifyCustomer {
  id: string;
  legacyResourceId: string;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  note: string | null;
  tags: string[];
  state: 'DECLINED' | 'DISABLED' | 'ENABLED' | 'INVITED';
  taxExempt: boolean;
  locale: string;
  createdAt: string;
  updatedAt: string;
  defaultEmailAddress: { emailAddress: string; marketingState: string } | null;
  defaultPhoneNumber: { phoneNumber: string } | null;
  defaultAddress: ShopifyMailingAddress | null;
  /** `addressesV2(first: addressesFirst) { nodes }` (the client's default: 10, the mapping's maxAddresses). */
  addressesV2: ShopifyMailingAddress[];
}

export interface ShopifyTaxLine {
  title: string;
  rate: number | null;
  priceSet: ShopifyMoneyBag;
}

/** The fields order reads request (documents.ts LineItemFields): what src/mapping reads. */
export interface ShopifyLineItem {
  id: string;
  sku: string | null;
  name: string;
  /** Ordered quantity; does not reflect edits or refunds. */
  quantity: number;
  /** Quantity after edits and refunds: what the ERP order should carry. */
  currentQuantity: number;
  taxable: boolean;
  isGiftCard: boolean;
  originalUnitPriceSet: ShopifyMoneyBag;
  discountedUnitPriceAfterAllDiscountsSet: ShopifyMoneyBag;
  taxLines: ShopifyTaxLine[];
  /**
   * Not a LineItem field: the location the line is assigned to for fulfilment
   * (FulfillmentOrder.assignedLocation.location.id), null when it could not be determined.
   */
  locationId: string | null;
}

export interface ShopifyShippingLine {
  title: string;
  code: string | null;
  isRemoved: boolean;
  /** Price after discounts and edits (non-null in the schema). */
  currentDiscountedPriceSet: ShopifyMoneyBag;
  taxLines: ShopifyTaxLine[];
}

export type ShopifyFinancialStatus =
  'AUTHORIZED' | 'EXPIRED' | 'PAID' | 'PARTIALLY_PAID' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'VOIDED';

/**
 * An order as the order sync reads it (documents.ts OrderFields): the fields src/mapping reads,
 * updatedAt for the watermark, and a few free scalars for messages. Objects cost query points
 * per order, so nothing else is requested.
 */
export interface ShopifyOrder {
  id: string;
  name: string;
  email: string | null;
  test: boolean;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  cancelReason: 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF' | null;
  currencyCode: string;
  taxesIncluded: boolean;
  displayFinancialStatus: ShopifyFinancialStatus | null;
  customer: { id: string } | null;
  retailLocation: { id: string } | null;
  currentTotalTaxSet: ShopifyMoneyBag;
  shippingAddress: ShopifyMailingAddress | null;
  billingAddress: ShopifyMailingAddress | null;
  /** Every `shippingLines(includeRemovals: true)` page, concatenated. */
  shippingLines: ShopifyShippingLine[];
  /** Every `lineItems` page, concatenated. */
  lineItems: ShopifyLineItem[];
}

export interface ShopifyLocation {
  id: string;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  address: { city: string | null; countryCode: string | null };
}

/** A variant found by SKU, with its product and inventory item. */
export interface ShopifyVariant {
  id: string;
  sku: string | null;
  barcode: string | null;
  title: string;
  price: string;
  taxable: boolean;
  updatedAt: string;
  product: { id: string; title: string; handle: string; status: ShopifyProductStatus };
  inventoryItem: { id: string; tracked: boolean };
}

export interface ShopifyInventoryLevel {
  inventoryItemId: string;
  sku: string | null;
  tracked: boolean;
  locationId: string;
  available: number;
  onHand: number;
  committed: number;
  updatedAt: string | null;
}

export type ShopifyProductStatus = 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';

export interface ShopifyProductVariant {
  id: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  taxable: boolean;
  inventoryItem: { id: string; tracked: boolean; measurement: { weight: { unit: WeightUnit; value: number } | null } };
}

export interface ShopifyProduct {
  id: string;
  title: string;
  handle: string;
  status: ShopifyProductStatus;
  vendor: string;
  productType: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  /** Value of the hub's cross-reference `id` metafield (the B1 ItemCode); null for products made in Shopify. */
  customId: string | null;
  variants: ShopifyProductVariant[];
  /** More variants exist than were read. */
  moreVariants: boolean;
}

export type WeightUnit = 'GRAMS' | 'KILOGRAMS' | 'OUNCES' | 'POUNDS';

/** A B1 item as a single-variant Shopify product, keyed by its cross-reference custom id. */
export interface ProductUpsert {
  /** Value of the `id` metafield (the B1 ItemCode): the identity productSet upserts by. */
  customId: string;
  title: string;
  sku: string;
  barcode?: string | null;
  /** Decimal string in shop currency. */
  price: string;
  compareAtPrice?: string | null;
  weight?: { value: number; unit: WeightUnit } | null;
  tracked: boolean;
  taxable: boolean;
  status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
  vendor?: string;
  productType?: string;
  descriptionHtml?: string;
  tags?: string[];
  /** Initial stock per location, applied only when the variant is created. */
  initialQuantities?: { locationId: string; available: number }[];
}

export interface ProductUpsertResult {
  productId: string;
  variantId: string;
  inventoryItemId: string;
  handle: string;
  updatedAt: string;
}

export interface InventoryQuantityRow {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  /** Expected current quantity (compare-and-swap); null skips the check. */
  changeFromQuantity: number | null;
}

export interface InventoryChange {
  name: string;
  delta: number;
  quantityAfterChange: number | null;
  inventoryItemId: string | null;
  locationId: string | null;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** Page size in effect after any MAX_COST_EXCEEDED halving; pass it back for the next page. */
  pageSize: number;
}

export type WriteResult<T> = { ok: true; value: T } | { ok: false; userErrors: import('./errors').ShopifyUserError[] };
