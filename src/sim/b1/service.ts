/**
 * Transport-independent request handling of the simulated Service Layer: resource paths, query
 * options, paging, CRUD, actions and $batch. server.ts feeds it HTTP requests; $batch feeds it
 * sub-requests.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Errors, SlError, errorBody, type ApiVersion } from './errors';
import { compileFilter, keyLowerBound, type FieldResolver } from './filter';
import { propsOf, type EntitySetDef, type Rec } from './model';
import type { B1SimState } from './state';
import { parseBatch, renderBatchResponse, type BatchPart, type BatchResult } from './batch';
import { moneyExtraProps, runMoneyAction } from './money';
import { DELIVERY_SET, deliveryAction } from './delivery-notes';

export interface SimRequest {
  method: string;
  /** Path below the version root, e.g. "/Items('A1')"; still percent-encoded. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  headers: Record<string, string | undefined>;
  body: string;
  version: ApiVersion;
  /** Absolute service root, e.g. "http://127.0.0.1:50000/b1s/v1". */
  base: string;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string;
}

export interface ServiceOptions {
  companyDb: string;
  userName: string;
  password: string;
  sessionTimeoutMinutes: number;
  pageSize: number;
}

const JSON_CT: Record<ApiVersion, string> = {
  v1: 'application/json;odata=minimalmetadata;charset=utf-8',
  v2: 'application/json;odata.metadata=minimal;charset=utf-8',
};
const ROUTE_ID = '.node1';

export function json(version: ApiVersion, status: number, body: unknown, headers: Record<string, string | string[]> = {}): SimResponse {
  return { status, headers: { 'Content-Type': JSON_CT[version], ...headers }, body: JSON.stringify(body) };
}
export function slErrorResponse(version: ApiVersion, e: SlError): SimResponse {
  return json(version, e.status, errorBody(version, e.code, e.message));
}

function decodeQuery(raw: string): Array<[string, string, string]> {
  if (!raw) return [];
  return raw
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const i = part.indexOf('=');
      const k = i < 0 ? part : part.slice(0, i);
      const v = i < 0 ? '' : part.slice(i + 1);
      const dec = (s: string): string => {
        try {
          return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          throw Errors.malformed(`Invalid URI encoding in query option '${k}'`);
        }
      };
      return [dec(k), dec(v), part] as [string, string, string];
    });
}

/** Parses `('C1')`, `(22)`, `(DocEntry=22)`, `(TableName='OCRD',FieldID=0)` into ordered key values. */
function parseKeyPredicate(def: EntitySetDef, inner: string): string {
  const parts: string[] = [];
  let i = 0;
  const readValue = (): string => {
    if (inner[i] === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= inner.length) throw Errors.malformed('Invalid key predicate');
        if (inner[i] === "'") {
          if (inner[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          return v;
        }
        v += inner[i++];
      }
    }
    const m = /^-?\d+/.exec(inner.slice(i));
    if (!m) throw Errors.malformed('Invalid key predicate');
    i += m[0].length;
    return m[0];
  };
  const named = new Map<string, string>();
  while (i < inner.length) {
    const nm = /^([A-Za-z_]\w*)=/.exec(inner.slice(i));
    if (nm) {
      i += nm[0].length;
      named.set(nm[1]!, readValue());
    } else {
      parts.push(readValue());
    }
    if (inner[i] === ',') i++;
    else if (i < inner.length) throw Errors.malformed('Invalid key predicate');
  }
  const values = def.key.map((k, idx) => named.get(k) ?? parts[idx]);
  if (values.some((v) => v === undefined) || parts.length + named.size !== def.key.length) throw Errors.malformed('Invalid key predicate');
  if (def.keyKind === 'number' && !/^-?\d+$/.test(values[0]!)) throw Errors.malformed('Invalid key predicate');
  return values.join('|');
}

function keyLiteral(def: EntitySetDef, rec: Rec): string {
  if (def.key.length > 1)
    return def.key.map((k) => `${k}=${typeof rec[k] === 'number' ? String(rec[k]) : `'${String(rec[k]).replace(/'/g, "''")}'`}`).join(',');
  const v = rec[def.key[0]!];
  return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
}

interface ParsedPath {
  set?: EntitySetDef;
  key?: string;
  rest: string[];
  special?: 'Login' | 'Logout' | '$batch' | '$metadata';
}

