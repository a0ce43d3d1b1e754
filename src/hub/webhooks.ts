/**
 * The webhook path as the hub runs it (README "Webhooks"): the receiver beside the worker
 * (`up`) or on its own (`b1hub webhooks`), the subscriptions `init --fix` and the demo's `up`
 * keep pointed at it, and their check in the configuration summary.
 */
import type { Client } from '@temporalio/client';
import { webhooksEnabled, type HubConfig } from '../config/hub-config';
import type { ShopifyExecutor } from '../connectors/shopify/executor';
import { Secret } from '../connectors/shopify/secret';
import { checkSubscriptions, WebhookSubscriptions, type SubscriptionChange } from '../connectors/shopify/webhook-subscriptions';
import { HUB_TOPICS, startWebhookReceiver, type TopicStats, type WebhookReceiver } from '../webhooks';
import { portInUse } from './dev-server';
import { CliError } from './errors';
import type { CheckResult } from './init-checks';

/**
 * The topics the hub subscribes to. fulfillments/create is left out: it belongs to the
 * Shopify → B1 delivery direction, which the hub does not have yet (the receiver would only
 * count and ignore it).
 */
export const SUBSCRIBED_TOPICS: readonly string[] = HUB_TOPICS.filter((t) => t !== 'fulfillments/create');

/**
 * The demo's signing key: the Shopify simulator's app secret (src/sim/shopify/server.ts
 * DEFAULT_WEBHOOK_SECRET), like the demo's token not a secret. Never used with a config file.
 */
export const DEMO_WEBHOOK_SECRET = 'shpss_demo_webhook_secret';
/** The receiver's port when none is given (and it is free). */
export const DEFAULT_WEBHOOK_PORT = 8235;

/** Where the receiver listens and what Shopify is told to call. */
export interface WebhookEndpoint {
  /** The address the receiver listens on (this machine). */
  url: string;
  /** The callback address the subscriptions carry (config webhooks.publicUrl, else url). */
  publicUrl: string;
  /** This replica's counters. */
  statsUrl: string;
}

/**
 * Starts the receiver on `port` (a taken explicit port is an error; the default falls back to
 * any free port, so two demo hubs on one machine both get one).
 */
export async function startHubReceiver(o: {
  client: Client;
  config: HubConfig;
  secrets: Secret[];
  port?: number;
  print: (line: string) => void;
}): Promise<{ receiver: WebhookReceiver; endpoint: WebhookEndpoint }> {
  const w = o.config.webhooks;
  let port = o.port ?? w.port;
  if (await portInUse(port)) {
    if (o.port !== undefined || o.config.source === 'file')
      throw new CliError(
        `port ${port} (webhook receiver) is already in use`,
        'stop what uses it, or pick another port with --webhook-port (or webhooks.port)',
      );
    port = 0;
  }
  const receiver = await startWebhookReceiver({
    client: o.client,
    taskQueue: o.config.temporal.taskQueue,
    secrets: o.secrets,
    port,
    host: w.host,
    path: w.path,
    shopDomain: o.config.shopify.shop,
    log: (line) => o.print(`[webhooks] ${line}`),
  });
  const base = receiver.url.slice(0, receiver.url.length - w.path.length);
  return {
    receiver,
    endpoint: {
      url: receiver.url,
      publicUrl: (o.config.source === 'file' && w.publicUrl) || receiver.url,
      statsUrl: `${base}/webhooks/stats`,
    },
  };
}

/** The secrets of a configured hub, from the environment only (error names the variable). */
export function receiverSecrets(config: HubConfig, env: NodeJS.ProcessEnv = process.env): Secret[] {
  if (config.source === 'embedded') return [new Secret(DEMO_WEBHOOK_SECRET)];
  const current = env.SHOPIFY_WEBHOOK_SECRET;
  if (!current)
    throw new CliError(
      "SHOPIFY_WEBHOOK_SECRET: not set (the Shopify app's client secret, which signs webhooks)",
      'export it before starting the hub, or set webhooks.enabled: false',
    );
  return env.SHOPIFY_WEBHOOK_SECRET_PREVIOUS
    ? [new Secret(current), new Secret(env.SHOPIFY_WEBHOOK_SECRET_PREVIOUS)]
    : [new Secret(current)];
}

/** Creates missing subscriptions and repairs wrong addresses and API versions. */
export async function ensureWebhookSubscriptions(
  executor: ShopifyExecutor,
  o: { uri: string; apiVersion: string },
): Promise<SubscriptionChange[]> {
  return new WebhookSubscriptions(executor).reconcile({ uri: o.uri, topics: SUBSCRIBED_TOPICS, apiVersion: o.apiVersion });
}

/** The configuration summary's line for the subscriptions (with `fix`: reconciled first). */
export async function webhookSubscriptionsCheck(
  config: HubConfig,
  executor: ShopifyExecutor,
  fix: boolean,
): Promise<Omit<CheckResult, 'name'>> {
  const uri = config.webhooks.publicUrl;
  if (!webhooksEnabled(config) || !uri)
    return { state: 'skip', detail: 'webhooks are off (set webhooks.publicUrl): orders reach B1 on the schedule only' };
  const desired = { uri, topics: SUBSCRIBED_TOPICS, apiVersion: config.shopify.apiVersion };
  const fixHint = 'run `b1hub init --fix` (creates and repairs them)';
  if (fix) {
    const changes = await ensureWebhookSubscriptions(executor, desired);
    if (changes.length)
      return {
        state: 'fixed',
        detail: changes.map((c) => `${c.action} ${c.topic}${c.action === 'updated' ? ` (${c.reason})` : ''}`).join(', '),
      };
  }
  const findings = checkSubscriptions(desired, await new WebhookSubscriptions(executor).list());
  const bad = findings.filter((f) => f.status !== 'ok' && f.status !== 'extra');
  if (!bad.length)
    return {
      state: 'pass',
      detail: `${SUBSCRIBED_TOPICS.length} topics → ${uri} (${config.shopify.apiVersion}); fulfillments/create not subscribed (no delivery direction yet)`,
    };
  const why = bad.map((f) =>
    f.status === 'wrong-uri'
      ? `${f.topic} calls ${f.uri}`
      : f.status === 'wrong-api-version'
        ? `${f.topic} on ${f.apiVersion}`
        : `${f.topic} missing`,
  );
  return { state: 'fail', detail: why.join(', '), fix: fixHint };
}

/** Sums of the per-topic counters, and the last delivery per topic, for `status`. */
export interface WebhookHealth {
  url: string;
  publicUrl: string;
  reachable: boolean;
  error?: string;
  totals: { accepted: number; rejected: number; deduped: number; ignored: number; failed: number };
  topics: Record<string, TopicStats>;
}

/** Reads a receiver's counters (status); an unreachable receiver is reported, not thrown. */
export async function readWebhookHealth(endpoint: WebhookEndpoint, timeoutMs = 2000): Promise<WebhookHealth> {
  const totals = { accepted: 0, rejected: 0, deduped: 0, ignored: 0, failed: 0 };
  try {
    const res = await fetch(endpoint.statsUrl, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const topics = ((await res.json()) as { topics: Record<string, TopicStats> }).topics;
    for (const s of Object.values(topics)) for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += s[k];
    return { url: endpoint.url, publicUrl: endpoint.publicUrl, reachable: true, totals, topics };
  } catch (err) {
    return { url: endpoint.url, publicUrl: endpoint.publicUrl, reachable: false, error: (err as Error).message, totals, topics: {} };
  }
}
