import { GraphQLError } from 'graphql';
import { gid, parseGid } from './ids';
import type { ShopState, WebhookSubscriptionRec } from './state';
import { connection, type ConnArgs, type ViewCtx } from './views';

type Obj = Record<string, unknown>;
type UserError = { field: string[] | null; message: string };

/** REST topic names of the GraphQL enum values the simulator emits deliveries for. */
export const TOPIC_REST_NAMES: Record<string, string> = {
  ORDERS_CREATE: 'orders/create',
  ORDERS_UPDATED: 'orders/updated',
  ORDERS_PAID: 'orders/paid',
  ORDERS_CANCELLED: 'orders/cancelled',
  REFUNDS_CREATE: 'refunds/create',
  CUSTOMERS_CREATE: 'customers/create',
  CUSTOMERS_UPDATE: 'customers/update',
  PRODUCTS_CREATE: 'products/create',
  PRODUCTS_UPDATE: 'products/update',
  FULFILLMENTS_CREATE: 'fulfillments/create',
  INVENTORY_LEVELS_UPDATE: 'inventory_levels/update',
  BULK_OPERATIONS_FINISH: 'bulk_operations/finish',
  APP_UNINSTALLED: 'app/uninstalled',
};

export function restTopic(enumName: string): string | undefined {
  return TOPIC_REST_NAMES[enumName];
}

export interface WebhookSubscriptionInputArg {
  callbackUrl?: string | null;
  uri?: string | null;
  format?: 'JSON' | 'XML' | null;
  includeFields?: string[] | null;
  filter?: string | null;
  name?: string | null;
  metafieldNamespaces?: string[] | null;
  metafields?: unknown[] | null;
}

function store(s: ShopState): Record<string, WebhookSubscriptionRec> {
  return (s.data.webhookSubscriptions ??= {});
}

export function subscriptionsFor(s: ShopState, restTopicName: string): WebhookSubscriptionRec[] {
  return Object.values(store(s)).filter((x) => TOPIC_REST_NAMES[x.topic] === restTopicName);
}

export function deleteSubscription(s: ShopState, id: number): boolean {
  return delete store(s)[id];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Shopify accepts https addresses (and pubsub/arn ones); the simulator delivers only to loopback,
 * where plain http is accepted so a test receiver needs no certificate.
 */
function checkUri(uri: string): string | null {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'Address is invalid';
  }
  if (u.protocol === 'pubsub:' || u.protocol === 'arn:') return 'Event-bridge and Pub/Sub endpoints are not implemented by the simulator';
  if (!LOOPBACK.has(u.hostname)) return 'Address is not allowed: the simulator delivers to loopback addresses only';
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'Address protocol is not supported';
  return null;
}

/** `uri` exists from 2025-10 on (it replaced the deprecated `callbackUrl`); older versions reject it as an unknown field. */
const URI_SINCE = '2025-10';

function checkVersion(ctx: ViewCtx, input: WebhookSubscriptionInputArg): void {
  if (input.uri != null && ctx.version !== 'unstable' && ctx.version < URI_SINCE) {
    throw new GraphQLError(
      `Argument 'uri' on InputObject 'WebhookSubscriptionInput' is not defined in API version ${ctx.version}; use callbackUrl`,
      { extensions: { code: 'argumentNotAccepted' } },
    );
  }
}

/** The checks Shopify applies to WebhookSubscriptionInput; null = valid. */
function validate(s: ShopState, topic: string, input: WebhookSubscriptionInputArg, selfId: number | null): UserError | null {
  const f = (k: string): string[] => ['webhookSubscription', k];
  if (input.uri && input.callbackUrl && input.uri !== input.callbackUrl)
    return { field: f('uri'), message: 'Specify only one of uri and callbackUrl' };
  const uri = input.uri ?? input.callbackUrl;
  if (!uri) return { field: f('uri'), message: "Address can't be blank" };
  const bad = checkUri(uri);
  if (bad) return { field: f('uri'), message: bad };
  if (input.format === 'XML') return { field: f('format'), message: 'XML deliveries are not implemented by the simulator' };
  if (input.filter) return { field: f('filter'), message: 'Subscription filters are not implemented by the simulator' };
  if (input.metafieldNamespaces?.length || input.metafields?.length)
    return { field: f('metafields'), message: 'Metafield selection is not implemented by the simulator' };
  if (Object.values(store(s)).some((x) => x.topic === topic && x.uri === uri && x.id !== selfId))
    return { field: f('uri'), message: 'Address for this topic has already been taken' };
  return null;
}

