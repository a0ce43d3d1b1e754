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
 * It only compresses and decompresses: no key, nothing secret, so no authentication. The UI calls
 * it from the browser, hence CORS for the UI's origin(s).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { decodeHubPayloads, encodeHubPayloads } from '../temporal/data-converter';

export interface CodecServerOptions {
  /** 0 = any free port. */
  port: number;
  /** Default 127.0.0.1: the browser that runs the UI reaches it on the same machine. */
  host?: string;
  /** Origins allowed to call it from a browser (the Temporal UI's), or '*'. */
  corsOrigins: string[];
  /** Request bodies above this are refused (413). */
  maxBodyBytes?: number;
}

export interface RunningCodecServer {
  /** The endpoint to give the UI (`--ui-codec-endpoint`) or the CLI (`--codec-endpoint`). */
  url: string;
  port: number;
  close(): Promise<void>;
}

type JsonPayload = { metadata?: Record<string, string>; data?: string };

const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization, Authorization-Extras';
// A UI asks for one event's payloads at a time; stored payloads are at most a few MB.
const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
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
    if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) throw new BadRequest(`payloads[${i}].metadata: expected an object`);
    return {
      metadata: Object.fromEntries(Object.entries((metadata ?? {}) as Record<string, unknown>).map(([k, v]) => [k, base64Bytes(v, `payloads[${i}].metadata.${k}`)])),
      data: data === undefined || data === null ? new Uint8Array() : base64Bytes(data, `payloads[${i}].data`),
    };
  });
}

export function payloadsToJson(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
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

/** The CORS origin to answer with, or undefined when the request's origin is not allowed. */
function allowedOrigin(origin: string | undefined, allowed: string[]): string | undefined {
  if (origin === undefined) return undefined;
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : undefined;
}

export function codecRequestHandler(o: Pick<CodecServerOptions, 'corsOrigins' | 'maxBodyBytes'>): http.RequestListener {
  const limit = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
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
      send(403, `origin ${origin} is not allowed to call this codec endpoint (allowed: ${o.corsOrigins.join(', ') || 'none'}; b1hub codec-server --cors-origin <origin>)`);
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
    void (async () => {
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
        try {
          out = op === 'decode' ? await decodeHubPayloads(payloads) : await encodeHubPayloads(payloads);
        } catch (err) {
          throw new BadRequest(`${op} failed: ${(err as Error).message}`);
        }
        send(200, payloadsToJson(out));
      } catch (err) {
        if (res.headersSent) return;
        if (err instanceof BadRequest) send(err.status, err.message);
        else send(500, `codec endpoint error: ${(err as Error).message}`);
      }
    })();
  };
}

export async function startCodecServer(o: CodecServerOptions): Promise<RunningCodecServer> {
  const host = o.host ?? '127.0.0.1';
  const server = http.createServer(codecRequestHandler(o));
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
