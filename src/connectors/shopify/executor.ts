import {
  GraphqlQueryError,
  HttpRequestError,
  HttpResponseError,
  HttpThrottlingError,
  HttpInternalError,
  HttpMaxRetriesError,
} from '@shopify/shopify-api';
import { backoffDelayMs } from '../../shared/backoff';
import type { GqlDocument, ResultOf, VariablesOf } from './gql';
import type { ShopifyAuth } from './auth';
import { attemptTrace, failedBeforeSending, type AttemptTrace } from './transport';
import {
  ShopifyAuthError,
  ShopifyGraphQLError,
  ShopifyMaxCostError,
  ShopifyRetriesExhaustedError,
  ShopifyUnknownOutcomeError,
  type ShopifyGraphQLErrorDetail,
} from './errors';

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

/**
 * The client's model of Shopify's leaky bucket, refreshed from every response's
 * extensions.cost.throttleStatus. Requests reserve their estimated cost before they are sent,
 * so concurrent callers sharing one executor wait instead of overdrawing.
 */
export class CostBucketModel {
  private status: ThrottleStatus | null = null;
  private at = 0;
  private reserved = 0;

  update(s: ThrottleStatus): void {
    this.status = { ...s };
    this.at = Date.now();
  }

  known(): ThrottleStatus | null {
    return this.status;
  }

  /** Points expected to be available now, minus in-flight reservations. */
  available(): number {
    if (!this.status) return Number.POSITIVE_INFINITY;
    const restored = ((Date.now() - this.at) / 1000) * this.status.restoreRate;
    return Math.min(this.status.maximumAvailable, this.status.currentlyAvailable + restored) - this.reserved;
  }

  /** ms to wait until `cost` points should be available (0 = send now). */
  waitFor(cost: number): number {
    if (!this.status) return 0;
    const cap = Math.min(cost, this.status.maximumAvailable);
    const missing = cap - this.available();
    return missing <= 0 ? 0 : Math.ceil((missing / this.status.restoreRate) * 1000);
  }

  reserve(cost: number): () => void {
    this.reserved += cost;
    let released = false;
    return () => {
      if (!released) this.reserved -= cost;
      released = true;
    };
  }
}

export interface CallOptions {
  /**
   * The mutation may be repeated safely: it carries an @idempotent key or is a desired-state
   * upsert (productSet by identifier, metafieldsSet). Other mutations are not retried once
   * they may have reached Shopify.
   */
  idempotent?: boolean;
  /** Numeric variables (page sizes) halved on MAX_COST_EXCEEDED, down to 1. */
  shrink?: string[];
  /** Override of the cost estimate used for pre-waiting. */
  estimatedCost?: number;
}

export interface CallResult<T> {
  data: T;
  cost: QueryCost | null;
  /** The variables actually used (page sizes may have been halved). */
  variables: Record<string, unknown>;
}

export interface ExecutorOptions {
  maxAttempts?: number;
  maxThrottleWaits?: number;
  maxBackoffMs?: number;
  baseBackoffMs?: number;
  requestTimeoutMs?: number;
  /** Jitter source, replaceable in tests. */
  random?: () => number;
  log?: (event: ExecutorEvent) => void;
}

export type ExecutorEvent =
  | { type: 'throttled'; operation: string; waitMs: number; requested: number; available: number }
  | { type: 'prewait'; operation: string; waitMs: number; estimate: number }
  | { type: 'retry'; operation: string; attempt: number; waitMs: number; reason: string }
  | { type: 'shrink'; operation: string; variables: Record<string, number>; cost: number | null };

export interface ExecutorStats {
  requests: number;
  throttled: number;
  retries: number;
  shrinks: number;
  prewaits: number;
  waitedMs: number;
  /** Sum of actualQueryCost over successful calls: the points Shopify charged this client. */
  actualPoints: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function codes(errors: ShopifyGraphQLErrorDetail[]): string[] {
  return errors.map((e) => String(e.extensions?.code ?? ''));
}

function retryAfterMs(headers: Record<string, unknown> | undefined, fallback?: number): number | null {
  if (fallback != null && Number.isFinite(fallback)) return fallback * 1000;
  if (!headers) return null;
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const v = Array.isArray(raw) ? raw[0] : raw;
  // Shopify sends seconds, possibly fractional ("2.0"); the library misreads it as ms.
  const n = typeof v === 'string' || typeof v === 'number' ? parseFloat(String(v)) : NaN;
  return Number.isFinite(n) ? n * 1000 : null;
}

/**
 * The single path every Shopify GraphQL call takes: pre-wait on the cost model, send through
 * the library client (with its own retries disabled), then classify the outcome:
 * THROTTLED → wait the computed restore time plus jitter and resend; MAX_COST_EXCEEDED →
 * halve the page-size variables and resend; 429 → wait Retry-After (seconds); 5xx / network →
 * exponential back-off with jitter, but for mutations only when the request provably did not
 * reach Shopify or the call is idempotent; 401 with client credentials → renew the token once.
 */
export class ShopifyExecutor {
  readonly bucket = new CostBucketModel();
  readonly stats: ExecutorStats = { requests: 0, throttled: 0, retries: 0, shrinks: 0, prewaits: 0, waitedMs: 0, actualPoints: 0 };
  private readonly lastCost = new Map<string, { cost: number; size: number }>();
  /** actualQueryCost of the last successful call. */
  lastActualCost: number | null = null;
  private readonly o: Required<Omit<ExecutorOptions, 'log'>> & Pick<ExecutorOptions, 'log'>;

