import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { gid, parseGid } from './ids';
import type { SimRuntime } from './runtime';
import {
  appNamespace,
  adjustmentGroupView,
  bulkOperationView,
  connection,
  customerConnSpec,
  customerView,
  definitionView,
  itemView,
  ITEM_SEARCH,
  levelView,
  LOCATION_SEARCH,
  locationView,
  metafieldView,
  nodeView,
  orderConnSpec,
  orderView,
  PRODUCT_SEARCH,
  PRODUCT_SORT,
  productView,
  VARIANT_SEARCH,
  VARIANT_SORT,
  variantView,
  type ConnArgs,
  type ViewCtx,
} from './views';
import {
  customerUpsert,
  inventorySetQuantities,
  metafieldDefinitionCreate,
  metafieldsSet,
  productSet,
  type CustomerInputArg,
  type MetafieldsSetArg,
  type ProductSetArgs,
  type SetQuantitiesInput,
} from './mutations';
import { cancelBulk, startBulkMutation, startBulkQuery, stagedTarget } from './bulk';
import { idempotencyKey } from './exec';
import type { LevelRec } from './state';
import { webhookSubscriptionRoots } from './webhook-subscriptions';
import { moneyRoots } from './money-views';
import { fulfillmentRoots } from './fulfillment-views';

type Obj = Record<string, unknown>;
type Uniq = { namespace?: string | null; key: string; value: string };

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as Obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Obj)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Runs a mutation under `@idempotent(key:)`: the first result is stored and replayed for the same
 * key, a reused key with other arguments is rejected. From 2026-04 the key is mandatory here.
 */
function idempotent(rt: SimRuntime, ctx: ViewCtx, info: GraphQLResolveInfo, args: unknown, run: () => Obj, mismatch: () => Obj): Obj {
  const key = idempotencyKey(info);
  if (!key) {
    if (rt.options.requireIdempotency && ctx.version >= '2026-04' && !ctx.bulk) {
      throw new GraphQLError(
        `The @idempotent directive is required for the ${info.fieldName} mutation. Provide a unique key (for example a UUID) and reuse it only to retry the same operation.`,
        {
          extensions: { code: 'BAD_REQUEST' },
        },
      );
    }
    return run();
  }
  const store = rt.idempotencyStore(ctx.appId);
  const fingerprint = `${info.fieldName}:${stableJson(args)}`;
  const hit = store.get(key);
  if (hit) return hit.fingerprint === fingerprint ? (hit.result as Obj) : mismatch();
  const result = run();
  store.set(key, { fingerprint, result });
  return result;
}

