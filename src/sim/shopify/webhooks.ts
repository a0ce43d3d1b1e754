import { createHmac, randomUUID } from 'node:crypto';
import { parseGid } from './ids';
import { orderTotals, type ShopState } from './state';

export interface WebhookOptions {
  /** Delivery address; loopback only. */
  url: string;
  /** App client secret: key of the HMAC. */
  secret: string;
  /** REST topic names (orders/create, …); default: all topics the simulator emits. */
  topics?: string[];
  /**
   * normal: one delivery per event, retried on failure; duplicate: every delivery is sent twice
   * (same X-Shopify-Webhook-Id); out-of-order: deliveries are held and released newest first.
   */
  mode?: 'normal' | 'duplicate' | 'out-of-order';
  /** Retry delays (ms) after failed attempts; Shopify's 8 retries over 4 h, compressed for tests. */
  retryDelaysMs?: number[];
  /** How long out-of-order mode holds deliveries before releasing them reversed. */
  holdMs?: number;
  shopDomain?: string;
  apiVersion?: string;
}

export interface WebhookDelivery {
  webhookId: string;
  eventId: string;
  topic: string;
  body: string;
  attempts: number;
  delivered: boolean;
  lastStatus: number | null;
}

/** Base64 HMAC-SHA256 of the exact body bytes, keyed with the app secret: Shopify's signature. */
export function signWebhook(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) throw new Error(`webhook url must be a loopback address, got ${host}`);
}

export class WebhookEmitter {
  readonly deliveries: WebhookDelivery[] = [];
  private held: WebhookDelivery[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly state: ShopState,
    private readonly opts: WebhookOptions,
  ) {
    assertLoopback(opts.url);
    state.onChange((topic, { gid, at }) => this.onEvent(topic, gid, at));
  }

