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
  const size = Math.max(1, o.chunkSize ?? 100);
  const out = new Array<BatchEachResult>(ops.length);
  let next = 0;
  while (next < ops.length) {
    const chunk = ops.slice(next, next + size);
    const { contentType, body } = buildBatchBody(
      t.servicePath,
      chunk.map((op) => [op]),
    );
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
    // One part per single-operation changeset (its response, or the error part of its rollback),
    // up to and including the first failure when the server stopped there.
    const answered = parts.length;
    if (answered === 0 || answered > chunk.length || (answered < chunk.length && (parts[answered - 1] as BatchPartResult).status < 400)) {
      throw new B1ProtocolError(`$batch of ${chunk.length} changesets answered with ${parts.length} parts`, {
        status: res.status,
        context: ctx,
      });
    }
    for (let i = 0; i < answered; i++) {
      const part = parts[i] as BatchPartResult;
      const op = chunk[i] as BatchOperation;
      if (part.contentId !== undefined && part.contentId !== String(i + 1)) {
        throw new B1ProtocolError(`$batch part ${i + 1} answered with Content-ID ${part.contentId}`, { status: res.status, context: ctx });
      }
      if (part.status < 400) {
        out[next + i] = { ok: true, part };
      } else {
        const parsed = parseErrorBody(part.body, part.headers['content-type']);
        out[next + i] = { ok: false, error: classifyError(part.status, parsed, { entity: '$batch', method: op.method, path: op.path }) };
      }
    }
    next += answered;
  }
  return out;
}
