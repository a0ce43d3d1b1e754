import { randomBytes, createHmac } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { LeakyBucket, type PlanLimits } from './bucket';
import type { ShopState } from './state';
import type { ShopifyLatency } from '../latency';

export interface IdempotencyEntry {
  fingerprint: string;
  result: unknown;
}

export interface RuntimeOptions {
  limits: PlanLimits;
  /** Delay before a bulk operation moves CREATED → RUNNING → COMPLETED; tests keep it small. */
  bulkStepMs: number;
  /** ≥2026-04 rejects inventorySetQuantities without @idempotent; configurable because early 2026-04 shops did not. */
  requireIdempotency: boolean;
  /** Concurrent bulk operations per app; null = decided by API version (1 before 2026-01, 5 from it). */
  bulkQueryConcurrency: number | null;
  bulkMutationConcurrency: number;
  /** Response times (../latency.ts): here for how long a bulk operation runs. */
  latency?: ShopifyLatency;
}

/** Mutable per-server machinery around the shop data: buckets, idempotency keys, files. */
export class SimRuntime {
  readonly buckets = new Map<string, LeakyBucket>();
  readonly idempotency = new Map<string, Map<string, IdempotencyEntry>>();
  readonly uploads = new Map<string, Buffer>();
  readonly files = new Map<string, string>();
  readonly productOperations = new Map<
    number,
    { status: 'CREATED' | 'ACTIVE' | 'COMPLETE'; productId: number | null; userErrors: unknown[] }
  >();
  readonly uploadSecret = randomBytes(16).toString('hex');
  baseUrl = 'http://127.0.0.1';
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly state: ShopState,
    readonly schema: GraphQLSchema,
    public options: RuntimeOptions,
  ) {}

  bucket(appId: string): LeakyBucket {
    let b = this.buckets.get(appId);
    if (!b) {
      b = new LeakyBucket(this.options.limits);
      this.buckets.set(appId, b);
    }
    return b;
  }

  setLimits(limits: PlanLimits): void {
    this.options.limits = limits;
    this.buckets.clear();
  }

  idempotencyStore(appId: string): Map<string, IdempotencyEntry> {
    let m = this.idempotency.get(appId);
    if (!m) {
      m = new Map();
      this.idempotency.set(appId, m);
    }
    return m;
  }

  signUploadKey(key: string): string {
    return createHmac('sha256', this.uploadSecret).update(key).digest('hex');
  }

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