  private onEvent(topic: string, gidValue: string, at: string): void {
    if (this.stopped || (this.opts.topics && !this.opts.topics.includes(topic))) return;
    const payload = this.payload(topic, gidValue);
    if (!payload) return;
    const d: WebhookDelivery = { webhookId: randomUUID(), eventId: randomUUID(), topic, body: JSON.stringify(payload), attempts: 0, delivered: false, lastStatus: null };
    this.deliveries.push(d);
    const triggeredAt = at;
    if (this.opts.mode === 'out-of-order') {
      this.held.push(d);
      if (this.held.length === 1) {
        this.after(this.opts.holdMs ?? 50, () => {
          const batch = this.held.reverse();
          this.held = [];
          for (const x of batch) void this.attempt(x, triggeredAt);
        });
      }
      return;
    }
    void this.attempt(d, triggeredAt);
    if (this.opts.mode === 'duplicate') this.after(5, () => void this.send(d, triggeredAt));
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private async send(d: WebhookDelivery, triggeredAt: string): Promise<boolean> {
    d.attempts++;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Shopify-Topic': d.topic,
          'X-Shopify-Hmac-Sha256': signWebhook(d.body, this.opts.secret),
          'X-Shopify-Shop-Domain': this.opts.shopDomain ?? `${this.state.data.shopName}.myshopify.com`,
          'X-Shopify-API-Version': this.opts.apiVersion ?? '2026-07',
          'X-Shopify-Webhook-Id': d.webhookId,
          'X-Shopify-Event-Id': d.eventId,
          'X-Shopify-Triggered-At': triggeredAt,
        },
        body: d.body,
        signal: AbortSignal.timeout(5000),
      });
      d.lastStatus = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) d.delivered = true;
      return res.ok;
    } catch {
      d.lastStatus = null;
      return false;
    }
  }

  private async attempt(d: WebhookDelivery, triggeredAt: string, n = 0): Promise<void> {
    if (this.stopped) return;
    const ok = await this.send(d, triggeredAt);
    const delays = this.opts.retryDelaysMs ?? [100, 200, 400, 800, 1600, 3200, 6400, 12800];
    if (!ok && n < delays.length) this.after(delays[n] as number, () => void this.attempt(d, triggeredAt, n + 1));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** REST-shaped payloads: numeric ids, snake_case, admin_graphql_api_id. */
  private payload(topic: string, gidValue: string): Record<string, unknown> | null {
    const s = this.state;
    if (topic.startsWith('customers/')) {
      const c = s.customer(parseGid(gidValue, 'Customer') ?? -1);
      if (!c) return null;
      return {
        id: c.id,
        email: c.email,
        first_name: c.firstName,
        last_name: c.lastName,
        phone: c.phone,
        tags: c.tags.join(', '),
        state: c.state.toLowerCase(),
        created_at: c.createdAt,
        updated_at: c.updatedAt,
        addresses: c.addresses.map((a) => ({ id: a.id, customer_id: c.id, address1: a.address1, city: a.city, zip: a.zip, country_code: a.countryCode, default: a.id === c.defaultAddressId })),
        admin_graphql_api_id: gidValue,
      };
    }
    if (topic.startsWith('orders/')) {
      const o = s.order(parseGid(gidValue, 'Order') ?? -1);
      if (!o) return null;
      const t = orderTotals(o);
      return {
        id: o.id,
        name: o.name,
        order_number: o.number,
        email: o.email,
        created_at: o.createdAt,
        updated_at: o.updatedAt,
        cancelled_at: o.cancelledAt,
        cancel_reason: o.cancelReason?.toLowerCase() ?? null,
        financial_status: o.financialStatus.toLowerCase(),
        currency: o.currencyCode,
        total_price: t.original.total.toFixed(2),
        current_total_price: t.current.total.toFixed(2),
        customer: o.customerId != null ? { id: o.customerId, admin_graphql_api_id: `gid://shopify/Customer/${o.customerId}` } : null,
        line_items: o.lineItems.map((l) => ({ id: l.id, sku: l.sku, quantity: l.quantity, current_quantity: l.currentQuantity, price: l.unitPrice, admin_graphql_api_id: `gid://shopify/LineItem/${l.id}` })),
        admin_graphql_api_id: gidValue,
      };
    }
    if (topic === 'refunds/create') {
      const id = parseGid(gidValue, 'Refund');
      const o = Object.values(s.data.orders).find((x) => x.refunds.some((r) => r.id === id));
      const r = o?.refunds.find((x) => x.id === id);
      if (!o || !r) return null;
      return { id: r.id, order_id: o.id, created_at: r.createdAt, note: r.note, refund_line_items: r.lineItems.map((l) => ({ line_item_id: l.lineItemId, quantity: l.quantity, restock_type: l.restock ? 'return' : 'no_restock' })), admin_graphql_api_id: gidValue };
    }
    if (topic.startsWith('products/')) {
      const p = s.product(parseGid(gidValue, 'Product') ?? -1);
      if (!p) return null;
      return {
        id: p.id,
        title: p.title,
        handle: p.handle,
        status: p.status.toLowerCase(),
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        variants: p.variantIds.map((vid) => {
          const v = s.variant(vid);
          return { id: vid, sku: v?.sku ?? null, price: v?.price ?? null, inventory_item_id: v?.inventoryItemId ?? null, admin_graphql_api_id: `gid://shopify/ProductVariant/${vid}` };
        }),
        admin_graphql_api_id: gidValue,
      };
    }
    if (topic === 'inventory_levels/update') {
      const m = /InventoryLevel\/(\d+)\?inventory_item_id=(\d+)&location_id=(\d+)/.exec(gidValue);
      if (!m) return null;
      const item = s.inventoryItem(Number(m[2]));
      const level = item?.levels[Number(m[3])];
      if (!item || !level) return null;
      return { inventory_item_id: item.id, location_id: Number(m[3]), available: level.quantities.available ?? 0, updated_at: level.updatedAt, admin_graphql_api_id: `gid://shopify/InventoryLevel/${m[3]}?inventory_item_id=${item.id}` };
    }
    if (topic === 'bulk_operations/finish') {
      const b = s.data.bulkOperations[parseGid(gidValue, 'BulkOperation') ?? -1];
      if (!b) return null;
      return { admin_graphql_api_id: gidValue, completed_at: b.completedAt, created_at: b.createdAt, error_code: b.errorCode?.toLowerCase() ?? null, status: b.status.toLowerCase(), type: b.type.toLowerCase() };
    }
    return null;
  }
}
