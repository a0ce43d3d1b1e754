/**
 * Transport and generic OData operations of the Service Layer client: session-aware requests with
 * the retry rules of the hub (reads retried, writes only when provably not sent), paging that
 * follows `odata.nextLink`/`@odata.nextLink`, typed parsing with the zod schemas, CRUD, actions
 * and `$batch`.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import { backoffDelayMs } from '../../shared/backoff';
import { buildBatchBody, buildChangesetBody, parseBatchResponse, type BatchOperation, type BatchPartResult } from './batch';
import { B1Error, B1ProtocolError, B1SessionError, B1TlsError, B1TransientError, classifyError, parseErrorBody, sanitizeCause, type B1ErrorContext } from './errors';
import { stderrLogger, type B1Logger } from './logger';
import { buildQueryString, keySegment, type ODataQuery } from './odata-query';
import { ENTITY_SCHEMAS, type EntityOf, type EntitySetName } from './schemas';
import { B1SessionManager } from './session';
import { buildAgents, type B1TlsOptions } from './tls';

export interface B1ClientOptions {
  /** Service root, e.g. https://sap.example.com:50000/b1s/v1 (v2 works too). */
  baseUrl: string;
  companyDb: string;
  userName: string;
  password: string;
  language?: number | string;
  tls?: B1TlsOptions;
  /** Default `Prefer: odata.maxpagesize` for reads (SAP's own default is 20). */
  maxPageSize?: number;
  logger?: B1Logger;
  /** Per-request timeout; $batch uses batchTimeoutMs. */
  timeoutMs?: number;
  batchTimeoutMs?: number;
  /** Retries of idempotent requests after transient failures. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  /** After a rejected login, further logins fail fast for this long (no login loops). */
  loginCooldownMs?: number;
  maxSockets?: number;
  /**
   * The hub's local clock (ms), used only to carry the Service Layer's last `Date` forward between
   * answers (`serverNow`). Default: monotonic (performance), so a wall-clock step does not move it.
   */
  localClock?: () => number;
}

export type EntityKey = string | number;

export interface RequestOptions {
  query?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Safe to repeat after a transient failure (GETs are; writes only when the caller knows). */
  idempotent?: boolean;
  context?: B1ErrorContext;
  timeoutMs?: number;
}

export interface B1Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface PageOptions {
  /** Sent as `Prefer: odata.maxpagesize`; defaults to the client's maxPageSize. */
  maxPageSize?: number;
  /** Case-insensitive string comparisons (HANA), header B1S-CaseInsensitive. */
  caseInsensitive?: boolean;
}

export interface Page<T> {
  value: T[];
  /** From $inlinecount (v1, string on the wire) or $count (v2). */
  count?: number;
  nextLink?: string;
}

/** Errors where the request never reached the server, so even a write can be sent again. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Longest wait between two tries of one request (shared/backoff.ts). */
const B1_MAX_BACKOFF_MS = 30_000;

export class B1ClientCore {
  readonly baseUrl: string;
  protected readonly http: AxiosInstance;
  readonly session: B1SessionManager;
  protected readonly logger: B1Logger;
  protected readonly opts: Required<Pick<B1ClientOptions, 'maxPageSize' | 'timeoutMs' | 'batchTimeoutMs' | 'maxRetries' | 'retryBaseDelayMs'>>;
  private readonly servicePath: string;
  private readonly origin: string;
  private readonly localClock: () => number;
  /** The Service Layer's `Date` in its latest answer, and the local clock when it came. */
  private lastServerDate: { serverMs: number; localMs: number } | undefined;

