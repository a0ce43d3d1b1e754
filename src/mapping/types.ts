/**
 * Minimal input/output shapes the mapping layer works on.
 *
 * They mirror the real APIs field for field (Shopify Admin GraphQL 2026-07 object and input names,
 * SAP Business One Service Layer names from $metadata) but only carry what mapping reads or
 * writes. They are declared here, not imported from the connectors, so that mapping stays pure,
 * has no I/O dependencies, can be imported from Temporal workflow code, and can be tested alone.
 * The connector schemas are structurally wider; glue code passes their values straight in.
 *
 * Optional (`?`) + nullable (`| null`) everywhere the API may omit or null a field: a GraphQL
 * selection may leave a field out, B1 returns `null` for empty strings in some releases.
 */

// ───────────────────────────── Shopify (Admin GraphQL 2026-07) ─────────────────────────────

/** `MoneyV2`: `amount` is a Decimal serialised as a string, e.g. "12.50". */
export interface ShopifyMoneyV2 {
  amount: string;
  currencyCode: string;
}

/** `MoneyBag`: shop currency and presentment (customer) currency. Mapping uses `shopMoney`. */
export interface ShopifyMoneyBag {
  shopMoney: ShopifyMoneyV2;
  presentmentMoney?: ShopifyMoneyV2 | null;
}

/** `MailingAddress` (customer addresses, order billing/shipping addresses). */
export interface ShopifyMailingAddress {
  id?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  zip?: string | null;
  province?: string | null;
  provinceCode?: string | null;
  country?: string | null;
  countryCodeV2?: string | null;
  phone?: string | null;
}

/** `Customer` with the 2025-04+ contact fields (`email`/`phone` are deprecated). */
export interface ShopifyCustomer {
  /** GID, e.g. `gid://shopify/Customer/7001`. */
  id: string;
  firstName?: string | null;
  lastName?: string | null;
  updatedAt?: string;
  defaultEmailAddress?: { emailAddress: string } | null;
  defaultPhoneNumber?: { phoneNumber: string } | null;
  defaultAddress?: ShopifyMailingAddress | null;
  /** `addressesV2(first: N) { nodes { … } }`, flattened to the node list. */
  addressesV2?: ShopifyMailingAddress[];
}

export type ShopifyFinancialStatus =
  'AUTHORIZED' | 'EXPIRED' | 'PAID' | 'PARTIALLY_PAID' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'VOIDED';

export interface ShopifyTaxLine {
  title?: string | null;
  rate?: number | null;
  priceSet: ShopifyMoneyBag;
}

export interface ShopifyLineItem {
  id: string;
  sku?: string | null;
  name?: string | null;
  /** Original ordered quantity; does not reflect edits or removals. */
  quantity?: number;
  /** Quantity after edits and removals: what B1 must carry. */
  currentQuantity: number;
  originalUnitPriceSet: ShopifyMoneyBag;
  /** Unit price after line and order-level (allocated) discounts. */
  discountedUnitPriceAfterAllDiscountsSet: ShopifyMoneyBag;
  taxLines?: ShopifyTaxLine[];
  taxable?: boolean;
  isGiftCard?: boolean;
  /**
   * Shopify location the line is fulfilled from (FulfillmentOrder.assignedLocation.location.id).
   * Not a LineItem field: the glue fills it from the order's fulfillment orders.
   */
  locationId?: string | null;
}

export interface ShopifyShippingLine {
  title?: string | null;
  code?: string | null;
  isRemoved?: boolean;
  originalPriceSet?: ShopifyMoneyBag;
  discountedPriceSet?: ShopifyMoneyBag;
  /** Price after discounts and edits; preferred over discountedPriceSet when present. */
  currentDiscountedPriceSet?: ShopifyMoneyBag;
  taxLines?: ShopifyTaxLine[];
}

