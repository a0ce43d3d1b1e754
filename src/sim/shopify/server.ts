import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadShopifySchema, SHOPIFY_SCHEMA_VERSION } from './schema';
import { PLANS, type PlanLimits, type PlanName } from './bucket';
import { SimRuntime } from './runtime';
import { ShopState, emptyShopData, type OrderInput, type CustomerRec, type OrderRec, type RefundRec, type ShopData } from './state';
import { generateShopifySeed, type ShopifySeedOptions } from './seed';
import { runGraphQL } from './exec';
import { FaultInjector, type FaultRule } from './faults';
import { parseGid } from './ids';
import { WebhookEmitter, type WebhookOptions } from './webhooks';
import { handleWebhookControl } from './webhook-control';
import { cancelOrderHelper, handleMoneyControl, isMoneyControl, migrateOrders } from './money-control';
import { refundLinesWithMoney } from './money';
import { handleFulfillmentControl } from './fulfillment-control';
import { latencyDelay, shopifyDelayMs, type ShopifyLatency } from '../latency';

export interface ShopifySimulatorOptions {
  port?: number;
  host?: string;
  /** Static Admin API token (custom app). Default 'shpat_demo'. */
  accessToken?: string;
  /** Client-credentials app; tokens it issues expire after tokenLifetimeSec (default 86399, ~24 h). */
  clientId?: string;
  clientSecret?: string;
  tokenLifetimeSec?: number;
  plan?: PlanName | PlanLimits;
  /** Seed options, ready-made shop data, or false for an empty shop. Default: a small demo seed. */
  seed?: ShopifySeedOptions | ShopData | false;
  /** Loaded at start if it exists, written on close(). */
  stateFile?: string;
  shopName?: string;
  bulkStepMs?: number;
  requireIdempotency?: boolean;
  bulkQueryConcurrency?: number | null;
  bulkMutationConcurrency?: number;
  /** PEM key and certificate: serve HTTPS instead of HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  webhooks?: WebhookOptions;
  /** Faults active from the start (more can be added later through the returned `faults`). */
  faults?: { latencyMs?: number; rules?: FaultRule[] };
  /** Response time per operation class and bulk operation duration (../latency.ts); default none. */
  latency?: ShopifyLatency;
}

export interface ShopifySimulator {
  url: string;
  graphqlUrl: string;
  port: number;
  protocol: 'http' | 'https';
  shopDomain: string;
  accessToken: string;
  state: ShopState;
  runtime: SimRuntime;
  faults: FaultInjector;
  webhooks: WebhookEmitter;
  /** Number of GraphQL requests received (including faulted ones). */
  stats: { requests: number; throttled: number; maxCostExceeded: number };
  /** Response time per operation class and bulk duration; may be replaced while running. */
  latency: ShopifyLatency | undefined;
  setPlan(plan: PlanName | PlanLimits): void;
  createOrder(input: OrderInput): OrderRec;
  createCustomer(input: Parameters<ShopState['createCustomer']>[0]): CustomerRec;
  updateCustomer(id: string | number, patch: Parameters<ShopState['updateCustomer']>[1]): CustomerRec;
  cancelOrder(id: string | number, opts?: Parameters<ShopState['cancelOrder']>[1]): OrderRec;
  refundOrder(id: string | number, lines: { lineItemId: string | number; quantity: number; restock?: boolean }[], note?: string): RefundRec;
  /** Sets `available` for an inventory item (GID, id or SKU of its variant) at a location (GID, id or name). */
  setAvailable(item: string | number, location: string | number, available: number): void;
  save(): void;
  close(): Promise<void>;
}

export const DEFAULT_ACCESS_TOKEN = 'shpat_demo';
/** HMAC key of webhook deliveries when neither `webhooks.secret` nor `clientSecret` is given. */
export const DEFAULT_WEBHOOK_SECRET = 'shpss_demo_webhook_secret';
const STATIC_APP = 'custom-app';

function readBody(req: IncomingMessage, limit = 110 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' && headers['Content-Type'] ? headers['Content-Type'] : 'application/json; charset=utf-8',
    'X-Request-Id': randomUUID(),
    ...headers,
  });
  res.end(text);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Used when no seed is given: a small demo shop. */
export const DEFAULT_SEED: ShopifySeedOptions = { customers: 5, orders: 5, skus: ['A00001', 'A00002', 'A00003'] };