function parsePath(path: string, defOf: (name: string) => EntitySetDef | undefined): ParsedPath {
  let p: string;
  try {
    p = decodeURIComponent(path);
  } catch {
    throw Errors.malformed('Invalid URI');
  }
  p = p.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === 'Login' || p === 'Logout' || p === '$batch' || p === '$metadata') return { rest: [], special: p };
  const m = /^([A-Za-z]\w*)(?:\(([^)]*)\))?(?:\/(.*))?$/.exec(p);
  if (!m) throw Errors.malformed('Unrecognized resource path.');
  const def = defOf(m[1]!); // case-sensitive on purpose
  if (!def) throw Errors.malformed(`Unrecognized resource path.`);
  const out: ParsedPath = { set: def, rest: m[3] ? m[3].split('/') : [] };
  if (m[2] !== undefined) out.key = parseKeyPredicate(def, m[2]);
  return out;
}

export class B1Service {
  constructor(
    readonly state: B1SimState,
    readonly opts: ServiceOptions,
  ) {}

  /** Entry point for top-level HTTP requests (login and session check included). */
  handle(req: SimRequest): SimResponse {
    try {
      let p: ParsedPath | undefined;
      let pathError: unknown;
      try {
        p = parsePath(req.path, this.defOf);
      } catch (e) {
        pathError = e;
      }
      if (p?.special === 'Login' && req.method === 'POST') return this.login(req);
      // Everything else, including unknown or wrongly cased paths, needs a session first (reference §1).
      this.requireSession(req);
      if (!p) throw pathError;
      if (p.special === 'Logout' && req.method === 'POST') {
        const sid = cookie(req.headers.cookie, 'B1SESSION');
        if (sid) this.state.sessions.delete(sid);
        return { status: 204, headers: {} };
      }
      if (p.special === '$batch' && req.method === 'POST') return this.batch(req);
      return this.dispatch(req, p);
    } catch (e) {
      if (e instanceof SlError) return slErrorResponse(req.version, e);
      throw e;
    }
  }

  private login(req: SimRequest): SimResponse {
    let body: Rec;
    try {
      body = JSON.parse(req.body) as Rec;
    } catch {
      throw Errors.malformed('Invalid login request body');
    }
    if (
      !body ||
      typeof body !== 'object' ||
      body.CompanyDB !== this.opts.companyDb ||
      body.UserName !== this.opts.userName ||
      body.Password !== this.opts.password
    ) {
      throw Errors.badLogin();
    }
    const s = this.state.newSession(String(body.UserName), String(body.CompanyDB));
    const payload =
      req.version === 'v1'
        ? {
            'odata.metadata': `${req.base}/$metadata#B1Sessions/@Element`,
            SessionId: s.id,
            Version: '1000110',
            SessionTimeout: this.opts.sessionTimeoutMinutes,
          }
        : {
            '@odata.context': `${req.base}/$metadata#B1Sessions/$entity`,
            SessionId: s.id,
            Version: '1000110',
            SessionTimeout: this.opts.sessionTimeoutMinutes,
          };
    return json(req.version, 200, payload, {
      'Set-Cookie': [`B1SESSION=${s.id}; path=/b1s; HttpOnly`, `ROUTEID=${ROUTE_ID}; path=/b1s`],
    });
  }

  private requireSession(req: SimRequest): void {
    const sid = cookie(req.headers.cookie, 'B1SESSION');
    const s = sid ? this.state.sessions.get(sid) : undefined;
    const now = this.state.clock.now().getTime();
    if (!s) throw Errors.invalidSession();
    if (now - s.lastUsed > this.opts.sessionTimeoutMinutes * 60_000) {
      this.state.sessions.delete(s.id);
      throw Errors.invalidSession();
    }
    s.lastUsed = now;
  }

  private parseJsonBody(req: SimRequest): unknown {
    if (req.body.trim() === '') throw Errors.malformed('Request body is empty');
    try {
      return JSON.parse(req.body);
    } catch (e) {
      throw Errors.malformed(`Invalid JSON: ${(e as Error).message.slice(0, 80)}`);
    }
  }

  /** Executes one resource request (also used for $batch parts). */
  private readonly defOf = (name: string): EntitySetDef | undefined => this.state.findDef(name);

