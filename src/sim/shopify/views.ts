import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { gid, parseGid } from './ids';
import {
  num,
  money,
  orderTotals,
  type AddressRec,
  type BulkOperationRec,
  type CustomerRec,
  type InventoryItemRec,
  type LevelRec,
  type LineItemRec,
  type LocationRec,
  type MetafieldDefinitionRec,
  type MetafieldRec,
  type OrderRec,
  type ProductRec,
  type RefundRec,
  type ShippingLineRec,
  type ShopState,
  type TaxLineRec,
  type VariantRec,
  type AdjustmentGroupRec,
} from './state';
import { MAX_PAGE_SIZE } from './cost';
import { compileSearch, type FieldGetter } from './search';
import { moneyNodeView, moneyOrderFields } from './money-views';
import { fulfilledUnits } from './fulfillment-state';
import { orderFulfillmentFields } from './fulfillment-views';

/** What every resolver can reach: the shop, the request's flavour and the running simulator. */
export interface ViewCtx {
  state: ShopState;
  /** Bulk operations read whole connections, without page sizes. */
  bulk: boolean;
  version: string;
  appId: string;
  baseUrl: string;
}

type Obj = Record<string, unknown>;

export interface ConnArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
  sortKey?: string | null;
  query?: string | null;
}

function encodeCursor(sortValue: string | number, id: number): string {
  return Buffer.from(JSON.stringify({ s: sortValue, i: id })).toString('base64url');
}

function decodeCursor(cursor: string): { s: string | number; i: number } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s: string | number; i: number };
    if (typeof v.i !== 'number') throw new Error('bad');
    return v;
  } catch {
    throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: 'BAD_REQUEST' } });
  }
}

export interface ConnectionSpec<T> {
  sortKeys?: Record<string, (t: T) => string | number>;
  search?: Record<string, FieldGetter<T>>;
  freeText?: (t: T) => string[];
  idOf: (t: T) => number;
  view: (t: T) => Obj;
}

