/**
 * Latency profiles for both simulators: how long the real services take per operation class, so a
 * benchmark measures what a merchant sees instead of the hub's own overhead. The default is zero
 * (no timer at all), so tests run at full speed; `realistic` is a named profile whose numbers are
 * stated below with where they come from.
 *
 * A delay is a timer awaited per request: the simulator keeps serving other requests meanwhile,
 * as a real server with many sessions would.
 */

export interface B1Latency {
  /** POST /Login (a heavy operation: reference b1-service-layer §11.1). */
  loginMs: number;
  /** Any GET (entity, collection page, $count, SQLQueries). */
  readMs: number;
  /** POST/PATCH/PUT/DELETE other than Login and $batch. */
  writeMs: number;
  /** A $batch request's own overhead; each of its parts adds readMs or writeMs on top. */
  batchMs: number;
}

export interface ShopifyLatency {
  /** A GraphQL query request. */
  queryMs: number;
  /** A GraphQL mutation request (bulkOperationRunQuery and the like included). */
  mutationMs: number;
  /** A bulk operation's duration before it is COMPLETED: bulkBaseMs + rows × the per-row figure. */
  bulkBaseMs: number;
  bulkQueryPerRowMs: number;
  bulkMutationPerRowMs: number;
}

export interface LatencyProfile {
  b1: B1Latency;
  shopify: ShopifyLatency;
}

export const ZERO_LATENCY: LatencyProfile = {
  b1: { loginMs: 0, readMs: 0, writeMs: 0, batchMs: 0 },
  shopify: { queryMs: 0, mutationMs: 0, bulkBaseMs: 0, bulkQueryPerRowMs: 0, bulkMutationPerRowMs: 0 },
};

/**
 * `realistic`. Neither reference file gives response times, so these are stated assumptions,
 * in the ranges the performance issue names (a Service Layer takes tens of milliseconds per read
 * and hundreds per document write, its throughput depending on server tuning, SAP Note 3139544;
 * Shopify answers GraphQL in a few hundred milliseconds; bulk operations take seconds to minutes):
 * - B1 login 500 ms: reference §11.1 calls login heavy (it opens a DI company session).
 * - B1 read 40 ms, write 200 ms (a business partner or a sales order through the DI core).
 * - B1 $batch 50 ms of its own, plus each part at the read/write figure: the Service Layer runs
 *   the parts one after another in one session (it stops at the first failing one, §6), so a
 *   batch saves round trips, not server work.
 * - Shopify query 250 ms, mutation 400 ms.
 * - Bulk export 5 s + 0.5 ms per row (10,000 rows ≈ 10 s, 100,000 ≈ 55 s); bulk mutation import
 *   5 s + 20 ms per line (10,000 products ≈ 205 s). Shopify publishes no figures; these are
 *   assumptions on the short side of "seconds to minutes".
 * Every figure can be overridden (`parseLatency`).
 */
export const REALISTIC_LATENCY: LatencyProfile = {
  b1: { loginMs: 500, readMs: 40, writeMs: 200, batchMs: 50 },
  shopify: { queryMs: 250, mutationMs: 400, bulkBaseMs: 5_000, bulkQueryPerRowMs: 0.5, bulkMutationPerRowMs: 20 },
};

export const LATENCY_PROFILES: Readonly<Record<string, LatencyProfile>> = { zero: ZERO_LATENCY, realistic: REALISTIC_LATENCY };

export const LATENCY_USAGE =
  'a profile name (zero, realistic), optionally followed by overrides: realistic,b1.writeMs=300,shopify.queryMs=150 ' +
  `(b1: ${Object.keys(ZERO_LATENCY.b1).join(', ')}; shopify: ${Object.keys(ZERO_LATENCY.shopify).join(', ')})`;

/**
 * `realistic` or `zero`, then comma-separated `side.field=ms` overrides; a spec of overrides
 * alone starts from zero (`b1.writeMs=200`).
 */
export function parseLatency(spec: string): LatencyProfile {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let base = ZERO_LATENCY;
  if (parts[0] && !parts[0].includes('=')) {
    const named = LATENCY_PROFILES[parts[0]];
    if (!named) throw new Error(`unknown latency profile ${parts[0]}: ${LATENCY_USAGE}`);
    base = named;
    parts.shift();
  }
  const out: LatencyProfile = { b1: { ...base.b1 }, shopify: { ...base.shopify } };
  for (const p of parts) {
    const m = /^(b1|shopify)\.(\w+)=(\d+(?:\.\d+)?)$/.exec(p);
    const side = m ? (out[m[1] as 'b1' | 'shopify'] as unknown as Record<string, number>) : undefined;
    if (!m || !side || !(m[2]! in side)) throw new Error(`bad latency override ${p}: ${LATENCY_USAGE}`);
    side[m[2]!] = Number(m[3]);
  }
  return out;
}

/** Parts of a $batch body by kind: request lines inside the multipart body. */
function batchParts(body: string): { reads: number; writes: number } {
  let reads = 0;
  let writes = 0;
  for (const m of body.matchAll(/^(GET|POST|PATCH|PUT|DELETE|MERGE) \S+(?: HTTP\/1\.[01])?\r?$/gm)) {
    if (m[1] === 'GET') reads++;
    else writes++;
  }
  return { reads, writes };
}

/** The delay of one Service Layer request (`path` below the service root, e.g. `/Login`); the body is read for $batch only. */
export function b1DelayMs(l: B1Latency, method: string, path: string, body: () => string): number {
  const m = method.toUpperCase();
  if (m === 'GET') return l.readMs;
  if (m === 'POST' && /^\/Login\/?$/i.test(path)) return l.loginMs;
  if (m === 'POST' && /^\/\$batch\/?$/.test(path)) {
    if (!l.batchMs && !l.readMs && !l.writeMs) return 0;
    const { reads, writes } = batchParts(body());
    return l.batchMs + reads * l.readMs + writes * l.writeMs;
  }
  return l.writeMs;
}

/** Whether a GraphQL request body (JSON or application/graphql) holds a mutation. */
export function isGraphqlMutation(text: string): boolean {
  let query = text;
  try {
    const parsed = JSON.parse(text) as { query?: unknown };
    if (parsed && typeof parsed.query === 'string') query = parsed.query;
  } catch {
    // application/graphql: the body is the document itself.
  }
  // The first operation keyword after comments; a shorthand `{ … }` is a query.
  const first = /^(?:\s|#[^\n]*\n)*(mutation|query|subscription|\{)/.exec(query);
  return first?.[1] === 'mutation';
}

/** The delay of one GraphQL request. */
export function shopifyDelayMs(l: ShopifyLatency, bodyText: string): number {
  if (!l.queryMs && !l.mutationMs) return 0;
  return isGraphqlMutation(bodyText) ? l.mutationMs : l.queryMs;
}

/** How long a bulk operation of `rows` result lines runs beyond the simulator's own steps. */
export function bulkDurationMs(l: ShopifyLatency, type: 'QUERY' | 'MUTATION', rows: number): number {
  const perRow = type === 'QUERY' ? l.bulkQueryPerRowMs : l.bulkMutationPerRowMs;
  return Math.round(l.bulkBaseMs + perRow * rows);
}

/** Awaits `ms` on a timer (nothing at all for 0, so the default profile costs no tick). */
export function latencyDelay(ms: number): Promise<void> | undefined {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : undefined;
}