export interface ShopifyOrder {
  /** GID, e.g. `gid://shopify/Order/5`. */
  id: string;
  /** Display name, e.g. `#1001`. */
  name: string;
  processedAt: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  test: boolean;
  /** Nullable in the schema (e.g. draft-like orders). */
  displayFinancialStatus?: ShopifyFinancialStatus | null;
  /** Shop currency: the currency of every `shopMoney` below. */
  currencyCode: string;
  taxesIncluded?: boolean;
  currentTotalTaxSet?: ShopifyMoneyBag;
  currentSubtotalLineItemsQuantity?: number;
  customer?: { id: string } | null;
  email?: string | null;
  shippingAddress?: ShopifyMailingAddress | null;
  billingAddress?: ShopifyMailingAddress | null;
  /** `lineItems(first: N) { nodes }`, every page concatenated. */
  lineItems: ShopifyLineItem[];
  /** `shippingLines(first: N, includeRemovals: true) { nodes }`. */
  shippingLines?: ShopifyShippingLine[];
  /** POS orders: `retailLocation { id }`; used when a line has no assigned location. */
  retailLocation?: { id: string } | null;
}

export type ShopifyWeightUnit = 'GRAMS' | 'KILOGRAMS' | 'OUNCES' | 'POUNDS';
export type ShopifyProductStatus = 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';

/** A Shopify product read for the Shopify → B1 direction (products created in Shopify). */
export interface ShopifyProduct {
  id: string;
  title: string;
  status?: ShopifyProductStatus;
  variants: ShopifyProductVariant[];
}

export interface ShopifyProductVariant {
  id: string;
  title?: string | null;
  sku?: string | null;
  barcode?: string | null;
  /** `Money` scalar: decimal string. */
  price?: string | null;
  taxable?: boolean;
  inventoryItem?: {
    id?: string;
    tracked?: boolean;
    measurement?: { weight?: { unit: ShopifyWeightUnit; value: number } | null } | null;
  } | null;
}

/** `MetafieldInput`. */
export interface ShopifyMetafieldInput {
  namespace: string;
  key: string;
  type: string;
  value: string;
}

/** `ProductVariantSetInput` (subset the hub sets). */
export interface ShopifyProductVariantSetInput {
  optionValues: { optionName: string; name: string }[];
  sku: string;
  barcode: string | null;
  price: string;
  taxable: boolean;
  inventoryItem: {
    tracked: boolean;
    measurement: { weight: { unit: ShopifyWeightUnit; value: number } };
  };
}

/** `ProductSetInput` (subset the hub sets). */
export interface ShopifyProductSetInput {
  title: string;
  status: ShopifyProductStatus;
  productOptions: { name: string; position: number; values: { name: string }[] }[];
  metafields: ShopifyMetafieldInput[];
  variants: ShopifyProductVariantSetInput[];
}

/** `ProductSetIdentifiers` with a custom id (`UniqueMetafieldValueInput`). */
export interface ShopifyProductSetIdentifier {
  customId: { namespace: string; key: string; value: string };
}

/** `InventoryQuantityInput` (2026-04+: changeFromQuantity must be present, null = no check). */
export interface ShopifyInventoryQuantityInput {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  changeFromQuantity: number | null;
}

// ───────────────────────────── SAP Business One (Service Layer) ─────────────────────────────

export type B1YesNo = 'tYES' | 'tNO';
export type B1AddressType = 'bo_BillTo' | 'bo_ShipTo';
/** BoStatus; `bost_Paid`/`bost_Delivered` exist for other document types. */
export type B1DocStatus = 'bost_Open' | 'bost_Close' | 'bost_Paid' | 'bost_Delivered';

/** `BPAddress` as sent and as read (RowNum/BPCode only on reads). */
export interface B1BPAddress {
  AddressName: string;
  AddressType: B1AddressType;
  Street?: string | null;
  BuildingFloorRoom?: string | null;
  City?: string | null;
  ZipCode?: string | null;
  State?: string | null;
  Country?: string | null;
  RowNum?: number;
  BPCode?: string | null;
}

/** POST /BusinessPartners body built from a Shopify customer. */
export interface B1BusinessPartnerCreate {
  /** Absent when a numbering series assigns it. */
  CardCode?: string;
  Series?: number;
  CardName: string;
  CardType: 'cCustomer';
  GroupCode: number;
  Currency: string;
  EmailAddress?: string;
  Phone1?: string;
  Cellular?: string;
  BilltoDefault?: string;
  ShipToDefault?: string;
  U_ShopifyId: string;
  BPAddresses: B1BPAddress[];
}