  dispatch(req: SimRequest, p: ParsedPath = parsePath(req.path, this.defOf)): SimResponse {
    const { version } = req;
    const def = p.set;
    if (!def) throw Errors.malformed('Unrecognized resource path.');
    let method = req.method.toUpperCase();
    const override = req.headers['x-http-method-override'];
    if (method === 'POST' && override) method = override.toUpperCase();
    if (method === 'MERGE') method = 'PATCH';

    if (p.key === undefined) {
      if (p.rest.length === 1 && p.rest[0] === '$count' && method === 'GET') {
        const { total } = this.query(req, def, true);
        return { status: 200, headers: { 'Content-Type': 'text/plain;charset=utf-8' }, body: String(total) };
      }
      if (p.rest.length > 0) throw Errors.malformed('Unrecognized resource path.');
      if (method === 'GET') return this.list(req, def);
      if (method === 'POST') return this.create(req, def);
      throw Errors.notSupported();
    }

    const key = p.key;
    const ifMatch = req.headers['if-match'];
    if (ifMatch && method !== 'GET' && ifMatch.trim() !== '*') {
      const cur = this.state.get(def.name, key);
      if (cur && ETAG_SETS.has(def.name) && etagOf(def, cur) !== ifMatch.trim()) {
        throw new SlError(
          412,
          -2039,
          'Another user or another operation modified data; to cancel your changes, choose Cancel; to apply your changes, choose Update',
        );
      }
    }
    if (p.rest.length === 0) {
      if (method === 'GET') {
        const rec = this.state.get(def.name, key);
        if (!rec) throw Errors.notFound();
        const select = this.parseSelect(req, def);
        const meta =
          version === 'v1'
            ? { 'odata.metadata': `${req.base}/$metadata#${def.name}/@Element` }
            : { '@odata.context': `${req.base}/$metadata#${def.name}/$entity` };
        const tag = etagOf(def, rec);
        const etagMeta = tag ? { [version === 'v1' ? 'odata.etag' : '@odata.etag']: tag } : {};
        return json(version, 200, { ...meta, ...etagMeta, ...this.state.render(def.name, rec, select) }, tag ? { ETag: tag } : {});
      }
      if (method === 'PATCH') {
        const replace = (req.headers['b1s-replacecollectionsonpatch'] ?? '').toLowerCase() === 'true';
        this.state.update(def.name, key, this.parseJsonBody(req), replace);
        return { status: 204, headers: {} };
      }
      if (method === 'PUT') {
        // PUT replaces: omitted properties fall back to defaults (reference §5).
        const cur = this.state.get(def.name, key);
        if (!cur) throw Errors.notFound();
        this.state.update(def.name, key, this.parseJsonBody(req), true, true);
        return { status: 204, headers: {} };
      }
      if (method === 'DELETE') {
        if (!def.deletable) throw Errors.notSupported();
        this.state.remove(def.name, key);
        return { status: 204, headers: {} };
      }
      throw Errors.notSupported();
    }

    if (p.rest.length === 1 && method === 'POST') {
      const action = p.rest[0]!;
      if (def.name === 'Orders' && ['Cancel', 'Close', 'Reopen'].includes(action)) {
        this.state.orderAction(key, action);
        return { status: 204, headers: {} };
      }
      if (runMoneyAction(this.state, def.name, key, action)) return { status: 204, headers: {} };
      if (def.name === DELIVERY_SET && (action === 'Cancel' || action === 'Close')) {
        deliveryAction(this.state, this.state.docKit(), key, action);
        return { status: 204, headers: {} };
      }
      if (!this.state.get(def.name, key)) throw Errors.notFound();
      throw Errors.notSupported();
    }
    if (p.rest.length === 1 && method === 'GET') {
      const prop = p.rest[0]!;
      const rec = this.state.get(def.name, key);
      if (!rec) throw Errors.notFound();
      const rendered = this.state.render(def.name, rec);
      if (!(prop in rendered)) throw Errors.malformed(`Property '${prop}' of '${def.type}' is invalid`);
      return json(
        version,
        200,
        version === 'v1'
          ? { 'odata.metadata': `${req.base}/$metadata#${def.name}/${prop}`, value: rendered[prop] }
          : { '@odata.context': `${req.base}/$metadata#${def.name}/${prop}`, value: rendered[prop] },
      );
    }
    throw Errors.malformed('Unrecognized resource path.');
  }

