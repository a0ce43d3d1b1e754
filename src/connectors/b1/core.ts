/**
 * Generic OData operations of the Service Layer client: typed reads and writes on the entity sets
 * of schemas.ts, raw reads of the collections they do not cover (user tables, drafts), paging and
 * `$batch`. The concerns live in their own modules; this class wires them to one session:
 * - transport.ts: one request, its retry rules (reads retried, writes only when provably not sent)
 *   and the error classification;
 * - session.ts: login, re-login, cool-down;
 * - server-clock.ts: B1's clock from the answers' `Date`;
 * - paging.ts: pages, nextLink, key ranges;
 * - response-parse.ts: JSON bodies and the zod schemas;
 * - batch-writes.ts: `$batch` changesets;
 * - entity-keys.ts: key fields, Location headers, annotations.
 */
import axios, { type AxiosInstance } from 'axios';
import type { BatchOperation, BatchPartResult } from './batch';
import {
  batchChangeset,
  batchEachChangesetOp,
  batchEachOp,
  type BatchEachResult,
  type BatchTarget,
  type ChangesetResult,
} from './batch-writes';
import { keyFromBody, keyFromLocation, keyOfEntity, stripAnnotations } from './entity-keys';
import { B1Error, B1ProtocolError, type B1ErrorContext } from './errors';
import { stderrLogger, type B1Logger } from './logger';
import { buildQueryString, keySegment, type ODataQuery } from './odata-query';
import type { B1ClientOptions, B1Response, EntityKey, Page, PageOptions, RequestOptions } from './options';
import { followNextLinks, keyRangePages, listRows, readRowsPage, type KeyRangeOptions } from './paging';
import { checkEntity, parseJsonObject, validateEntity, type CheckedRow } from './response-parse';
import type { EntityOf, EntitySetName } from './schemas';
import { ServerClock } from './server-clock';
import { B1SessionManager } from './session';
import { buildAgents } from './tls';
import { sendRequest, type Transport } from './transport';

export type { B1ClientOptions, B1Response, EntityKey, Page, PageOptions, RequestOptions } from './options';
export type { BatchEachResult } from './batch-writes';
export type { CheckedRow } from './response-parse';
export { keyFieldOf, keyFromLocation, stripAnnotations } from './entity-keys';

export class B1ClientCore {
  readonly baseUrl: string;
  protected readonly http: AxiosInstance;
  readonly session: B1SessionManager;
  protected readonly logger: B1Logger;
  protected readonly opts: Required<
    Pick<B1ClientOptions, 'maxPageSize' | 'timeoutMs' | 'batchTimeoutMs' | 'maxRetries' | 'retryBaseDelayMs'>
  >;
  private readonly servicePath: string;
  private readonly origin: string;
  private readonly clock: ServerClock;
  private readonly transport: Transport;
  private readonly batchTarget: BatchTarget;

  constructor(options: B1ClientOptions) {
    const base = new URL(options.baseUrl.replace(/\/+$/, ''));
    if (!/^https?:$/.test(base.protocol) || !/\/b1s\/v[12]$/.test(base.pathname)) {
      throw new Error(`baseUrl must look like https://host:50000/b1s/v1 (got ${base.origin}${base.pathname})`);
    }
    this.baseUrl = `${base.origin}${base.pathname}`;
    this.servicePath = base.pathname;
    this.origin = base.origin;
    this.logger = options.logger ?? stderrLogger;
    this.clock = new ServerClock(options.localClock);
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
      {
        companyDb: options.companyDb,
        userName: options.userName,
        password: options.password,
        ...(options.language !== undefined ? { language: options.language } : {}),
      },
      { loginCooldownMs: options.loginCooldownMs ?? 30_000 },
    );
    this.transport = {
      http: this.http,
      session: this.session,
      logger: this.logger,
      maxRetries: this.opts.maxRetries,
      retryBaseDelayMs: this.opts.retryBaseDelayMs,
      onDate: (header) => this.clock.note(header),
    };
    this.batchTarget = { send: (m, p, ro) => this.request(m, p, ro), servicePath: this.servicePath, timeoutMs: this.opts.batchTimeoutMs };
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
  request(method: string, path: string, ro: RequestOptions = {}): Promise<B1Response> {
    const url = this.resolve(path) + (ro.query ? `${path.includes('?') ? '&' : '?'}${ro.query}` : '');
    const ctx: B1ErrorContext = { method, path: new URL(url).pathname.replace(this.servicePath + '/', ''), ...ro.context };
    return sendRequest(this.transport, method, url, ctx, ro);
  }

