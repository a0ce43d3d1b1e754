import { createHmac, randomUUID } from 'node:crypto';
import type { ShopState } from './state';
import { webhookPayload } from './webhook-payloads';
import { deleteSubscription, subscriptionsFor } from './webhook-subscriptions';

/**
 * Shopify's retry schedule: 8 retries over about 4 hours with exponential back-off
 * (shopify.dev changelog "updates to webhook retry mechanism"). Scaled by `timeScale`.
 */
export const SHOPIFY_RETRY_DELAYS_MS = [60, 120, 240, 480, 960, 1920, 3840, 7680].map((s) => s * 1000);
/** Shopify gives a receiver 5 s in total (1 s to connect) before it counts a failure and retries. */
export const SHOPIFY_TIMEOUT_MS = 5000;
const DELIVERY_LOG_KEPT = 2000;

/** Delivery faults; the counters apply to the next N deliveries and count down. */
export interface WebhookFaults {
  /** The next N deliveries are lost: never sent, never retried (Shopify does not guarantee delivery). */
  drop?: number;
  /** The next N deliveries are sent twice (same X-Shopify-Webhook-Id and X-Shopify-Event-Id). */
  duplicate?: number;
  /** Every first attempt waits this long (Shopify delays of minutes up to a day). */
  delayMs?: number;
  /** Deliveries are held this long and then released newest first. */
  reorderWindowMs?: number;
}

export interface WebhookOptions {
  /** A static delivery address (loopback only) that gets every topic, besides API subscriptions. */
  url?: string;
  /** App client secret: key of the HMAC. */
  secret: string;
  /** REST topic names the static `url` receives (orders/create, …); default: all. */
  topics?: string[];
  /** Legacy switch for the static address; same as faults.duplicate / faults.reorderWindowMs. */
  mode?: 'normal' | 'duplicate' | 'out-of-order';
  /** Retry delays (ms) after failed attempts; default Shopify's schedule times `timeScale`. */
  retryDelaysMs?: number[];
  /** Multiplies Shopify's retry delays (e.g. 0.001: 4 hours become about 15 s). Default 1. */
  timeScale?: number;
  /** Per-attempt time limit, default Shopify's 5 s. */
  timeoutMs?: number;
  /** How long out-of-order mode holds deliveries before releasing them reversed. */
  holdMs?: number;
  faults?: WebhookFaults;
  shopDomain?: string;
  apiVersion?: string;
}

export interface WebhookAttempt {
  at: string;
  status: number | null;
  error?: string;
  ms: number;
}

export interface WebhookDelivery {
  webhookId: string;
  eventId: string;
  topic: string;
  uri: string;
  /** GID of the subscription, null for the static address. */
  subscriptionId: string | null;
  apiVersion: string;
  triggeredAt: string;
  body: string;
  attempts: number;
  delivered: boolean;
  lastStatus: number | null;
  /** Fault applied: dropped (never sent), duplicated, delayed, reordered. */
  fault: string | null;
  /** Retries exhausted without a 2xx. */
  failed: boolean;
  log: WebhookAttempt[];
}

/** Base64 HMAC-SHA256 of the exact body bytes, keyed with the app secret: Shopify's signature. */
export function signWebhook(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]', '::1'];

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!LOOPBACK.includes(host)) throw new Error(`webhook url must be a loopback address, got ${host}`);
}

function pick(body: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  if (!fields.length) return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => fields.includes(k)));
}

/**
 * Sends a signed delivery to every subscription of a topic when the shop's state changes, with
 * Shopify's headers, retry schedule and 5-second budget, and the faults Shopify's delivery
 * guarantees allow (lost, duplicated, delayed, reordered). `deliveries` is the log tests read.
 */
export class WebhookEmitter {
  readonly deliveries: WebhookDelivery[] = [];
  faults: Required<WebhookFaults>;
  private held: WebhookDelivery[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private inflight = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly state: ShopState,
    private readonly opts: WebhookOptions,
  ) {
    if (opts.url) assertLoopback(opts.url);
    const f = opts.faults ?? {};
    this.faults = {
      drop: f.drop ?? 0,
      duplicate: f.duplicate ?? (opts.mode === 'duplicate' ? Number.MAX_SAFE_INTEGER : 0),
      delayMs: f.delayMs ?? 0,
      reorderWindowMs: f.reorderWindowMs ?? (opts.mode === 'out-of-order' ? (opts.holdMs ?? 50) : 0),
    };
    state.onChange((topic, { gid, at }) => this.onEvent(topic, gid, at));
  }

  setFaults(f: WebhookFaults): Required<WebhookFaults> {
    this.faults = { ...this.faults, ...Object.fromEntries(Object.entries(f).filter(([, v]) => typeof v === 'number' && v >= 0)) };
    return this.faults;
  }

  /** Emits an event that has no state change behind it (app/uninstalled). */
  trigger(topic: string, gidValue: string): void {
    this.onEvent(topic, gidValue, this.state.clock.nowIso());
  }

