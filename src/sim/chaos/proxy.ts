/**
 * A fault-injecting HTTP proxy for the chaos suite: sits between the hub's clients and one
 * simulator (B1 Service Layer or Shopify Admin GraphQL) and, per request, either forwards it
 * untouched or injects one fault:
 *
 * - `html-5xx`      502/503 with an Apache-style HTML page (the load balancer answering); not
 *                   applied, or (B1, half of the draws) applied first: the node committed, then
 *                   Apache gave up on it (reference §3), so the page says nothing either way
 * - `throttle-429`  429 with Retry-After; not applied
 * - `reset-before`  the connection is reset before the request reaches the simulator; not applied
 * - `reset-after`   the request is applied, then the connection is reset instead of answering
 * - `slow-commit`   the request is held past the client's timeout and only then applied: the write
 *                   commits after the client gave up (and possibly after its retry looked for it)
 * - `slow-response` the request is applied at once, its answer held past the client's timeout
 * plus, independently, `latency` (a delay before forwarding).
 *
 * The choice is seeded: request n (in arrival order) always draws the same fault for a given seed,
 * name and rates. Which request is n-th depends on the interleaving, so a run is reproducible in
 * its fault mix, not byte for byte. Everything listens and connects on loopback only.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from '../shared/prng';

export const FAULT_KINDS = ['html-5xx', 'throttle-429', 'reset-before', 'reset-after', 'slow-commit', 'slow-response'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** Probability per request of each fault (their sum must stay ≤ 1); latency is drawn apart. */
export type FaultRates = Partial<Record<FaultKind | 'latency', number>>;

export interface FaultProxyOptions {
  /** Names the proxy in stats and mixes into the seed, so two proxies draw different sequences. */
  name: string;
  /** The simulator's origin, e.g. http://127.0.0.1:50123 (paths are forwarded unchanged). */
  target: string;
  seed: number;
  rates: FaultRates;
  /** The hub clients' per-request timeout: slow faults hold for longer than this. */
  clientTimeoutMs: number;
  /** How far past the client timeout a slow fault applies/answers: [min, max] ms. Default [1000, 6000]. */
  slowMarginMs?: [number, number];
  /** Latency added when the latency draw hits: [min, max] ms. Default [50, 1500]. */
  latencyMs?: [number, number];
  /** Error body flavour of 429s (the real systems' JSON). */
  flavor: 'b1' | 'shopify';
  /** Requests never faulted (default: none excluded). */
  exempt?: (method: string, path: string) => boolean;
  /**
   * Targeted faults on top of the random ones: every `every`-th request matching method and path
   * gets `kind` (e.g. every 4th `POST /Orders` a slow commit), so a short run meets the
   * interleavings that matter whatever the draws.
   */
  rules?: { method: string; path: RegExp; kind: FaultKind; every: number }[];
}

export interface FaultProxyStats {
  requests: number;
  /** Faults injected by kind (latency counted apart). */
  faults: Record<FaultKind | 'latency', number>;
  /** Faults that hit a write (any method but GET), by kind. */
  writeFaults: Record<FaultKind, number>;
}

