/**
 * The webhook endpoint: verifies Shopify's signature over the raw body, dedupes on the event id
 * and hands a hint to the object's scheduler through Temporal, answering within Shopify's
 * 5-second budget. Stateless: any number of replicas can run behind a load balancer, because the
 * dedupe set is Temporal's workflow-id uniqueness (hint-workflow.ts), not process memory.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { Secret } from '../connectors/shopify/secret';
import { WEBHOOK_HINT_WORKFLOW_PREFIX, webhookHintWorkflow, webhookTaskQueue } from './hint-workflow';
import { WebhookStats } from './stats';
import { actionFor } from './topics';
import { verifyWebhookHmac } from './verify';

export interface WebhookReceiverOptions {
  client: Client;
  taskQueue: string;
  /** The app's client secret; a second entry is the previous secret during a rotation. */
  secrets: readonly Secret[];
  /** Larger bodies get 413 without being read further. Default 2 MiB. */
  maxBodyBytes?: number;
  /** Only deliveries for this shop are accepted (X-Shopify-Shop-Domain), when set. */
  shopDomain?: string;
  /** Time allowed for the hand-over to Temporal; past it the answer is 503 and Shopify retries. Default 4 s (Shopify waits 5). */
  handoverTimeoutMs?: number;
  /** Log lines (never the secret or the body). */
  log?: (line: string) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The secrets from the environment: SHOPIFY_WEBHOOK_SECRET (else SHOPIFY_CLIENT_SECRET, the app's
 * client secret Shopify signs with) and, during a rotation, SHOPIFY_WEBHOOK_SECRET_PREVIOUS.
 */
export function webhookSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): Secret[] {
  const current = env.SHOPIFY_WEBHOOK_SECRET || env.SHOPIFY_CLIENT_SECRET;
  if (!current) throw new Error('SHOPIFY_WEBHOOK_SECRET: not set (the Shopify app client secret that signs webhooks)');
  const out = [new Secret(current)];
  if (env.SHOPIFY_WEBHOOK_SECRET_PREVIOUS) out.push(new Secret(env.SHOPIFY_WEBHOOK_SECRET_PREVIOUS));
  return out;
}

/** The dedupe key from X-Shopify-Event-Id (else X-Shopify-Webhook-Id), safe in a workflow id. */
export function dedupeKey(eventId: string): string {
  return /^[A-Za-z0-9._-]{1,60}$/.test(eventId) ? eventId : createHash('sha256').update(eventId).digest('hex').slice(0, 40);
}

class TooLarge extends Error {}

function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new TooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>, extra: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    Connection: status === 413 ? 'close' : 'keep-alive',
    ...extra,
  });
  res.end(JSON.stringify(body));
}

export type WebhookOutcome = 'accepted' | 'deduped' | 'ignored' | 'rejected' | 'failed';

export interface WebhookHandler {
  /** Handles one POST (any path: mount it where the subscription's address points). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<WebhookOutcome>;
  stats: WebhookStats;
  /**
   * Stops accepting: every later delivery is answered 503 (Shopify retries it, a load balancer
   * sends it to another replica); resolves once the deliveries already being handed over have
   * their answer, or after `waitMs` (a client trickling its body is not waited for).
   */
  stopAccepting(waitMs?: number): Promise<void>;
}

