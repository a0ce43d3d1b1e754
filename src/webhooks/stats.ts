/**
 * Per-topic counters of one receiver replica, for `status`. They are observability only (the
 * dedupe state lives in Temporal), so replicas each keep their own and a reader sums them.
 */
export type WebhookCounter = 'accepted' | 'rejected' | 'deduped' | 'ignored' | 'failed';

export interface TopicStats {
  accepted: number;
  rejected: number;
  deduped: number;
  ignored: number;
  /** Not handed to Temporal (answered 503 so Shopify retries). */
  failed: number;
  lastDeliveryAt: string | null;
}

export class WebhookStats {
  private readonly topics = new Map<string, TopicStats>();

  constructor(private readonly now: () => number = Date.now) {}

  count(topic: string, counter: WebhookCounter): void {
    // An unverified request could name any topic: unknown names are folded so the map stays bounded.
    const key = /^[a-z_]{1,40}\/[a-z_]{1,40}$/.test(topic) ? topic : '(other)';
    let t = this.topics.get(key);
    if (!t) {
      if (this.topics.size >= 100) return;
      t = { accepted: 0, rejected: 0, deduped: 0, ignored: 0, failed: 0, lastDeliveryAt: null };
      this.topics.set(key, t);
    }
    t[counter]++;
    t.lastDeliveryAt = new Date(this.now()).toISOString();
  }

  snapshot(): Record<string, TopicStats> {
    return Object.fromEntries([...this.topics].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }]));
  }
}

/** Sums the snapshots of several replicas. */
export function mergeWebhookStats(parts: Record<string, TopicStats>[]): Record<string, TopicStats> {
  const out: Record<string, TopicStats> = {};
  for (const p of parts) {
    for (const [topic, s] of Object.entries(p)) {
      const o = (out[topic] ??= { accepted: 0, rejected: 0, deduped: 0, ignored: 0, failed: 0, lastDeliveryAt: null });
      o.accepted += s.accepted;
      o.rejected += s.rejected;
      o.deduped += s.deduped;
      o.ignored += s.ignored;
      o.failed += s.failed;
      if (s.lastDeliveryAt && (!o.lastDeliveryAt || s.lastDeliveryAt > o.lastDeliveryAt)) o.lastDeliveryAt = s.lastDeliveryAt;
    }
  }
  return out;
}
