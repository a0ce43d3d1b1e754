/**
 * The hub's codec endpoint: Temporal's remote-codec HTTP protocol, so the Temporal UI and
 * `temporal workflow show --codec-endpoint …` show the compressed payloads as readable JSON.
 *
 * Protocol: POST …/decode and POST …/encode (only the last path segment counts, so
 * `http://host:port/{namespace}` templates work too), body and answer
 * `{"payloads":[{"metadata":{"encoding":"<base64>"},"data":"<base64>"}]}` (proto3 JSON of
 * Payloads), `X-Namespace` header (ignored: the codec is the same for every namespace).
 * Invalid JSON or a payload the codec cannot read answers 400 with the reason.
 *
 * Bounded: a request's decoded payloads together may not exceed `maxDecodedBytes` (a small
 * request of crafted zlib payloads would otherwise inflate to gigabytes, each payload within its
 * own bound), and at most `maxConcurrent` requests are decoded at once; the others wait their
 * turn before their body is even read, and past `maxQueued` waiting ones are told to retry (503).
 *
 * It holds no key, but a decoded history is the merchants' customer and order data: listening on
 * anything but loopback requires a bearer token (`B1HUB_CODEC_TOKEN`), which every request must
 * then carry (`Authorization: Bearer …`; the Temporal CLI sends it with `--codec-auth`). The UI
 * calls it from the browser, hence CORS for the UI's origin(s).
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { isLoopbackHost } from '../shared/loopback';
import { encodeHubPayloads } from '../temporal/data-converter';
import { isZlibPayload, MAX_DECODED_BYTES, ZLIB_ENCODING } from '../temporal/zlib-codec';

/** The environment variable holding the codec endpoint's bearer token (never logged). */
export const CODEC_TOKEN_ENV = 'B1HUB_CODEC_TOKEN';

export interface CodecServerOptions {
  /** 0 = any free port. */
  port: number;
  /** Default 127.0.0.1: the browser that runs the UI reaches it on the same machine. */
  host?: string;
  /** Origins allowed to call it from a browser (the Temporal UI's), or '*'. */
  corsOrigins: string[];
  /** Request bodies above this are refused (413). */
  maxBodyBytes?: number;
  /** Decoded bytes of all payloads of one request together; above it the request is refused (413). */
  maxDecodedBytes?: number;
  /** Requests decoded or encoded at once (default 2); later ones wait. */
  maxConcurrent?: number;
  /** Requests waiting for a turn (default 32); past it the answer is 503, retry later. */
  maxQueued?: number;
  /** Bearer token every request must carry; required when `host` is not loopback. */
  token?: string;
}

export interface RunningCodecServer {
  /** The endpoint to give the UI (`--ui-codec-endpoint`) or the CLI (`--codec-endpoint`). */
  url: string;
  port: number;
  /** Requests being decoded/encoded and waiting for a turn, now. */
  load(): { active: number; waiting: number };
  close(): Promise<void>;
}

type JsonPayload = { metadata?: Record<string, string>; data?: string };

const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization, Authorization-Extras';
// A UI asks for one event's payloads at a time; stored payloads are at most a few MB.
const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
// Temporal stores payloads of at most 2 MB and the hub's pages decode far below that: 32 MB per
// request is generous, and with two requests at once the endpoint stays within a few hundred MB.
const DEFAULT_MAX_DECODED = 32 * 1024 * 1024;
const DEFAULT_MAX_CONCURRENT = 2;
const DEFAULT_MAX_QUEUED = 32;
const inflateAsync = promisify(inflate);
const ProtoPayload = temporal.api.common.v1.Payload;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Standard or URL-safe, padded or not (proto3 JSON accepts all), but canonical: plain text like `json/plain` is refused. */
function base64Bytes(v: unknown, where: string): Buffer {
  const bad = () => new BadRequest(`${where}: expected a base64 string`);
  if (typeof v !== 'string' || !BASE64.test(v)) throw bad();
  const bytes = Buffer.from(v, 'base64');
  const canonical = (s: string) => s.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (canonical(bytes.toString('base64')) !== canonical(v)) throw bad();
  return bytes;
}