  private create(req: SimRequest, def: EntitySetDef): SimResponse {
    const made = this.state.create(def.name, this.parseJsonBody(req));
    const prefer = (req.headers.prefer ?? '').toLowerCase();
    if (made.draft) {
      // Caught by an approval procedure: a Draft was saved, no order (reference §5): the POST
      // answers -2028, or 204 when the client asked for no content. Where the 204 points is not
      // documented, so no Location is sent: the client finds the draft by its own key fields.
      if (prefer.includes('return-no-content')) return { status: 204, headers: { 'Preference-Applied': 'return-no-content' } };
      throw Errors.notFound();
    }
    const { key } = made;
    const rec = this.state.get(def.name, key)!;
    const location = `${new URL(req.base).pathname}/${def.name}(${keyLiteral(def, rec)})`;
    if (prefer.includes('return-no-content')) {
      return { status: 204, headers: { Location: location, 'Preference-Applied': 'return-no-content' } };
    }
    const meta =
      req.version === 'v1'
        ? { 'odata.metadata': `${req.base}/$metadata#${def.name}/@Element` }
        : { '@odata.context': `${req.base}/$metadata#${def.name}/$entity` };
    return json(req.version, 201, { ...meta, ...this.state.render(def.name, rec) }, { Location: location });
  }

  private fieldResolver(def: EntitySetDef): FieldResolver {
    const props = propsOf(def.type);
    return (path) => {
      if (path.startsWith('U_') && def.udfTable) {
        const u = this.state.udfsFor(def.udfTable).get(path.slice(2));
        if (!u) return undefined;
        const edm =
          u.type === 'db_Numeric'
            ? 'Edm.Int32'
            : u.type === 'db_Float'
              ? 'Edm.Double'
              : u.type === 'db_Date'
                ? 'Edm.DateTime'
                : 'Edm.String';
        return { edm, get: (r) => this.state.fieldOf(def.name, r, path) };
      }
      const p = props.get(path) ?? moneyExtraProps(def.name).find((x) => x[0] === path);
      if (!p || p[1].startsWith('Collection(') || (p[1].startsWith('SAPB1.') && !/^SAPB1\.\w+$/.test(p[1]))) return undefined;
      return { edm: p[1], get: (r) => this.state.fieldOf(def.name, r, path) };
    };
  }

  private parseSelect(req: SimRequest, def: EntitySetDef): Set<string> | undefined {
    const sel = decodeQuery(req.query).find(([k]) => k === '$select')?.[1];
    if (!sel || sel.trim() === '*') return undefined;
    const props = propsOf(def.type);
    const udfs = def.udfTable ? this.state.udfsFor(def.udfTable) : new Map();
    const out = new Set<string>();
    for (const f of sel.split(',').map((s) => s.trim())) {
      if (!props.has(f) && !moneyExtraProps(def.name).some((x) => x[0] === f) && !(f.startsWith('U_') && udfs.has(f.slice(2))))
        throw Errors.malformed(`Property '${f}' of '${def.type}' is invalid`);
      out.add(f);
    }
    return out;
  }

