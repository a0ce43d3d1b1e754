import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { GqlDocument } from './gql';
import type { ShopifyExecutor } from './executor';
import { BULK_OPERATION_CANCEL, BULK_OPERATION_STATUS, BULK_RUN_MUTATION, BULK_RUN_QUERY, STAGED_UPLOADS_CREATE } from './documents';
import { payloadOf, ShopifyError, ShopifyUserErrors, type ShopifyUserError } from './errors';
import { backoffDelayMs } from '../../shared/backoff';

export interface BulkOperation {
  id: string;
  type: 'QUERY' | 'MUTATION';
  status: 'CANCELED' | 'CANCELING' | 'COMPLETED' | 'CREATED' | 'EXPIRED' | 'FAILED' | 'RUNNING';
  errorCode: string | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
}

export interface BulkPollOptions {
  /** Longest wait between status checks (default 2 s); the first checks come sooner. */
  pollIntervalMs?: number;
  /** Give up waiting (the operation keeps running in Shopify); default 6 h. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class ShopifyBulkOperationError extends ShopifyError {
  constructor(
    readonly operation: BulkOperation,
    message: string,
  ) {
    super(message, operation.errorCode === 'INTERNAL_SERVER_ERROR' || operation.errorCode === 'TIMEOUT');
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    });
  });

/**
 * Reads a result file line by line, handing each parsed line to `onLine` as it arrives: a large
 * export is never held whole (neither as text nor as parsed lines). Its URL is pre-signed: no
 * Shopify credentials are sent. An error thrown by `onLine` is rethrown as it is.
 */
export async function eachJsonlLine(url: string, onLine: (line: Record<string, unknown>) => void): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(300_000) });
  if (!res.ok || !res.body) throw new ShopifyError(`Bulk result download failed: HTTP ${res.status}`, res.status >= 500);
  let n = 0;
  for await (const line of createInterface({ input: Readable.fromWeb(res.body as never), crlfDelay: Infinity })) {
    n++;
    if (!line.trim()) continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new ShopifyError(`Bulk result line ${n} is not valid JSON`, false);
    }
    onLine(parsed);
  }
}

/**
 * Downloads a result file. Its URL is pre-signed: no Shopify credentials are sent. Read line by
 * line: a large shop's export can exceed what one string may hold.
 */
export async function downloadJsonl(url: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  await eachJsonlLine(url, (line) => void out.push(line));
  return out;
}

/**
 * An export query narrowed by a search filter. Bulk queries take no variables, so the filter is
 * written into the text as a string literal (a JSON string is a valid GraphQL string: same
 * escapes) on the root connection, which the document must open as `<connection>(sortKey: UPDATED_AT)`.
 */
export function bulkQueryWithSearch<R, V>(doc: GqlDocument<R, V>, connection: string, search: string | null): GqlDocument<R, V> {
  if (!search) return doc;
  const marker = `${connection}(sortKey: UPDATED_AT)`;
  if (!doc.text.includes(marker)) throw new Error(`${doc.name}: expected ${marker} to add the search filter to`);
  return { ...doc, text: doc.text.replace(marker, `${connection}(sortKey: UPDATED_AT, query: ${JSON.stringify(search)})`) };
}

/** Starts an export a run can do without; null when Shopify refuses one now (e.g. its bulk query limit is reached). */
export async function tryStartBulkQuery(exec: ShopifyExecutor, doc: GqlDocument): Promise<string | null> {
  try {
    return (await startBulkQuery(exec, doc)).id;
  } catch {
    return null;
  }
}

/** Where an export a run reads from stands: its parsed result, still running, or unusable (and why). */
export type BulkExportState<T> = { kind: 'ready'; result: T } | { kind: 'pending' } | { kind: 'gone'; status: string };

/** Folds an export's lines into a result one line at a time (see loadBulkExportFolded). */
export interface BulkFold<T> {
  add(line: Record<string, unknown>): void;
  result(): T;
}

/**
 * The state of an export and, once it is complete, its file parsed by `parse`. A failed,
 * cancelled, expired or unknown operation, or a file that cannot be read, is `gone`: the run
 * then reads per request instead.
 */