  constructor(
    private readonly auth: ShopifyAuth,
    opts: ExecutorOptions = {},
  ) {
    this.o = {
      maxAttempts: opts.maxAttempts ?? 8,
      maxThrottleWaits: opts.maxThrottleWaits ?? 50,
      maxBackoffMs: opts.maxBackoffMs ?? 30_000,
      baseBackoffMs: opts.baseBackoffMs ?? 500,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
      random: opts.random ?? Math.random,
      log: opts.log,
    };
  }

  private async wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    this.stats.waitedMs += ms;
    await sleep(ms);
  }

  private backoff(attempt: number, floorMs: number | null): number {
    return backoffDelayMs(attempt, { baseMs: this.o.baseBackoffMs, maxMs: this.o.maxBackoffMs, floorMs, random: this.o.random });
  }

  private estimate(doc: GqlDocument<unknown, unknown>, variables: Record<string, unknown>, opts: CallOptions): number {
    if (opts.estimatedCost != null) return opts.estimatedCost;
    const last = this.lastCost.get(doc.name);
    if (!last) return 0;
    const size = sizeOf(variables, opts.shrink);
    return size && last.size ? Math.ceil((last.cost * size) / last.size) : last.cost;
  }

  /**
   * Sends `doc`. A typed document (gql<'Name'>) types the variables and the answer from its
   * generated types; `call<T>(doc, …)` types the answer by hand instead (a document built at run
   * time). The data is Shopify's JSON as it came: the type says what the document asked for.
   */
  call<T = never, D extends GqlDocument<unknown, unknown> = GqlDocument>(
    doc: D,
    variables?: VariablesOf<D>,
    opts?: CallOptions,
  ): Promise<CallResult<[T] extends [never] ? ResultOf<D> : T>>;
  async call(
    doc: GqlDocument<unknown, unknown>,
    variables: Record<string, unknown> = {},
    opts: CallOptions = {},
  ): Promise<CallResult<unknown>> {
    const op = doc.name;
    const isMutation = doc.kind === 'mutation';
    let vars = { ...variables };
    let attempts = 0;
    let throttles = 0;
    let authRetried = false;
    let lastError = '';
    for (;;) {
      const estimate = this.estimate(doc, vars, opts);
      // Re-check after every sleep: concurrent callers may have taken the points meanwhile.
      // Check and reservation happen in the same tick, so they cannot interleave.
      for (let pre = this.bucket.waitFor(estimate); pre > 0; pre = this.bucket.waitFor(estimate)) {
        this.stats.prewaits++;
        this.o.log?.({ type: 'prewait', operation: op, waitMs: pre, estimate });
        await this.wait(pre);
      }
      const release = this.bucket.reserve(estimate);
      const trace: AttemptTrace = { fetch: this.auth.fetch, timeoutMs: this.o.requestTimeoutMs, responded: false, networkError: null };
      this.stats.requests++;
      let outcome: { ok: true; data: unknown; cost: QueryCost | null } | { ok: false; error: unknown };
      try {
        const { graphql } = await this.auth.client();
        const res = await attemptTrace.run(trace, () => graphql.request(doc.text, { variables: vars, retries: 0 }));
        const cost = (res.extensions as { cost?: QueryCost } | undefined)?.cost ?? null;
        outcome = { ok: true, data: res.data, cost };
      } catch (error) {
        outcome = { ok: false, error };
      } finally {
        release();
      }

      if (outcome.ok) {
        if (outcome.cost) {
          this.bucket.update(outcome.cost.throttleStatus);
          this.stats.actualPoints += outcome.cost.actualQueryCost ?? 0;
          this.lastActualCost = outcome.cost.actualQueryCost;
          this.lastCost.set(op, { cost: outcome.cost.requestedQueryCost, size: sizeOf(vars, opts.shrink) });
        }
        return { data: outcome.data, cost: outcome.cost, variables: vars };
      }

      const error = outcome.error;
      if (error instanceof GraphqlQueryError) {
        const body = error.body as
          { errors?: { graphQLErrors?: ShopifyGraphQLErrorDetail[] }; extensions?: { cost?: QueryCost }; data?: unknown } | undefined;
        const gqlErrors = body?.errors?.graphQLErrors ?? [{ message: error.message }];
        const cost = body?.extensions?.cost ?? null;
        if (cost?.throttleStatus) this.bucket.update(cost.throttleStatus);
        const c = codes(gqlErrors);
        if (c.includes('THROTTLED')) {
          // Not executed: safe to resend any operation.
          this.stats.throttled++;
          if (++throttles > this.o.maxThrottleWaits) throw new ShopifyRetriesExhaustedError(op, attempts + throttles, 'THROTTLED');
          const ts = cost?.throttleStatus;
          const requested = cost?.requestedQueryCost ?? estimate;
          if (ts && requested > ts.maximumAvailable) {
            // Can never fit in this shop's bucket: only a smaller page helps.
            const shrunk = shrinkVars(vars, opts.shrink);
            if (!shrunk) throw new ShopifyMaxCostError(op, requested);
            this.stats.shrinks++;
            this.o.log?.({
              type: 'shrink',
              operation: op,
              variables: Object.fromEntries((opts.shrink ?? []).map((k) => [k, shrunk[k] as number])),
              cost: requested,
            });
            vars = shrunk;
            continue;
          }
          const base = ts ? Math.max(0, ((requested - ts.currentlyAvailable) / ts.restoreRate) * 1000) : this.backoff(throttles, null);
          const waitMs = Math.ceil(base + 50 + this.o.random() * 250);
          this.o.log?.({ type: 'throttled', operation: op, waitMs, requested, available: ts?.currentlyAvailable ?? -1 });
          if (cost) this.lastCost.set(op, { cost: requested, size: sizeOf(vars, opts.shrink) });
          await this.wait(waitMs);
          continue;
        }
        if (c.includes('MAX_COST_EXCEEDED')) {
          const shrunk = shrinkVars(vars, opts.shrink);
          const requested = cost?.requestedQueryCost ?? (gqlErrors[0]?.extensions?.cost as number | undefined) ?? null;
          if (!shrunk) throw new ShopifyMaxCostError(op, requested);
          this.stats.shrinks++;
          this.o.log?.({
            type: 'shrink',
            operation: op,
            variables: Object.fromEntries((opts.shrink ?? []).map((k) => [k, shrunk[k] as number])),
            cost: requested,
          });
          vars = shrunk;
          continue;
        }
        throw new ShopifyGraphQLError(op, gqlErrors, body?.data);
      }

      // Transport-level outcome.
      let status: number | null = null;
      let floor: number | null = null;
      if (error instanceof HttpThrottlingError) {
        status = 429;
        floor = retryAfterMs(error.response.headers, error.response.retryAfter);
      } else if (error instanceof HttpInternalError || error instanceof HttpMaxRetriesError) {
        status = error instanceof HttpInternalError ? error.response.code : 500;
        floor = error instanceof HttpInternalError ? retryAfterMs(error.response.headers) : null;
      } else if (error instanceof HttpResponseError) {
        status = error.response.code;
        if (status === 401 || status === 403) {
          if (status === 401 && !authRetried && (await this.auth.invalidate())) {
            authRetried = true;
            continue;
          }
          throw new ShopifyAuthError(
            `Shopify ${op}: HTTP ${status} from ${status === 401 ? 'an invalid or expired access token' : 'missing access scopes'}`,
          );
        }
        throw new ShopifyGraphQLError(op, [{ message: `HTTP ${status} ${error.response.statusText}` }]);
      } else if (error instanceof ShopifyAuthError) {
        throw error;
      } else if (!(error instanceof HttpRequestError)) {
        throw error;
      }
      const notSent = status === 429 || (status === null && failedBeforeSending(trace.networkError));
      lastError = status !== null ? `HTTP ${status}` : `network error ${trace.networkError ?? 'unknown'}`;
      if (isMutation && !notSent && !opts.idempotent) throw new ShopifyUnknownOutcomeError(op, lastError);
      attempts++;
      if (attempts >= this.o.maxAttempts) throw new ShopifyRetriesExhaustedError(op, attempts, lastError);
      const waitMs = this.backoff(attempts, floor);
      this.stats.retries++;
      this.o.log?.({ type: 'retry', operation: op, attempt: attempts, waitMs, reason: lastError });
      await this.wait(waitMs);
    }
  }
}

function sizeOf(vars: Record<string, unknown>, keys: string[] | undefined): number {
  if (!keys?.length) return 0;
  return keys.reduce((p, k) => p * (typeof vars[k] === 'number' ? (vars[k] as number) : 1), 1);
}

function shrinkVars(vars: Record<string, unknown>, keys: string[] | undefined): Record<string, unknown> | null {
  if (!keys?.length) return null;
  const next = { ...vars };
  let changed = false;
  for (const k of keys) {
    const v = vars[k];
    if (typeof v === 'number' && v > 1) {
      next[k] = Math.max(1, Math.floor(v / 2));
      changed = true;
    }
  }
  return changed ? next : null;
}
