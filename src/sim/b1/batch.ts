/**
 * OData v3/v4 `$batch` framing as the Service Layer speaks it (reference §6): multipart/mixed
 * with application/http parts and nested changesets; CRLF line ends are required.
 */
import { Errors } from './errors';
import type { SimResponse } from './service';

export interface BatchPart {
  kind: 'request';
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  contentId?: string;
}
export interface BatchChangeset {
  kind: 'changeset';
  parts: BatchPart[];
}
export type BatchItem = BatchPart | BatchChangeset;
export type BatchResult =
  | { kind: 'response'; contentId?: string | undefined; res: SimResponse }
  | { kind: 'changeset'; responses: Array<{ contentId?: string; res: SimResponse }> };

const INCOMPLETE = 'Incomplete Batch Request Body!';

function boundaryOf(contentType: string): string | undefined {
  const m = /boundary=("?)([^";]+)\1/i.exec(contentType);
  return m?.[2];
}

function splitMultipart(body: string, boundary: string): string[] {
  const delim = `--${boundary}`;
  const start = body.indexOf(delim);
  const end = body.indexOf(`${delim}--`);
  if (start < 0 || end < 0) throw Errors.malformed(INCOMPLETE);
  const inner = body.slice(start + delim.length, end);
  return inner
    .split(`\r\n${delim}`)
    .map((p) => p.replace(/^\r\n/, ''))
    .filter((p) => p.trim() !== '');
}

function parseHeaders(block: string): Record<string, string> {
  const h: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) h[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return h;
}

function splitHead(part: string): [string, string] {
  const i = part.indexOf('\r\n\r\n');
  if (i < 0) {
    throw Errors.malformed("Incomplete request, there should be two '\\r\\n' between sub-request header and content!");
  }
  return [part.slice(0, i), part.slice(i + 4)];
}

function parseRequestPart(part: string): BatchPart {
  const [mimeHead, http] = splitHead(part);
  const mime = parseHeaders(mimeHead);
  if (!(mime['content-type'] ?? '').toLowerCase().startsWith('application/http')) throw Errors.malformed(INCOMPLETE);
  const [reqHead, rawBody] = splitHead(http);
  const lines = reqHead.split('\r\n');
  const m = /^(GET|POST|PATCH|PUT|DELETE|MERGE)\s+(\S+)(?:\s+HTTP\/1\.[01])?$/.exec(lines[0]!.trim());
  if (!m) throw Errors.malformed(INCOMPLETE);
  const headers = parseHeaders(lines.slice(1).join('\r\n'));
  const contentId = mime['content-id'] ?? headers['content-id'];
  return {
    kind: 'request',
    method: m[1]!,
    url: m[2]!,
    headers,
    body: rawBody.replace(/\r\n$/, ''),
    ...(contentId !== undefined ? { contentId } : {}),
  };
}

export function parseBatch(contentType: string, body: string): BatchItem[] {
  const boundary = boundaryOf(contentType);
  if (!contentType.toLowerCase().startsWith('multipart/mixed') || !boundary) throw Errors.malformed(INCOMPLETE);
  const items: BatchItem[] = [];
  for (const part of splitMultipart(body, boundary)) {
    const [head, content] = splitHead(part);
    const h = parseHeaders(head);
    const ct = h['content-type'] ?? '';
    if (ct.toLowerCase().startsWith('multipart/mixed')) {
      const cb = boundaryOf(ct);
      if (!cb) throw Errors.malformed(INCOMPLETE);
      const parts = splitMultipart(content, cb).map(parseRequestPart);
      items.push({ kind: 'changeset', parts });
    } else {
      items.push(parseRequestPart(part));
    }
  }
  return items;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  412: 'Precondition Failed',
  500: 'Internal Server Error',
};

function renderResponse(res: SimResponse, contentId?: string): string {
  let s = 'Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n';
  if (contentId !== undefined) s += `Content-ID: ${contentId}\r\n`;
  s += `\r\nHTTP/1.1 ${res.status} ${REASONS[res.status] ?? ''}\r\n`;
  for (const [k, v] of Object.entries(res.headers)) {
    for (const one of Array.isArray(v) ? v : [v]) s += `${k}: ${one}\r\n`;
  }
  s += `\r\n${res.body ?? ''}\r\n`;
  return s;
}

export function renderBatchResponse(boundary: string, results: BatchResult[]): string {
  let out = '';
  for (const r of results) {
    out += `--${boundary}\r\n`;
    if (r.kind === 'response') {
      out += renderResponse(r.res, r.contentId);
    } else {
      const cs = boundary.replace('batchresponse_', 'changesetresponse_');
      out += `Content-Type: multipart/mixed;boundary=${cs}\r\n\r\n`;
      for (const x of r.responses) out += `--${cs}\r\n${renderResponse(x.res, x.contentId)}`;
      out += `--${cs}--\r\n`;
    }
  }
  out += `--${boundary}--\r\n`;
  return out;
}
