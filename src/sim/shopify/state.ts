import { gid, parseGid } from './ids';
import { systemClock, type SimClock } from './clock';
import { financialStatusOf, openLedger, type GatewayRec, type PaymentInput, type TransactionRec } from './money-ledger';
import { fulfilledUnits, type FulfillmentData } from './fulfillment-state';

/** Decimal amounts are kept as strings with two decimals, as Shopify's Decimal/Money scalars render them. */
export type Money = string;

export interface AddressRec {
  id: number;
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

export interface LocationRec {
  id: number;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  address: { address1: string | null; city: string | null; zip: string | null; countryCode: string | null; provinceCode: string | null };
  createdAt: string;
  updatedAt: string;
}

export interface ProductRec {
  id: number;
  title: string;
  handle: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';
  vendor: string;
  productType: string;
  descriptionHtml: string;
  tags: string[];
  options: { id: number; name: string; values: string[] }[];
  variantIds: number[];
  createdAt: string;
  updatedAt: string;
}

export interface VariantRec {
  id: number;
  productId: number;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: Money;
  compareAtPrice: Money | null;
  taxable: boolean;
  inventoryPolicy: 'DENY' | 'CONTINUE';
  position: number;
  selectedOptions: { name: string; value: string }[];
  inventoryItemId: number;
  createdAt: string;
  updatedAt: string;
}

export interface LevelRec {
  locationId: number;
  quantities: Record<string, number>;
  quantityUpdatedAt: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface InventoryItemRec {
  id: number;
  variantId: number;
  tracked: boolean;
  requiresShipping: boolean;
  weight: { unit: 'GRAMS' | 'KILOGRAMS' | 'OUNCES' | 'POUNDS'; value: number } | null;
  cost: Money | null;
  levels: Record<string, LevelRec>;
  createdAt: string;
  updatedAt: string;
}

export interface MetafieldRec {
  id: number;
  ownerGid: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

export interface MetafieldDefinitionRec {
  id: number;
  name: string;
  namespace: string;
  key: string;
  type: string;
  ownerType: string;
  description: string | null;
}

export interface CustomerRec {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  tags: string[];
  note: string | null;
  state: 'DECLINED' | 'DISABLED' | 'ENABLED' | 'INVITED';
  taxExempt: boolean;
  locale: string;
  emailMarketingState: 'INVALID' | 'NOT_SUBSCRIBED' | 'PENDING' | 'SUBSCRIBED' | 'UNSUBSCRIBED';
  addresses: AddressRec[];
  defaultAddressId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface TaxLineRec {
  title: string;
  rate: number;
  amount: Money;
}

export interface LineItemRec {
  id: number;
  variantId: number | null;
  productId: number | null;
  sku: string | null;
  title: string;
  variantTitle: string | null;
  quantity: number;
  currentQuantity: number;
  unitPrice: Money;
  /** Discount allocated to the whole line (all units), shop currency. */
  discount: Money;
  taxLines: TaxLineRec[];
  taxable: boolean;
  requiresShipping: boolean;
  locationId: number | null;
}

export interface ShippingLineRec {
  id: number;
  title: string;
  code: string;
  price: Money;
  discountedPrice: Money;
  taxLines: TaxLineRec[];
}

export interface RefundRec {
  id: number;
  createdAt: string;
  note: string | null;
  amount: Money;
  lineItems: {
    lineItemId: number;
    quantity: number;
    restock: boolean;
    restockType?: 'CANCEL' | 'NO_RESTOCK' | 'RETURN';
    locationId?: number | null;
    subtotal?: Money;
    tax?: Money;
  }[];
  /** Money fields (money.ts); absent on refunds saved by an older simulator. */
  processedAt?: string;
  transactionIds?: number[];
  shipping?: { shippingLineId: number; subtotal: Money; tax: Money }[];
  adjustments?: { id: number; amount: Money; reason: string }[];
}

export interface OrderRec {
  id: number;
  number: number;
  name: string;
  email: string | null;
  phone: string | null;
  customerId: number | null;
  note: string | null;
  tags: string[];
  test: boolean;
  currencyCode: string;
  taxesIncluded: boolean;
  discountCodes: string[];
  financialStatus: 'AUTHORIZED' | 'EXPIRED' | 'PAID' | 'PARTIALLY_PAID' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'VOIDED';
  fulfillmentStatus:
    | 'FULFILLED'
    | 'IN_PROGRESS'
    | 'ON_HOLD'
    | 'OPEN'
    | 'PARTIALLY_FULFILLED'
    | 'PENDING_FULFILLMENT'
    | 'RESTOCKED'
    | 'SCHEDULED'
    | 'UNFULFILLED';
  lineItems: LineItemRec[];
  shippingLines: ShippingLineRec[];
  shippingAddress: AddressRec | null;
  billingAddress: AddressRec | null;
  refunds: RefundRec[];
  /** Payment ledger (money-ledger.ts); absent in state files of an older simulator until migrated. */
  transactions?: TransactionRec[];
  paymentGateways?: string[];
  cancelledAt: string | null;
  cancelReason: 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF' | null;
  closedAt: string | null;
  processedAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface InventoryChangeRec {
  name: string;
  delta: number;
  quantityAfterChange: number | null;
  inventoryItemId: number;
  locationId: number;
  ledgerDocumentUri: string | null;
}

export interface AdjustmentGroupRec {
  id: number;
  createdAt: string;
  reason: string;
  referenceDocumentUri: string | null;
  changes: InventoryChangeRec[];
}

export interface BulkOperationRec {
  id: number;
  type: 'QUERY' | 'MUTATION';
  status: 'CANCELED' | 'CANCELING' | 'COMPLETED' | 'CREATED' | 'EXPIRED' | 'FAILED' | 'RUNNING';
  errorCode: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT' | null;
  query: string;
  appId: string;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  resultKey: string | null;
  partialResultKey: string | null;
}

/** Everything the simulated shop knows; plain data so it can be written to and read from a state file. */
export interface WebhookSubscriptionRec {
  id: number;
  /** GraphQL enum name, e.g. ORDERS_CREATE. */
  topic: string;
  uri: string;
  format: 'JSON' | 'XML';
  includeFields: string[];
  filter: string | null;
  name: string | null;
  apiVersion: string;
  createdAt: string;
  updatedAt: string;
}

export interface ShopData {
  shopName: string;
  currencyCode: string;
  nextId: number;
  nextOrderNumber: number;
  locations: Record<string, LocationRec>;
  products: Record<string, ProductRec>;
  variants: Record<string, VariantRec>;
  inventoryItems: Record<string, InventoryItemRec>;
  metafields: Record<string, MetafieldRec>;
  metafieldDefinitions: Record<string, MetafieldDefinitionRec>;
  customers: Record<string, CustomerRec>;
  orders: Record<string, OrderRec>;
  adjustmentGroups: Record<string, AdjustmentGroupRec>;
  bulkOperations: Record<string, BulkOperationRec>;
  /** Webhook subscriptions created through the API (webhook-subscriptions.ts); absent in older state files. */
  webhookSubscriptions?: Record<string, WebhookSubscriptionRec>;
  /** Gateways added or tuned through /_sim/gateways (money-control.ts). */
  paymentGateways?: Record<string, GatewayRec>;
  /** Fulfillment orders and fulfillments (fulfillment-state.ts); absent in older state files. */
  fulfillment?: FulfillmentData;
}

export function emptyShopData(shopName = 'b1hub-demo'): ShopData {
  return {
    shopName,
    currencyCode: 'USD',
    nextId: 1_000_001,
    nextOrderNumber: 1001,
    locations: {},
    products: {},
    variants: {},
    inventoryItems: {},
    metafields: {},
    metafieldDefinitions: {},
    customers: {},
    orders: {},
    adjustmentGroups: {},
    bulkOperations: {},
  };
}

export function money(n: number): Money {
  return (Math.round(n * 100) / 100).toFixed(2);
}

export function num(m: Money | null | undefined): number {
  return m == null ? 0 : Number(m);
}

export function handleize(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'product'
  );
}

export type ChangeListener = (topic: string, payload: { gid: string; at: string }) => void;

/**
 * The shop's records plus the domain rules every write path shares (GraphQL resolvers, bulk
 * mutations, test helpers), so updatedAt bumps and inventory arithmetic cannot diverge.
 */
export class ShopState {
  data: ShopData;
  readonly clock: SimClock;
  private listeners: ChangeListener[] = [];