export function loadBulkExport<T>(
  exec: ShopifyExecutor,
  operationId: string,
  parse: (lines: Record<string, unknown>[], op: BulkOperation) => T,
): Promise<BulkExportState<T>> {
  return loadBulkExportFolded(exec, operationId, (op) => {
    const lines: Record<string, unknown>[] = [];
    return { add: (line) => void lines.push(line), result: () => parse(lines, op) };
  });
}

/**
 * loadBulkExport for exports too large to hold as parsed lines: each line goes to a fresh `fold`
 * as it is read, so only the folded result stays in memory. A download that fails is `gone`; an
 * error of the fold itself (e.g. a malformed file) is thrown, as `parse`'s is.
 */
export async function loadBulkExportFolded<T>(
  exec: ShopifyExecutor,
  operationId: string,
  fold: (op: BulkOperation) => BulkFold<T>,
): Promise<BulkExportState<T>> {
  const { data } = await exec.call(BULK_OPERATION_STATUS, { id: operationId });
  const op = data.bulkOperation;
  if (!op) return { kind: 'gone', status: 'NOT_FOUND' };
  if (op.status === 'CREATED' || op.status === 'RUNNING') return { kind: 'pending' };
  if (op.status !== 'COMPLETED') return { kind: 'gone', status: op.status };
  const f = fold(op);
  // No file: the export matched nothing.
  if (!op.url) return { kind: 'ready', result: f.result() };
  let foldError: { error: unknown } | undefined;
  try {
    await eachJsonlLine(op.url, (line) => {
      try {
        f.add(line);
      } catch (error) {
        foldError = { error };
        throw error;
      }
    });
  } catch {
    if (foldError) throw foldError.error;
    return { kind: 'gone', status: 'DOWNLOAD_FAILED' };
  }
  return { kind: 'ready', result: f.result() };
}

/** Calls `load` until the export is no longer pending, at most `maxWaitMs` (polling with back-off to 2 s). */
export async function awaitBulkExport<S extends { kind: string }>(load: () => Promise<S>, maxWaitMs: number): Promise<S> {
  const deadline = Date.now() + maxWaitMs;
  for (let attempt = 1; ; attempt++) {
    const state = await load();
    if (state.kind !== 'pending' || Date.now() >= deadline) return state;
    await sleep(Math.min(backoffDelayMs(attempt, { baseMs: 100, maxMs: 2000 }), Math.max(0, deadline - Date.now())));
  }
}

/** Keeps the newest `limit` entries (a run's exports, not every export a worker ever read). */
export function rememberBounded<K, V>(cache: Map<K, V>, key: K, value: V, limit: number): void {
  cache.set(key, value);
  while (cache.size > limit) cache.delete(cache.keys().next().value as K);
}

/**
 * One row per id, the most recently updated: a record changed while its export ran may appear
 * twice, and two copies on one page would be posted side by side.
 */
export function latestById<T extends { id: string; updatedAt?: string | null }>(rows: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const r of rows) {
    const prev = byId.get(r.id);
    if (!prev || (r.updatedAt ?? '') >= (prev.updatedAt ?? '')) byId.set(r.id, r);
  }
  return [...byId.values()];
}

export interface BulkNode {
  [field: string]: unknown;
  /** Children from nested connections, grouped by the GID type of the child (e.g. "ProductVariant"). */
  __children: Record<string, BulkNode[]>;
}

/** The node type of a connection in a bulk query's generated result (`edges { node }`). */
export type EdgeNode<C> = C extends { edges: Array<{ node: infer N }> } ? N : never;

/** A node's own fields: a bulk export writes each connection's nodes as rows of their own (its __children). */
export type BulkRow<N> = { [K in keyof N as NonNullable<N[K]> extends { edges: unknown } ? never : K]: N[K] };

/**
 * The fields of a reassembled row, typed by the node type of the export query it came from
 * (generated/operations.ts): each JSONL line holds what the query asks for at that level, as a
 * response does (ShopifyExecutor.call types those the same way).
 */
export function rowOf<N>(n: BulkNode): BulkRow<N> {
  const { __children: _c, ...fields } = n;
  return fields as BulkRow<N>;
}

/**
 * Rebuilds the tree from groupObjects:false output: each child line carries __parentId and
 * follows its parent; lines without __parentId are roots.
 */
