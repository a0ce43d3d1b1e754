/**
 * Client side of `$batch` (reference §6): builds multipart bodies of one or more changesets
 * (Content-ID on every part) and parses the multipart response into per-part results.
 */
import { randomUUID } from 'node:crypto';

export interface BatchOperation {
  method: 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Path relative to the service root, e.g. "Items('A1')" or "$1/Cancel". */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BatchPartResult {
  contentId?: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function buildChangesetBody(servicePath: string, ops: readonly BatchOperation[]): { contentType: string; body: string } {
  return buildBatchBody(servicePath, [ops]);
}

/**
 * A `$batch` body of several changesets, in order. Content-IDs number the parts across the whole
 * request (1, 2, …), so they stay unique and a part's response can be told apart; `$n` references
 * therefore only make sense in the first changeset, or with ids counted across changesets.
 */
export function buildBatchBody(
  servicePath: string,
  changesets: readonly (readonly BatchOperation[])[],
): { contentType: string; body: string } {
  const batch = `batch_${randomUUID()}`;
  let s = '';
  let id = 0;
  for (const ops of changesets) {
    const cs = `changeset_${randomUUID()}`;
    s += `--${batch}\r\nContent-Type: multipart/mixed;boundary=${cs}\r\n\r\n`;
    for (const op of ops) {
      const path = op.path.startsWith('$') ? op.path : `${servicePath}/${op.path.replace(/^\//, '')}`;
      s += `--${cs}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${++id}\r\n\r\n`;
      s += `${op.method} ${path}\r\n`;
      const headers = { ...(op.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...op.headers };
      for (const [k, v] of Object.entries(headers)) s += `${k}: ${v}\r\n`;
      s += `\r\n${op.body !== undefined ? JSON.stringify(op.body) : ''}\r\n`;
    }
    s += `--${cs}--\r\n`;
  }
  s += `--${batch}--\r\n`;
  return { contentType: `multipart/mixed;boundary=${batch}`, body: s };
}

function boundaryOf(ct: string): string | undefined {
  return /boundary=("?)([^";]+)\1/i.exec(ct)?.[2];
}

function splitParts(body: string, boundary: string): string[] {
  const delim = `--${boundary}`;
  const start = body.indexOf(delim);
  const end = body.lastIndexOf(`${delim}--`);
  if (start < 0 || end < 0) throw new Error('malformed $batch response: boundary not found');
  return body
    .slice(start + delim.length, end)
    .split(new RegExp(`\\r?\\n${delim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    .map((p) => p.replace(/^\r?\n/, ''))
    .filter((p) => p.trim() !== '');
}

function headerBlock(block: string): Record<string, string> {
  const h: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) h[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return h;
}

function splitHead(s: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(s);
  if (!m) return [s, ''];
  return [s.slice(0, m.index), s.slice(m.index + m[0].length)];
}

function parseHttpPart(part: string): BatchPartResult {
  const [mimeHead, http] = splitHead(part);
  const mime = headerBlock(mimeHead);
  const [head, body] = splitHead(http);
  const lines = head.split(/\r?\n/);
  const status = Number(/^HTTP\/1\.[01]\s+(\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isFinite(status)) throw new Error('malformed $batch response part');
  const headers = headerBlock(lines.slice(1).join('\n'));
  const contentId = mime['content-id'] ?? headers['content-id'];
  return { ...(contentId !== undefined ? { contentId } : {}), status, headers, body: body.replace(/\r?\n$/, '') };
}

/** Flattens the batch response (changeset responses included) into parts in request order. */
export function parseBatchResponse(contentType: string, body: string): BatchPartResult[] {
  const b = boundaryOf(contentType);
  if (!b) throw new Error('malformed $batch response: no boundary');
  const out: BatchPartResult[] = [];
  for (const part of splitParts(body, b)) {
    const [head, content] = splitHead(part);
    const ct = headerBlock(head)['content-type'] ?? '';
    if (ct.toLowerCase().startsWith('multipart/mixed')) {
      const inner = boundaryOf(ct);
      if (!inner) throw new Error('malformed $batch response: changeset without boundary');
      for (const p of splitParts(content, inner)) out.push(parseHttpPart(p));
    } else {
      out.push(parseHttpPart(part));
    }
  }
  return out;
}