/** Cursor pagination as Shopify does it: the cursor pins (sort value, id), so pages stay stable. */
export function connection<T>(all: T[], args: ConnArgs, ctx: ViewCtx, spec: ConnectionSpec<T>): Obj {
  const sortName = args.sortKey && args.sortKey !== 'RELEVANCE' ? args.sortKey : 'ID';
  // A sort key the schema allows but the simulator does not model is refused, never quietly
  // replaced by ID order (a client relying on the order would pass here and fail on Shopify).
  if (sortName !== 'ID' && !spec.sortKeys?.[sortName]) {
    throw new GraphQLError(
      `The simulator does not implement sortKey ${sortName} on this connection (implemented: ${['ID', ...Object.keys(spec.sortKeys ?? {}).filter((k) => k !== 'ID')].join(', ')})`,
      { extensions: { code: 'NOT_IMPLEMENTED' } },
    );
  }
  const sortFn = spec.sortKeys?.[sortName] ?? ((t: T) => spec.idOf(t));
  const filter = spec.search ? compileSearch(args.query, spec.search, spec.freeText) : () => true;
  const cmp = (a: { s: string | number; i: number }, b: { s: string | number; i: number }): number => {
    if (a.s < b.s) return -1;
    if (a.s > b.s) return 1;
    return a.i - b.i;
  };
  let rows = all.filter(filter).map((t) => ({ t, k: { s: sortFn(t), i: spec.idOf(t) } }));
  rows.sort((a, b) => cmp(a.k, b.k));
  if (args.reverse) rows.reverse();
  const dir = args.reverse ? -1 : 1;
  const total = rows.length;
  let startIdx = 0;
  let endIdx = total;
  if (args.after) {
    const c = decodeCursor(args.after);
    const idx = rows.findIndex((r) => cmp(r.k, c) * dir > 0);
    startIdx = idx < 0 ? total : idx;
  }
  if (args.before) {
    const c = decodeCursor(args.before);
    const idx = rows.findIndex((r) => cmp(r.k, c) * dir >= 0);
    endIdx = idx < 0 ? total : idx;
  }
  rows = rows.slice(startIdx, endIdx);
  let hasNext = endIdx < total;
  let hasPrev = startIdx > 0;
  if (!ctx.bulk) {
    if (args.first != null) {
      if (rows.length > args.first) hasNext = true;
      rows = rows.slice(0, Math.min(args.first, MAX_PAGE_SIZE));
    } else if (args.last != null) {
      if (rows.length > args.last) hasPrev = true;
      rows = rows.slice(Math.max(0, rows.length - args.last));
    } else {
      throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
    }
  }
  const edges = rows.map((r) => ({ cursor: encodeCursor(r.k.s, r.k.i), node: spec.view(r.t) }));
  return {
    __typename: 'Connection',
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: hasNext,
      hasPreviousPage: hasPrev,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** A list field with an optional `first`, e.g. Order.refunds or LineItem.taxLines. */
function firstOf<T>(items: T[], args: { first?: number | null }): T[] {
  return args.first != null ? items.slice(0, args.first) : items;
}

export function moneyV2(amount: number | string, currencyCode: string): Obj {
  return { amount: typeof amount === 'string' ? amount : money(amount), currencyCode };
}

export function moneyBag(amount: number | string, currencyCode: string): Obj {
  const m = moneyV2(amount, currencyCode);
  return { shopMoney: m, presentmentMoney: m };
}

const COUNTRY_NAMES: Record<string, string> = {
  DE: 'Germany',
  AT: 'Austria',
  CH: 'Switzerland',
  FR: 'France',
  US: 'United States',
  GB: 'United Kingdom',
  NL: 'Netherlands',
  IT: 'Italy',
  ES: 'Spain',
  BE: 'Belgium',
};

export function addressView(a: AddressRec | null, model = 'CustomerAddress'): Obj | null {
  if (!a) return null;
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ') || null;
  return {
    __typename: 'MailingAddress',
    id: `${gid('MailingAddress', a.id)}?model_name=${model}`,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    company: a.company,
    country: a.countryCode ? (COUNTRY_NAMES[a.countryCode] ?? a.countryCode) : null,
    countryCodeV2: a.countryCode,
    firstName: a.firstName,
    lastName: a.lastName,
    name,
    phone: a.phone,
    province: a.provinceCode,
    provinceCode: a.provinceCode,
    zip: a.zip,
    coordinatesValidated: false,
    latitude: null,
    longitude: null,
    timeZone: null,
    formattedArea:
      [a.city, a.provinceCode, a.countryCode ? (COUNTRY_NAMES[a.countryCode] ?? a.countryCode) : null].filter(Boolean).join(', ') || null,
    formatted: (args: { withName?: boolean; withCompany?: boolean }) =>
      [
        args.withName ? name : null,
        args.withCompany ? a.company : null,
        a.address1,
        a.address2,
        [a.zip, a.city].filter(Boolean).join(' '),
        a.countryCode ? (COUNTRY_NAMES[a.countryCode] ?? a.countryCode) : null,
      ].filter((x): x is string => !!x),
  };
}

export function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function metafieldView(m: MetafieldRec, ctx: ViewCtx): Obj {
  return {
    __typename: 'Metafield',
    id: gid('Metafield', m.id),
    legacyResourceId: String(m.id),
    namespace: m.namespace,
    key: m.key,
    type: m.type,
    value: m.value,
    jsonValue: () => {
      if (m.type === 'number_integer') return Number(m.value);
      if (m.type === 'boolean') return m.value === 'true';
      if (m.type === 'json' || m.type.startsWith('list.')) {
        try {
          return JSON.parse(m.value) as unknown;
        } catch {
          return m.value;
        }
      }
      return m.value;
    },
    compareDigest: digest(m.value),
    sizeInBytes: Buffer.byteLength(m.value),
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    ownerType: ownerTypeOf(m.ownerGid),
    owner: () => nodeView(m.ownerGid, ctx),
    definition: () => {
      const ot = ownerTypeOf(m.ownerGid);
      const d = ot ? ctx.state.definitionFor(ot, m.namespace, m.key) : undefined;
      return d ? definitionView(d, ctx) : null;
    },
  };
}

function ownerTypeOf(ownerGid: string): string | null {
  const t = /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(ownerGid)?.[1];
  return t
    ? ((
        { Product: 'PRODUCT', ProductVariant: 'PRODUCTVARIANT', Customer: 'CUSTOMER', Order: 'ORDER', Location: 'LOCATION' } as Record<
          string,
          string
        >
      )[t] ?? null)
    : null;
}

export function definitionView(d: MetafieldDefinitionRec, ctx: ViewCtx): Obj {
  return {
    __typename: 'MetafieldDefinition',
    id: gid('MetafieldDefinition', d.id),
    name: d.name,
    namespace: d.namespace,
    key: d.key,
    description: d.description,
    ownerType: d.ownerType,
    type: { name: d.type, category: d.type === 'id' ? 'REFERENCE' : 'TEXT' },
    pinnedPosition: null,
    validations: [],
    metafieldsCount: () =>
      Object.values(ctx.state.data.metafields).filter(
        (m) => m.namespace === d.namespace && m.key === d.key && ownerTypeOf(m.ownerGid) === d.ownerType,
      ).length,
  };
}

/** metafield/metafields fields shared by every HasMetafields owner. */
function metafieldFields(ownerGid: string, ctx: ViewCtx): Obj {
  return {
    metafield: (args: { namespace?: string | null; key: string }) => {
      const m = ctx.state.findMetafield(ownerGid, args.namespace ?? appNamespace(ctx), args.key);
      return m ? metafieldView(m, ctx) : null;
    },
    metafields: (args: ConnArgs & { namespace?: string | null; keys?: string[] | null }) => {
      const all = ctx.state
        .metafieldsOf(ownerGid)
        .filter(
          (m) =>
            (args.namespace == null || m.namespace === args.namespace) && (!args.keys || args.keys.includes(`${m.namespace}.${m.key}`)),
        );
      return connection(all, args, ctx, { idOf: (m) => m.id, view: (m) => metafieldView(m, ctx) });
    },
  };
}

export function appNamespace(ctx: ViewCtx): string {
  return `app--${ctx.appId.replace(/[^A-Za-z0-9]/g, '').slice(0, 20) || 'app'}`;
}

export function customerView(c: CustomerRec, ctx: ViewCtx): Obj {
  const id = gid('Customer', c.id);
  const orders = () => Object.values(ctx.state.data.orders).filter((o) => o.customerId === c.id);
  const defaultAddr = c.addresses.find((a) => a.id === c.defaultAddressId) ?? null;
  return {
    __typename: 'Customer',
    id,
    legacyResourceId: String(c.id),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || '',
    email: c.email,
    phone: c.phone,
    note: c.note,
    tags: c.tags,
    state: c.state,
    taxExempt: c.taxExempt,
    taxExemptions: [],
    locale: c.locale,
    verifiedEmail: c.email != null,
    validEmailAddress: c.email != null && EMAIL_RE.test(c.email),
    dataSaleOptOut: false,
    canDelete: orders().length === 0,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    defaultEmailAddress: c.email
      ? {
          emailAddress: c.email,
          marketingState: c.emailMarketingState,
          marketingOptInLevel: null,
          marketingUpdatedAt: null,
          validFormat: EMAIL_RE.test(c.email),
        }
      : null,
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone } : null,
    defaultAddress: addressView(defaultAddr),
    addresses: (args: { first?: number | null }) => firstOf(c.addresses, args).map((a) => addressView(a)),
    addressesV2: (args: ConnArgs) => connection(c.addresses, args, ctx, { idOf: (a) => a.id, view: (a) => addressView(a) as Obj }),
    numberOfOrders: () => String(orders().length),
    amountSpent: () =>
      moneyV2(
        orders().reduce((s, o) => s + orderTotals(o).current.total, 0),
        ctx.state.data.currencyCode,
      ),
    orders: (args: ConnArgs) => connection(orders(), args, ctx, orderConnSpec(ctx)),
    lastOrder: () => {
      const os = orders().sort((a, b) => b.id - a.id);
      return os[0] ? orderView(os[0], ctx) : null;
    },
    ...metafieldFields(id, ctx),
  };
}

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function locationView(l: LocationRec, ctx: ViewCtx): Obj {
  const id = gid('Location', l.id);
  const levels = () =>
    Object.values(ctx.state.data.inventoryItems)
      .filter((i) => i.levels[l.id])
      .map((i) => ({ item: i, level: i.levels[l.id] as LevelRec }));
  return {
    __typename: 'Location',
    id,
    legacyResourceId: String(l.id),
    name: l.name,
    isActive: l.isActive,
    isPrimary: false,
    fulfillsOnlineOrders: l.fulfillsOnlineOrders,
    isFulfillmentService: false,
    fulfillmentService: null,
    shipsInventory: true,
    activatable: !l.isActive,
    deactivatable: l.isActive,
    deletable: !l.isActive,
    deactivatedAt: null,
    addressVerified: false,
    hasUnfulfilledOrders: false,
    hasActiveInventory: () => levels().length > 0,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
    address: {
      address1: l.address.address1,
      address2: null,
      city: l.address.city,
      country: l.address.countryCode ? (COUNTRY_NAMES[l.address.countryCode] ?? l.address.countryCode) : null,
      countryCode: l.address.countryCode,
      province: l.address.provinceCode,
      provinceCode: l.address.provinceCode,
      zip: l.address.zip,
      phone: null,
      latitude: null,
      longitude: null,
      formatted: [l.address.address1, l.address.city, l.address.countryCode].filter((x): x is string => !!x),
    },
    inventoryLevel: (args: { inventoryItemId: string }) => {
      const item = ctx.state.inventoryItem(parseGid(args.inventoryItemId, 'InventoryItem') ?? -1);
      return item?.levels[l.id] ? levelView(item, item.levels[l.id] as LevelRec, ctx) : null;
    },
    inventoryLevels: (args: ConnArgs) =>
      connection(levels(), args, ctx, {
        idOf: (x) => x.item.id,
        view: (x) => levelView(x.item, x.level, ctx),
        search: { inventory_item_id: (x) => x.item.id, updated_at: (x) => x.level.updatedAt, sku: (x) => ctx.state.skuOfItem(x.item) },
      }),
    ...metafieldFields(id, ctx),
  };
}

export const LOCATION_SEARCH: Record<string, FieldGetter<LocationRec>> = {
  id: (l) => l.id,
  name: (l) => l.name,
  active: (l) => l.isActive,
  created_at: (l) => l.createdAt,
  updated_at: (l) => l.updatedAt,
};

export function levelView(item: InventoryItemRec, level: LevelRec, ctx: ViewCtx): Obj {
  return {
    __typename: 'InventoryLevel',
    id: `${gid('InventoryLevel', level.locationId)}?inventory_item_id=${item.id}`,
    isActive: true,
    canDeactivate: (level.quantities.committed ?? 0) === 0,
    deactivationAlert: null,
    createdAt: level.createdAt,
    updatedAt: level.updatedAt,
    item: () => itemView(item, ctx),
    location: () => {
      const l = ctx.state.location(level.locationId);
      return l ? locationView(l, ctx) : null;
    },
    quantities: (args: { names: string[] }) =>
      args.names.map((name) => {
        if (!KNOWN_QUANTITY_NAMES.includes(name)) {
          throw new GraphQLError(`Invalid quantity name: '${name}'. Valid names are: ${KNOWN_QUANTITY_NAMES.join(', ')}.`, {
            extensions: { code: 'BAD_REQUEST' },
          });
        }
        const q = name === 'unavailable' ? UNAVAILABLE.reduce((s, n) => s + (level.quantities[n] ?? 0), 0) : (level.quantities[name] ?? 0);
        return {
          __typename: 'InventoryQuantity',
          id: `gid://shopify/InventoryQuantity/${level.locationId}?inventory_item_id=${item.id}&name=${name}`,
          name,
          quantity: q,
          updatedAt: level.quantityUpdatedAt[name] ?? level.updatedAt,
        };
      }),
  };
}

const UNAVAILABLE = ['reserved', 'damaged', 'quality_control', 'safety_stock'];
export const KNOWN_QUANTITY_NAMES = [
  'available',
  'on_hand',
  'committed',
  'incoming',
  'reserved',
  'damaged',
  'quality_control',
  'safety_stock',
  'unavailable',
];

export function itemView(item: InventoryItemRec, ctx: ViewCtx): Obj {
  const levels = () => Object.values(item.levels);
  const variant = ctx.state.variant(item.variantId);
  return {
    __typename: 'InventoryItem',
    id: gid('InventoryItem', item.id),
    legacyResourceId: String(item.id),
    sku: variant?.sku ?? null,
    tracked: item.tracked,
    requiresShipping: item.requiresShipping,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    countryCodeOfOrigin: null,
    provinceCodeOfOrigin: null,
    harmonizedSystemCode: null,
    inventoryHistoryUrl: null,
    duplicateSkuCount: () => (variant?.sku ? ctx.state.variantsBySku(variant.sku).length - 1 : 0),
    unitCost: item.cost != null ? moneyV2(item.cost, ctx.state.data.currencyCode) : null,
    measurement: {
      __typename: 'InventoryItemMeasurement',
      id: gid('InventoryItemMeasurement', item.id),
      weight: item.weight ? { unit: item.weight.unit, value: item.weight.value } : { unit: 'KILOGRAMS', value: 0 },
    },
    locationsCount: () => ({ count: levels().length, precision: 'EXACT' }),
    inventoryLevel: (args: { locationId: string }) => {
      const locId = parseGid(args.locationId, 'Location');
      const level = locId != null ? item.levels[locId] : undefined;
      return level ? levelView(item, level, ctx) : null;
    },
    inventoryLevels: (args: ConnArgs) =>
      connection(levels(), args, ctx, {
        idOf: (l) => l.locationId,
        view: (l) => levelView(item, l, ctx),
        search: { location_id: (l) => l.locationId, updated_at: (l) => l.updatedAt },
      }),
    variant: () => (variant ? variantView(variant, ctx) : null),
    variants: (args: ConnArgs) => connection(variant ? [variant] : [], args, ctx, { idOf: (v) => v.id, view: (v) => variantView(v, ctx) }),
  };
}

export const ITEM_SEARCH = (state: ShopState): Record<string, FieldGetter<InventoryItemRec>> => ({
  id: (i) => i.id,
  sku: (i) => state.skuOfItem(i),
  created_at: (i) => i.createdAt,
  updated_at: (i) => i.updatedAt,
});

export function variantView(v: VariantRec, ctx: ViewCtx): Obj {
  const id = gid('ProductVariant', v.id);
  const item = ctx.state.inventoryItem(v.inventoryItemId);
  return {
    __typename: 'ProductVariant',
    id,
    legacyResourceId: String(v.id),
    title: v.title,
    displayName: () => `${ctx.state.product(v.productId)?.title ?? ''} - ${v.title}`,
    sku: v.sku,
    barcode: v.barcode,
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    taxable: v.taxable,
    taxCode: null,
    inventoryPolicy: v.inventoryPolicy,
    position: v.position,
    selectedOptions: v.selectedOptions.map((o) => ({
      name: o.name,
      value: o.value,
      optionValue: { id: gid('ProductOptionValue', `${v.productId}${o.name}${o.value}`.length), name: o.value },
    })),
    availableForSale: () => {
      const avail = item ? Object.values(item.levels).reduce((s, l) => s + (l.quantities.available ?? 0), 0) : 0;
      return !item?.tracked || v.inventoryPolicy === 'CONTINUE' || avail > 0;
    },
    inventoryQuantity: () => (item ? Object.values(item.levels).reduce((s, l) => s + (l.quantities.available ?? 0), 0) : 0),
    sellableOnlineQuantity: () => (item ? Object.values(item.levels).reduce((s, l) => s + (l.quantities.available ?? 0), 0) : 0),
    requiresComponents: false,
    showUnitPrice: false,
    unitPrice: null,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    product: () => {
      const p = ctx.state.product(v.productId);
      return p ? productView(p, ctx) : null;
    },
    inventoryItem: () => (item ? itemView(item, ctx) : null),
    ...metafieldFields(id, ctx),
  };
}

export const VARIANT_SEARCH = (_state: ShopState): Record<string, FieldGetter<VariantRec>> => ({
  id: (v) => v.id,
  sku: (v) => v.sku,
  barcode: (v) => v.barcode,
  product_id: (v) => v.productId,
  title: (v) => v.title,
  created_at: (v) => v.createdAt,
  updated_at: (v) => v.updatedAt,
  inventory_item_id: (v) => v.inventoryItemId,
});

export const VARIANT_SORT: Record<string, (v: VariantRec) => string | number> = {
  ID: (v) => v.id,
  SKU: (v) => v.sku ?? '',
  TITLE: (v) => v.title,
  POSITION: (v) => v.position,
};

export function productView(p: ProductRec, ctx: ViewCtx): Obj {
  const id = gid('Product', p.id);
  const variants = () => p.variantIds.map((vid) => ctx.state.variant(vid)).filter((v): v is VariantRec => !!v);
  return {
    __typename: 'Product',
    id,
    legacyResourceId: String(p.id),
    title: p.title,
    handle: p.handle,
    status: p.status,
    vendor: p.vendor,
    productType: p.productType,
    descriptionHtml: p.descriptionHtml,
    description: (args: { truncateAt?: number | null }) => {
      const text = p.descriptionHtml.replace(/<[^>]*>/g, '');
      return args.truncateAt ? text.slice(0, args.truncateAt) : text;
    },
    tags: p.tags,
    isGiftCard: false,
    requiresSellingPlan: false,
    templateSuffix: null,
    giftCardTemplateSuffix: null,
    publishedAt: p.status === 'ACTIVE' ? p.createdAt : null,
    onlineStoreUrl: null,
    onlineStorePreviewUrl: null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    hasOnlyDefaultVariant: () => variants().length === 1 && variants()[0]?.title === 'Default Title',
    hasOutOfStockVariants: () =>
      variants().some((v) =>
        ctx.state.inventoryItem(v.inventoryItemId)?.levels
          ? Object.values(ctx.state.inventoryItem(v.inventoryItemId)?.levels ?? {}).reduce(
              (s, l) => s + (l.quantities.available ?? 0),
              0,
            ) <= 0
          : true,
      ),
    tracksInventory: () => variants().some((v) => ctx.state.inventoryItem(v.inventoryItemId)?.tracked),
    totalInventory: () =>
      variants().reduce(
        (s, v) =>
          s +
          Object.values(ctx.state.inventoryItem(v.inventoryItemId)?.levels ?? {}).reduce((a, l) => a + (l.quantities.available ?? 0), 0),
        0,
      ),
    options: (args: { first?: number | null }) =>
      firstOf(p.options, args).map((o, i) => ({
        __typename: 'ProductOption',
        id: gid('ProductOption', o.id),
        name: o.name,
        position: i + 1,
        values: o.values,
        optionValues: o.values.map((val, j) => ({
          id: gid('ProductOptionValue', o.id * 100 + j),
          name: val,
          hasVariants: variants().some((v) => v.selectedOptions.some((so) => so.name === o.name && so.value === val)),
        })),
      })),
    variants: (args: ConnArgs) =>
      connection(variants(), args, ctx, { idOf: (v) => v.id, view: (v) => variantView(v, ctx), sortKeys: VARIANT_SORT }),
    variantsCount: () => ({ count: variants().length, precision: 'EXACT' }),
    seo: { title: null, description: null },
    ...metafieldFields(id, ctx),
  };
}

export const PRODUCT_SEARCH = (state: ShopState): Record<string, FieldGetter<ProductRec>> => ({
  id: (p) => p.id,
  title: (p) => p.title,
  handle: (p) => p.handle,
  status: (p) => p.status,
  vendor: (p) => p.vendor,
  product_type: (p) => p.productType,
  tag: (p) => p.tags,
  sku: (p) => p.variantIds.map((v) => state.variant(v)?.sku ?? null),
  barcode: (p) => p.variantIds.map((v) => state.variant(v)?.barcode ?? null),
  created_at: (p) => p.createdAt,
  updated_at: (p) => p.updatedAt,
});

export const PRODUCT_SORT: Record<string, (p: ProductRec) => string | number> = {
  ID: (p) => p.id,
  UPDATED_AT: (p) => p.updatedAt,
  CREATED_AT: (p) => p.createdAt,
  TITLE: (p) => p.title.toLowerCase(),
  VENDOR: (p) => p.vendor,
  PRODUCT_TYPE: (p) => p.productType,
};

function taxLineView(t: TaxLineRec, currency: string, share = 1): Obj {
  return {
    __typename: 'TaxLine',
    title: t.title,
    rate: t.rate,
    ratePercentage: Math.round(t.rate * 10000) / 100,
    priceSet: moneyBag(num(t.amount) * share, currency),
    channelLiable: false,
    source: 'Shopify',
  };
}

export function lineItemView(o: OrderRec, l: LineItemRec, ctx: ViewCtx): Obj {
  const cur = o.currencyCode;
  const unit = num(l.unitPrice);
  const discPerUnit = l.quantity ? num(l.discount) / l.quantity : 0;
  return {
    __typename: 'LineItem',
    id: gid('LineItem', l.id),
    sku: l.sku,
    title: l.title,
    variantTitle: l.variantTitle,
    name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
    vendor: null,
    quantity: l.quantity,
    currentQuantity: l.currentQuantity,
    refundableQuantity: l.currentQuantity,
    unfulfilledQuantity: Math.max(0, l.currentQuantity - fulfilledUnits(ctx.state, o.id, l.id)),
    nonFulfillableQuantity: l.quantity - l.currentQuantity,
    taxable: l.taxable,
    requiresShipping: l.requiresShipping,
    isGiftCard: false,
    merchantEditable: true,
    restockable: true,
    customAttributes: [],
    originalUnitPriceSet: moneyBag(unit, cur),
    discountedUnitPriceSet: moneyBag(unit - discPerUnit, cur),
    discountedUnitPriceAfterAllDiscountsSet: moneyBag(unit - discPerUnit, cur),
    originalTotalSet: moneyBag(unit * l.quantity, cur),
    discountedTotalSet: moneyBag(unit * l.quantity - num(l.discount), cur),
    totalDiscountSet: moneyBag(l.discount, cur),
    unfulfilledOriginalTotalSet: moneyBag(unit * l.currentQuantity, cur),
    unfulfilledDiscountedTotalSet: moneyBag((unit - discPerUnit) * l.currentQuantity, cur),
    discountAllocations: num(l.discount) > 0 ? [{ allocatedAmountSet: moneyBag(l.discount, cur) }] : [],
    taxLines: (args: { first?: number | null }) => firstOf(l.taxLines, args).map((t) => taxLineView(t, cur)),
    variant: () => {
      const v = l.variantId != null ? ctx.state.variant(l.variantId) : undefined;
      return v ? variantView(v, ctx) : null;
    },
    product: () => {
      const p = l.productId != null ? ctx.state.product(l.productId) : undefined;
      return p ? productView(p, ctx) : null;
    },
  };
}

export function shippingLineView(o: OrderRec, s: ShippingLineRec): Obj {
  const cur = o.currencyCode;
  return {
    __typename: 'ShippingLine',
    id: gid('ShippingLine', s.id),
    title: s.title,
    code: s.code,
    source: 'shopify',
    carrierIdentifier: null,
    custom: false,
    isRemoved: o.cancelledAt != null,
    deliveryCategory: null,
    phone: null,
    shippingRateHandle: null,
    originalPriceSet: moneyBag(s.price, cur),
    discountedPriceSet: moneyBag(s.discountedPrice, cur),
    currentDiscountedPriceSet: moneyBag(o.cancelledAt ? 0 : num(s.discountedPrice), cur),
    discountAllocations: [],
    taxLines: s.taxLines.map((t) => taxLineView(t, cur)),
  };
}

function refundView(o: OrderRec, r: RefundRec, ctx: ViewCtx): Obj {
  const cur = o.currencyCode;
  return {
    __typename: 'Refund',
    id: gid('Refund', r.id),
    legacyResourceId: String(r.id),
    createdAt: r.createdAt,
    updatedAt: r.createdAt,
    processedAt: r.createdAt,
    note: r.note,
    totalRefundedSet: moneyBag(r.amount, cur),
    order: () => orderView(o, ctx),
    refundLineItems: (args: ConnArgs) =>
      connection(r.lineItems, args, ctx, {
        idOf: (x) => x.lineItemId,
        view: (x) => {
          const l = o.lineItems.find((li) => li.id === x.lineItemId) as LineItemRec;
          const unitNet = (num(l.unitPrice) * l.quantity - num(l.discount)) / l.quantity;
          const unitTax = l.taxLines.reduce((s, t) => s + num(t.amount), 0) / l.quantity;
          return {
            __typename: 'RefundLineItem',
            id: gid('RefundLineItem', `${r.id}${x.lineItemId}`),
            quantity: x.quantity,
            restocked: x.restock,
            restockType: x.restock ? 'RETURN' : 'NO_RESTOCK',
            lineItem: lineItemView(o, l, ctx),
            priceSet: moneyBag(unitNet, cur),
            subtotalSet: moneyBag(unitNet * x.quantity, cur),
            totalTaxSet: moneyBag(unitTax * x.quantity, cur),
          };
        },
      }),
  };
}

function aggregateTaxes(o: OrderRec, useCurrent: boolean): Obj[] {
  const byKey = new Map<string, { t: TaxLineRec; amount: number }>();
  const add = (t: TaxLineRec, share: number) => {
    const k = `${t.title}|${t.rate}`;
    const hit = byKey.get(k) ?? { t, amount: 0 };
    hit.amount += num(t.amount) * share;
    byKey.set(k, hit);
  };
  for (const l of o.lineItems) for (const t of l.taxLines) add(t, useCurrent && l.quantity ? l.currentQuantity / l.quantity : 1);
  for (const s of o.shippingLines) for (const t of s.taxLines) add(t, useCurrent && o.cancelledAt ? 0 : 1);
  return [...byKey.values()].map(({ t, amount }) => taxLineView({ ...t, amount: money(amount) }, o.currencyCode));
}

export function orderView(o: OrderRec, ctx: ViewCtx): Obj {
  const id = gid('Order', o.id);
  const cur = o.currencyCode;
  const totals = () => orderTotals(o);
  const refunded = () => o.refunds.reduce((s, r) => s + num(r.amount), 0);
  return {
    __typename: 'Order',
    id,
    legacyResourceId: String(o.id),
    name: o.name,
    number: o.number,
    confirmationNumber: null,
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
    closed: o.closedAt != null,
    confirmed: true,
    edited: o.lineItems.some((l) => l.currentQuantity !== l.quantity) && !o.cancelledAt && o.refunds.length === 0,
    currencyCode: cur,
    presentmentCurrencyCode: cur,
    taxesIncluded: o.taxesIncluded,
    estimatedTaxes: false,
    dutiesIncluded: false,
    discountCode: o.discountCodes[0] ?? null,
    discountCodes: o.discountCodes,
    displayFinancialStatus: o.financialStatus,
    displayFulfillmentStatus: o.fulfillmentStatus,
    fullyPaid: o.financialStatus === 'PAID',
    unpaid: o.financialStatus === 'PENDING' || o.financialStatus === 'AUTHORIZED',
    requiresShipping: o.lineItems.some((l) => l.requiresShipping),
    paymentGatewayNames: ['manual'],
    sourceName: 'web',
    customer: () => {
      const c = o.customerId != null ? ctx.state.customer(o.customerId) : undefined;
      return c ? customerView(c, ctx) : null;
    },
    shippingAddress: addressView(o.shippingAddress, 'Address'),
    billingAddress: addressView(o.billingAddress, 'Address'),
    billingAddressMatchesShippingAddress:
      JSON.stringify({ ...o.shippingAddress, id: 0 }) === JSON.stringify({ ...o.billingAddress, id: 0 }),
    subtotalLineItemsQuantity: o.lineItems.reduce((s, l) => s + l.quantity, 0),
    currentSubtotalLineItemsQuantity: o.lineItems.reduce((s, l) => s + l.currentQuantity, 0),
    subtotalPriceSet: () => moneyBag(totals().original.subtotal, cur),
    currentSubtotalPriceSet: () => moneyBag(totals().current.subtotal, cur),
    totalPriceSet: () => moneyBag(totals().original.total, cur),
    originalTotalPriceSet: () => moneyBag(totals().original.total, cur),
    currentTotalPriceSet: () => moneyBag(totals().current.total, cur),
    totalTaxSet: () => moneyBag(totals().original.tax, cur),
    currentTotalTaxSet: () => moneyBag(totals().current.tax, cur),
    totalDiscountsSet: () => moneyBag(totals().original.discounts, cur),
    currentTotalDiscountsSet: () => moneyBag(totals().current.discounts, cur),
    totalShippingPriceSet: () => moneyBag(totals().original.shipping, cur),
    currentShippingPriceSet: () => moneyBag(totals().current.shipping, cur),
    totalRefundedSet: () => moneyBag(refunded(), cur),
    netPaymentSet: () => moneyBag(o.financialStatus === 'PENDING' ? 0 : totals().original.total - refunded(), cur),
    totalOutstandingSet: () => moneyBag(o.financialStatus === 'PENDING' ? totals().current.total : 0, cur),
    taxLines: () => aggregateTaxes(o, false),
    currentTaxLines: () => aggregateTaxes(o, true),
    lineItems: (args: ConnArgs) => connection(o.lineItems, args, ctx, { idOf: (l) => l.id, view: (l) => lineItemView(o, l, ctx) }),
    shippingLines: (args: ConnArgs & { includeRemovals?: boolean | null }) =>
      connection(o.shippingLines, args, ctx, { idOf: (s) => s.id, view: (s) => shippingLineView(o, s) }),
    shippingLine: o.shippingLines[0] ? shippingLineView(o, o.shippingLines[0]) : null,
    refunds: (args: { first?: number | null }) => firstOf(o.refunds, args).map((r) => refundView(o, r, ctx)),
    // Transactions, refunds and every figure derived from them (money-views.ts).
    ...moneyOrderFields(o, ctx),
    retailLocation: null,
    ...orderFulfillmentFields(o, ctx),
    ...metafieldFields(id, ctx),
  };
}

export function orderConnSpec(ctx: ViewCtx): ConnectionSpec<OrderRec> {
  return {
    idOf: (o) => o.id,
    view: (o) => orderView(o, ctx),
    sortKeys: {
      ID: (o) => o.id,
      UPDATED_AT: (o) => o.updatedAt,
      CREATED_AT: (o) => o.createdAt,
      PROCESSED_AT: (o) => o.processedAt,
      ORDER_NUMBER: (o) => o.number,
    },
    search: {
      id: (o) => o.id,
      name: (o) => [o.name, String(o.number)],
      email: (o) => o.email,
      customer_id: (o) => o.customerId,
      created_at: (o) => o.createdAt,
      updated_at: (o) => o.updatedAt,
      processed_at: (o) => o.processedAt,
      financial_status: (o) => o.financialStatus.toLowerCase(),
      fulfillment_status: (o) => o.fulfillmentStatus.toLowerCase(),
      status: (o) => (o.cancelledAt ? 'cancelled' : o.closedAt ? 'closed' : 'open'),
      test: (o) => o.test,
      sku: (o) => o.lineItems.map((l) => l.sku),
      tag: (o) => o.tags,
    },
    freeText: (o) => [o.name, o.email ?? ''],
  };
}

export function customerConnSpec(ctx: ViewCtx): ConnectionSpec<CustomerRec> {
  return {
    idOf: (c) => c.id,
    view: (c) => customerView(c, ctx),
    sortKeys: {
      ID: (c) => c.id,
      UPDATED_AT: (c) => c.updatedAt,
      CREATED_AT: (c) => c.createdAt,
      NAME: (c) => `${c.firstName ?? ''} ${c.lastName ?? ''}`.toLowerCase(),
    },
    search: {
      id: (c) => c.id,
      email: (c) => c.email,
      phone: (c) => c.phone,
      first_name: (c) => c.firstName,
      last_name: (c) => c.lastName,
      tag: (c) => c.tags,
      state: (c) => c.state.toLowerCase(),
      country: (c) => c.addresses.map((a) => a.countryCode),
      created_at: (c) => c.createdAt,
      updated_at: (c) => c.updatedAt,
    },
    freeText: (c) => [c.firstName ?? '', c.lastName ?? '', c.email ?? '', c.phone ?? ''],
  };
}

export function bulkOperationView(b: BulkOperationRec, ctx: ViewCtx): Obj {
  return {
    __typename: 'BulkOperation',
    id: gid('BulkOperation', b.id),
    type: b.type,
    status: b.status,
    errorCode: b.errorCode,
    query: b.query,
    createdAt: b.createdAt,
    completedAt: b.completedAt,
    objectCount: String(b.objectCount),
    rootObjectCount: String(b.rootObjectCount),
    fileSize: b.fileSize != null ? String(b.fileSize) : null,
    url: b.resultKey ? `${ctx.baseUrl}/bulk-results/${b.resultKey}` : null,
    partialDataUrl: b.partialResultKey ? `${ctx.baseUrl}/bulk-results/${b.partialResultKey}` : null,
  };
}

export function adjustmentGroupView(g: AdjustmentGroupRec, ctx: ViewCtx): Obj {
  return {
    __typename: 'InventoryAdjustmentGroup',
    id: gid('InventoryAdjustmentGroup', g.id),
    createdAt: g.createdAt,
    reason: g.reason,
    referenceDocumentUri: g.referenceDocumentUri,
    app: null,
    staffMember: null,
    changes: (args: { inventoryItemIds?: string[] | null; locationIds?: string[] | null; quantityNames?: string[] | null }) =>
      g.changes
        .filter(
          (c) =>
            (!args.quantityNames || args.quantityNames.includes(c.name)) &&
            (!args.inventoryItemIds || args.inventoryItemIds.includes(gid('InventoryItem', c.inventoryItemId))) &&
            (!args.locationIds || args.locationIds.includes(gid('Location', c.locationId))),
        )
        .map((c) => ({
          name: c.name,
          delta: c.delta,
          quantityAfterChange: c.quantityAfterChange,
          ledgerDocumentUri: c.ledgerDocumentUri,
          item: () => {
            const i = ctx.state.inventoryItem(c.inventoryItemId);
            return i ? itemView(i, ctx) : null;
          },
          location: () => {
            const l = ctx.state.location(c.locationId);
            return l ? locationView(l, ctx) : null;
          },
        })),
  };
}

/** Resolves any supported GID to its view (Node/HasMetafields interfaces). */
export function nodeView(value: string, ctx: ViewCtx): Obj | null {
  const money = moneyNodeView(value, ctx);
  if (money !== undefined) return money;
  const hit = ctx.state.byGid(value);
  if (!hit) return null;
  switch (hit.type) {
    case 'Customer':
      return customerView(hit.rec as CustomerRec, ctx);
    case 'Order':
      return orderView(hit.rec as OrderRec, ctx);
    case 'Product':
      return productView(hit.rec as ProductRec, ctx);
    case 'ProductVariant':
      return variantView(hit.rec as VariantRec, ctx);
    case 'InventoryItem':
      return itemView(hit.rec as InventoryItemRec, ctx);
    case 'Location':
      return locationView(hit.rec as LocationRec, ctx);
    case 'Metafield':
      return metafieldView(hit.rec as MetafieldRec, ctx);
    case 'MetafieldDefinition':
      return definitionView(hit.rec as MetafieldDefinitionRec, ctx);
    case 'BulkOperation':
      return bulkOperationView(hit.rec as BulkOperationRec, ctx);
    case 'InventoryAdjustmentGroup':
      return adjustmentGroupView(hit.rec as AdjustmentGroupRec, ctx);
    default:
      return null;
  }
}