export interface FaultProxy {
  name: string;
  url: string;
  stats: FaultProxyStats;
  /** Replaces the rates from the next request on; `{}` stops injecting (targeted rules included). */
  setRates(rates: FaultRates): void;
  /** Resolves once no request is held or in flight (bounded by `timeoutMs`). */
  idle(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

const APACHE_PAGE = (status: number, title: string, text: string): string =>
  `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${status} ${title}</title>\n</head><body>\n<h1>${title}</h1>\n<p>${text}</p>\n<hr>\n<address>Apache/2.4.57 (Unix) Server at localhost Port 50000</address>\n</body></html>\n`;

function hashName(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A reset, not a clean close: the client sees ECONNRESET, as behind a failing load balancer. */
function reset(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (s.destroyed) return;
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

interface Upstream {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(o.target);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(target.hostname))
    throw new Error(`fault proxy: target ${o.target} is not on loopback`);
  const rand = mulberry32((o.seed ^ hashName(o.name)) >>> 0);
  let rates: FaultRates = { ...o.rates };
  const slow = o.slowMarginMs ?? [1000, 6000];
  const lat = o.latencyMs ?? [50, 1500];
  const zero = <K extends string>(keys: readonly K[]): Record<K, number> =>
    Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const stats: FaultProxyStats = { requests: 0, faults: zero([...FAULT_KINDS, 'latency'] as const), writeFaults: zero(FAULT_KINDS) };
  const ruleHits = (o.rules ?? []).map(() => 0);
  let rulesOn = true;
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let closed = false;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (closed) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const up = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });

  const reply = (res: ServerResponse, u: Upstream): void => {
    if (res.destroyed || res.socket?.destroyed) return;
    const headers = { ...u.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    headers['content-length'] = String(u.body.length);
    res.writeHead(u.status, headers);
    res.end(u.body);
  };

  const pick = (): { kind: FaultKind | null; latency: number; slowMs: number; variant: number } => {
    // A fixed number of draws per request keeps the sequence aligned whatever is chosen.
    const u = rand();
    const l = rand();
    const v = rand();
    let acc = 0;
    let kind: FaultKind | null = null;
    for (const k of FAULT_KINDS) {
      acc += rates[k] ?? 0;
      if (u < acc) {
        kind = k;
        break;
      }
    }
    const latency = l < (rates.latency ?? 0) ? Math.round(lat[0] + (lat[1] - lat[0]) * (l / (rates.latency ?? 1))) : 0;
    const slowMs = o.clientTimeoutMs + Math.round(slow[0] + (slow[1] - slow[0]) * v);
    return { kind, latency, slowMs, variant: v };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://proxy.local').pathname;
    stats.requests++;
    const exempt = o.exempt?.(method, path) ?? false;
    const f: { kind: FaultKind | null; latency: number; slowMs: number; variant: number } = exempt
      ? { kind: null, latency: 0, slowMs: 0, variant: 0 }
      : pick();
    if (!exempt && rulesOn) {
      (o.rules ?? []).forEach((r, i) => {
        if (r.method !== method || !r.path.test(path)) return;
        ruleHits[i]!++;
        if (ruleHits[i]! % r.every === 0) f.kind = r.kind;
      });
    }
    if (f.latency > 0) {
      stats.faults.latency++;
      await sleep(f.latency);
    }
    if (f.kind) {
      stats.faults[f.kind]++;
      if (method !== 'GET') stats.writeFaults[f.kind]++;
    }
    switch (f.kind) {
      case 'html-5xx': {
        // The B1 variant where the node committed before Apache answered with its page.
        if (o.flavor === 'b1' && (f.variant * 4) % 1 >= 0.5) await forward(req, body).catch(() => undefined);
        const [status, title, text] =
          f.variant < 0.5
            ? [502, 'Proxy Error', 'The proxy server received an invalid response from an upstream server.']
            : [
                503,
                'Service Unavailable',
                'The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.',
              ];
        res.writeHead(status, { 'Content-Type': 'text/html; charset=iso-8859-1' });
        res.end(APACHE_PAGE(status, title, text));
        return;
      }
      case 'throttle-429': {
        const retryAfter = f.variant < 0.5 ? '1' : '2';
        const payload =
          o.flavor === 'shopify'
            ? { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }
            : { error: { code: '-1', message: 'Too many requests; retry later' } };
        res.writeHead(429, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': retryAfter });
        res.end(JSON.stringify(payload));
        return;
      }
      case 'reset-before':
        reset(req.socket);
        return;
      case 'reset-after':
        await forward(req, body).catch(() => undefined);
        reset(req.socket);
        return;
      case 'slow-commit':
        // The client gives up at its timeout; the write lands afterwards.
        await sleep(f.slowMs);
        await forward(req, body).catch(() => undefined);
        reset(req.socket);
        return;
      case 'slow-response': {
        const u = await forward(req, body).catch(() => undefined);
        await sleep(f.slowMs);
        if (u) reply(res, u);
        else reset(req.socket);
        return;
      }
      default: {
        let u: Upstream;
        try {
          u = await forward(req, body);
        } catch {
          reset(req.socket);
          return;
        }
        reply(res, u);
      }
    }
  };

  const server: Server = createServer((req, res) => {
    inFlight++;
    handle(req, res)
      .catch(() => reset(req.socket))
      .finally(() => inFlight--);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client that gave up resets its side; that is expected here, not a proxy failure.
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    name: o.name,
    url: `http://127.0.0.1:${port}`,
    stats,
    setRates(r) {
      rates = { ...r };
      rulesOn = Object.values(r).some((x) => (x ?? 0) > 0);
    },
    async idle(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return inFlight === 0;
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