/** Proto3 JSON of a Payloads message → payloads (bytes fields are base64). */
export function payloadsFromJson(body: unknown): Payload[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('body: expected an object {"payloads":[…]}');
  const list = (body as { payloads?: unknown }).payloads;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new BadRequest('payloads: expected an array');
  return list.map((p: unknown, i): Payload => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new BadRequest(`payloads[${i}]: expected an object`);
    const { metadata, data } = p as { metadata?: unknown; data?: unknown };
    if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata)))
      throw new BadRequest(`payloads[${i}].metadata: expected an object`);
    return {
      metadata: Object.fromEntries(
        Object.entries((metadata ?? {}) as Record<string, unknown>).map(([k, v]) => [k, base64Bytes(v, `payloads[${i}].metadata.${k}`)]),
      ),
      data: data === undefined || data === null ? new Uint8Array() : base64Bytes(data, `payloads[${i}].data`),
    };
  });
}

export function payloadsToJson(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
      ),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BadRequest(`request body larger than ${limit} bytes`, 413));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Decodes one request's payloads one after the other within one budget for all of them: each
 * inflate may produce no more than what is left (zlib stops there), so a request never holds
 * more than `budget` decoded bytes. Same wire format as temporal/zlib-codec.ts.
 */
export async function decodeWithinBudget(payloads: Payload[], budget: number): Promise<Payload[]> {
  const out: Payload[] = [];
  let left = budget;
  const over = () => new BadRequest(`decoded payloads of this request exceed ${budget} bytes; ask for fewer payloads at once`, 413);
  for (const [i, p] of payloads.entries()) {
    if (!isZlibPayload(p)) {
      left -= p.data?.length ?? 0;
      if (left < 0) throw over();
      out.push(p);
      continue;
    }
    const limit = Math.min(MAX_DECODED_BYTES, left);
    let raw: Buffer;
    try {
      raw = await inflateAsync(p.data ?? new Uint8Array(), { maxOutputLength: Math.max(1, limit) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        if (limit < MAX_DECODED_BYTES) throw over();
        throw new BadRequest(`payloads[${i}]: decompresses to more than ${MAX_DECODED_BYTES} bytes`, 413);
      }
      throw new BadRequest(
        `decode failed: payload marked ${ZLIB_ENCODING} cannot be decompressed (not a zlib stream; payloads[${i}]): ${(err as Error).message}`,
      );
    }
    left -= raw.length;
    if (left < 0) throw over();
    try {
      out.push(ProtoPayload.decode(raw));
    } catch (err) {
      throw new BadRequest(
        `decode failed: payloads[${i}] marked ${ZLIB_ENCODING} does not hold a serialized Payload: ${(err as Error).message}`,
      );
    }
  }
  return out;
}

interface Gate {
  acquire(): Promise<boolean>;
  release(): void;
  /** Requests being served and waiting now. */
  load(): { active: number; waiting: number };
}

/** At most `limit` holders at once; `acquire` answers false when `maxQueued` already wait. */
function gate(limit: number, maxQueued: number): Gate {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    acquire() {
      if (active < limit) {
        active++;
        return Promise.resolve(true);
      }
      if (waiting.length >= maxQueued) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => waiting.push(() => resolve(true)));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else active--;
    },
    load: () => ({ active, waiting: waiting.length }),
  };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The CORS origin to answer with, or undefined when the request's origin is not allowed. */
function allowedOrigin(origin: string | undefined, allowed: string[]): string | undefined {
  if (origin === undefined) return undefined;
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : undefined;
}

type HandlerOptions = Pick<
  CodecServerOptions,
  'corsOrigins' | 'maxBodyBytes' | 'maxDecodedBytes' | 'maxConcurrent' | 'maxQueued' | 'token'
>;

function gateFor(o: HandlerOptions): Gate {
  return gate(o.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, o.maxQueued ?? DEFAULT_MAX_QUEUED);
}

