/**
 * The hub's webhook subscriptions in Shopify: list, create, update, delete, and `reconcile` to a
 * desired set (the "repair subscriptions" action), plus the pure `checkSubscriptions` behind the
 * configuration summary. Webhooks are hints that speed a sync up; the schedules still run, so a
 * missing subscription costs latency, never data.
 */
import type { CallResult, ShopifyExecutor } from './executor';
import { payloadOf, ShopifyUserErrors } from './errors';
import type {
  WebhookSubscriptionCreateMutation,
  WebhookSubscriptionFieldsFragment,
  WebhookSubscriptionTopic,
  WebhookSubscriptionUpdateMutation,
} from './generated/operations';
import { gql, type ResultOf } from './gql';

export interface WebhookSubscription {
  id: string;
  /** GraphQL enum, e.g. ORDERS_CREATE. */
  topic: string;
  uri: string;
  format: string;
  apiVersion: string;
  includeFields: string[];
}

export interface DesiredSubscriptions {
  /** The receiver's public address (https in production). */
  uri: string;
  /** REST names (orders/create) or enum names (ORDERS_CREATE). */
  topics: readonly string[];
  /** The API version deliveries must be serialised with: the version the hub is pinned to. */
  apiVersion: string;
}

export type SubscriptionFinding =
  | { topic: string; status: 'ok'; id: string }
  | { topic: string; status: 'missing' }
  | { topic: string; status: 'wrong-uri'; id: string; uri: string }
  | { topic: string; status: 'wrong-api-version'; id: string; apiVersion: string }
  /** A second subscription of a desired topic, or one for a topic the hub does not use. */
  | { topic: string; status: 'extra'; id: string; uri: string };

export type SubscriptionChange =
  | { action: 'created'; topic: string; id: string }
  | { action: 'updated'; topic: string; id: string; reason: 'wrong-uri' | 'wrong-api-version' }
  | { action: 'deleted'; topic: string; id: string };

const SUBSCRIPTION_FIELDS = gql`
  fragment WebhookSubscriptionFields on WebhookSubscription {
    id
    topic
    uri
    format
    includeFields
    apiVersion {
      handle
    }
  }
`;

export const WEBHOOK_SUBSCRIPTIONS_PAGE = gql<'WebhookSubscriptionsPage'>`
  query WebhookSubscriptionsPage($first: Int!, $after: String) {
    webhookSubscriptions(first: $first, after: $after) {
      nodes {
        ...WebhookSubscriptionFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${SUBSCRIPTION_FIELDS}
`;

export const WEBHOOK_SUBSCRIPTION_CREATE = gql<'WebhookSubscriptionCreate'>`
  mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
    webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
      webhookSubscription {
        ...WebhookSubscriptionFields
      }
      userErrors {
        field
        message
      }
    }
  }
  ${SUBSCRIPTION_FIELDS}
`;

export const WEBHOOK_SUBSCRIPTION_UPDATE = gql<'WebhookSubscriptionUpdate'>`
  mutation WebhookSubscriptionUpdate($id: ID!, $webhookSubscription: WebhookSubscriptionInput!) {
    webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) {
      webhookSubscription {
        ...WebhookSubscriptionFields
      }
      userErrors {
        field
        message
      }
    }
  }
  ${SUBSCRIPTION_FIELDS}
`;

export const WEBHOOK_SUBSCRIPTION_DELETE = gql<'WebhookSubscriptionDelete'>`
  mutation WebhookSubscriptionDelete($id: ID!) {
    webhookSubscriptionDelete(id: $id) {
      deletedWebhookSubscriptionId
      userErrors {
        field
        message
      }
    }
  }
`;

/** `orders/create` or `ORDERS_CREATE` → `ORDERS_CREATE`. */
export function subscriptionTopic(topic: string): string {
  return topic.toUpperCase().replace(/\/|\./g, '_');
}

const fromRaw = (r: WebhookSubscriptionFieldsFragment): WebhookSubscription => ({
  id: r.id,
  topic: r.topic,
  uri: r.uri,
  format: r.format,
  includeFields: r.includeFields,
  apiVersion: r.apiVersion.handle,
});

/** The subscription a create or an update answered with; its user errors are thrown. */
function written(
  operation: string,
  payload: WebhookSubscriptionCreateMutation['webhookSubscriptionCreate'] | WebhookSubscriptionUpdateMutation['webhookSubscriptionUpdate'],
): WebhookSubscription {
  const r = payloadOf(operation, payload);
  if (r.userErrors.length || !r.webhookSubscription) throw new ShopifyUserErrors(operation, r.userErrors);
  return fromRaw(r.webhookSubscription);
}

/** Only the executor is needed, so this works with whatever builds one (ShopifyClient.executor). */
export class WebhookSubscriptions {
  constructor(private readonly executor: ShopifyExecutor) {}