export async function startShopifySimulator(opts: ShopifySimulatorOptions = {}): Promise<ShopifySimulator> {
  const schema = loadShopifySchema();
  let data: ShopData;
  if (opts.stateFile && existsSync(opts.stateFile)) data = JSON.parse(readFileSync(opts.stateFile, 'utf8')) as ShopData;
  else if (opts.seed === false) data = emptyShopData(opts.shopName);
  else if (opts.seed && 'nextId' in opts.seed) data = structuredClone(opts.seed);
  else
    data = generateShopifySeed({
      ...(opts.seed ?? DEFAULT_SEED),
      shopName: opts.shopName ?? (opts.seed as ShopifySeedOptions | undefined)?.shopName,
    });
  const state = new ShopState(data);
  migrateOrders(state);
  const limits = typeof opts.plan === 'object' ? opts.plan : PLANS[opts.plan ?? 'standard'];
  const rt = new SimRuntime(state, schema, {
    limits,
    bulkStepMs: opts.bulkStepMs ?? 20,
    requireIdempotency: opts.requireIdempotency ?? true,
    bulkQueryConcurrency: opts.bulkQueryConcurrency ?? null,
    bulkMutationConcurrency: opts.bulkMutationConcurrency ?? 1,
    ...(opts.latency ? { latency: opts.latency } : {}),
  });
  const accessToken = opts.accessToken ?? DEFAULT_ACCESS_TOKEN;
  const issued = new Map<string, { appId: string; expiresAt: number }>();
  const faults = new FaultInjector();
  faults.latencyMs = opts.faults?.latencyMs ?? 0;
  for (const r of opts.faults?.rules ?? []) faults.add(r);
  const stats = { requests: 0, throttled: 0, maxCostExceeded: 0 };
  const tokenLifetime = opts.tokenLifetimeSec ?? 86399;
  const shopDomain = `${state.data.shopName}.myshopify.com`;
  // Always on: subscriptions created through the API get deliveries; `webhooks.url` adds a static address.
  const webhooks = new WebhookEmitter(state, {
    secret: opts.clientSecret ?? DEFAULT_WEBHOOK_SECRET,
    ...opts.webhooks,
    shopDomain,
    apiVersion: SHOPIFY_SCHEMA_VERSION,
  });

  const num = (v: string | number, type: string): number => {
    const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : parseGid(v, type);
    if (n == null) throw new Error(`${type} id ${String(v)} is not valid`);
    return n;
  };

  const setAvailable = (item: string | number, location: string | number, available: number): void => {
    if (!Number.isInteger(available)) throw new Error('available must be an integer');
    const itemRec =
      typeof item === 'string' && !item.startsWith('gid://') && !/^\d+$/.test(item)
        ? state.inventoryItem(state.variantsBySku(item)[0]?.inventoryItemId ?? -1)
        : state.inventoryItem(num(item, 'InventoryItem'));
    if (!itemRec) throw new Error(`inventory item ${String(item)} does not exist`);
    const loc =
      typeof location === 'string' && !location.startsWith('gid://') && !/^\d+$/.test(location)
        ? Object.values(state.data.locations).find((l) => l.name === location)
        : state.location(num(location, 'Location'));
    if (!loc) throw new Error(`location ${String(location)} does not exist`);
    if (!itemRec.levels[loc.id]) state.activate(itemRec, loc.id);
    state.setQuantity(itemRec, loc.id, 'available', available);
  };

  const authApp = (req: IncomingMessage): string | null => {
    const tok = req.headers['x-shopify-access-token'];
    if (typeof tok !== 'string' || !tok) return null;
    if (safeEqual(tok, accessToken)) return STATIC_APP;
    const cc = issued.get(tok);
    if (cc && cc.expiresAt > Date.now()) return cc.appId;
    return null;
  };

  const unauthorized = (res: ServerResponse) =>
    send(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, version: string): Promise<void> {
    stats.requests++;
    const raw = await readBody(req);
    const text = raw.toString('utf8');
    const lat = faults.take('latency', text);
    const delay = faults.latencyMs + (lat?.ms ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (rt.options.latency) await latencyDelay(shopifyDelayMs(rt.options.latency, text));
    if (faults.take('reset', text, 'before')) {
      req.socket.destroy();
      return;
    }
    const st = faults.take('status', text);
    if (st) {
      const headers: Record<string, string> = st.retryAfter ? { 'Retry-After': st.retryAfter } : {};
      send(
        res,
        st.status,
        st.status === 429
          ? { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }
          : { errors: 'Internal error. Looks like something went wrong on our end.' },
        headers,
      );
      return;
    }
    const appId = authApp(req);
    if (!appId) return unauthorized(res);
    let body: Record<string, unknown>;
    try {
      const ct = String(req.headers['content-type'] ?? '');
      body = ct.includes('application/graphql') ? { query: text } : (JSON.parse(text) as Record<string, unknown>);
      if (!body || typeof body !== 'object') throw new Error('not an object');
    } catch {
      return send(res, 400, { errors: { query: 'Required parameter missing or invalid' } });
    }
    const result = await runGraphQL(rt, body, { appId, version, metered: true });
    const code = (result.errors?.[0]?.extensions as { code?: string } | undefined)?.code;
    if (code === 'THROTTLED') stats.throttled++;
    if (code === 'MAX_COST_EXCEEDED') stats.maxCostExceeded++;
    if (faults.take('reset', text, 'after')) {
      req.socket.destroy();
      return;
    }
    send(res, 200, result, { 'X-Shopify-API-Version': version });
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    let params: Record<string, string> = {};
    try {
      params = String(req.headers['content-type'] ?? '').includes('application/json')
        ? (JSON.parse(raw) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return send(res, 400, { error: 'invalid_request', error_description: 'The request body is malformed.' });
    }
    if (params.grant_type !== 'client_credentials')
      return send(res, 400, {
        error: 'unsupported_grant_type',
        error_description: 'Only client_credentials is supported by this endpoint in the simulator.',
      });
    if (
      !opts.clientId ||
      !opts.clientSecret ||
      !params.client_id ||
      !params.client_secret ||
      !safeEqual(params.client_id, opts.clientId) ||
      !safeEqual(params.client_secret, opts.clientSecret)
    ) {
      return send(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed.' });
    }
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    issued.set(token, { appId: `cc:${opts.clientId}`, expiresAt: Date.now() + tokenLifetime * 1000 });
    send(res, 200, {
      access_token: token,
      scope: 'read_customers,read_orders,read_all_orders,write_products,read_products,write_inventory,read_inventory,read_locations',
      expires_in: tokenLifetime,
    });
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let form: FormData;
    try {
      form = await new Request('http://upload.local/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type'] ?? '') },
        body: raw,
      }).formData();
    } catch {
      return send(res, 400, '<Error><Code>InvalidArgument</Code><Message>Malformed multipart body.</Message></Error>', {
        'Content-Type': 'application/xml',
      });
    }
    const key = form.get('key');
    const sig = form.get('x-goog-signature');
    const file = form.get('file');
    if (typeof key !== 'string' || typeof sig !== 'string' || !safeEqual(sig, rt.signUploadKey(key))) {
      return send(res, 403, '<Error><Code>AccessDenied</Code><Message>Invalid signature.</Message></Error>', {
        'Content-Type': 'application/xml',
      });
    }
    if (!file || typeof file === 'string')
      return send(res, 400, '<Error><Code>InvalidArgument</Code><Message>file is required and must be the last field.</Message></Error>', {
        'Content-Type': 'application/xml',
      });
    rt.uploads.set(key, Buffer.from(await (file as Blob).arrayBuffer()));
    send(
      res,
      201,
      `<?xml version="1.0" encoding="UTF-8"?><PostResponse><Location>${rt.baseUrl}/staged-uploads/${key}</Location><Bucket>shopify-staged-uploads</Bucket><Key>${key}</Key><ETag>"${randomUUID()}"</ETag></PostResponse>`,
      { 'Content-Type': 'application/xml' },
    );
  }

  /**
   * Test/demo control API for a simulator running in another process (e.g. `b1hub sim shopify`):
   * the same helpers as the in-process handle, authenticated with the shop's access token.
   *   POST /_sim/orders                 OrderInput (lines by sku; a location must stock a tracked item, else 422) → the order's GID
   *   POST /_sim/orders/<id>/cancel     { reason?, restock?, refund? }
   *   POST /_sim/customers              customer fields                  → the customer's GID
   *   POST /_sim/customers/<id>         patch of customer fields
   *   POST /_sim/inventory              { sku | inventoryItemId, location (GID, id or name), available }
   *   POST /_sim/webhooks/faults        { drop?, duplicate?, delayMs?, reorderWindowMs? } (webhook-control.ts)
   *   POST /_sim/app/uninstall          app/uninstalled delivery, then the subscriptions are gone
   *   GET  /_sim/webhooks/deliveries    the delivery log
   *   POST /_sim/fulfillment-orders/<id>/hold|release-hold|assign-service, /_sim/orders/<id>/fulfill (fulfillment-control.ts)
   */
  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!authApp(req)) return unauthorized(res);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return send(res, 400, { error: 'body must be JSON' });
    }
    try {
      let m: RegExpExecArray | null;
      if (path === '/_sim/orders') {
        const input = body as unknown as OrderInput;
        if (typeof input.customerId === 'string') input.customerId = num(input.customerId, 'Customer');
        const o = state.createOrder(input);
        return send(res, 201, { id: `gid://shopify/Order/${o.id}`, name: o.name });
      }
      if ((m = /^\/_sim\/orders\/([^/]+)\/cancel$/.exec(path))) {
        const o = cancelOrderHelper(
          state,
          num(decodeURIComponent(m[1] as string), 'Order'),
          body as Parameters<ShopState['cancelOrder']>[1],
        );
        return send(res, 200, { id: `gid://shopify/Order/${o.id}`, cancelledAt: o.cancelledAt });
      }
      if (path === '/_sim/customers') {
        const c = state.createCustomer(body as Parameters<ShopState['createCustomer']>[0]);
        return send(res, 201, { id: `gid://shopify/Customer/${c.id}` });
      }
      if ((m = /^\/_sim\/customers\/([^/]+)$/.exec(path))) {
        const c = state.updateCustomer(
          num(decodeURIComponent(m[1] as string), 'Customer'),
          body as Parameters<ShopState['updateCustomer']>[1],
        );
        return send(res, 200, { id: `gid://shopify/Customer/${c.id}`, updatedAt: c.updatedAt });
      }
      if (isMoneyControl(path)) return handleMoneyControl(state, path, body, (status, b) => send(res, status, b));
      if (path.startsWith('/_sim/webhooks/') || path === '/_sim/app/uninstall')
        return handleWebhookControl(webhooks, state, path, body, (status, b) => send(res, status, b));
      if (path.startsWith('/_sim/fulfillment-orders/') || /^\/_sim\/orders\/[^/]+\/fulfill$/.test(path))
        return handleFulfillmentControl(state, path, body, (status, b) => send(res, status, b));
      if (path === '/_sim/inventory') {
        setAvailable((body.inventoryItemId ?? body.sku) as string, body.location as string, Number(body.available));
        return send(res, 200, { ok: true });
      }
      return send(res, 404, { error: `unknown control endpoint ${path}` });
    } catch (e) {
      return send(res, 422, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const gql = /^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/.exec(url.pathname);
    const work = async (): Promise<void> => {
      if (gql && req.method === 'POST') return handleGraphQL(req, res, gql[1] as string);
      if (url.pathname === '/admin/oauth/access_token' && req.method === 'POST') return handleToken(req, res);
      if (url.pathname === '/staged-uploads' && req.method === 'POST') return handleUpload(req, res);
      const file = /^\/bulk-results\/([\w.-]+)$/.exec(url.pathname);
      if (file && req.method === 'GET') {
        const text = rt.files.get(file[1] as string);
        if (text === undefined) return send(res, 404, '<Error><Code>NoSuchKey</Code></Error>', { 'Content-Type': 'application/xml' });
        res.writeHead(200, { 'Content-Type': 'application/jsonl', 'Content-Length': String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      if (url.pathname === '/health') return send(res, 200, { ok: true });
      if (url.pathname.startsWith('/_sim/') && req.method === 'POST') return handleControl(req, res, url.pathname);
      if (url.pathname === '/_sim/webhooks/deliveries' && req.method === 'GET') {
        if (!authApp(req)) return unauthorized(res);
        return send(res, 200, { deliveries: webhooks.deliveries, faults: webhooks.faults });
      }
      send(res, 404, { errors: 'Not Found' });
    };
    work().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { errors: `Simulator error: ${e instanceof Error ? e.message : String(e)}` });
    });
  };

  const protocol: 'http' | 'https' = opts.tls ? 'https' : 'http';
  const server: Server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createHttpServer(handler);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  rt.baseUrl = url;

  const save = (): void => {
    if (!opts.stateFile) return;
    const tmp = `${opts.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(state.data));
    renameSync(tmp, opts.stateFile);
  };

  return {
    url,
    graphqlUrl: `${url}/admin/api/${SHOPIFY_SCHEMA_VERSION}/graphql.json`,
    port,
    protocol,
    shopDomain,
    accessToken,
    state,
    runtime: rt,
    faults,
    webhooks,
    stats,
    get latency() {
      return rt.options.latency;
    },
    set latency(l: ShopifyLatency | undefined) {
      if (l) rt.options.latency = l;
      else delete rt.options.latency;
    },
    setPlan: (plan) => rt.setLimits(typeof plan === 'object' ? plan : PLANS[plan]),
    createOrder: (input) => state.createOrder(input),
    createCustomer: (input) => state.createCustomer(input),
    updateCustomer: (id, patch) => state.updateCustomer(num(id, 'Customer'), patch),
    cancelOrder: (id, o) => cancelOrderHelper(state, num(id, 'Order'), o),
    refundOrder: (id, lines, note) =>
      refundLinesWithMoney(
        state,
        num(id, 'Order'),
        lines.map((l) => ({ ...l, lineItemId: num(l.lineItemId, 'LineItem') })),
        note,
      ),
    setAvailable,
    save,
    close: async () => {
      rt.stop();
      webhooks?.stop();
      save();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