export function buildRoots(rt: SimRuntime, ctx: ViewCtx): { query: Obj; mutation: Obj } {
  const s = rt.state;
  const d = s.data;
  const ns = appNamespace(ctx);
  const byCustomId = (ownerType: string, c: Uniq): string | null => s.ownerByCustomId(ownerType, c.namespace ?? ns, c.key, c.value);

  const query: Obj = {
    ...moneyRoots(rt, ctx).query,
    shop: () => ({
      __typename: 'Shop',
      id: gid('Shop', 1),
      name: d.shopName,
      myshopifyDomain: `${d.shopName}.myshopify.com`,
      currencyCode: d.currencyCode,
      ianaTimezone: 'Europe/Berlin',
      email: `owner@${d.shopName}.example`,
    }),
    customers: (a: ConnArgs) => connection(Object.values(d.customers), a, ctx, customerConnSpec(ctx)),
    customer: (a: { id: string }) => {
      const c = s.customer(parseGid(a.id, 'Customer') ?? -1);
      return c ? customerView(c, ctx) : null;
    },
    customerByIdentifier: (a: { identifier: { id?: string; emailAddress?: string; phoneNumber?: string; customId?: Uniq } }) => {
      const i = a.identifier;
      let c;
      if (i.id) c = s.customer(parseGid(i.id, 'Customer') ?? -1);
      else if (i.emailAddress) c = Object.values(d.customers).find((x) => x.email?.toLowerCase() === i.emailAddress?.toLowerCase());
      else if (i.phoneNumber) c = Object.values(d.customers).find((x) => x.phone === i.phoneNumber);
      else if (i.customId) c = s.customer(parseGid(byCustomId('CUSTOMER', i.customId), 'Customer') ?? -1);
      return c ? customerView(c, ctx) : null;
    },
    orders: (a: ConnArgs) => connection(Object.values(d.orders), a, ctx, orderConnSpec(ctx)),
    order: (a: { id: string }) => {
      const o = s.order(parseGid(a.id, 'Order') ?? -1);
      return o ? orderView(o, ctx) : null;
    },
    orderByIdentifier: (a: { identifier: { id?: string; customId?: Uniq } }) => {
      const id = a.identifier.id ?? (a.identifier.customId ? byCustomId('ORDER', a.identifier.customId) : null);
      const o = s.order(parseGid(id, 'Order') ?? -1);
      return o ? orderView(o, ctx) : null;
    },
    products: (a: ConnArgs) =>
      connection(Object.values(d.products), a, ctx, {
        idOf: (p) => p.id,
        view: (p) => productView(p, ctx),
        sortKeys: PRODUCT_SORT,
        search: PRODUCT_SEARCH(s),
        freeText: (p) => [p.title],
      }),
    product: (a: { id: string }) => {
      const p = s.product(parseGid(a.id, 'Product') ?? -1);
      return p ? productView(p, ctx) : null;
    },
    productByIdentifier: (a: { identifier: { id?: string; handle?: string; customId?: Uniq } }) => {
      const i = a.identifier;
      let p;
      if (i.id) p = s.product(parseGid(i.id, 'Product') ?? -1);
      else if (i.handle) p = Object.values(d.products).find((x) => x.handle === i.handle);
      else if (i.customId) p = s.product(parseGid(byCustomId('PRODUCT', i.customId), 'Product') ?? -1);
      return p ? productView(p, ctx) : null;
    },
    productVariants: (a: ConnArgs) =>
      connection(Object.values(d.variants), a, ctx, {
        idOf: (v) => v.id,
        view: (v) => variantView(v, ctx),
        sortKeys: VARIANT_SORT,
        search: VARIANT_SEARCH(s),
        freeText: (v) => [v.title, v.sku ?? ''],
      }),
    productVariant: (a: { id: string }) => {
      const v = s.variant(parseGid(a.id, 'ProductVariant') ?? -1);
      return v ? variantView(v, ctx) : null;
    },
    productVariantByIdentifier: (a: { identifier: { id?: string; customId?: Uniq } }) => {
      const id = a.identifier.id ?? (a.identifier.customId ? byCustomId('PRODUCTVARIANT', a.identifier.customId) : null);
      const v = s.variant(parseGid(id, 'ProductVariant') ?? -1);
      return v ? variantView(v, ctx) : null;
    },
    productOperation: (a: { id: string }) => {
      const opId = parseGid(a.id, 'ProductSetOperation');
      const op = opId != null ? rt.productOperations.get(opId) : undefined;
      if (!op) return null;
      const p = op.productId != null ? s.product(op.productId) : undefined;
      return {
        __typename: 'ProductSetOperation',
        id: a.id,
        status: op.status,
        product: p ? productView(p, ctx) : null,
        userErrors: op.userErrors,
      };
    },
    inventoryItems: (a: ConnArgs) =>
      connection(Object.values(d.inventoryItems), a, ctx, { idOf: (i) => i.id, view: (i) => itemView(i, ctx), search: ITEM_SEARCH(s) }),
    inventoryItem: (a: { id: string }) => {
      const i = s.inventoryItem(parseGid(a.id, 'InventoryItem') ?? -1);
      return i ? itemView(i, ctx) : null;
    },
    inventoryLevel: (a: { id: string }) => {
      const m = /^gid:\/\/shopify\/InventoryLevel\/(\d+)\?inventory_item_id=(\d+)/.exec(a.id);
      const item = m ? s.inventoryItem(Number(m[2])) : undefined;
      const level = item && m ? item.levels[Number(m[1])] : undefined;
      return item && level ? levelView(item, level as LevelRec, ctx) : null;
    },
    locations: (a: ConnArgs & { includeInactive?: boolean | null; includeLegacy?: boolean | null }) =>
      connection(
        Object.values(d.locations).filter((l) => a.includeInactive || l.isActive),
        a,
        ctx,
        {
          idOf: (l) => l.id,
          view: (l) => locationView(l, ctx),
          sortKeys: { ID: (l) => l.id, NAME: (l) => l.name.toLowerCase() },
          search: LOCATION_SEARCH,
          freeText: (l) => [l.name],
        },
      ),
    location: (a: { id?: string | null }) => {
      const l = a.id ? s.location(parseGid(a.id, 'Location') ?? -1) : Object.values(d.locations).find((x) => x.isActive);
      return l ? locationView(l, ctx) : null;
    },
    locationByIdentifier: (a: { identifier: { id?: string; customId?: Uniq } }) => {
      const id = a.identifier.id ?? (a.identifier.customId ? byCustomId('LOCATION', a.identifier.customId) : null);
      const l = s.location(parseGid(id, 'Location') ?? -1);
      return l ? locationView(l, ctx) : null;
    },
    metafieldDefinitions: (a: ConnArgs & { ownerType: string; namespace?: string | null; key?: string | null }) =>
      connection(
        Object.values(d.metafieldDefinitions).filter(
          (x) => x.ownerType === a.ownerType && (a.namespace == null || x.namespace === a.namespace) && (a.key == null || x.key === a.key),
        ),
        a,
        ctx,
        {
          idOf: (x) => x.id,
          view: (x) => definitionView(x, ctx),
          search: { key: (x) => x.key, namespace: (x) => x.namespace, type: (x) => x.type },
        },
      ),
    bulkOperation: (a: { id: string }) => {
      const b = d.bulkOperations[parseGid(a.id, 'BulkOperation') ?? -1];
      return b && b.appId === ctx.appId ? bulkOperationView(b, ctx) : null;
    },
    currentBulkOperation: (a: { type?: 'QUERY' | 'MUTATION' | null }) => {
      const type = a.type ?? 'QUERY';
      const mine = Object.values(d.bulkOperations).filter((b) => b.appId === ctx.appId && b.type === type);
      const last = mine.sort((x, y) => y.id - x.id)[0];
      return last ? bulkOperationView(last, ctx) : null;
    },
    bulkOperations: (a: ConnArgs) =>
      connection(
        Object.values(d.bulkOperations).filter((b) => b.appId === ctx.appId),
        a,
        ctx,
        {
          idOf: (b) => b.id,
          view: (b) => bulkOperationView(b, ctx),
          sortKeys: { CREATED_AT: (b) => b.createdAt, COMPLETED_AT: (b) => b.completedAt ?? '', STATUS: (b) => b.status, ID: (b) => b.id },
          search: {
            status: (b) => b.status.toLowerCase(),
            type: (b) => b.type.toLowerCase(),
            created_at: (b) => b.createdAt,
            id: (b) => b.id,
          },
        },
      ),
    node: (a: { id: string }) => nodeView(a.id, ctx),
    nodes: (a: { ids: string[] }) => a.ids.map((id) => nodeView(id, ctx)),
  };

  const mutation: Obj = {
    ...moneyRoots(rt, ctx).mutation,
    productSet: (a: ProductSetArgs) => {
      if (a.synchronous === false) {
        // Asynchronous mode: validate and apply shortly after, report through productOperation.
        const opId = s.newId();
        rt.productOperations.set(opId, { status: 'CREATED', productId: null, userErrors: [] });
        rt.later(rt.options.bulkStepMs, () => {
          const r = productSet(s, a, ns);
          rt.productOperations.set(opId, { status: 'COMPLETE', productId: r.product?.id ?? null, userErrors: r.userErrors });
        });
        return {
          product: null,
          productSetOperation: {
            __typename: 'ProductSetOperation',
            id: gid('ProductSetOperation', opId),
            status: 'CREATED',
            product: null,
            userErrors: [],
          },
          userErrors: [],
        };
      }
      const r = productSet(s, a, ns);
      return { product: r.product ? productView(r.product, ctx) : null, productSetOperation: null, userErrors: r.userErrors };
    },
    inventorySetQuantities: (a: { input: SetQuantitiesInput }, _c: unknown, info: GraphQLResolveInfo) =>
      idempotent(
        rt,
        ctx,
        info,
        a,
        () => {
          const r = inventorySetQuantities(s, a.input, ctx.version);
          return { inventoryAdjustmentGroup: r.group ? adjustmentGroupView(r.group, ctx) : null, userErrors: r.userErrors };
        },
        () => ({
          inventoryAdjustmentGroup: null,
          userErrors: [
            {
              field: null,
              message: 'The same idempotency key was used with different parameters.',
              code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
            },
          ],
        }),
      ),
    inventoryActivate: (a: { inventoryItemId: string; locationId: string; available?: number | null; onHand?: number | null }) => {
      const item = s.inventoryItem(parseGid(a.inventoryItemId, 'InventoryItem') ?? -1);
      const locId = parseGid(a.locationId, 'Location');
      const loc = locId != null ? s.location(locId) : undefined;
      if (!item) return { inventoryLevel: null, userErrors: [{ field: ['inventoryItemId'], message: 'Inventory item does not exist' }] };
      if (!loc || locId == null)
        return { inventoryLevel: null, userErrors: [{ field: ['locationId'], message: 'Location does not exist' }] };
      if (!loc.isActive) return { inventoryLevel: null, userErrors: [{ field: ['locationId'], message: 'Location is not active' }] };
      if (item.levels[locId] && (a.available != null || a.onHand != null)) {
        return {
          inventoryLevel: null,
          userErrors: [
            {
              field: ['available'],
              message: 'Quantities can only be set when the item is not yet stocked at the location; use inventorySetQuantities',
            },
          ],
        };
      }
      const level = s.activate(item, locId, a.available, a.onHand);
      return { inventoryLevel: levelView(item, level, ctx), userErrors: [] };
    },
    metafieldsSet: (a: { metafields: MetafieldsSetArg[] }) => {
      const r = metafieldsSet(s, a.metafields, ns);
      return { metafields: r.saved ? r.saved.map((id) => metafieldView(d.metafields[id] as never, ctx)) : null, userErrors: r.userErrors };
    },
    metafieldDefinitionCreate: (a: {
      definition: { name: string; namespace?: string | null; key: string; type: string; ownerType: string; description?: string | null };
    }) => {
      const r = metafieldDefinitionCreate(s, a.definition, ns);
      return {
        createdDefinition: r.id != null ? definitionView(d.metafieldDefinitions[r.id] as never, ctx) : null,
        userErrors: r.userErrors,
      };
    },
    customerCreate: (a: { input: CustomerInputArg }) => {
      const r = customerUpsert(s, a.input, 'create', ns);
      return { customer: r.customer ? customerView(r.customer, ctx) : null, userErrors: r.userErrors };
    },
    customerUpdate: (a: { input: CustomerInputArg }) => {
      const r = customerUpsert(s, a.input, 'update', ns);
      return { customer: r.customer ? customerView(r.customer, ctx) : null, userErrors: r.userErrors };
    },
    bulkOperationRunQuery: (a: { query: string; groupObjects: boolean }) => {
      if (a.groupObjects) {
        return {
          bulkOperation: null,
          userErrors: [
            {
              field: ['groupObjects'],
              message: 'groupObjects: true is not implemented by the simulator; use false (the 2026-01+ default).',
              code: 'INVALID',
            },
          ],
        };
      }
      const r = startBulkQuery(rt, ctx.appId, ctx.version, a.query);
      return { bulkOperation: r.op ? bulkOperationView(r.op, ctx) : null, userErrors: r.userErrors };
    },
    bulkOperationRunMutation: (a: { mutation: string; stagedUploadPath: string; clientIdentifier?: string | null }) => {
      const r = startBulkMutation(rt, ctx.appId, ctx.version, a.mutation, a.stagedUploadPath);
      return { bulkOperation: r.op ? bulkOperationView(r.op, ctx) : null, userErrors: r.userErrors };
    },
    bulkOperationCancel: (a: { id: string }) => {
      const r = cancelBulk(rt, ctx.appId, parseGid(a.id, 'BulkOperation') ?? -1);
      return { bulkOperation: r.op ? bulkOperationView(r.op, ctx) : null, userErrors: r.userErrors };
    },
    stagedUploadsCreate: (a: { input: { resource: string; filename: string; mimeType: string; httpMethod?: string | null }[] }) => {
      const bad = a.input.findIndex((i) => i.resource !== 'BULK_MUTATION_VARIABLES');
      if (bad >= 0)
        return {
          stagedTargets: null,
          userErrors: [
            {
              field: ['input', String(bad), 'resource'],
              message: `Staged uploads for ${a.input[bad]?.resource} are not implemented by the simulator.`,
            },
          ],
        };
      return { stagedTargets: a.input.map((i) => stagedTarget(rt, i.filename, i.mimeType)), userErrors: [] };
    },
  };
  const hooks = webhookSubscriptionRoots(s, ctx);
  const ful = fulfillmentRoots(ctx);
  return { query: { ...query, ...hooks.query, ...ful.query }, mutation: { ...mutation, ...hooks.mutation, ...ful.mutation } };
}