export function reassembleBulk(lines: Record<string, unknown>[]): BulkNode[] {
  const byId = new Map<string, BulkNode>();
  const roots: BulkNode[] = [];
  for (const line of lines) {
    const { __parentId, ...rest } = line;
    const node = { ...rest, __children: {} } as BulkNode;
    if (typeof rest.id === 'string') byId.set(rest.id, node);
    if (typeof __parentId === 'string') {
      const parent = byId.get(__parentId);
      if (!parent) throw new ShopifyError(`Bulk result: child ${String(rest.id ?? '?')} precedes or lacks its parent ${__parentId}`, false);
      const type = typeof rest.id === 'string' ? (/^gid:\/\/shopify\/([A-Za-z]+)\//.exec(rest.id)?.[1] ?? '_') : '_';
      (parent.__children[type] ??= []).push(node);
    } else roots.push(node);
  }
  return roots;
}

const FIRST_POLL_MS = 250;

async function poll(exec: ShopifyExecutor, id: string, opts: BulkPollOptions): Promise<BulkOperation> {
  const deadline = Date.now() + (opts.timeoutMs ?? 6 * 3600_000);
  const maxInterval = opts.pollIntervalMs ?? 2000;
  // A small operation (one page's import) is done in well under a second: check soon, then back
  // off to the full interval so a long one costs no more status calls than before.
  const firstPoll = Math.min(FIRST_POLL_MS, maxInterval);
  for (let attempt = 1; ; attempt++) {
    const { data } = await exec.call(BULK_OPERATION_STATUS, { id });
    const op = data.bulkOperation;
    if (!op) throw new ShopifyError(`Bulk operation ${id} not found`, false);
    if (op.status === 'COMPLETED') return op;
    if (op.status === 'FAILED' || op.status === 'CANCELED' || op.status === 'EXPIRED') {
      throw new ShopifyBulkOperationError(
        op,
        `Bulk operation ${id} ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ''}${op.partialDataUrl ? '; partial data available' : ''}`,
      );
    }
    if (Date.now() > deadline) throw new ShopifyError(`Bulk operation ${id} still ${op.status} after the timeout`, true);
    // The hub's one back-off (jittered): workers polling many exports do not poll in step.
    await sleep(backoffDelayMs(attempt, { baseMs: firstPoll, maxMs: maxInterval }), opts.signal);
  }
}

function failOnUserErrors(op: string, errs: ShopifyUserError[]): void {
  if (errs.length) throw new ShopifyUserErrors(op, errs);
}

export async function startBulkQuery(exec: ShopifyExecutor, doc: GqlDocument): Promise<BulkOperation> {
  if (doc.kind !== 'query') throw new Error(`startBulkQuery: ${doc.name} is not a query`);
  const { data } = await exec.call(BULK_RUN_QUERY, { query: doc.text });
  const r = payloadOf('bulkOperationRunQuery', data.bulkOperationRunQuery);
  failOnUserErrors('bulkOperationRunQuery', r.userErrors);
  return r.bulkOperation as BulkOperation;
}

/** Runs a bulk export to completion and returns its JSONL objects (in file order). */
export async function runBulkQuery(
  exec: ShopifyExecutor,
  doc: GqlDocument,
  opts: BulkPollOptions = {},
): Promise<{ operation: BulkOperation; lines: Record<string, unknown>[] }> {
  const started = await startBulkQuery(exec, doc);
  const operation = await poll(exec, started.id, opts);
  const lines = operation.url ? await downloadJsonl(operation.url) : [];
  return { operation, lines };
}

export async function cancelBulkOperation(exec: ShopifyExecutor, id: string): Promise<BulkOperation | null> {
  const { data } = await exec.call(BULK_OPERATION_CANCEL, { id });
  const r = payloadOf('bulkOperationCancel', data.bulkOperationCancel);
  failOnUserErrors('bulkOperationCancel', r.userErrors);
  return r.bulkOperation;
}

/** Why Shopify refuses a bulk start while the app's bulk mutation slots are taken. */
const SLOT_TAKEN = new Set(['OPERATION_IN_PROGRESS', 'LIMIT_REACHED']);

/**
 * Starts the staged import. While the shop's bulk mutation slots are taken (one at a time on
 * most API versions: another chunk's import, or the import of an attempt whose worker died,
 * still running), waits for one and asks again, backing off like the status poll. Shopify
 * refused those starts, so asking again cannot run the import twice. Any other refusal is thrown.
 */
async function startMutationWhenFree(
  exec: ShopifyExecutor,
  doc: GqlDocument,
  stagedUploadPath: string,
  opts: BulkPollOptions & { clientIdentifier?: string },
): Promise<BulkOperation> {
  const deadline = Date.now() + (opts.timeoutMs ?? 6 * 3600_000);
  const maxInterval = opts.pollIntervalMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    // Not idempotent: a retried start after an unknown outcome could run the import twice.
    const { data } = await exec.call(BULK_RUN_MUTATION, {
      mutation: doc.text,
      stagedUploadPath,
      clientIdentifier: opts.clientIdentifier ?? null,
    });
    const r = payloadOf('bulkOperationRunMutation', data.bulkOperationRunMutation);
    const busy = r.userErrors.length > 0 && r.userErrors.every((e) => SLOT_TAKEN.has(e.code ?? ''));
    if (!busy) {
      failOnUserErrors('bulkOperationRunMutation', r.userErrors);
      return r.bulkOperation as BulkOperation;
    }
    if (Date.now() > deadline) {
      throw new ShopifyError(`No bulk mutation slot came free before the timeout: ${r.userErrors.map((e) => e.message).join('; ')}`, true);
    }
    await sleep(backoffDelayMs(attempt, { baseMs: Math.min(FIRST_POLL_MS, maxInterval), maxMs: maxInterval }), opts.signal);
  }
}