  constructor(data?: ShopData, clock: SimClock = systemClock()) {
    this.data = data ?? emptyShopData();
    this.clock = clock;
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  emit(topic: string, gidValue: string): void {
    const at = this.clock.nowIso();
    for (const l of this.listeners) l(topic, { gid: gidValue, at });
  }

  newId(): number {
    return this.data.nextId++;
  }

  now(): string {
    return this.clock.nowIso();
  }

  // ---------- lookups ----------
  location(id: number): LocationRec | undefined {
    return this.data.locations[id];
  }
  product(id: number): ProductRec | undefined {
    return this.data.products[id];
  }
  variant(id: number): VariantRec | undefined {
    return this.data.variants[id];
  }
  inventoryItem(id: number): InventoryItemRec | undefined {
    return this.data.inventoryItems[id];
  }
  customer(id: number): CustomerRec | undefined {
    return this.data.customers[id];
  }
  order(id: number): OrderRec | undefined {
    return this.data.orders[id];
  }

  byGid(value: string): { type: string; rec: unknown } | null {
    const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)/.exec(value);
    if (!m) return null;
    const type = m[1] as string;
    const id = Number(m[2]);
    const table: Record<string, Record<string, unknown>> = {
      Location: this.data.locations,
      Product: this.data.products,
      ProductVariant: this.data.variants,
      InventoryItem: this.data.inventoryItems,
      Customer: this.data.customers,
      Order: this.data.orders,
      Metafield: this.data.metafields,
      MetafieldDefinition: this.data.metafieldDefinitions,
      BulkOperation: this.data.bulkOperations,
      InventoryAdjustmentGroup: this.data.adjustmentGroups,
    };
    const rec = table[type]?.[id];
    return rec ? { type, rec } : null;
  }

