/**
 * Writes through `$batch`: one atomic changeset (`batchChangeset`), or independent writes, one
 * changeset each (`batchEachOp`), where the Service Layer stops at the first failing part
 * (reference §6) and the operations after it are sent again in the next request.
 */
import { buildBatchBody, buildChangesetBody, parseBatchResponse, type BatchOperation, type BatchPartResult } from './batch';
import { B1ProtocolError, classifyError, parseErrorBody, type B1Error } from './errors';
import type { Send } from './paging';

/** What one operation of batchEach() came to. */
export type BatchEachResult = { ok: true; part: BatchPartResult } | { ok: false; error: B1Error };

export interface BatchTarget {
  send: Send;
  /** The service root's path (`/b1s/v1`): part URLs are absolute paths. */
  servicePath: string;
  timeoutMs: number;
}

/**
 * One changeset (atomic on the server). Returns per-part results in order; the Service Layer
 * stops at the first failure and rolls the changeset back, which surfaces as a single error part:
 * `failed` then holds it, mapped to a typed error.
 */
export async function batchChangeset(
  t: BatchTarget,
  ops: readonly BatchOperation[],
): Promise<{ results: BatchPartResult[]; failed?: { index: number | undefined; error: B1Error } }> {
  if (ops.length === 0) return { results: [] };
  const { contentType, body } = buildChangesetBody(t.servicePath, ops);
  const res = await t.send('POST', '$batch', {
    rawBody: body,
    headers: { 'Content-Type': contentType },
    timeoutMs: t.timeoutMs,
    context: { entity: '$batch' },
  });
  const ct = String(res.headers['content-type'] ?? '');
  let results: BatchPartResult[];
  try {
    results = parseBatchResponse(ct, res.body);
  } catch (e) {
    throw new B1ProtocolError((e as Error).message, { status: res.status, context: { entity: '$batch' } });
  }
  const bad = results.find((r) => r.status >= 400);
  if (!bad) return { results };
  const parsed = parseErrorBody(bad.body, bad.headers['content-type']);
  const idx = bad.contentId !== undefined ? Number(bad.contentId) - 1 : undefined;
  const op = idx !== undefined ? ops[idx] : undefined;
  const error = classifyError(bad.status, parsed, { entity: '$batch', ...(op ? { method: op.method, path: op.path } : {}) });
  return { results, failed: { index: idx, error } };
}

/**
 * Independent writes: each operation in its own changeset, `chunkSize` per request, so one
 * refused write neither rolls back nor fails the others. Returns one result per operation, in
 * order: its part, or its error (typed as for a single request). A failure of a whole request is
 * thrown; `idempotent` lets the client retry it first (only for writes that are safe to repeat).
 */
export async function batchEachOp(
  t: BatchTarget,
  ops: readonly BatchOperation[],
  o: { chunkSize?: number; idempotent?: boolean } = {},
): Promise<BatchEachResult[]> {
  const sets = await batchEachChangesetOp(
    t,
    ops.map((op) => [op]),
    o,
  );
  return sets.map((r) => (r.ok ? { ok: true, part: r.parts[0] as BatchPartResult } : { ok: false, error: r.error }));
}

/** What one changeset of batchEachChangeset() came to: all its parts, or the failure that rolled it back. */
export type ChangesetResult =
  | { ok: true; parts: BatchPartResult[] }
  /** `index`: the failing operation within the changeset, when the answer names it (its Content-ID). */
  | { ok: false; error: B1Error; index: number | undefined };

/**
 * Independent changesets of one or more operations each (each atomic on its own: its operations
 * commit together or not at all), `chunkSize` changesets per request. The Service Layer stops at
 * the first changeset that fails (reference §6); the ones after it go in the next request. A
 * failure of a whole request is thrown.
 */
export async function batchEachChangesetOp(
  t: BatchTarget,
  changesets: readonly (readonly BatchOperation[])[],
  o: { chunkSize?: number; idempotent?: boolean } = {},
): Promise<ChangesetResult[]> {
  if (changesets.some((cs) => cs.length === 0)) throw new Error('batchEachChangeset: an empty changeset');
  const size = Math.max(1, o.chunkSize ?? 100);
  const out = new Array<ChangesetResult>(changesets.length);
  let next = 0;
  while (next < changesets.length) {
    const chunk = changesets.slice(next, next + size);
    const { contentType, body } = buildBatchBody(t.servicePath, chunk);
    const ctx = { entity: '$batch' };
    const res = await t.send('POST', '$batch', {
      rawBody: body,
      headers: { 'Content-Type': contentType },
      timeoutMs: t.timeoutMs,
      context: ctx,
      ...(o.idempotent ? { idempotent: true } : {}),
    });
    let parts: BatchPartResult[];
    try {
      parts = parseBatchResponse(String(res.headers['content-type'] ?? ''), res.body);
    } catch (e) {
      throw new B1ProtocolError((e as Error).message, { status: res.status, context: ctx });
    }
    // Content-IDs number the parts across the request (batch.ts): changeset k's operations hold
    // the ids after those of the changesets before it.
    const firstId: number[] = [];
    let id = 1;
    for (const cs of chunk) {
      firstId.push(id);
      id += cs.length;
    }
    // Parts in order: every operation of a changeset that committed, or the single error part of
    // one that rolled back, which is the last answered (the server stops there).
    let p = 0;
    let answered = 0;
    for (const [k, cs] of chunk.entries()) {
      if (p >= parts.length) break;
      const head = parts[p] as BatchPartResult;
      if (head.status >= 400) {
        const n = head.contentId !== undefined ? Number(head.contentId) - (firstId[k] as number) : undefined;
        const index = n !== undefined && Number.isInteger(n) && n >= 0 && n < cs.length ? n : undefined;
        const op = cs[index ?? 0] as BatchOperation;
        const parsed = parseErrorBody(head.body, head.headers['content-type']);
        out[next + k] = {
          ok: false,
          index,
          error: classifyError(head.status, parsed, { entity: '$batch', method: op.method, path: op.path }),
        };
        p += 1;
        answered = k + 1;
        break;
      }
      const mine = parts.slice(p, p + cs.length);
      if (mine.length < cs.length || mine.some((m) => m.status >= 400))
        throw new B1ProtocolError(`$batch changeset ${k + 1} of ${chunk.length} answered with ${mine.length} of ${cs.length} parts`, {
          status: res.status,
          context: ctx,
        });
      for (const [j, m] of mine.entries())
        if (m.contentId !== undefined && m.contentId !== String((firstId[k] as number) + j))
          throw new B1ProtocolError(`$batch part ${(firstId[k] as number) + j} answered with Content-ID ${m.contentId}`, {
            status: res.status,
            context: ctx,
          });
      out[next + k] = { ok: true, parts: mine };
      p += cs.length;
      answered = k + 1;
    }
    if (answered === 0 || p !== parts.length || (answered < chunk.length && out[next + answered - 1]?.ok !== false))
      throw new B1ProtocolError(`$batch of ${chunk.length} changesets answered with ${parts.length} parts`, {
        status: res.status,
        context: ctx,
      });
    next += answered;
  }
  return out;
}
