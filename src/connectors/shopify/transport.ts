/**
 * How the hub reaches Shopify, and how the same code reaches the simulator.
 *
 * Every request goes through @shopify/shopify-api (GraphQL client and client-credentials grant),
 * which always builds `https://<shop>/admin/...` and sends it through one process-wide fetch (the
 * library's `setAbstractFetchFunc`). That hook, installed once here, holds no routing of its own:
 * it sends each request with the fetch of the client that made it (createShopFetch, carried in
 * the request's async context), so two clients, even for the same shop name, each reach their own
 * endpoint. A client with an endpoint override (the simulator, a test double) has its shop's
 * requests sent to that origin (path and headers untouched); plain http is allowed only for a
 * loopback address, any other override must be https (a locally generated CA is trusted through
 * NODE_EXTRA_CA_CERTS). A request outside any client's context goes out unchanged.
 *
 * The hook also enforces a per-request timeout and records, per attempt, whether a response
 * arrived and why the network failed, which the executor needs to decide whether a mutation may
 * have been applied.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

// Subpath imports go through require(): the package's "exports" map is what Node resolves at run
// time, while TypeScript's node10 resolution would otherwise type-check the package's shipped
// .ts sources. Types come from the package's published declarations.
/* eslint-disable @typescript-eslint/no-require-imports */
require('@shopify/shopify-api/adapters/node');
const { setAbstractFetchFunc } = require('@shopify/shopify-api/runtime') as typeof import('@shopify/shopify-api/dist/ts/runtime');
/* eslint-enable @typescript-eslint/no-require-imports */

export type ShopFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface AttemptTrace {
  /** The fetch of the client making the request (createShopFetch). */
  fetch: ShopFetch;
  timeoutMs: number;
  /** A response (any status) came back. */
  responded: boolean;
  /** Network error code when no response came back (ECONNREFUSED, UND_ERR_SOCKET, TimeoutError…). */
  networkError: string | null;
}

export const attemptTrace = new AsyncLocalStorage<AttemptTrace>();

/** Failures that happen before the request could reach Shopify: safe to retry even for mutations. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

export function failedBeforeSending(code: string | null): boolean {
  return code != null && NOT_SENT.has(code);
}

const baseFetch: typeof fetch = globalThis.fetch;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The fetch one client sends with: requests for `shop` go to `endpoint` when one is given
 * (validated here, when the client is made), everything else unchanged.
 */
export function createShopFetch(opts: { shop: string; endpoint?: string }): ShopFetch {
  if (!opts.endpoint) return baseFetch;
  const url = new URL(opts.endpoint);
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw new Error(`Shopify endpoint override for ${opts.shop}: plain http is only allowed for loopback addresses, got ${url.hostname}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`Shopify endpoint override for ${opts.shop}: unsupported scheme ${url.protocol}`);
  const host = opts.shop.toLowerCase();
  return (input, init) => {
    const original = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const target = original.host.toLowerCase() === host ? new URL(`${original.pathname}${original.search}`, url.origin) : original;
    return baseFetch(target, init);
  };
}

function errorCode(e: unknown): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string; name?: string; message?: string } };
  const fromMessage = /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/.exec(err?.cause?.message ?? '')?.[1];
  return err?.cause?.code ?? err?.code ?? fromMessage ?? err?.cause?.message ?? err?.name ?? 'UNKNOWN';
}

async function hubFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const trace = attemptTrace.getStore();
  const timeout = AbortSignal.timeout(trace?.timeoutMs ?? 30_000);
  const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    const res = await (trace?.fetch ?? baseFetch)(input, { ...init, signal });
    if (trace) trace.responded = true;
    return res;
  } catch (e) {
    if (trace) trace.networkError = timeout.aborted ? 'TimeoutError' : errorCode(e);
    throw e;
  }
}

setAbstractFetchFunc(hubFetch as never);