  async list(): Promise<WebhookSubscription[]> {
    const out: WebhookSubscription[] = [];
    let after: string | null = null;
    for (;;) {
      const res: CallResult<ResultOf<typeof WEBHOOK_SUBSCRIPTIONS_PAGE>> = await this.executor.call(
        WEBHOOK_SUBSCRIPTIONS_PAGE,
        { first: 100, after },
        { shrink: ['first'] },
      );
      out.push(...res.data.webhookSubscriptions.nodes.map(fromRaw));
      const pi = res.data.webhookSubscriptions.pageInfo;
      if (!pi.hasNextPage || !pi.endCursor) return out;
      after = pi.endCursor;
    }
  }

  /** Not retried once it may have reached Shopify: `reconcile` re-lists instead, which is safe. */
  async create(topic: string, uri: string): Promise<WebhookSubscription> {
    // Any name is passed on: Shopify refuses a topic it does not know (a GraphQL error).
    const { data } = await this.executor.call(WEBHOOK_SUBSCRIPTION_CREATE, {
      topic: subscriptionTopic(topic) as WebhookSubscriptionTopic,
      webhookSubscription: { uri, format: 'JSON' },
    });
    return written('webhookSubscriptionCreate', data.webhookSubscriptionCreate);
  }

  /** Sets the address; the request's API version becomes the subscription's. Idempotent. */
  async update(id: string, uri: string): Promise<WebhookSubscription> {
    const { data } = await this.executor.call(WEBHOOK_SUBSCRIPTION_UPDATE, { id, webhookSubscription: { uri } }, { idempotent: true });
    return written('webhookSubscriptionUpdate', data.webhookSubscriptionUpdate);
  }

  /** Deleting one that is already gone is success (a retry after a lost response). */
  async delete(id: string): Promise<void> {
    const { data } = await this.executor.call(WEBHOOK_SUBSCRIPTION_DELETE, { id }, { idempotent: true });
    const r = payloadOf('webhookSubscriptionDelete', data.webhookSubscriptionDelete);
    if (r.userErrors.length && !r.userErrors.every((e) => /does not exist|not found/i.test(e.message)))
      throw new ShopifyUserErrors('webhookSubscriptionDelete', r.userErrors);
  }

  /**
   * Brings the subscriptions to `desired`: missing topics created, a wrong address or API version
   * repaired in place; with `prune`, extras deleted. Returns what it changed (empty: all was fine).
   * Safe to run concurrently or again after a failure: every step is decided from a fresh list.
   */
  async reconcile(desired: DesiredSubscriptions, opts: { prune?: boolean } = {}): Promise<SubscriptionChange[]> {
    const changes: SubscriptionChange[] = [];
    for (const f of checkSubscriptions(desired, await this.list())) {
      if (f.status === 'missing') {
        try {
          const s = await this.create(f.topic, desired.uri);
          changes.push({ action: 'created', topic: f.topic, id: s.id });
        } catch (e) {
          // Created by a concurrent reconcile (or by our own attempt whose answer was lost).
          if (!(e instanceof ShopifyUserErrors && e.userErrors.some((u) => /already been taken/i.test(u.message)))) throw e;
        }
      } else if (f.status === 'wrong-uri' || f.status === 'wrong-api-version') {
        await this.update(f.id, desired.uri);
        changes.push({ action: 'updated', topic: f.topic, id: f.id, reason: f.status });
      } else if (f.status === 'extra' && opts.prune) {
        await this.delete(f.id);
        changes.push({ action: 'deleted', topic: f.topic, id: f.id });
      }
    }
    return changes;
  }
}

/**
 * Pure: what is wrong with `actual` against `desired`, one finding per desired topic (ok,
 * missing, wrong-uri, wrong-api-version) plus the extras. For the configuration summary.
 */
export function checkSubscriptions(desired: DesiredSubscriptions, actual: readonly WebhookSubscription[]): SubscriptionFinding[] {
  const wanted = [...new Set(desired.topics.map(subscriptionTopic))];
  const used = new Set<string>();
  const out: SubscriptionFinding[] = [];
  for (const topic of wanted) {
    const same = actual.filter((s) => s.topic === topic);
    const best = same.find((s) => s.uri === desired.uri) ?? same[0];
    if (!best) {
      out.push({ topic, status: 'missing' });
      continue;
    }
    used.add(best.id);
    if (best.uri !== desired.uri) out.push({ topic, status: 'wrong-uri', id: best.id, uri: best.uri });
    else if (best.apiVersion !== desired.apiVersion)
      out.push({ topic, status: 'wrong-api-version', id: best.id, apiVersion: best.apiVersion });
    else out.push({ topic, status: 'ok', id: best.id });
  }
  for (const s of actual) if (!used.has(s.id)) out.push({ topic: s.topic, status: 'extra', id: s.id, uri: s.uri });
  return out;
}