  /** Bumps updatedAt of the record a GID names (used when a metafield of it changes). */
  touch(ownerGid: string): void {
    const hit = this.byGid(ownerGid);
    if (hit && typeof hit.rec === 'object' && hit.rec && 'updatedAt' in hit.rec) {
      (hit.rec as { updatedAt: string }).updatedAt = this.now();
      if (hit.type === 'ProductVariant') {
        const v = hit.rec as VariantRec;
        const p = this.product(v.productId);
        if (p) p.updatedAt = this.now();
      }
    }
  }

  // ---------- locations ----------
  addLocation(input: {
    name: string;
    isActive?: boolean;
    fulfillsOnlineOrders?: boolean;
    countryCode?: string;
    city?: string;
  }): LocationRec {
    const now = this.now();
    const rec: LocationRec = {
      id: this.newId(),
      name: input.name,
      isActive: input.isActive ?? true,
      fulfillsOnlineOrders: input.fulfillsOnlineOrders ?? true,
      address: { address1: null, city: input.city ?? null, zip: null, countryCode: input.countryCode ?? 'DE', provinceCode: null },
      createdAt: now,
      updatedAt: now,
    };
    this.data.locations[rec.id] = rec;
    return rec;
  }

  // ---------- metafields ----------
  metafieldsOf(ownerGid: string): MetafieldRec[] {
    return Object.values(this.data.metafields).filter((m) => m.ownerGid === ownerGid);
  }

  findMetafield(ownerGid: string, namespace: string, key: string): MetafieldRec | undefined {
    return Object.values(this.data.metafields).find((m) => m.ownerGid === ownerGid && m.namespace === namespace && m.key === key);
  }

  definitionFor(ownerType: string, namespace: string, key: string): MetafieldDefinitionRec | undefined {
    return Object.values(this.data.metafieldDefinitions).find(
      (d) => d.ownerType === ownerType && d.namespace === namespace && d.key === key,
    );
  }

  /** Owner of an `id`-typed metafield value: such values are unique per definition. */
  ownerByCustomId(ownerType: string, namespace: string, key: string, value: string): string | null {
    const prefix = `gid://shopify/${ownerTypeToGidType(ownerType)}/`;
    const hit = Object.values(this.data.metafields).find(
      (m) => m.ownerGid.startsWith(prefix) && m.namespace === namespace && m.key === key && m.value === value,
    );
    return hit ? hit.ownerGid : null;
  }