  constructor(options: B1ClientOptions) {
    const base = new URL(options.baseUrl.replace(/\/+$/, ''));
    if (!/^https?:$/.test(base.protocol) || !/\/b1s\/v[12]$/.test(base.pathname)) {
      throw new Error(`baseUrl must look like https://host:50000/b1s/v1 (got ${base.origin}${base.pathname})`);
    }
    this.baseUrl = `${base.origin}${base.pathname}`;
    this.servicePath = base.pathname;
    this.origin = base.origin;
    this.logger = options.logger ?? stderrLogger;
    this.localClock = options.localClock ?? (() => performance.timeOrigin + performance.now());
    this.opts = {
      maxPageSize: options.maxPageSize ?? 500,
      timeoutMs: options.timeoutMs ?? 120_000,
      batchTimeoutMs: options.batchTimeoutMs ?? 300_000,
      maxRetries: options.maxRetries ?? 3,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 200,
    };
    if (base.protocol === 'http:' && options.tls) {
      this.logger.warn({ component: 'b1-client' }, 'TLS options given but baseUrl is plain http; they have no effect');
    }
    const { httpsAgent, httpAgent } = buildAgents(options.tls, this.logger, options.maxSockets);
    this.http = axios.create({
      httpsAgent,
      httpAgent,
      timeout: this.opts.timeoutMs,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: (d: unknown) => d,
      validateStatus: () => true,
      // Proxies from the environment must not silently reroute ERP traffic.
      proxy: false,
    });
    this.session = new B1SessionManager(
      this.http,
      `${this.baseUrl}/Login`,
      { companyDb: options.companyDb, userName: options.userName, password: options.password, ...(options.language !== undefined ? { language: options.language } : {}) },
      { loginCooldownMs: options.loginCooldownMs ?? 30_000 },
    );
  }

  login(): Promise<void> {
    return this.session.get().then(() => undefined);
  }
  logout(): Promise<void> {
    return this.session.logout();
  }

