/**
 * The simulator as a real HTTP(S) server on /b1s/v1 and /b1s/v2, plus the load-balancer level
 * behaviour around it (ping, Apache 502 pages, resets) driven by the fault controller.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { proxyErrorHtml, type ApiVersion } from './errors';
import { FaultController, type FaultOptions } from './faults';
import { B1Service, type SimRequest, type SimResponse } from './service';
import { B1SimState } from './state';
import { generateB1Seed, loadSeed, type B1SeedOptions } from './seed';
import { b1DelayMs, latencyDelay, ZERO_LATENCY, type B1Latency } from '../latency';

export interface B1SimulatorOptions {
  port?: number;
  host?: string;
  /** Demo company to load; false = empty company (no master data at all). Default: 50 items, 20 customers. */
  seed?: B1SeedOptions | false;
  companyDb?: string;
  userName?: string;
  password?: string;
  sessionTimeoutMinutes?: number;
  /** Server page size (SAP config `PageSize`, default 20). */
  pageSize?: number;
  /** Persist the company to this JSON file after writes and load it on start if it exists. */
  stateFile?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  faults?: FaultOptions;
  /** Approval procedure on sales orders: an order whose DocTotal is above this becomes a Draft. */
  approval?: { docTotalAbove: number };
  /** Response time per operation class (../latency.ts); default none. */
  latency?: B1Latency;
}

export interface B1Simulator {
  /** Service root of v1, e.g. http://127.0.0.1:50000/b1s/v1 */
  url: string;
  /** Service root of v2. */
  urlV2: string;
  port: number;
  state: B1SimState;
  faults: FaultController;
  /** Response time per operation class; may be replaced while running. */
  latency: B1Latency;
  /** Milliseconds of profile latency served so far (the Service Layer's busy time, for benchmarks). */
  latencyStats: { ms: number };
  /**
   * Counts the requests matching `match` that the server is handling at once, from now on: the
   * Service Layer's load as a test or benchmark needs to see it (e.g. how many `$batch` requests
   * a client keeps in flight). `peak` is the most at any moment since the watch began.
   */
  watchConcurrency(match: RegExp): ConcurrencyWatch;
  close(): Promise<void>;
}