  /**
   * Validates one metafield write; returns an error message or null. `id` definitions enforce
   * uniqueness of the value among owners of the same type, which is what makes custom IDs work.
   */
  checkMetafield(
    ownerGid: string,
    namespace: string,
    key: string,
    type: string | null | undefined,
    value: string,
  ): { message: string; code: string } | null {
    const ownerType = gidTypeToOwnerType(ownerGid);
    if (!ownerType) return { message: 'Owner does not exist or is not a supported owner type.', code: 'INVALID' };
    if (!this.byGid(ownerGid)) return { message: 'Owner does not exist.', code: 'INVALID' };
    if (key.length < 2 || key.length > 64 || !/^[A-Za-z0-9_-]+$/.test(key)) return { message: 'Key is invalid.', code: 'INVALID' };
    if (namespace.length < 3 || namespace.length > 255 || !/^[A-Za-z0-9_$-]+$/.test(namespace))
      return { message: 'Namespace is invalid.', code: 'INVALID' };
    const def = this.definitionFor(ownerType, namespace, key);
    const existing = this.findMetafield(ownerGid, namespace, key);
    const effectiveType = def?.type ?? type ?? existing?.type;
    if (!effectiveType) return { message: "Type can't be blank", code: 'BLANK' };
    if (def && type && type !== def.type) return { message: `Type must be ${def.type} to match the definition.`, code: 'INVALID_TYPE' };
    if (effectiveType === 'id') {
      if (value.length === 0 || value.length > 255) return { message: 'Value is invalid for the id type.', code: 'INVALID_VALUE' };
      const other = this.ownerByCustomId(ownerType, namespace, key, value);
      if (other && other !== ownerGid) return { message: 'Value is already taken by another resource.', code: 'TAKEN' };
    }
    if (effectiveType === 'number_integer' && !/^-?\d+$/.test(value))
      return { message: 'Value must be an integer.', code: 'INVALID_VALUE' };
    return null;
  }

  setMetafield(ownerGid: string, namespace: string, key: string, type: string | null | undefined, value: string): MetafieldRec {
    const now = this.now();
    const ownerType = gidTypeToOwnerType(ownerGid) ?? '';
    const def = this.definitionFor(ownerType, namespace, key);
    const existing = this.findMetafield(ownerGid, namespace, key);
    if (existing) {
      existing.value = value;
      existing.type = def?.type ?? type ?? existing.type;
      existing.updatedAt = now;
      this.touch(ownerGid);
      return existing;
    }
    const rec: MetafieldRec = {
      id: this.newId(),
      ownerGid,
      namespace,
      key,
      type: def?.type ?? type ?? 'single_line_text_field',
      value,
      createdAt: now,
      updatedAt: now,
    };
    this.data.metafields[rec.id] = rec;
    this.touch(ownerGid);
    return rec;
  }

  deleteMetafieldsOf(ownerGid: string): void {
    for (const m of this.metafieldsOf(ownerGid)) delete this.data.metafields[m.id];
  }

  // ---------- customers ----------
  createCustomer(
    input: Partial<Omit<CustomerRec, 'id' | 'addresses' | 'createdAt' | 'updatedAt'>> & {
      addresses?: Partial<AddressRec>[];
      createdAt?: string;
    },
  ): CustomerRec {
    const now = this.now();
    const addresses = (input.addresses ?? []).map((a) => this.address(a));
    const rec: CustomerRec = {
      id: this.newId(),
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      tags: input.tags ?? [],
      note: input.note ?? null,
      state: input.state ?? 'DISABLED',
      taxExempt: input.taxExempt ?? false,
      locale: input.locale ?? 'en',
      emailMarketingState: input.emailMarketingState ?? 'NOT_SUBSCRIBED',
      addresses,
      defaultAddressId: addresses[0]?.id ?? null,
      createdAt: input.createdAt ?? now,
      updatedAt: input.createdAt ?? now,
    };
    this.data.customers[rec.id] = rec;
    this.emit('customers/create', gid('Customer', rec.id));
    return rec;
  }

