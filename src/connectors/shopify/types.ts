/** Hub-side shapes of what the Shopify connector reads and writes. Amounts are decimal strings. */

export interface ShopifyAddress {
  id: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  provinceCode: string | null;
  zip: string | null;
  countryCode: string | null;
  phone: string | null;
}

export interface ShopifyCustomer {
  id: string;
  legacyResourceId: string;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  email: string | null;
  emailMarketingState: string | null;
  phone: string | null;
  note: string | null;
  tags: string[];
  state: string;
  taxExempt: boolean;
  locale: string;
  createdAt: string;
  updatedAt: string;
  defaultAddress: ShopifyAddress | null;
  addresses: ShopifyAddress[];
}

export interface ShopifyMoney {
  amount: string;
  currencyCode: string;
}

export interface ShopifyTaxLine {
  title: string;
  rate: number | null;
  amount: string;
}

export interface ShopifyLineItem {
  id: string;
  sku: string | null;
  name: string;
  title: string;
  variantTitle: string | null;
  variantId: string | null;
  quantity: number;
  /** Quantity after edits and refunds: what the ERP order should carry. */
  currentQuantity: number;
  taxable: boolean;
  requiresShipping: boolean;
  originalUnitPrice: string;
  /** Unit price after line and order discounts allocated to the line. */
  discountedUnitPrice: string;
  totalDiscount: string;
  taxLines: ShopifyTaxLine[];
}

export interface ShopifyShippingLine {
  title: string;
  code: string | null;
  originalPrice: string;
  discountedPrice: string;
  taxLines: ShopifyTaxLine[];
}

export interface ShopifyOrder {
  id: string;
  legacyResourceId: string;
  name: string;
  email: string | null;
  phone: string | null;
  note: string | null;
  tags: string[];
  test: boolean;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  closedAt: string | null;
  currencyCode: string;
  taxesIncluded: boolean;
  discountCodes: string[];
  sourceName: string | null;
  financialStatus: string | null;
  fulfillmentStatus: string;
  customerId: string | null;
  subtotal: string | null;
  total: string;
  currentTotal: string;
  totalTax: string | null;
  currentTotalTax: string;
  totalDiscounts: string | null;
  totalShipping: string;
  totalRefunded: string;
  taxLines: ShopifyTaxLine[];
  shippingAddress: ShopifyAddress | null;
  billingAddress: ShopifyAddress | null;
  shippingLines: ShopifyShippingLine[];
  lineItems: ShopifyLineItem[];
  refunds: { id: string; createdAt: string | null; amount: string }[];
}

export interface ShopifyLocation {
  id: string;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  city: string | null;
  countryCode: string | null;
}

export interface ShopifyVariant {
  id: string;
  sku: string | null;
  barcode: string | null;
  title: string;
  price: string;
  taxable: boolean;
  updatedAt: string;
  productId: string;
  productTitle: string;
  productHandle: string;
  productStatus: string;
  inventoryItemId: string;
  tracked: boolean;
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

export interface ShopifyProductVariantRow {
  id: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  taxable: boolean;
  inventoryItemId: string;
  tracked: boolean;
  weight: { unit: WeightUnit; value: number } | null;
}

export interface ShopifyProduct {
  id: string;
  title: string;
  handle: string;
  status: string;
  vendor: string;
  productType: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  /** Value of the hub's cross-reference `id` metafield (B1 ItemCode) if the hub created it. */
  customId: string | null;
  variants: ShopifyProductVariantRow[];
  /** More variants exist than were read on this page. */
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