  /** Runs $filter/$orderby/$skip/$top and returns one page plus what paging needs. */
  private query(
    req: SimRequest,
    def: EntitySetDef,
    countOnly = false,
    pageSize = Infinity,
  ): { rows: Rec[]; total: number; more: boolean; skip: number; top?: number } {
    const q = new Map(decodeQuery(req.query).map(([k, v]) => [k, v]));
    for (const k of q.keys()) {
      if (k === '$expand' || k === '$apply') throw Errors.malformed(`Query option '${k}' is not supported by this simulator`);
      if (k.startsWith('$') && !['$filter', '$select', '$orderby', '$top', '$skip', '$inlinecount', '$count', '$format'].includes(k)) {
        throw Errors.malformed(`Query option '${k}' is not supported`);
      }
    }
    const nonNeg = (name: string): number | undefined => {
      const v = q.get(name);
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v.trim())) throw Errors.malformed(`Invalid value '${v}' for ${name}`);
      return Number(v);
    };
    const skip = nonNeg('$skip') ?? 0;
    const top = nonNeg('$top');
    const ci = (req.headers['b1s-caseinsensitive'] ?? '').toLowerCase() === 'true';
    const resolve = this.fieldResolver(def);
    const filterExpr = q.get('$filter');
    const pred = filterExpr ? compileFilter(filterExpr, resolve, ci) : () => true;
    const orderby = (q.get('$orderby') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const [field, dir = 'asc', extra] = s.split(/\s+/);
        if (extra !== undefined || (dir !== 'asc' && dir !== 'desc')) throw Errors.malformed(`Invalid $orderby '${s}'`);
        const f = resolve(field!);
        if (!f) throw Errors.malformed(`Property '${field!}' of '${def.type}' is invalid`);
        return { name: field!, f, desc: dir === 'desc' };
      });
    const wantCount = countOnly || (req.version === 'v1' ? q.get('$inlinecount') === 'allpages' : q.get('$count') === 'true');
    const inl = q.get('$inlinecount');
    if (inl !== undefined && inl !== 'allpages' && inl !== 'none') throw Errors.malformed(`Invalid $inlinecount value '${inl}'`);

    const store = this.state.store(def.name);
    const naturalKeyAsc =
      orderby.length === 0 || (def.key.length === 1 && orderby.length === 1 && !orderby[0]!.desc && orderby[0]!.name === def.key[0]);
    const limit = top === undefined ? Infinity : top;
    const take = Math.min(limit, pageSize);
    if (naturalKeyAsc && !wantCount) {
      // Fast path for key-ordered scans (key-range paging on big companies): stop once the page is full.
      const rows: Rec[] = [];
      let seen = 0;
      let more = false;
      const keys = this.state.orderedKeys(def.name);
      let start = 0;
      const bound = filterExpr && def.key.length === 1 && !ci ? keyLowerBound(filterExpr, def.key[0]!) : undefined;
      if (bound && typeof bound.value === (def.keyKind === 'number' ? 'number' : 'string')) {
        // Binary search over the sorted keys; the predicate still checks every candidate.
        const cmp = (k: string): boolean => (def.keyKind === 'number' ? Number(k) < (bound.value as number) : k < (bound.value as string));
        let lo = 0;
        let hi = keys.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cmp(keys[mid]!)) lo = mid + 1;
          else hi = mid;
        }
        start = lo;
      }
      for (let i = start; i < keys.length; i++) {
        const r = store.get(keys[i]!)!;
        if (!pred(r)) continue;
        if (seen++ < skip) continue;
        if (rows.length < take) rows.push(r);
        else {
          more = rows.length < limit;
          break;
        }
      }
      return { rows, total: -1, more, skip, ...(top !== undefined ? { top } : {}) };
    }
    let all: Rec[] = [];
    for (const k of this.state.orderedKeys(def.name)) {
      const r = store.get(k)!;
      if (pred(r)) all.push(r);
    }
    if (orderby.length > 0) {
      all = all
        .map((r) => ({ r, v: orderby.map((o) => o.f.get(r)) }))
        .sort((a, b) => {
          for (let i = 0; i < orderby.length; i++) {
            const x = a.v[i] as string | number | null;
            const y = b.v[i] as string | number | null;
            if (x === y) continue;
            const c = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
            return orderby[i]!.desc ? -c : c;
          }
          return 0;
        })
        .map((x) => x.r);
    }
    const total = all.length;
    const window = all.slice(skip, top === undefined ? undefined : skip + top);
    const rows = window.slice(0, take);
    return { rows, total, more: window.length > rows.length, skip, ...(top !== undefined ? { top } : {}) };
  }

  private list(req: SimRequest, def: EntitySetDef): SimResponse {
    const { version } = req;
    const select = this.parseSelect(req, def);
    const prefer = req.headers.prefer ?? '';
    const pm = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer);
    const b1s = req.headers['b1s-pagesize'];
    let pageSize = this.opts.pageSize;
    const extra: Record<string, string> = {};
    if (pm) {
      pageSize = Number(pm[1]);
      extra['Preference-Applied'] = `odata.maxpagesize=${pm[1]!}`;
    } else if (b1s && /^\d+$/.test(b1s)) pageSize = Number(b1s);
    if (pageSize === 0) pageSize = Infinity; // 0 disables paging
    const r = this.query(req, def, false, pageSize);
    const out: Rec = {};
    if (version === 'v1') out['odata.metadata'] = `${req.base}/$metadata#${def.name}`;
    else out['@odata.context'] = `${req.base}/$metadata#${def.name}`;
    if (r.total >= 0) {
      if (version === 'v1' && new URLSearchParams(req.query).get('$inlinecount') === 'allpages') out['odata.count'] = String(r.total);
      if (version === 'v2' && new URLSearchParams(req.query).get('$count') === 'true') out['@odata.count'] = r.total;
    }
    out.value = r.rows.map((x) => this.state.render(def.name, x, select));
    if (r.more) {
      const nextSkip = r.skip + r.rows.length;
      const parts = req.query.split('&').filter((s) => s && !/^(\$|%24)(skip|top)=/i.test(s));
      if (r.top !== undefined) parts.push(`$top=${r.top - r.rows.length}`);
      parts.push(`$skip=${nextSkip}`);
      const qs = parts.join('&');
      // v1 links are absolute paths, v2 links are relative to the service root (reference §4).
      if (version === 'v1') out['odata.nextLink'] = `${new URL(req.base).pathname}/${def.name}?${qs}`;
      else out['@odata.nextLink'] = `${def.name}?${qs}`;
    }
    return json(version, 200, out, extra);
  }

  // ---------- $batch ----------

  private batch(req: SimRequest): SimResponse {
    const parts = parseBatch(req.headers['content-type'] ?? '', req.body);
    const results: BatchResult[] = [];
    const sub = (part: BatchPart, contentIds: Map<string, string>): SimResponse => {
      let path = part.url;
      const root = new URL(req.base).pathname;
      if (/^https?:\/\//i.test(path)) path = new URL(path).pathname + new URL(path).search;
      const cid = /^\$(\d+)(\/.*)?$/.exec(path.replace(/^\//, ''));
      if (cid) {
        const loc = contentIds.get(cid[1]!);
        if (!loc) throw Errors.malformed(`Content ID '${cid[1]!}' is not defined`);
        path = loc + (cid[2] ?? '');
      }
      if (path.startsWith(root + '/')) path = path.slice(root.length);
      else if (path.startsWith('/b1s/')) throw Errors.malformed('Unrecognized resource path.');
      if (!path.startsWith('/')) path = '/' + path;
      const qi = path.indexOf('?');
      const subReq: SimRequest = {
        method: part.method,
        path: qi < 0 ? path : path.slice(0, qi),
        query: qi < 0 ? '' : path.slice(qi + 1),
        headers: { ...part.headers, cookie: req.headers.cookie },
        body: part.body,
        version: req.version,
        base: req.base,
      };
      try {
        return this.dispatch(subReq);
      } catch (e) {
        if (e instanceof SlError) return slErrorResponse(req.version, e);
        throw e;
      }
    };
    for (const item of parts) {
      if (item.kind === 'request') {
        const res = sub(item, new Map());
        results.push({ kind: 'response', contentId: item.contentId, res });
        if (res.status >= 400) break;
        continue;
      }
      // Changeset: all-or-nothing, sequential, stops at the first failure (reference §6).
      const responses: Array<{ contentId?: string; res: SimResponse }> = [];
      let failed: SimResponse | undefined;
      let failedId: string | undefined;
      const contentIds = new Map<string, string>();
      try {
        this.state.transaction(() => {
          for (const part of item.parts) {
            let res: SimResponse;
            if (part.method === 'GET') res = slErrorResponse(req.version, Errors.malformed("Query can't be included in change-std::set!"));
            else if (req.version === 'v2' && part.contentId === undefined)
              res = slErrorResponse(req.version, new SlError(400, 244, 'Content ID should be specified in each change set request.'));
            else res = sub(part, contentIds);
            if (res.status >= 400) {
              failed = res;
              failedId = part.contentId;
              throw new RollbackSignal();
            }
            const loc = res.headers.Location;
            if (part.contentId !== undefined && typeof loc === 'string') contentIds.set(part.contentId, loc);
            responses.push({ ...(part.contentId !== undefined ? { contentId: part.contentId } : {}), res });
          }
        });
      } catch (e) {
        if (!(e instanceof RollbackSignal)) throw e;
      }
      if (failed) {
        // The single error part of a rolled-back changeset names the sub-request that failed.
        results.push({ kind: 'response', contentId: failedId, res: failed });
        break;
      }
      results.push({ kind: 'changeset', responses });
    }
    const boundary = `batchresponse_${randomUUID()}`;
    return {
      status: req.version === 'v1' ? 202 : 200,
      headers: { 'Content-Type': `multipart/mixed;boundary=${boundary}` },
      body: renderBatchResponse(boundary, results),
    };
  }
}

class RollbackSignal extends Error {}

/** Entities that carry ETags (10.0 FP 2102+, reference §5). */
const ETAG_SETS = new Set(['Orders', 'Items', 'BusinessPartners']);

function etagOf(def: EntitySetDef, rec: Rec): string | undefined {
  if (!ETAG_SETS.has(def.name)) return undefined;
  return `W/"${createHash('sha1').update(JSON.stringify(rec)).digest('hex')}"`;
}

export function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