  updateCustomer(
    id: number,
    patch: Partial<Omit<CustomerRec, 'id' | 'addresses' | 'createdAt' | 'updatedAt'>> & { addresses?: Partial<AddressRec>[] },
  ): CustomerRec {
    const rec = this.customer(id);
    if (!rec) throw new Error(`customer ${id} does not exist`);
    const { addresses, ...rest } = patch;
    Object.assign(rec, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    if (addresses) {
      rec.addresses = addresses.map((a) => this.address(a));
      rec.defaultAddressId = rec.addresses[0]?.id ?? null;
    }
    rec.updatedAt = this.now();
    this.emit('customers/update', gid('Customer', rec.id));
    return rec;
  }

  address(a: Partial<AddressRec>): AddressRec {
    return {
      id: a.id ?? this.newId(),
      firstName: a.firstName ?? null,
      lastName: a.lastName ?? null,
      company: a.company ?? null,
      address1: a.address1 ?? null,
      address2: a.address2 ?? null,
      city: a.city ?? null,
      provinceCode: a.provinceCode ?? null,
      zip: a.zip ?? null,
      countryCode: a.countryCode ?? null,
      phone: a.phone ?? null,
    };
  }

  emailTaken(email: string, exceptId?: number): boolean {
    const e = email.toLowerCase();
    return Object.values(this.data.customers).some((c) => c.id !== exceptId && c.email?.toLowerCase() === e);
  }

  // ---------- products / variants / inventory ----------
  uniqueHandle(base: string, exceptProductId?: number): string {
    const taken = new Set(
      Object.values(this.data.products)
        .filter((p) => p.id !== exceptProductId)
        .map((p) => p.handle),
    );
    if (!taken.has(base)) return base;
    for (let i = 1; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
  }

  newInventoryItem(
    variantId: number,
    input: { tracked?: boolean; requiresShipping?: boolean; weight?: InventoryItemRec['weight']; cost?: Money | null },
  ): InventoryItemRec {
    const now = this.now();
    const rec: InventoryItemRec = {
      id: this.newId(),
      variantId,
      tracked: input.tracked ?? true,
      requiresShipping: input.requiresShipping ?? true,
      weight: input.weight ?? null,
      cost: input.cost ?? null,
      levels: {},
      createdAt: now,
      updatedAt: now,
    };
    this.data.inventoryItems[rec.id] = rec;
    return rec;
  }

  skuOfItem(item: InventoryItemRec): string | null {
    return this.variant(item.variantId)?.sku ?? null;
  }

  /** Stocks an item at a location (idempotent); the quantities start at the given values. */
  activate(item: InventoryItemRec, locationId: number, available?: number | null, onHand?: number | null): LevelRec {
    const now = this.now();
    let level = item.levels[locationId];
    if (!level) {
      level = {
        locationId,
        quantities: { available: 0, on_hand: 0, committed: 0, incoming: 0, reserved: 0, damaged: 0, quality_control: 0, safety_stock: 0 },
        quantityUpdatedAt: {},
        createdAt: now,
        updatedAt: now,
      };
      item.levels[locationId] = level;
    }
    if (available != null) this.setQuantity(item, locationId, 'available', available);
    if (onHand != null) this.setQuantity(item, locationId, 'on_hand', onHand);
    item.updatedAt = now;
    return level;
  }

  /**
   * Sets available or on_hand keeping Shopify's invariant on_hand = available + committed +
   * unavailable states; returns the delta applied to the named quantity.
   */
  setQuantity(item: InventoryItemRec, locationId: number, name: 'available' | 'on_hand', quantity: number): number {
    const level = item.levels[locationId];
    if (!level) throw new Error('ITEM_NOT_STOCKED_AT_LOCATION');
    const now = this.now();
    const q = level.quantities;
    const before = q[name] ?? 0;
    const delta = quantity - before;
    q[name] = quantity;
    if (name === 'available') q.on_hand = (q.on_hand ?? 0) + delta;
    else q.available = (q.available ?? 0) + delta;
    level.quantityUpdatedAt.available = now;
    level.quantityUpdatedAt.on_hand = now;
    level.updatedAt = now;
    item.updatedAt = now;
    this.emit('inventory_levels/update', gid('InventoryLevel', `${item.id}?inventory_item_id=${item.id}&location_id=${locationId}`));
    return delta;
  }

  /** Moves units between available and committed, as placing or cancelling an order does. */
  commit(item: InventoryItemRec, locationId: number, qty: number): void {
    const level = item.levels[locationId];
    if (!level || !item.tracked) return;
    const now = this.now();
    level.quantities.available = (level.quantities.available ?? 0) - qty;
    level.quantities.committed = (level.quantities.committed ?? 0) + qty;
    level.quantityUpdatedAt.available = now;
    level.quantityUpdatedAt.committed = now;
    level.updatedAt = now;
    item.updatedAt = now;
    // Shopify announces every change of `available`, a sale's included.
    this.emit('inventory_levels/update', gid('InventoryLevel', `${item.id}?inventory_item_id=${item.id}&location_id=${locationId}`));
  }

  variantsBySku(sku: string): VariantRec[] {
    return Object.values(this.data.variants).filter((v) => v.sku === sku);
  }

  deleteVariant(v: VariantRec): void {
    delete this.data.inventoryItems[v.inventoryItemId];
    this.deleteMetafieldsOf(gid('ProductVariant', v.id));
    delete this.data.variants[v.id];
  }

  // ---------- orders ----------
  createOrder(input: OrderInput): OrderRec {
    const now = this.now();
    const createdAt = input.createdAt ?? now;
    const customer = input.customerId != null ? this.customer(input.customerId) : undefined;
    const taxRate = input.taxRate ?? 0.19;
    const taxesIncluded = input.taxesIncluded ?? false;
    const activeLocations = Object.values(this.data.locations).filter((l) => l.isActive);
    const lines: LineItemRec[] = input.lines.map((l, i) => {
      const variant = l.variantId != null ? this.variant(l.variantId) : l.sku ? this.variantsBySku(l.sku)[0] : undefined;
      // Shopify routes a line to a location that stocks its item (a fulfillment order cannot even be
      // moved to one that does not), and the sale commits units there. A location asked for that does
      // not stock a tracked item is refused, not taken with nothing committed: that order would be
      // one real Shopify cannot have, and a sale its inventory does not show.
      const item = variant ? this.inventoryItem(variant.inventoryItemId) : undefined;
      if (l.locationId != null && item?.tracked && !item.levels[l.locationId])
        throw new Error(
          `order line ${i + 1} (${variant!.sku ?? `variant ${variant!.id}`}): its inventory item is not stocked at location ${l.locationId}; ` +
            'Shopify assigns a line only to a location that stocks its item (stock it there first, inventoryActivate)',
        );
      // An item stocked nowhere (or untracked, or no variant) keeps the first active location, and
      // nothing is committed: the reference does not say what Shopify does with such a sale.
      const routed = item ? activeLocations.find((loc) => item.levels[loc.id]) : undefined;
      const product = variant ? this.product(variant.productId) : undefined;
      const unitPrice = l.unitPrice ?? variant?.price ?? '10.00';
      const gross = num(unitPrice) * l.quantity;
      const discount = l.discount ?? '0.00';
      const taxable = variant?.taxable ?? true;
      const base = gross - num(discount);
      const taxAmount = taxable ? (taxesIncluded ? base - base / (1 + taxRate) : base * taxRate) : 0;
      return {
        id: this.newId(),
        variantId: variant?.id ?? null,
        productId: product?.id ?? null,
        sku: variant?.sku ?? l.sku ?? null,
        title: product?.title ?? l.title ?? l.sku ?? 'Custom item',
        variantTitle: variant && variant.title !== 'Default Title' ? variant.title : null,
        quantity: l.quantity,
        currentQuantity: l.quantity,
        unitPrice: money(num(unitPrice)),
        discount: money(num(discount)),
        taxLines: taxable ? [{ title: input.taxTitle ?? 'VAT', rate: taxRate, amount: money(taxAmount) }] : [],
        taxable,
        requiresShipping: true,
        locationId: l.locationId ?? (routed ?? activeLocations[0])?.id ?? null,
      };
    });
    const shippingLines: ShippingLineRec[] = (input.shipping ?? []).map((s) => {
      const price = num(s.price);
      const tax = taxesIncluded ? price - price / (1 + taxRate) : price * taxRate;
      return {
        id: this.newId(),
        title: s.title,
        code: s.code ?? s.title,
        price: money(price),
        discountedPrice: money(price - num(s.discount ?? '0')),
        taxLines: price > 0 ? [{ title: input.taxTitle ?? 'VAT', rate: taxRate, amount: money(tax) }] : [],
      };
    });
    const number = this.data.nextOrderNumber++;
    const addr = input.shippingAddress
      ? this.address(input.shippingAddress)
      : customer?.addresses[0]
        ? { ...customer.addresses[0], id: this.newId() }
        : null;
    const rec: OrderRec = {
      id: this.newId(),
      number,
      name: `#${number}`,
      email: input.email ?? customer?.email ?? null,
      phone: customer?.phone ?? null,
      customerId: customer?.id ?? null,
      note: input.note ?? null,
      tags: input.tags ?? [],
      test: input.test ?? false,
      currencyCode: this.data.currencyCode,
      taxesIncluded,
      discountCodes: input.discountCodes ?? [],
      financialStatus: input.financialStatus ?? 'PAID',
      fulfillmentStatus: 'UNFULFILLED',
      lineItems: lines,
      shippingLines,
      shippingAddress: addr,
      billingAddress: input.billingAddress ? this.address(input.billingAddress) : addr ? { ...addr, id: this.newId() } : null,
      refunds: [],
      cancelledAt: null,
      cancelReason: null,
      closedAt: null,
      processedAt: input.processedAt ?? createdAt,
      createdAt,
      updatedAt: createdAt,
    };
    this.data.orders[rec.id] = rec;
    openLedger(rec, input, this.data.paymentGateways, orderTotals(rec).original.total, () => this.newId(), now);
    rec.financialStatus = financialStatusOf(rec, orderTotals(rec).original.total, now);
    for (const l of lines) {
      const item = l.variantId != null ? this.inventoryItem(this.variant(l.variantId)?.inventoryItemId ?? -1) : undefined;
      if (item && l.locationId != null) this.commit(item, l.locationId, l.quantity);
    }
    this.emit('orders/create', gid('Order', rec.id));
    // Shopify sends orders/paid as its own event when an order is created already paid.
    if (rec.financialStatus === 'PAID') this.emit('orders/paid', gid('Order', rec.id));
    return rec;
  }

  cancelOrder(id: number, opts: { reason?: OrderRec['cancelReason']; restock?: boolean; refund?: boolean } = {}): OrderRec {
    const o = this.order(id);
    if (!o) throw new Error(`order ${id} does not exist`);
    if (o.cancelledAt) throw new Error(`order ${id} is already cancelled`);
    const now = this.now();
    for (const l of o.lineItems) {
      const item = l.variantId != null ? this.inventoryItem(this.variant(l.variantId)?.inventoryItemId ?? -1) : undefined;
      // Shipped units left committed when they were fulfilled: only the rest is released.
      if (item && l.locationId != null && (opts.restock ?? true))
        this.commit(item, l.locationId, -Math.max(0, l.currentQuantity - fulfilledUnits(this, o.id, l.id)));
      l.currentQuantity = 0;
    }
    o.cancelledAt = now;
    o.closedAt = now;
    o.cancelReason = opts.reason ?? 'CUSTOMER';
    if (opts.refund ?? true) {
      if (o.financialStatus === 'PAID' || o.financialStatus === 'PARTIALLY_REFUNDED') {
        const paid = orderTotals(o).original.total;
        const already = o.refunds.reduce((s, r) => s + num(r.amount), 0);
        o.refunds.push({ id: this.newId(), createdAt: now, note: 'Order cancelled', amount: money(paid - already), lineItems: [] });
        o.financialStatus = 'REFUNDED';
      } else o.financialStatus = 'VOIDED';
    }
    o.updatedAt = now;
    this.emit('orders/cancelled', gid('Order', o.id));
    this.emit('orders/updated', gid('Order', o.id));
    return o;
  }

  /** Refunds units of line items (a partial refund); currentQuantity drops, originals stay. */
  refundOrder(id: number, lines: { lineItemId: number; quantity: number; restock?: boolean }[], note?: string): RefundRec {
    const o = this.order(id);
    if (!o) throw new Error(`order ${id} does not exist`);
    const now = this.now();
    let amount = 0;
    for (const r of lines) {
      const l = o.lineItems.find((x) => x.id === r.lineItemId);
      if (!l) throw new Error(`line item ${r.lineItemId} is not on order ${id}`);
      if (r.quantity > l.currentQuantity)
        throw new Error(`line item ${r.lineItemId}: cannot refund ${r.quantity}, only ${l.currentQuantity} left`);
      const unitNet = (num(l.unitPrice) * l.quantity - num(l.discount)) / l.quantity;
      const unitTax = l.taxLines.reduce((s, t) => s + num(t.amount), 0) / l.quantity;
      amount += (unitNet + (o.taxesIncluded ? 0 : unitTax)) * r.quantity;
      l.currentQuantity -= r.quantity;
      const item = l.variantId != null ? this.inventoryItem(this.variant(l.variantId)?.inventoryItemId ?? -1) : undefined;
      if (item && l.locationId != null && r.restock) this.commit(item, l.locationId, -r.quantity);
    }
    const refund: RefundRec = {
      id: this.newId(),
      createdAt: now,
      note: note ?? null,
      amount: money(amount),
      lineItems: lines.map((l) => ({ lineItemId: l.lineItemId, quantity: l.quantity, restock: l.restock ?? false })),
    };
    o.refunds.push(refund);
    const total = orderTotals(o).original.total;
    const refunded = o.refunds.reduce((s, r) => s + num(r.amount), 0);
    o.financialStatus = refunded >= total - 0.005 ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    o.updatedAt = now;
    this.emit('refunds/create', gid('Refund', refund.id));
    this.emit('orders/updated', gid('Order', o.id));
    return refund;
  }
}

export interface OrderInput {
  customerId?: number | null;
  email?: string | null;
  lines: { sku?: string; variantId?: number; quantity: number; unitPrice?: Money; discount?: Money; title?: string; locationId?: number }[];
  shipping?: { title: string; code?: string; price: Money; discount?: Money }[];
  shippingAddress?: Partial<AddressRec>;
  billingAddress?: Partial<AddressRec>;
  taxRate?: number;
  taxTitle?: string;
  taxesIncluded?: boolean;
  discountCodes?: string[];
  financialStatus?: OrderRec['financialStatus'];
  /** Payment gateway of the opening transaction (default shopify_payments; manual when PENDING). */
  gateway?: string;
  /** Explicit opening transactions (e.g. a gift card plus a card); overrides financialStatus's shape. */
  payments?: PaymentInput[];
  test?: boolean;
  note?: string;
  tags?: string[];
  createdAt?: string;
  processedAt?: string;
}

export interface OrderTotals {
  subtotal: number;
  discounts: number;
  shipping: number;
  tax: number;
  total: number;
}

/** Shopify's order arithmetic: original* figures use quantity, current* figures use currentQuantity. */
export function orderTotals(o: OrderRec): { original: OrderTotals; current: OrderTotals } {
  const calc = (useCurrent: boolean): OrderTotals => {
    let subtotal = 0;
    let discounts = 0;
    let tax = 0;
    for (const l of o.lineItems) {
      const q = useCurrent ? l.currentQuantity : l.quantity;
      const share = l.quantity ? q / l.quantity : 0;
      subtotal += num(l.unitPrice) * q - num(l.discount) * share;
      discounts += num(l.discount) * share;
      tax += l.taxLines.reduce((s, t) => s + num(t.amount), 0) * share;
    }
    const cancelled = useCurrent && o.cancelledAt != null;
    let shipping = 0;
    for (const s of o.shippingLines) {
      if (cancelled) continue;
      shipping += num(s.discountedPrice);
      discounts += num(s.price) - num(s.discountedPrice);
      tax += s.taxLines.reduce((acc, t) => acc + num(t.amount), 0);
    }
    const total = subtotal + shipping + (o.taxesIncluded ? 0 : tax);
    return { subtotal, discounts, shipping, tax, total };
  };
  return { original: calc(false), current: calc(true) };
}

const OWNER_TYPES: Record<string, string> = {
  Product: 'PRODUCT',
  ProductVariant: 'PRODUCTVARIANT',
  Customer: 'CUSTOMER',
  Order: 'ORDER',
  Location: 'LOCATION',
};

export function gidTypeToOwnerType(ownerGid: string): string | null {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(ownerGid);
  return m ? (OWNER_TYPES[m[1] as string] ?? null) : null;
}

export function ownerTypeToGidType(ownerType: string): string {
  return Object.entries(OWNER_TYPES).find(([, v]) => v === ownerType)?.[0] ?? ownerType;
}

export { gid, parseGid };