  private onEvent(topic: string, gidValue: string, at: string): void {
    if (this.stopped) return;
    const targets: { uri: string; subscriptionId: string | null; apiVersion: string; includeFields: string[] }[] = [];
    const version = this.opts.apiVersion ?? '2026-07';
    if (this.opts.url && (!this.opts.topics || this.opts.topics.includes(topic)))
      targets.push({ uri: this.opts.url, subscriptionId: null, apiVersion: version, includeFields: [] });
    for (const sub of subscriptionsFor(this.state, topic)) {
      targets.push({
        uri: sub.uri,
        subscriptionId: `gid://shopify/WebhookSubscription/${sub.id}`,
        apiVersion: sub.apiVersion,
        includeFields: sub.includeFields,
      });
    }
    if (!targets.length) return;
    const payload = webhookPayload(this.state, topic, gidValue);
    if (!payload) return;
    // One event, one X-Shopify-Event-Id, shared by the deliveries to every subscription.
    const eventId = randomUUID();
    for (const t of targets) {
      const d: WebhookDelivery = {
        webhookId: randomUUID(),
        eventId,
        topic,
        uri: t.uri,
        subscriptionId: t.subscriptionId,
        apiVersion: t.apiVersion,
        triggeredAt: at,
        body: JSON.stringify(pick(payload, t.includeFields)),
        attempts: 0,
        delivered: false,
        lastStatus: null,
        fault: null,
        failed: false,
        log: [],
      };
      this.deliveries.push(d);
      // A long-running demo simulator keeps the recent log only (retries hold their own delivery).
      if (this.deliveries.length > DELIVERY_LOG_KEPT) this.deliveries.splice(0, this.deliveries.length - DELIVERY_LOG_KEPT);
      this.dispatch(d);
    }
  }

  private dispatch(d: WebhookDelivery): void {
    const f = this.faults;
    if (f.drop > 0) {
      f.drop--;
      d.fault = 'dropped';
      return;
    }
    if (f.duplicate > 0) {
      f.duplicate--;
      d.fault = 'duplicated';
      // The copy is a second, independent delivery of the same bytes and ids.
      this.after(f.delayMs + 5, () => void this.send(d));
    }
    if (f.reorderWindowMs > 0) {
      d.fault = d.fault ?? 'reordered';
      this.held.push(d);
      if (this.held.length === 1) {
        this.after(f.reorderWindowMs, () => {
          const batch = this.held.reverse();
          this.held = [];
          for (const x of batch) void this.attempt(x, 0);
        });
      }
      return;
    }
    if (f.delayMs > 0) {
      d.fault = d.fault ?? 'delayed';
      this.after(f.delayMs, () => void this.attempt(d, 0));
      return;
    }
    void this.attempt(d, 0);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private async send(d: WebhookDelivery): Promise<boolean> {
    if (this.stopped) return false;
    d.attempts++;
    const started = Date.now();
    const ac = new AbortController();
    this.inflight.add(ac);
    const timer = setTimeout(() => ac.abort(), this.opts.timeoutMs ?? SHOPIFY_TIMEOUT_MS);
    const entry: WebhookAttempt = { at: new Date(started).toISOString(), status: null, ms: 0 };
    d.log.push(entry);
    try {
      const res = await fetch(d.uri, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Shopify-Topic': d.topic,
          'X-Shopify-Hmac-Sha256': signWebhook(d.body, this.opts.secret),
          'X-Shopify-Shop-Domain': this.opts.shopDomain ?? `${this.state.data.shopName}.myshopify.com`,
          'X-Shopify-API-Version': d.apiVersion,
          'X-Shopify-Webhook-Id': d.webhookId,
          'X-Shopify-Event-Id': d.eventId,
          'X-Shopify-Triggered-At': d.triggeredAt,
        },
        body: d.body,
        signal: ac.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      entry.status = res.status;
      d.lastStatus = res.status;
      if (res.ok) d.delivered = true;
      return res.ok;
    } catch (e) {
      entry.error = ac.signal.aborted ? 'timeout' : e instanceof Error ? e.message : String(e);
      d.lastStatus = null;
      return false;
    } finally {
      clearTimeout(timer);
      this.inflight.delete(ac);
      entry.ms = Date.now() - started;
    }
  }

  private retryDelays(): number[] {
    return this.opts.retryDelaysMs ?? SHOPIFY_RETRY_DELAYS_MS.map((ms) => Math.round(ms * (this.opts.timeScale ?? 1)));
  }

  private async attempt(d: WebhookDelivery, n: number): Promise<void> {
    if (this.stopped) return;
    const ok = await this.send(d);
    if (ok || this.stopped) return;
    const delays = this.retryDelays();
    if (n < delays.length) {
      this.after(delays[n] as number, () => void this.attempt(d, n + 1));
      return;
    }
    d.failed = true;
    // Shopify removes an API-created subscription whose deliveries keep failing.
    const id = d.subscriptionId ? Number(d.subscriptionId.split('/').pop()) : NaN;
    if (Number.isFinite(id)) deleteSubscription(this.state, id);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ac of this.inflight) ac.abort();
  }
}
