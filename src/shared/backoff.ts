/**
 * The hub's one back-off: exponential, capped, with "equal jitter" (half the step fixed, half
 * random), so callers that failed together do not come back together, and a server-given floor
 * (Retry-After) is honoured. Used by the Shopify executor and the B1 client for their in-call
 * retries; Temporal's activity retry policy backs off between attempts of a whole step.
 */
export interface BackoffOptions {
  /** Delay of the first retry (before jitter). */
  baseMs: number;
  /** No delay exceeds this (a floor above it is cut to it too). */
  maxMs: number;
  /** Least delay, e.g. the server's Retry-After. */
  floorMs?: number | null;
  /** Jitter source in [0, 1); replaceable in tests. */
  random?: () => number;
}

/** Delay before retry number `attempt` (1 = the first retry). */
export function backoffDelayMs(attempt: number, o: BackoffOptions): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + ((o.random ?? Math.random)() * exp) / 2;
  return Math.min(o.maxMs, Math.max(o.floorMs ?? 0, jittered));
}