  /**
   * B1's time now (ms since epoch), estimated from the `Date` header of its latest answer plus the
   * local time elapsed since (1 s resolution), or undefined before any answer with a `Date`. Every
   * hub deployment judges time-based rules on one company (reservations) by this one clock, so
   * hub clocks that disagree do not matter.
   */
  serverNow(): number | undefined {
    return this.clock.now();
  }

  protected parseJson(res: B1Response, ctx: B1ErrorContext): Record<string, unknown> {
    return parseJsonObject(res, ctx);
  }

  protected validate<S extends EntitySetName>(set: S, raw: unknown, key?: EntityKey): EntityOf<S> {
    return validateEntity(set, raw, key);
  }

  private readonly send = (method: string, path: string, ro: RequestOptions): Promise<B1Response> => this.request(method, path, ro);

  // ---------- reads ----------

  async get<S extends EntitySetName>(set: S, key: EntityKey, opts: { select?: readonly string[] } = {}): Promise<EntityOf<S>> {
    const ctx = { entity: set, key };
    const res = await this.request('GET', `${set}${keySegment(key)}`, {
      query: buildQueryString({ ...(opts.select ? { select: opts.select } : {}) }),
      context: ctx,
    });
    return this.validate(set, stripAnnotations(this.parseJson(res, ctx)), key);
  }

  /** get() plus the entity's ETag (Orders, Items, BusinessPartners on 10.0 FP 2102+), for If-Match on patch(). */
  async getWithEtag<S extends EntitySetName>(
    set: S,
    key: EntityKey,
    opts: { select?: readonly string[] } = {},
  ): Promise<{ entity: EntityOf<S>; etag: string | undefined }> {
    const ctx = { entity: set, key };
    const res = await this.request('GET', `${set}${keySegment(key)}`, {
      query: buildQueryString({ ...(opts.select ? { select: opts.select } : {}) }),
      context: ctx,
    });
    const j = this.parseJson(res, ctx);
    const header = res.headers.etag;
    const etag =
      (Array.isArray(header) ? header[0] : header) ?? (j['odata.etag'] as string | undefined) ?? (j['@odata.etag'] as string | undefined);
    return { entity: this.validate(set, stripAnnotations(j), key), etag };
  }

  /** get(), or undefined when SAP answers -2028. */
  async tryGet<S extends EntitySetName>(
    set: S,
    key: EntityKey,
    opts: { select?: readonly string[] } = {},
  ): Promise<EntityOf<S> | undefined> {
    try {
      return await this.get(set, key, opts);
    } catch (e) {
      if (e instanceof B1Error && e.name === 'B1NotFoundError') return undefined;
      throw e;
    }
  }

  /** One page from a path or nextLink. */
  async fetchPage<S extends EntitySetName>(
    set: S,
    pathOrLink: string,
    query: string | undefined,
    po: PageOptions = {},
  ): Promise<Page<EntityOf<S>>> {
    const page = await readRowsPage(this.send, pathOrLink, query, po, this.opts.maxPageSize, { entity: set });
    return { ...page, value: page.value.map((row) => this.validate(set, row)) };
  }