export interface ConcurrencyWatch {
  readonly now: number;
  readonly peak: number;
  stop(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startB1Simulator(opts: B1SimulatorOptions = {}): Promise<B1Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const state = new B1SimState();
  let loaded = false;
  if (opts.stateFile && existsSync(opts.stateFile)) {
    state.loadJSON(JSON.parse(readFileSync(opts.stateFile, 'utf8')));
    loaded = true;
  }
  if (!loaded && opts.seed !== false) loadSeed(state, generateB1Seed(opts.seed ?? { items: 50, customers: 20 }));
  if (opts.approval) {
    const limit = opts.approval.docTotalAbove;
    state.approvalRule = (doc) => Number(doc.DocTotal ?? 0) > limit;
  }

  let saveTimer: NodeJS.Timeout | null = null;
  const saveNow = (): void => {
    if (!opts.stateFile) return;
    const tmp = `${opts.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(state.toJSON()));
    renameSync(tmp, opts.stateFile);
  };
  if (opts.stateFile) {
    state.onChange = () => {
      saveTimer ??= setTimeout(() => {
        saveTimer = null;
        saveNow();
      }, 200);
    };
    if (!loaded) saveNow();
  }

  const service = new B1Service(state, {
    companyDb: opts.companyDb ?? 'SBODEMOUS',
    userName: opts.userName ?? 'manager',
    password: opts.password ?? '1234',
    sessionTimeoutMinutes: opts.sessionTimeoutMinutes ?? 30,
    pageSize: opts.pageSize ?? 20,
  });
  const faults = new FaultController(opts.faults, () => state.expireAllSessions());
  const scheme = opts.tls ? 'https' : 'http';
  let latency: B1Latency = opts.latency ?? ZERO_LATENCY.b1;
  const latencyStats = { ms: 0 };
  const watches = new Set<{ match: RegExp; now: number; peak: number }>();
  const arrive = (reqLine: string): (() => void) => {
    const mine = [...watches].filter((w) => w.match.test(reqLine));
    for (const w of mine) w.peak = Math.max(w.peak, ++w.now);
    return () => {
      for (const w of mine) w.now--;
    };
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const rawUrl = req.url ?? '/';
        const qi = rawUrl.indexOf('?');
        const pathname = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
        const query = qi < 0 ? '' : rawUrl.slice(qi + 1);
        const reqLine = `${req.method ?? 'GET'} ${rawUrl}`;
        const leave = arrive(reqLine);
        res.once('close', leave);
        const { fault, delayMs } = faults.pick(reqLine);
        if (delayMs > 0) await sleep(delayMs);
        const latencyMs = b1DelayMs(latency, req.method ?? 'GET', pathname.replace(/^\/b1s\/v[12]/, ''), () =>
          Buffer.concat(chunks).toString('utf8'),
        );
        latencyStats.ms += latencyMs;
        await latencyDelay(latencyMs);
        if (fault?.kind === 'reset' && fault.when !== 'after') {
          req.socket.destroy();
          return;
        }
        if (fault && fault.kind !== 'reset' && fault.when !== 'after') {
          sendLbError(res, Number(fault.kind), pathname, state.clock.now());
          return;
        }
        let out: SimResponse;
        if (pathname === '/ping' || pathname === '/ping/') {
          out = {
            status: 200,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ message: 'pong', sender: 'load balancer', timestamp: new Date().toISOString() }),
          };
        } else {
          const m = /^\/b1s\/(v1|v2)(\/.*)?$/.exec(pathname);
          if (!m) {
            out = { status: 404, headers: { 'Content-Type': 'text/html' }, body: '<html><body><h1>Not Found</h1></body></html>' };
          } else {
            const version = m[1] as ApiVersion;
            const simReq: SimRequest = {
              method: req.method ?? 'GET',
              path: m[2] ?? '/',
              query,
              headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join('; ') : v])),
              body: Buffer.concat(chunks).toString('utf8'),
              version,
              base: `${scheme}://${req.headers.host ?? `${host}`}/b1s/${version}`,
            };
            try {
              out = service.handle(simReq);
            } catch (e) {
              // An unexpected simulator bug must still look like a server failure, not a hang.
              out = {
                status: 500,
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ error: { code: -1, message: { lang: 'en-us', value: String((e as Error).message) } } }),
              };
            }
          }
        }
        if (fault?.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        if (fault) {
          sendLbError(res, Number(fault.kind), pathname, state.clock.now());
          return;
        }
        // The server's own clock (tests move it), as the Service Layer's Date says B1's time.
        res.writeHead(out.status, { Date: state.clock.now().toUTCString(), ...out.headers });
        res.end(out.body);
      })();
    });
  };

  const server: Server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createHttpServer(handler);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${scheme}://${hostPart}:${port}/b1s/v1`,
    urlV2: `${scheme}://${hostPart}:${port}/b1s/v2`,
    port,
    state,
    faults,
    get latency() {
      return latency;
    },
    set latency(l: B1Latency) {
      latency = l;
    },
    latencyStats,
    watchConcurrency(match) {
      const w = { match, now: 0, peak: 0 };
      watches.add(w);
      return {
        get now() {
          return w.now;
        },
        get peak() {
          return w.peak;
        },
        stop: () => watches.delete(w),
      };
    },
    close: async () => {
      if (saveTimer) {
        clearTimeout(saveTimer);
        saveTimer = null;
      }
      if (opts.stateFile) saveNow();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendLbError(res: ServerResponse, status: number, path: string, now: Date): void {
  const titles: Record<number, string> = { 502: 'Proxy Error', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
  const body =
    status === 502
      ? proxyErrorHtml(path)
      : `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${status} ${titles[status] ?? 'Error'}</title>\n</head><body>\n<h1>${titles[status] ?? 'Error'}</h1>\n</body></html>\n`;
  res.writeHead(status, { Date: now.toUTCString(), 'Content-Type': 'text/html; charset=iso-8859-1' });
  res.end(body);
}