export function codecRequestHandler(o: HandlerOptions, turns: Gate = gateFor(o)): http.RequestListener {
  const limit = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const decodedLimit = o.maxDecodedBytes ?? DEFAULT_MAX_DECODED;
  return (req, res) => {
    const origin = req.headers.origin;
    const corsOrigin = allowedOrigin(origin, o.corsOrigins);
    const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      const text = status === 204 ? undefined : typeof body === 'string' ? `${body}\n` : JSON.stringify(body);
      res.writeHead(status, {
        ...(text === undefined ? {} : { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' }),
        ...(corsOrigin ? { 'Access-Control-Allow-Origin': corsOrigin, Vary: 'Origin' } : {}),
        ...(corsOrigin && corsOrigin !== '*' ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
        ...extra,
      });
      res.end(text);
    };
    if (origin !== undefined && corsOrigin === undefined) {
      // A browser page this endpoint does not serve: say so instead of a silent CORS failure.
      send(
        403,
        `origin ${origin} is not allowed to call this codec endpoint (allowed: ${o.corsOrigins.join(', ') || 'none'}; b1hub codec-server --cors-origin <origin>)`,
      );
      return;
    }
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    const op = path.endsWith('/decode') ? 'decode' : path.endsWith('/encode') ? 'encode' : undefined;
    if (req.method === 'OPTIONS') {
      send(204, '', {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
        // Chrome's private network access: a UI served from a public origin calling this local endpoint.
        ...(req.headers['access-control-request-private-network'] === 'true' ? { 'Access-Control-Allow-Private-Network': 'true' } : {}),
      });
      return;
    }
    if (op === undefined) {
      send(404, `no such endpoint ${path || '/'}: POST …/decode or …/encode`);
      return;
    }
    if (req.method !== 'POST') {
      send(405, `${req.method ?? '?'} ${path}: use POST`, { Allow: 'POST, OPTIONS' });
      return;
    }
    if (o.token !== undefined && !tokenMatches(req.headers.authorization, o.token)) {
      send(401, `this codec endpoint needs Authorization: Bearer <token> (the value of ${CODEC_TOKEN_ENV} where it runs)`, {
        'WWW-Authenticate': 'Bearer',
      });
      req.resume();
      return;
    }
    void (async () => {
      // Wait for a turn before reading the body: waiting requests hold no memory of ours.
      if (!(await turns.acquire())) {
        send(503, 'codec endpoint busy; retry shortly', { 'Retry-After': '1' });
        req.resume();
        return;
      }
      try {
        const text = await readBody(req, limit);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (err) {
          throw new BadRequest(`request body is not JSON: ${(err as Error).message}`);
        }
        const payloads = payloadsFromJson(body);
        let out: Payload[];
        if (op === 'decode') {
          out = await decodeWithinBudget(payloads, decodedLimit);
        } else {
          try {
            out = await encodeHubPayloads(payloads);
          } catch (err) {
            throw new BadRequest(`${op} failed: ${(err as Error).message}`);
          }
        }
        send(200, payloadsToJson(out));
      } catch (err) {
        if (res.headersSent) return;
        if (err instanceof BadRequest) send(err.status, err.message);
        else send(500, `codec endpoint error: ${(err as Error).message}`);
      } finally {
        turns.release();
      }
    })();
  };
}

/** Refused at start: listening beyond this machine without a token would serve decoded histories to anyone. */
export class CodecTokenRequiredError extends Error {
  override name = 'CodecTokenRequiredError';
}

export async function startCodecServer(o: CodecServerOptions): Promise<RunningCodecServer> {
  const host = o.host ?? '127.0.0.1';
  if (o.token !== undefined && o.token.length < 16)
    throw new CodecTokenRequiredError(`${CODEC_TOKEN_ENV} is too short: use at least 16 random characters`);
  if (!isLoopbackHost(host) && !o.token) {
    throw new CodecTokenRequiredError(
      `listening on ${host} (not loopback) needs a bearer token: set ${CODEC_TOKEN_ENV} to a long random value`,
    );
  }
  const turns = gateFor(o);
  const server = http.createServer(codecRequestHandler(o, turns));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    load: () => turns.load(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