  /** Pages of a query, following nextLink (relative or absolute, v1 or v2 name) to the end. */
  async *pages<S extends EntitySetName>(set: S, q: ODataQuery = {}, po: PageOptions = {}): AsyncGenerator<Page<EntityOf<S>>> {
    const first = await this.fetchPage(set, set, buildQueryString(q), po);
    yield* followNextLinks(first, (link) => this.fetchPage(set, link, undefined, po), { entity: set });
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
  keyRange<S extends EntitySetName>(set: S, o: KeyRangeOptions): AsyncGenerator<Array<EntityOf<S>>> {
    const read = async (query: string, po: PageOptions) => (await this.fetchPage(set, set, query, po)).value;
    return keyRangePages(o, o.pageSize ?? this.opts.maxPageSize, read, (row) => (row as Record<string, unknown>)[o.keyField], {
      entity: set,
    });
  }

  /**
   * keyRange(), each row checked on its own: a row that breaks SAP's schema comes back as its
   * error (naming its key and field) instead of failing the page, so a caller can fail that one
   * record and go on (pipelines/kit/fetch-poison.ts).
   */
  keyRangeChecked<S extends EntitySetName>(set: S, o: KeyRangeOptions): AsyncGenerator<Array<CheckedRow<EntityOf<S>>>> {
    const read = async (query: string, po: PageOptions) =>
      (await readRowsPage(this.send, set, query, po, this.opts.maxPageSize, { entity: set })).value.map((row) => checkRow(set, row));
    return keyRangePages(
      o,
      o.pageSize ?? this.opts.maxPageSize,
      read,
      (r) => (r.ok ? (r.entity as Record<string, unknown>) : r.raw)[o.keyField],
      { entity: set },
    );
  }

  /** list(), each row checked on its own (see keyRangeChecked). */
  async listChecked<S extends EntitySetName>(set: S, q: ODataQuery = {}, po: PageOptions = {}): Promise<Array<CheckedRow<EntityOf<S>>>> {
    const ctx = { entity: set };
    const first = await readRowsPage(this.send, set, buildQueryString(q), po, this.opts.maxPageSize, ctx);
    const out: Array<CheckedRow<EntityOf<S>>> = [];
    for await (const p of followNextLinks(first, (link) => readRowsPage(this.send, link, undefined, po, this.opts.maxPageSize, ctx), ctx))
      out.push(...p.value.map((row) => checkRow(set, row)));
    return out;
  }

  /**
   * Every row of a collection the typed schemas do not cover (user-defined tables `U_<TABLE>`,
   * `Drafts`, `UserTablesMD`), annotations stripped, following nextLink to the end.
   */
  listRaw(path: string, q: ODataQuery = {}, po: PageOptions = {}): Promise<Array<Record<string, unknown>>> {
    return listRows(this.send, path, q, po.maxPageSize !== undefined ? { maxPageSize: po.maxPageSize } : {}, this.opts.maxPageSize);
  }

  /** One entity of a collection the typed schemas do not cover, or undefined on -2028. */
  async tryGetRaw(path: string, key: EntityKey, select?: readonly string[]): Promise<Record<string, unknown> | undefined> {
    const ctx = { entity: path, key };
    try {
      const res = await this.request('GET', `${path}${keySegment(key)}`, {
        query: buildQueryString(select ? { select } : {}),
        context: ctx,
      });
      return stripAnnotations(this.parseJson(res, ctx));
    } catch (e) {
      if (e instanceof B1Error && e.name === 'B1NotFoundError') return undefined;
      throw e;
    }
  }

  async count(set: EntitySetName, filter?: string): Promise<number> {
    const res = await this.request('GET', `${set}/$count`, {
      ...(filter ? { query: buildQueryString({ filter }) } : {}),
      context: { entity: set },
    });
    const n = Number(res.body.trim());
    if (!Number.isInteger(n)) throw new B1ProtocolError(`$count returned ${res.body.slice(0, 40)}`, { context: { entity: set } });
    return n;
  }

  // ---------- writes ----------

  /** POST → 201 with the created entity. */
  async create<S extends EntitySetName>(
    set: S,
    body: Record<string, unknown>,
    ro: Pick<RequestOptions, 'idempotent'> = {},
  ): Promise<EntityOf<S>> {
    const ctx = { entity: set, ...keyFromBody(set, body) };
    const res = await this.request('POST', set, { body, context: ctx, ...ro });
    if (res.status !== 201) throw new B1ProtocolError(`expected 201 Created, got ${res.status}`, { status: res.status, context: ctx });
    return this.validate(set, stripAnnotations(this.parseJson(res, ctx)));
  }

  /** POST with `Prefer: return-no-content` → 204 and the new entity's Location (cheaper; also how approval drafts answer). */
  async createNoContent(
    set: EntitySetName,
    body: Record<string, unknown>,
  ): Promise<{ location: string; key: string | number | undefined }> {
    const ctx = { entity: set, ...keyFromBody(set, body) };
    const res = await this.request('POST', set, { body, headers: { Prefer: 'return-no-content' }, context: ctx });
    const loc = res.headers.location;
    const location = Array.isArray(loc) ? loc[0] : loc;
    if (res.status === 201) {
      const j = this.parseJson(res, ctx);
      return { location: location ?? '', key: keyOfEntity(set, j) };
    }
    if (res.status !== 204 || !location)
      throw new B1ProtocolError(`expected 204 with Location, got ${res.status}`, { status: res.status, context: ctx });
    return { location, key: keyFromLocation(location) };
  }

  /**
   * PATCH → 204. Collection rows are merged by row key (LineNum, RowNum, …); pass
   * `replaceCollections` (B1S-ReplaceCollectionsOnPatch) to drop rows you leave out.
   */
  async patch(
    set: EntitySetName,
    key: EntityKey,
    body: Record<string, unknown>,
    o: { replaceCollections?: boolean; idempotent?: boolean; ifMatch?: string } = {},
  ): Promise<void> {
    const headers: Record<string, string> = {};
    if (o.replaceCollections) headers['B1S-ReplaceCollectionsOnPatch'] = 'true';
    if (o.ifMatch) headers['If-Match'] = o.ifMatch;
    await this.request('PATCH', `${set}${keySegment(key)}`, {
      body,
      headers,
      context: { entity: set, key },
      ...(o.idempotent !== undefined ? { idempotent: o.idempotent } : {}),
    });
  }

  async delete(set: EntitySetName, key: EntityKey): Promise<void> {
    await this.request('DELETE', `${set}${keySegment(key)}`, { context: { entity: set, key } });
  }

  /** Bound action, e.g. Orders(22)/Cancel → 204. */
  async action(set: EntitySetName, key: EntityKey, name: string): Promise<void> {
    await this.request('POST', `${set}${keySegment(key)}/${name}`, { context: { entity: set, key } });
  }

  /** One `$batch` changeset (atomic on the server): per-part results, the first failure typed (batch-writes.ts). */
  batch(ops: readonly BatchOperation[]): Promise<{ results: BatchPartResult[]; failed?: { index: number | undefined; error: B1Error } }> {
    return batchChangeset(this.batchTarget, ops);
  }

  /** Independent writes through `$batch`, one changeset each, `chunkSize` per request (batch-writes.ts). */
  batchEach(ops: readonly BatchOperation[], o: { chunkSize?: number; idempotent?: boolean } = {}): Promise<BatchEachResult[]> {
    return batchEachOp(this.batchTarget, ops, o);
  }

  /** Independent changesets of several operations (each atomic on its own) through `$batch` (batch-writes.ts). */
  batchEachChangeset(
    changesets: readonly (readonly BatchOperation[])[],
    o: { chunkSize?: number; idempotent?: boolean } = {},
  ): Promise<ChangesetResult[]> {
    return batchEachChangesetOp(this.batchTarget, changesets, o);
  }
}

function checkRow<S extends EntitySetName>(set: S, row: Record<string, unknown>): CheckedRow<EntityOf<S>> {
  const r = checkEntity(set, row, keyOfEntity(set, row));
  return r.ok ? r : { ok: false, raw: row, error: r.error };
}
