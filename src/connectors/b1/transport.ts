/**
 * One Service Layer request with the hub's retry rules and error classification: on 401 the
 * session is renewed once and the request replayed (it was not processed); transient failures
 * (network, 5xx, an HTML page from a proxy) are retried with the shared back-off only when safe:
 * reads, writes the caller marks idempotent, and any request that provably never left (connection
 * refused, name not resolved). Everything else becomes a typed error (errors.ts).
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import { backoffDelayMs } from '../../shared/backoff';
import { B1SessionError, B1TlsError, B1TransientError, classifyError, parseErrorBody, sanitizeCause, type B1ErrorContext } from './errors';
import type { B1Logger } from './logger';
import type { B1Response, RequestOptions } from './options';
import type { B1SessionManager } from './session';

/** Errors where the request never reached the server, so even a write can be sent again. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Longest wait between two tries of one request (shared/backoff.ts). */
const B1_MAX_BACKOFF_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function isCertificateError(code: string): boolean {
  return /^(CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_)/.test(code);
}

export interface Transport {
  http: AxiosInstance;
  session: B1SessionManager;
  logger: B1Logger;
  maxRetries: number;
  retryBaseDelayMs: number;
  /** Called with every answer's `Date` header (server-clock.ts). */
  onDate: (header: unknown) => void;
}

async function backoff(t: Transport, attempt: number, ctx: B1ErrorContext, reason: string): Promise<void> {
  const delay = backoffDelayMs(attempt + 1, { baseMs: t.retryBaseDelayMs, maxMs: B1_MAX_BACKOFF_MS });
  t.logger.debug?.({ component: 'b1-client', ...ctx, attempt: attempt + 1, reason }, 'retrying idempotent Service Layer request');
  await sleep(delay);
}

/** Sends `method url` (a full URL) with the session; `ctx` names the request in errors and logs. */
export async function sendRequest(t: Transport, method: string, url: string, ctx: B1ErrorContext, ro: RequestOptions): Promise<B1Response> {
  const idempotent = ro.idempotent ?? method === 'GET';
  let relogged = false;
  for (let attempt = 0; ; attempt++) {
    const s = await t.session.get();
    let res: AxiosResponse<string>;
    try {
      res = await t.http.request<string>({
        method,
        url,
        headers: {
          Cookie: s.cookie,
          Accept: 'application/json',
          ...(ro.body !== undefined || ro.rawBody !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...ro.headers,
        },
        ...(ro.rawBody !== undefined ? { data: ro.rawBody } : ro.body !== undefined ? { data: JSON.stringify(ro.body) } : {}),
        ...(ro.timeoutMs ? { timeout: ro.timeoutMs } : {}),
      });
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'ERR';
      if (isCertificateError(code)) {
        throw new B1TlsError(`TLS certificate of the Service Layer not trusted (${code}); set tls.caFile to its CA or certificate`, {
          context: ctx,
          cause: sanitizeCause(e),
        });
      }
      const notSent = NOT_SENT.has(code);
      const err = new B1TransientError(`network error ${code}`, { context: ctx, cause: sanitizeCause(e) });
      err.mayHaveBeenApplied = !notSent && method !== 'GET';
      if ((idempotent || notSent) && attempt < t.maxRetries) {
        await backoff(t, attempt, ctx, code);
        continue;
      }
      throw err;
    }
    t.session.touch(s);
    t.onDate(res.headers.date);
    if (res.status === 401) {
      const parsed = parseErrorBody(res.data, res.headers['content-type'] as string | undefined);
      if (!relogged) {
        relogged = true;
        t.session.invalidate(s);
        t.logger.debug?.({ component: 'b1-client', ...ctx }, 'session expired; logging in again once and replaying');
        attempt--;
        continue;
      }
      throw new B1SessionError(parsed.message, { status: 401, ...(parsed.code !== undefined ? { code: parsed.code } : {}), context: ctx });
    }
    if (res.status >= 400) {
      const parsed = parseErrorBody(res.data, res.headers['content-type'] as string | undefined);
      const err = classifyError(res.status, parsed, ctx);
      if (err instanceof B1TransientError) {
        // Any 5xx may come after the write reached a node: Apache answers 502/503/504 with its
        // HTML page also when a node crashed or timed out mid-request (reference §3), and which
        // node state a 503 page stands for cannot be told from outside. A write is in doubt.
        err.mayHaveBeenApplied = method !== 'GET';
        if (idempotent && attempt < t.maxRetries) {
          await backoff(t, attempt, ctx, String(res.status));
          continue;
        }
      }
      throw err;
    }
    const ct = String(res.headers['content-type'] ?? '');
    if (ct.includes('html')) {
      // A 2xx HTML page means something other than the Service Layer answered.
      const err = new B1TransientError('unexpected HTML response', { status: res.status, context: ctx });
      err.mayHaveBeenApplied = method !== 'GET';
      if (idempotent && attempt < t.maxRetries) {
        await backoff(t, attempt, ctx, 'html');
        continue;
      }
      throw err;
    }
    return { status: res.status, headers: res.headers as Record<string, string | string[] | undefined>, body: res.data ?? '' };
  }
}