  /** Absolute URL for a path relative to the service root, an absolute path, or a full URL. */
  resolve(pathOrLink: string): string {
    if (/^https?:\/\//i.test(pathOrLink)) return pathOrLink;
    if (pathOrLink.startsWith('/')) return `${this.origin}${pathOrLink}`;
    return `${this.baseUrl}/${pathOrLink}`;
  }

  /**
   * One Service Layer request with session handling: on 401 the session is renewed once and the
   * request replayed (it was not processed). Transient failures are retried only when safe.
   */
  async request(method: string, path: string, ro: RequestOptions = {}): Promise<B1Response> {
    const url = this.resolve(path) + (ro.query ? `${path.includes('?') ? '&' : '?'}${ro.query}` : '');
    const ctx: B1ErrorContext = { method, path: new URL(url).pathname.replace(this.servicePath + '/', ''), ...ro.context };
    const idempotent = ro.idempotent ?? method === 'GET';
    let relogged = false;
    for (let attempt = 0; ; attempt++) {
      const s = await this.session.get();
      let res: AxiosResponse<string>;
      try {
        res = await this.http.request<string>({
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
          throw new B1TlsError(`TLS certificate of the Service Layer not trusted (${code}); set tls.caFile to its CA or certificate`, { context: ctx, cause: sanitizeCause(e) });
        }
        const notSent = NOT_SENT.has(code);
        const err = new B1TransientError(`network error ${code}`, { context: ctx, cause: sanitizeCause(e) });
        err.mayHaveBeenApplied = !notSent && method !== 'GET';
        if ((idempotent || notSent) && attempt < this.opts.maxRetries) {
          await this.backoff(attempt, ctx, code);
          continue;
        }
        throw err;
      }
      this.session.touch(s);
      this.noteServerDate(res.headers.date);
      if (res.status === 401) {
        const parsed = parseErrorBody(res.data, res.headers['content-type'] as string | undefined);
        if (!relogged) {
          relogged = true;
          this.session.invalidate(s);
          this.logger.debug?.({ component: 'b1-client', ...ctx }, 'session expired; logging in again once and replaying');
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
          if (idempotent && attempt < this.opts.maxRetries) {
            await this.backoff(attempt, ctx, String(res.status));
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
        if (idempotent && attempt < this.opts.maxRetries) {
          await this.backoff(attempt, ctx, 'html');
          continue;
        }
        throw err;
      }
      return { status: res.status, headers: res.headers as Record<string, string | string[] | undefined>, body: res.data ?? '' };
    }
  }

  /**
   * B1's time now (ms since epoch), estimated from the `Date` header of its latest answer plus the
   * local time elapsed since (1 s resolution), or undefined before any answer with a `Date`. Every
   * hub deployment judges time-based rules on one company (reservations) by this one clock, so
   * hub clocks that disagree do not matter.
   */
  serverNow(): number | undefined {
    const d = this.lastServerDate;
    return d ? d.serverMs + Math.max(0, this.localClock() - d.localMs) : undefined;
  }

  private noteServerDate(header: unknown): void {
    const ms = typeof header === 'string' ? Date.parse(header) : NaN;
    if (Number.isFinite(ms)) this.lastServerDate = { serverMs: ms, localMs: this.localClock() };
  }

  private async backoff(attempt: number, ctx: B1ErrorContext, reason: string): Promise<void> {
    const delay = backoffDelayMs(attempt + 1, { baseMs: this.opts.retryBaseDelayMs, maxMs: B1_MAX_BACKOFF_MS });
    this.logger.debug?.({ component: 'b1-client', ...ctx, attempt: attempt + 1, reason }, 'retrying idempotent Service Layer request');
    await sleep(delay);
  }

  protected parseJson(res: B1Response, ctx: B1ErrorContext): Record<string, unknown> {
    try {
      const j = JSON.parse(res.body) as unknown;
      if (j && typeof j === 'object' && !Array.isArray(j)) return j as Record<string, unknown>;
    } catch {
      // handled below
    }
    throw new B1ProtocolError('response body is not a JSON object', { status: res.status, context: ctx });
  }

  protected validate<S extends EntitySetName>(set: S, raw: unknown, key?: EntityKey): EntityOf<S> {
    const schema = ENTITY_SCHEMAS[set] as unknown as z.ZodType<EntityOf<S>>;
    const r = schema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue?.path.map(String).join('.');
      throw new B1ProtocolError(`response does not match SAP's ${set} schema: ${issue?.message ?? 'invalid'}`, {
        context: { entity: set, ...(key !== undefined ? { key } : {}), ...(field ? { field } : {}) },
      });
    }
    return r.data;
  }

  // ---------- reads ----------

  async get<S extends EntitySetName>(set: S, key: EntityKey, opts: { select?: readonly string[] } = {}): Promise<EntityOf<S>> {
    const ctx = { entity: set, key };
    const res = await this.request('GET', `${set}${keySegment(key)}`, { query: buildQueryString({ ...(opts.select ? { select: opts.select } : {}) }), context: ctx });
    const j = this.parseJson(res, ctx);
    return this.validate(set, stripAnnotations(j), key);
  }

  /** get() plus the entity's ETag (Orders, Items, BusinessPartners on 10.0 FP 2102+), for If-Match on patch(). */
  async getWithEtag<S extends EntitySetName>(set: S, key: EntityKey, opts: { select?: readonly string[] } = {}): Promise<{ entity: EntityOf<S>; etag: string | undefined }> {
    const ctx = { entity: set, key };
    const res = await this.request('GET', `${set}${keySegment(key)}`, { query: buildQueryString({ ...(opts.select ? { select: opts.select } : {}) }), context: ctx });
    const j = this.parseJson(res, ctx);
    const header = res.headers.etag;
    const etag = (Array.isArray(header) ? header[0] : header) ?? (j['odata.etag'] as string | undefined) ?? (j['@odata.etag'] as string | undefined);
    return { entity: this.validate(set, stripAnnotations(j), key), etag };
  }

  /** get(), or undefined when SAP answers -2028. */
  async tryGet<S extends EntitySetName>(set: S, key: EntityKey, opts: { select?: readonly string[] } = {}): Promise<EntityOf<S> | undefined> {
    try {
      return await this.get(set, key, opts);
    } catch (e) {
      if (e instanceof B1Error && e.name === 'B1NotFoundError') return undefined;
      throw e;
    }
  }

  /** One page from a path or nextLink. */
  async fetchPage<S extends EntitySetName>(set: S, pathOrLink: string, query: string | undefined, po: PageOptions = {}): Promise<Page<EntityOf<S>>> {
    const max = po.maxPageSize ?? this.opts.maxPageSize;
    const headers: Record<string, string> = { Prefer: `odata.maxpagesize=${max}` };
    if (po.caseInsensitive) headers['B1S-CaseInsensitive'] = 'true';
    const ctx = { entity: set };
    const res = await this.request('GET', pathOrLink, { ...(query ? { query } : {}), headers, context: ctx });
    const j = this.parseJson(res, ctx);
    if (!Array.isArray(j.value)) throw new B1ProtocolError('collection response without "value"', { status: res.status, context: ctx });
    const value = j.value.map((row) => this.validate(set, stripAnnotations(row as Record<string, unknown>)));
    const next = (j['odata.nextLink'] ?? j['@odata.nextLink']) as string | undefined;
    const rawCount = j['odata.count'] ?? j['@odata.count'];
    return { value, ...(rawCount !== undefined ? { count: Number(rawCount) } : {}), ...(typeof next === 'string' && next ? { nextLink: next } : {}) };
  }

  /** Pages of a query, following nextLink (relative or absolute, v1 or v2 name) to the end. */
  async *pages<S extends EntitySetName>(set: S, q: ODataQuery = {}, po: PageOptions = {}): AsyncGenerator<Page<EntityOf<S>>> {
    let page = await this.fetchPage(set, set, buildQueryString(q), po);
    yield page;
    const seen = new Set<string>();
    while (page.nextLink) {
      if (seen.has(page.nextLink)) throw new B1ProtocolError(`nextLink loops: ${page.nextLink}`, { context: { entity: set } });
      seen.add(page.nextLink);
      page = await this.fetchPage(set, page.nextLink, undefined, po);
      yield page;
    }
  }

  /** Every entity of a query, one at a time. */
  async *iterate<S extends EntitySetName>(set: S, q: ODataQuery = {}, po: PageOptions = {}): AsyncGenerator<EntityOf<S>> {
    for await (const p of this.pages(set, q, po)) yield* p.value;
  }

  async list<S extends EntitySetName>(set: S, q: ODataQuery = {}, po: PageOptions = {}): Promise<Array<EntityOf<S>>> {
    const out: Array<EntityOf<S>> = [];
    for await (const x of this.iterate(set, q, po)) out.push(x);
    return out;
  }

  /**
   * Key-range paging (`Key gt 'last'` ordered by key, `$top` = page size): stable and fast on large
   * sets where `$skip` is neither. Yields pages; `after` resumes after a known key.
   */
  async *keyRange<S extends EntitySetName>(
    set: S,
    o: { keyField: string; filter?: string; select?: readonly string[]; pageSize?: number; after?: string | number; caseInsensitive?: boolean },
  ): AsyncGenerator<Array<EntityOf<S>>> {
    const size = o.pageSize ?? this.opts.maxPageSize;
    let after = o.after;
    const select = o.select && !o.select.includes(o.keyField) ? [...o.select, o.keyField] : o.select;
    for (;;) {
      const keyCond = after === undefined ? undefined : `${o.keyField} gt ${typeof after === 'number' ? String(after) : `'${after.replace(/'/g, "''")}'`}`;
      const filter = keyCond && o.filter ? `(${o.filter}) and ${keyCond}` : (keyCond ?? o.filter);
      const page = await this.fetchPage(set, set, buildQueryString({ ...(select ? { select } : {}), ...(filter ? { filter } : {}), orderby: o.keyField, top: size }), {
        maxPageSize: size,
        ...(o.caseInsensitive ? { caseInsensitive: true } : {}),
      });
      if (page.value.length === 0) return;
      yield page.value;
      if (page.value.length < size) return;
      const last = (page.value[page.value.length - 1] as Record<string, unknown>)[o.keyField];
      if (typeof last !== 'string' && typeof last !== 'number') throw new B1ProtocolError(`key ${o.keyField} missing in page`, { context: { entity: set } });
      after = last;
    }
  }

  /**
   * Every row of a collection the typed schemas do not cover (user-defined tables `U_<TABLE>`,
   * `Drafts`, `UserTablesMD`), annotations stripped, following nextLink to the end.
   */
  async listRaw(path: string, q: ODataQuery = {}, po: PageOptions = {}): Promise<Array<Record<string, unknown>>> {
    const max = po.maxPageSize ?? this.opts.maxPageSize;
    const headers: Record<string, string> = { Prefer: `odata.maxpagesize=${max}` };
    const ctx = { entity: path };
    const out: Array<Record<string, unknown>> = [];
    let link: string | undefined = path;
    let query: string | undefined = buildQueryString(q) || undefined;
    const seen = new Set<string>();
    while (link) {
      const res = await this.request('GET', link, { ...(query ? { query } : {}), headers, context: ctx });
      const j = this.parseJson(res, ctx);
      if (!Array.isArray(j.value)) throw new B1ProtocolError('collection response without "value"', { status: res.status, context: ctx });
      for (const row of j.value) out.push(stripAnnotations(row as Record<string, unknown>));
      const next = (j['odata.nextLink'] ?? j['@odata.nextLink']) as string | undefined;
      link = typeof next === 'string' && next ? next : undefined;
      query = undefined;
      if (link && seen.has(link)) throw new B1ProtocolError(`nextLink loops: ${link}`, { context: ctx });
      if (link) seen.add(link);
    }
    return out;
  }

  /** One entity of a collection the typed schemas do not cover, or undefined on -2028. */
  async tryGetRaw(path: string, key: EntityKey, select?: readonly string[]): Promise<Record<string, unknown> | undefined> {
    const ctx = { entity: path, key };
    try {
      const res = await this.request('GET', `${path}${keySegment(key)}`, { query: buildQueryString(select ? { select } : {}), context: ctx });
      return stripAnnotations(this.parseJson(res, ctx));
    } catch (e) {
      if (e instanceof B1Error && e.name === 'B1NotFoundError') return undefined;
      throw e;
    }
  }

  async count(set: EntitySetName, filter?: string): Promise<number> {
    const res = await this.request('GET', `${set}/$count`, { ...(filter ? { query: buildQueryString({ filter }) } : {}), context: { entity: set } });
    const n = Number(res.body.trim());
    if (!Number.isInteger(n)) throw new B1ProtocolError(`$count returned ${res.body.slice(0, 40)}`, { context: { entity: set } });
    return n;
  }

  // ---------- writes ----------

  /** POST → 201 with the created entity. */
  async create<S extends EntitySetName>(set: S, body: Record<string, unknown>, ro: Pick<RequestOptions, 'idempotent'> = {}): Promise<EntityOf<S>> {
    const ctx = { entity: set, ...keyFromBody(set, body) };
    const res = await this.request('POST', set, { body, context: ctx, ...ro });
    if (res.status !== 201) throw new B1ProtocolError(`expected 201 Created, got ${res.status}`, { status: res.status, context: ctx });
    return this.validate(set, stripAnnotations(this.parseJson(res, ctx)));
  }

  /** POST with `Prefer: return-no-content` → 204 and the new entity's Location (cheaper; also how approval drafts answer). */
  async createNoContent(set: EntitySetName, body: Record<string, unknown>): Promise<{ location: string; key: string | number | undefined }> {
    const ctx = { entity: set, ...keyFromBody(set, body) };
    const res = await this.request('POST', set, { body, headers: { Prefer: 'return-no-content' }, context: ctx });
    const loc = res.headers.location;
    const location = Array.isArray(loc) ? loc[0] : loc;
    if (res.status === 201) {
      const j = this.parseJson(res, ctx);
      return { location: location ?? '', key: keyOfEntity(set, j) };
    }
    if (res.status !== 204 || !location) throw new B1ProtocolError(`expected 204 with Location, got ${res.status}`, { status: res.status, context: ctx });
    return { location, key: keyFromLocation(location) };
  }

  /**
   * PATCH → 204. Collection rows are merged by row key (LineNum, RowNum, …); pass
   * `replaceCollections` (B1S-ReplaceCollectionsOnPatch) to drop rows you leave out.
   */
  async patch(set: EntitySetName, key: EntityKey, body: Record<string, unknown>, o: { replaceCollections?: boolean; idempotent?: boolean; ifMatch?: string } = {}): Promise<void> {
    const headers: Record<string, string> = {};
    if (o.replaceCollections) headers['B1S-ReplaceCollectionsOnPatch'] = 'true';
    if (o.ifMatch) headers['If-Match'] = o.ifMatch;
    await this.request('PATCH', `${set}${keySegment(key)}`, { body, headers, context: { entity: set, key }, ...(o.idempotent !== undefined ? { idempotent: o.idempotent } : {}) });
  }

  async delete(set: EntitySetName, key: EntityKey): Promise<void> {
    await this.request('DELETE', `${set}${keySegment(key)}`, { context: { entity: set, key } });
  }

  /** Bound action, e.g. Orders(22)/Cancel → 204. */
  async action(set: EntitySetName, key: EntityKey, name: string): Promise<void> {
    await this.request('POST', `${set}${keySegment(key)}/${name}`, { context: { entity: set, key } });
  }

  /**
   * One `$batch` changeset (atomic on the server). Returns per-part results in order; the Service
   * Layer stops at the first failure and rolls the changeset back, which surfaces as a single
   * error part: `failed` then holds it, mapped to a typed error.
   */
  async batch(ops: readonly BatchOperation[]): Promise<{ results: BatchPartResult[]; failed?: { index: number | undefined; error: B1Error } }> {
    if (ops.length === 0) return { results: [] };
    const { contentType, body } = buildChangesetBody(this.servicePath, ops);
    const res = await this.request('POST', '$batch', { rawBody: body, headers: { 'Content-Type': contentType }, timeoutMs: this.opts.batchTimeoutMs, context: { entity: '$batch' } });
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
   * Independent writes through `$batch`: each operation in its own changeset, `chunkSize` per
   * request, so one refused write neither rolls back nor fails the others. The Service Layer stops
   * at the first failing part (reference §6): the operations after it were not executed and are
   * sent again in the next request. Returns one result per operation, in order: its part, or its
   * error (typed as for a single request). A failure of a whole request is thrown; `idempotent`
   * lets the client retry it first (only for writes that are safe to repeat).
   */
  async batchEach(ops: readonly BatchOperation[], o: { chunkSize?: number; idempotent?: boolean } = {}): Promise<BatchEachResult[]> {
    const size = Math.max(1, o.chunkSize ?? 100);
    const out = new Array<BatchEachResult>(ops.length);
    let next = 0;
    while (next < ops.length) {
      const chunk = ops.slice(next, next + size);
      const { contentType, body } = buildBatchBody(this.servicePath, chunk.map((op) => [op]));
      const ctx = { entity: '$batch' };
      const res = await this.request('POST', '$batch', { rawBody: body, headers: { 'Content-Type': contentType }, timeoutMs: this.opts.batchTimeoutMs, context: ctx, ...(o.idempotent ? { idempotent: true } : {}) });
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
        throw new B1ProtocolError(`$batch of ${chunk.length} changesets answered with ${parts.length} parts`, { status: res.status, context: ctx });
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
}

/** What one operation of batchEach() came to. */
export type BatchEachResult = { ok: true; part: BatchPartResult } | { ok: false; error: B1Error };

function isCertificateError(code: string): boolean {
  return /^(CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_)/.test(code);
}

export function stripAnnotations(j: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(j)) if (!k.startsWith('odata.') && !k.startsWith('@odata.')) out[k] = v;
  return out;
}

const KEY_FIELDS: Record<EntitySetName, string> = {
  BusinessPartners: 'CardCode',
  Items: 'ItemCode',
  ItemGroups: 'Number',
  Warehouses: 'WarehouseCode',
  PriceLists: 'PriceListNo',
  WeightMeasures: 'UnitCode',
  Orders: 'DocEntry',
  UserFieldsMD: 'FieldID',
  SalesTaxCodes: 'Code',
};
export function keyFieldOf(set: EntitySetName): string {
  return KEY_FIELDS[set];
}
function keyFromBody(set: EntitySetName, body: Record<string, unknown>): { key?: string | number } {
  const k = body[KEY_FIELDS[set]];
  return typeof k === 'string' || typeof k === 'number' ? { key: k } : {};
}
function keyOfEntity(set: EntitySetName, j: Record<string, unknown>): string | number | undefined {
  const k = j[KEY_FIELDS[set]];
  return typeof k === 'string' || typeof k === 'number' ? k : undefined;
}
/** `/b1s/v1/Orders(22)` → 22, `Items('A''1')` → "A'1". */
export function keyFromLocation(location: string): string | number | undefined {
  const m = /\(([^)]*)\)\s*$/.exec(decodeURIComponent(location));
  if (!m) return undefined;
  const inner = m[1]!;
  if (/^-?\d+$/.test(inner)) return Number(inner);
  const s = /^'(.*)'$/.exec(inner);
  return s ? s[1]!.replace(/''/g, "'") : inner;
}