/** A business partner as read from B1 (only the fields diffing needs). */
export interface B1BusinessPartner {
  CardCode: string;
  CardName?: string | null;
  EmailAddress?: string | null;
  Phone1?: string | null;
  Cellular?: string | null;
  BilltoDefault?: string | null;
  ShipToDefault?: string | null;
  U_ShopifyId?: string | null;
  BPAddresses?: B1BPAddress[];
}

/** PATCH /BusinessPartners('code') body: only changed fields. */
export type B1BusinessPartnerPatch = Partial<
  Pick<B1BusinessPartnerCreate, 'CardName' | 'EmailAddress' | 'Phone1' | 'Cellular' | 'BilltoDefault' | 'ShipToDefault' | 'U_ShopifyId'>
> & { BPAddresses?: B1BPAddress[] };

export interface B1ItemPrice {
  PriceList: number;
  Price?: number | null;
  Currency?: string | null;
}

export interface B1ItemWarehouseInfo {
  WarehouseCode: string;
  InStock?: number | null;
  Committed?: number | null;
  Ordered?: number | null;
}

/** An item as read from B1 for the B1 → Shopify product push. */
export interface B1Item {
  ItemCode: string;
  ItemName?: string | null;
  BarCode?: string | null;
  InventoryItem?: B1YesNo | null;
  VatLiable?: B1YesNo | null;
  Valid?: B1YesNo | null;
  ValidFrom?: string | null;
  ValidTo?: string | null;
  Frozen?: B1YesNo | null;
  FrozenFrom?: string | null;
  FrozenTo?: string | null;
  SalesUnitWeight?: number | null;
  SalesWeightUnit?: number | null;
  ItemPrices?: B1ItemPrice[];
  ItemWarehouseInfoCollection?: B1ItemWarehouseInfo[];
}

/** POST /Items body for a product created in Shopify. */
export interface B1ItemCreate {
  ItemCode: string;
  ItemName: string;
  ItemType: 'itItems';
  ItemsGroupCode: number;
  InventoryItem: B1YesNo;
  SalesItem: 'tYES';
  VatLiable: B1YesNo;
  BarCode?: string;
  SalesUnitWeight?: number;
  SalesWeightUnit?: number;
  ItemPrices: { PriceList: number; Price: number }[];
  U_ShopifyId: string;
}

export interface B1DocumentLineCreate {
  ItemCode: string;
  Quantity: number;
  UnitPrice: number;
  DiscountPercent: number;
  WarehouseCode: string;
  /** US-style localisations (order.tax.codeField 'TaxCode'). */
  TaxCode?: string;
  /** VAT localisations (order.tax.codeField 'VatGroup'). */
  VatGroup?: string;
  /** The Shopify line item GID (RDR1 UDF, shared by every marketing document's lines). */
  U_ShopifyLineId?: string;
}

export interface B1AdditionalExpense {
  ExpenseCode: number;
  LineTotal: number;
  TaxCode?: string;
  VatGroup?: string;
  Remarks?: string;
}

export interface B1AddressExtension {
  ShipToStreet?: string;
  ShipToBuilding?: string;
  ShipToCity?: string;
  ShipToZipCode?: string;
  ShipToState?: string;
  ShipToCountry?: string;
  BillToStreet?: string;
  BillToBuilding?: string;
  BillToCity?: string;
  BillToZipCode?: string;
  BillToState?: string;
  BillToCountry?: string;
}

/** POST /Orders body. */
export interface B1OrderCreate {
  CardCode: string;
  DocDate: string;
  DocDueDate: string;
  TaxDate: string;
  NumAtCard: string;
  DocCurrency: string;
  U_ShopifyId: string;
  DocumentLines: B1DocumentLineCreate[];
  DocumentAdditionalExpenses?: B1AdditionalExpense[];
  AddressExtension?: B1AddressExtension;
}

/** An existing B1 sales order as read for update decisions. */
export interface B1OrderState {
  DocEntry: number;
  DocumentStatus: B1DocStatus;
  Cancelled: B1YesNo;
  DocumentLines: {
    LineNum: number;
    ItemCode: string;
    Quantity: number;
    LineStatus?: B1DocStatus | null;
    /** Quantity not yet delivered; less than Quantity once part of the line shipped. */
    RemainingOpenQuantity?: number | null;
  }[];
}