export interface BulkMutationLine<V> {
  lineNumber: number;
  variables: V;
  data: Record<string, unknown> | null;
  errors: { message: string }[] | null;
}

/**
 * Stages the variables as JSONL, runs `doc` once per line as a bulk mutation, and returns one
 * result per input (matched by __lineNumber; COMPLETED does not mean every line succeeded).
 */
export async function runBulkMutation<V extends Record<string, unknown>>(
  exec: ShopifyExecutor,
  doc: GqlDocument,
  variables: V[],
  opts: BulkPollOptions & { clientIdentifier?: string } = {},
): Promise<{ operation: BulkOperation; results: BulkMutationLine<V>[] }> {
  if (doc.kind !== 'mutation') throw new Error(`runBulkMutation: ${doc.name} is not a mutation`);
  const staged = await exec.call(
    STAGED_UPLOADS_CREATE,
    { input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: 'bulk_op_vars.jsonl', mimeType: 'text/jsonl', httpMethod: 'POST' }] },
    { idempotent: true },
  );
  const stagedPayload = payloadOf('stagedUploadsCreate', staged.data.stagedUploadsCreate);
  failOnUserErrors('stagedUploadsCreate', stagedPayload.userErrors);
  const target = stagedPayload.stagedTargets?.[0];
  if (!target?.url) throw new ShopifyError('stagedUploadsCreate returned no target', false);
  const form = new FormData();
  for (const p of target.parameters) form.append(p.name, p.value);
  const jsonl = variables.map((v) => JSON.stringify(v)).join('\n') + '\n';
  form.append('file', new Blob([jsonl], { type: 'text/jsonl' }), 'bulk_op_vars.jsonl');
  const up = await fetch(target.url, { method: 'POST', body: form, signal: AbortSignal.timeout(300_000) });
  await up.arrayBuffer();
  if (!up.ok) throw new ShopifyError(`Staged upload failed: HTTP ${up.status}`, up.status >= 500);
  const key = target.parameters.find((p) => p.name === 'key')?.value;
  if (!key) throw new ShopifyError('Staged upload target has no key parameter', false);
  const started = await startMutationWhenFree(exec, doc, key, opts);
  const operation = await poll(exec, started.id, opts);
  const lines = operation.url ? await downloadJsonl(operation.url) : [];
  const byLine = new Map<number, Record<string, unknown>>();
  for (const l of lines) if (typeof l.__lineNumber === 'number') byLine.set(l.__lineNumber, l);
  const results = variables.map((v, i) => {
    const l = byLine.get(i);
    return {
      lineNumber: i,
      variables: v,
      data: (l?.data as Record<string, unknown> | undefined) ?? null,
      errors: (l?.errors as { message: string }[] | undefined) ?? (l ? null : [{ message: 'No result line for this input' }]),
    };
  });
  return { operation, results };
}