function view(rec: WebhookSubscriptionRec): Obj {
  return {
    __typename: 'WebhookSubscription',
    id: gid('WebhookSubscription', rec.id),
    legacyResourceId: String(rec.id),
    topic: rec.topic,
    uri: rec.uri,
    callbackUrl: rec.uri,
    endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: rec.uri },
    format: rec.format,
    includeFields: rec.includeFields,
    filter: rec.filter,
    name: rec.name,
    metafieldNamespaces: [],
    metafields: [],
    apiVersion: { __typename: 'ApiVersion', handle: rec.apiVersion, displayName: rec.apiVersion, supported: true },
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
  };
}

type ListArgs = ConnArgs & { topics?: string[] | null; uri?: string | null; callbackUrl?: string | null; format?: string | null };

/** Query and mutation fields for webhook subscriptions, merged into the GraphQL roots. */
export function webhookSubscriptionRoots(s: ShopState, ctx: ViewCtx): { query: Obj; mutation: Obj } {
  const find = (id: string): WebhookSubscriptionRec | undefined => store(s)[parseGid(id, 'WebhookSubscription') ?? -1];
  const query: Obj = {
    webhookSubscription: (a: { id: string }) => {
      const r = find(a.id);
      return r ? view(r) : null;
    },
    webhookSubscriptions: (a: ListArgs) => {
      if (a.query)
        throw new GraphQLError(
          'The query argument of webhookSubscriptions is not implemented by the simulator; use topics, uri or format',
          { extensions: { code: 'NOT_IMPLEMENTED' } },
        );
      const uri = a.uri ?? a.callbackUrl;
      const rows = Object.values(store(s)).filter(
        (x) => (!a.topics?.length || a.topics.includes(x.topic)) && (!uri || x.uri === uri) && (!a.format || x.format === a.format),
      );
      return connection(rows, a, ctx, { idOf: (x) => x.id, view, sortKeys: { CREATED_AT: (x) => x.createdAt } });
    },
    webhookSubscriptionsCount: (a: { query?: string | null; limit?: number | null }) => {
      if (a.query)
        throw new GraphQLError('The query argument of webhookSubscriptionsCount is not implemented by the simulator', {
          extensions: { code: 'NOT_IMPLEMENTED' },
        });
      const n = Object.keys(store(s)).length;
      const limit = a.limit ?? 10000;
      return { count: Math.min(n, limit), precision: n > limit ? 'AT_LEAST' : 'EXACT' };
    },
  };
  const mutation: Obj = {
    webhookSubscriptionCreate: (a: { topic: string; webhookSubscription: WebhookSubscriptionInputArg }) => {
      const input = a.webhookSubscription;
      checkVersion(ctx, input);
      const err = validate(s, a.topic, input, null);
      if (err) return { webhookSubscription: null, userErrors: [err] };
      const now = s.clock.nowIso();
      const rec: WebhookSubscriptionRec = {
        id: s.newId(),
        topic: a.topic,
        uri: (input.uri ?? input.callbackUrl) as string,
        format: input.format ?? 'JSON',
        includeFields: input.includeFields ?? [],
        filter: null,
        name: input.name ?? null,
        // Deliveries use the version the subscription was created (or last updated) with.
        apiVersion: ctx.version,
        createdAt: now,
        updatedAt: now,
      };
      store(s)[rec.id] = rec;
      return { webhookSubscription: view(rec), userErrors: [] };
    },
    webhookSubscriptionUpdate: (a: { id: string; webhookSubscription: WebhookSubscriptionInputArg }) => {
      const rec = find(a.id);
      if (!rec) return { webhookSubscription: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] };
      const input = a.webhookSubscription;
      checkVersion(ctx, input);
      // An update may omit the address: the current one stays.
      const merged = { ...input, uri: input.uri ?? input.callbackUrl ?? rec.uri, callbackUrl: null };
      const err = validate(s, rec.topic, merged, rec.id);
      if (err) return { webhookSubscription: null, userErrors: [err] };
      rec.uri = merged.uri;
      if (input.format) rec.format = input.format;
      if (input.includeFields) rec.includeFields = input.includeFields;
      if (input.name !== undefined) rec.name = input.name ?? null;
      rec.apiVersion = ctx.version;
      rec.updatedAt = s.clock.nowIso();
      return { webhookSubscription: view(rec), userErrors: [] };
    },
    webhookSubscriptionDelete: (a: { id: string }) => {
      const rec = find(a.id);
      if (!rec)
        return { deletedWebhookSubscriptionId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] };
      delete store(s)[rec.id];
      return { deletedWebhookSubscriptionId: gid('WebhookSubscription', rec.id), userErrors: [] };
    },
  };
  return { query, mutation };
}
