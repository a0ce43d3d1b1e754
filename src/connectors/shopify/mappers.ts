import type { ShopifyAddress, ShopifyCustomer, ShopifyLineItem, ShopifyOrder, ShopifyProduct, ShopifyProductVariantRow, ShopifyTaxLine, ShopifyVariant, WeightUnit } from './types';

/* Raw response shapes of the documents in documents.ts, and their mapping to hub types. */

type Bag = { shopMoney: { amount: string; currencyCode: string } } | null | undefined;
const amt = (b: Bag): string | null => b?.shopMoney.amount ?? null;

export interface RawAddress {
  id?: string | null;
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

export function mapAddress(a: RawAddress | null | undefined): ShopifyAddress | null {
  if (!a) return null;
  return {
    id: a.id ?? null,
    firstName: a.firstName,
    lastName: a.lastName,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    provinceCode: a.provinceCode,
    zip: a.zip,
    countryCode: a.countryCodeV2,
    phone: a.phone,
  };
}

export interface RawCustomer {
  id: string;
  legacyResourceId: string;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  note: string | null;
  tags: string[];
  state: string;
  taxExempt: boolean;
  locale: string;
  createdAt: string;
  updatedAt: string;
  defaultEmailAddress: { emailAddress: string; marketingState: string } | null;
  defaultPhoneNumber: { phoneNumber: string } | null;
  defaultAddress: RawAddress | null;
  addressesV2: { nodes: RawAddress[] };
}

export function mapCustomer(c: RawCustomer): ShopifyCustomer {
  return {
    id: c.id,
    legacyResourceId: c.legacyResourceId,
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: c.displayName,
    email: c.defaultEmailAddress?.emailAddress ?? null,
    emailMarketingState: c.defaultEmailAddress?.marketingState ?? null,
    phone: c.defaultPhoneNumber?.phoneNumber ?? null,
    note: c.note,
    tags: c.tags,
    state: c.state,
    taxExempt: c.taxExempt,
    locale: c.locale,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    defaultAddress: mapAddress(c.defaultAddress),
    addresses: c.addressesV2.nodes.map((a) => mapAddress(a) as ShopifyAddress),
  };
}

interface RawTax {
  title: string;
  rate: number | null;
  priceSet: Bag;
}

const mapTax = (t: RawTax): ShopifyTaxLine => ({ title: t.title, rate: t.rate, amount: amt(t.priceSet) ?? '0.00' });

export interface RawLineItem {
  id: string;
  sku: string | null;
  name: string;
  title: string;
  variantTitle: string | null;
  quantity: number;
  currentQuantity: number;
  taxable: boolean;
  requiresShipping: boolean;
  originalUnitPriceSet: Bag;
  discountedUnitPriceSet: Bag;
  totalDiscountSet: Bag;
  taxLines: RawTax[];
  variant: { id: string; sku: string | null } | null;
}

export function mapLineItem(l: RawLineItem): ShopifyLineItem {
  return {
    id: l.id,
    sku: l.sku,
    name: l.name,
    title: l.title,
    variantTitle: l.variantTitle,
    variantId: l.variant?.id ?? null,
    quantity: l.quantity,
    currentQuantity: l.currentQuantity,
    taxable: l.taxable,
    requiresShipping: l.requiresShipping,
    originalUnitPrice: amt(l.originalUnitPriceSet) ?? '0.00',
    discountedUnitPrice: amt(l.discountedUnitPriceSet) ?? '0.00',
    totalDiscount: amt(l.totalDiscountSet) ?? '0.00',
    taxLines: l.taxLines.map(mapTax),
  };
}

export interface RawOrder {
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
  displayFinancialStatus: string | null;
  displayFulfillmentStatus: string;
  customer: { id: string } | null;
  subtotalPriceSet: Bag;
  totalPriceSet: Bag;
  currentTotalPriceSet: Bag;
  totalTaxSet: Bag;
  currentTotalTaxSet: Bag;
  totalDiscountsSet: Bag;
  totalShippingPriceSet: Bag;
  totalRefundedSet: Bag;
  taxLines: RawTax[];
  shippingAddress: RawAddress | null;
  billingAddress: RawAddress | null;
  shippingLines: { nodes: { title: string; code: string | null; originalPriceSet: Bag; discountedPriceSet: Bag; taxLines: RawTax[] }[] };
  refunds: { id: string; createdAt: string | null; totalRefundedSet: Bag }[];
  lineItems: { nodes: RawLineItem[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export function mapOrder(o: RawOrder, lineItems: RawLineItem[]): ShopifyOrder {
  return {
    id: o.id,
    legacyResourceId: o.legacyResourceId,
    name: o.name,
    email: o.email,
    phone: o.phone,
    note: o.note,
    tags: o.tags,
    test: o.test,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    processedAt: o.processedAt,
    cancelledAt: o.cancelledAt,
    cancelReason: o.cancelReason,
    closedAt: o.closedAt,
    currencyCode: o.currencyCode,
    taxesIncluded: o.taxesIncluded,
    discountCodes: o.discountCodes,
    sourceName: o.sourceName,
    financialStatus: o.displayFinancialStatus,
    fulfillmentStatus: o.displayFulfillmentStatus,
    customerId: o.customer?.id ?? null,
    subtotal: amt(o.subtotalPriceSet),
    total: amt(o.totalPriceSet) ?? '0.00',
    currentTotal: amt(o.currentTotalPriceSet) ?? '0.00',
    totalTax: amt(o.totalTaxSet),
    currentTotalTax: amt(o.currentTotalTaxSet) ?? '0.00',
    totalDiscounts: amt(o.totalDiscountsSet),
    totalShipping: amt(o.totalShippingPriceSet) ?? '0.00',
    totalRefunded: amt(o.totalRefundedSet) ?? '0.00',
    taxLines: o.taxLines.map(mapTax),
    shippingAddress: mapAddress(o.shippingAddress),
    billingAddress: mapAddress(o.billingAddress),
    shippingLines: o.shippingLines.nodes.map((s) => ({
      title: s.title,
      code: s.code,
      originalPrice: amt(s.originalPriceSet) ?? '0.00',
      discountedPrice: amt(s.discountedPriceSet) ?? '0.00',
      taxLines: s.taxLines.map(mapTax),
    })),
    lineItems: lineItems.map(mapLineItem),
    refunds: o.refunds.map((r) => ({ id: r.id, createdAt: r.createdAt, amount: amt(r.totalRefundedSet) ?? '0.00' })),
  };
}

export interface RawVariant {
  id: string;
  sku: string | null;
  barcode: string | null;
  title: string;
  price: string;
  taxable: boolean;
  updatedAt: string;
  product: { id: string; title: string; handle: string; status: string };
  inventoryItem: { id: string; tracked: boolean };
}

export function mapVariant(v: RawVariant): ShopifyVariant {
  return {
    id: v.id,
    sku: v.sku,
    barcode: v.barcode,
    title: v.title,
    price: v.price,
    taxable: v.taxable,
    updatedAt: v.updatedAt,
    productId: v.product.id,
    productTitle: v.product.title,
    productHandle: v.product.handle,
    productStatus: v.product.status,
    inventoryItemId: v.inventoryItem.id,
    tracked: v.inventoryItem.tracked,
  };
}

export interface RawVariantRow {
  id: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  taxable: boolean;
  inventoryItem: { id: string; tracked: boolean; measurement: { weight: { unit: WeightUnit; value: number } | null } };
}

export function mapVariantRow(v: RawVariantRow): ShopifyProductVariantRow {
  return {
    id: v.id,
    sku: v.sku,
    barcode: v.barcode,
    price: v.price,
    taxable: v.taxable,
    inventoryItemId: v.inventoryItem.id,
    tracked: v.inventoryItem.tracked,
    weight: v.inventoryItem.measurement.weight,
  };
}

export interface RawProduct {
  id: string;
  title: string;
  handle: string;
  status: string;
  vendor: string;
  productType: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  customId?: { value: string } | null;
  variants: { nodes: RawVariantRow[]; pageInfo?: { hasNextPage: boolean } };
}

export function mapProduct(p: RawProduct): ShopifyProduct {
  return {
    id: p.id,
    title: p.title,
    handle: p.handle,
    status: p.status,
    vendor: p.vendor,
    productType: p.productType,
    tags: p.tags,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    customId: p.customId?.value ?? null,
    variants: p.variants.nodes.map(mapVariantRow),
    moreVariants: p.variants.pageInfo?.hasNextPage ?? false,
  };
}