export function createWebhookHandler(opts: WebhookReceiverOptions): WebhookHandler {
  if (!opts.secrets.length) throw new Error('webhook receiver: no secret');
  const stats = new WebhookStats();
  const log = opts.log ?? (() => undefined);
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const handoverMs = opts.handoverTimeoutMs ?? 4000;
  let accepting = true;
  let inflight = 0;
  const idle: Array<() => void> = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<WebhookOutcome> => {
    const topic = header(req, 'X-Shopify-Topic') ?? '(none)';
    if (!accepting) {
      // Shutting down: not handed over, so not acknowledged. Connection: close moves the sender off
      // this process (its keep-alive socket would come back here).
      stats.count(topic, 'failed');
      reply(res, 503, { error: 'the receiver is stopping; retry' }, { 'Retry-After': '5', Connection: 'close' });
      return 'failed';
    }
    inflight++;
    try {
      return await handleAccepted(req, res, topic);
    } finally {
      inflight--;
      if (inflight === 0) for (const done of idle.splice(0)) done();
    }
  };

  const handleAccepted = async (req: IncomingMessage, res: ServerResponse, topic: string): Promise<WebhookOutcome> => {
    const reject = (status: number, why: string): WebhookOutcome => {
      stats.count(topic, 'rejected');
      log(`webhook ${topic}: ${status} ${why}`);
      reply(res, status, { error: why });
      return 'rejected';
    };
    if (req.method !== 'POST') return reject(405, 'POST only');
    let raw: Buffer;
    try {
      raw = await readLimited(req, limit);
    } catch (e) {
      if (e instanceof TooLarge) return reject(413, `body larger than ${limit} bytes`);
      return reject(400, 'could not read the body');
    }
    // The signature is over the exact bytes: checked before anything is parsed.
    if (!verifyWebhookHmac(raw, header(req, 'X-Shopify-Hmac-Sha256'), opts.secrets))
      return reject(401, 'missing or invalid X-Shopify-Hmac-Sha256');
    const shop = header(req, 'X-Shopify-Shop-Domain');
    if (opts.shopDomain && shop !== opts.shopDomain) return reject(403, `deliveries for ${shop ?? '(no shop)'} are not accepted here`);
    const eventId = header(req, 'X-Shopify-Event-Id') ?? header(req, 'X-Shopify-Webhook-Id');
    if (!eventId || topic === '(none)') return reject(400, 'X-Shopify-Topic and X-Shopify-Event-Id (or X-Shopify-Webhook-Id) are required');
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return reject(400, 'body is not a JSON object');
    }
    const action = actionFor(topic, body);
    if (!action) return reject(400, `no record id in the ${topic} payload`);
    if (action.kind === 'ignore') {
      stats.count(topic, 'ignored');
      reply(res, 200, { ok: true, ignored: action.why });
      return 'ignored';
    }
    const key = dedupeKey(eventId);
    const triggeredAt = header(req, 'X-Shopify-Triggered-At');
    try {
      await withTimeout(
        opts.client.workflow.start(webhookHintWorkflow, {
          taskQueue: webhookTaskQueue(opts.taskQueue),
          workflowId: `${WEBHOOK_HINT_WORKFLOW_PREFIX}${key}`,
          args: [{ eventId: key, topic, triggeredAt, action }],
          // A closed hint with the same id is a duplicate too: the id is the dedupe record.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          staticSummary: `webhook ${topic}`,
        }),
        handoverMs,
      );
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) {
        stats.count(topic, 'deduped');
        reply(res, 200, { ok: true, duplicate: true });
        return 'deduped';
      }
      // Not handed over: Shopify must retry, so the answer is 5xx.
      stats.count(topic, 'failed');
      log(`webhook ${topic} ${key}: could not hand over to Temporal: ${e instanceof Error ? e.message : String(e)}`);
      reply(res, 503, { error: 'could not hand the delivery to Temporal; retry' });
      return 'failed';
    }
    stats.count(topic, 'accepted');
    reply(res, 200, { ok: true });
    return 'accepted';
  };

  const stopAccepting = async (waitMs = handoverMs + 1000): Promise<void> => {
    accepting = false;
    if (inflight === 0) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => idle.push(resolve)),
      new Promise<void>((resolve) => (t = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(t);
  };
  return { handle, stats, stopAccepting };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

export interface WebhookReceiver {
  url: string;
  port: number;
  stats: WebhookStats;
  /** Keeps listening but answers 503 from now on; resolves when the hand-overs under way are answered. */
  stopAccepting(): Promise<void>;
  /** stopAccepting, then closes the port. */
  close(): Promise<void>;
}

/**
 * A standalone receiver: POST <path> for deliveries, GET /webhooks/stats for the per-topic
 * counters of this replica, GET /health. Default path /webhooks/shopify.
 */
export async function startWebhookReceiver(
  opts: WebhookReceiverOptions & { port?: number; host?: string; path?: string },
): Promise<WebhookReceiver> {
  const h = createWebhookHandler(opts);
  const path = opts.path ?? '/webhooks/shopify';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver.local');
    if (url.pathname === path) {
      h.handle(req, res).catch(() => reply(res, 500, { error: 'internal error' }));
      return;
    }
    if (url.pathname === '/webhooks/stats' && req.method === 'GET') return reply(res, 200, { topics: h.stats.snapshot() });
    if (url.pathname === '/health') return reply(res, 200, { ok: true });
    reply(res, 404, { error: 'not found' });
  });
  // Shopify allows 5 s in total; a client that trickles its body is cut off well before that.
  server.requestTimeout = 10_000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    port,
    stats: h.stats,
    stopAccepting: () => h.stopAccepting(),
    close: async () => {
      // The deliveries being handed over get their real answer (200 or 503) before the port
      // closes: cutting them off would leave Shopify guessing (it retries; dedupe would cope).
      await h.stopAccepting();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}
