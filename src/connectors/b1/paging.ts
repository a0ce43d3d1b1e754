/**
 * Paging over Service Layer collections: one page with `Prefer: odata.maxpagesize`, following
 * `odata.nextLink` (v1) / `@odata.nextLink` (v2), relative or absolute, and refusing a link that
 * loops; and key-range paging (`Key gt 'last'` ordered by key, `$top` = page size), stable and fast
 * on large sets where `$skip` is neither. Rows come back with their annotations stripped; checking
 * them against the schemas is the caller's (core.ts).
 */
import { B1ProtocolError, type B1ErrorContext } from './errors';
import { stripAnnotations } from './entity-keys';
import { buildQueryString, type ODataQuery } from './odata-query';
import type { B1Response, Page, PageOptions, RequestOptions } from './options';
import { parseJsonObject } from './response-parse';

export type Send = (method: string, path: string, ro: RequestOptions) => Promise<B1Response>;

/** One page of raw rows from a path or nextLink; `maxPageSize` is the client's default. */
export async function readRowsPage(
  send: Send,
  pathOrLink: string,
  query: string | undefined,
  po: PageOptions,
  maxPageSize: number,
  ctx: B1ErrorContext,
): Promise<Page<Record<string, unknown>>> {
  const headers: Record<string, string> = { Prefer: `odata.maxpagesize=${po.maxPageSize ?? maxPageSize}` };
  if (po.caseInsensitive) headers['B1S-CaseInsensitive'] = 'true';
  const res = await send('GET', pathOrLink, { ...(query ? { query } : {}), headers, context: ctx });
  const j = parseJsonObject(res, ctx);
  if (!Array.isArray(j.value)) throw new B1ProtocolError('collection response without "value"', { status: res.status, context: ctx });
  const value = j.value.map((row) => stripAnnotations(row as Record<string, unknown>));
  const next = (j['odata.nextLink'] ?? j['@odata.nextLink']) as string | undefined;
  const rawCount = j['odata.count'] ?? j['@odata.count'];
  return {
    value,
    ...(rawCount !== undefined ? { count: Number(rawCount) } : {}),
    ...(typeof next === 'string' && next ? { nextLink: next } : {}),
  };
}

/** The pages of a query from its first one, following nextLink to the end. */
export async function* followNextLinks<T>(
  first: Page<T>,
  read: (link: string) => Promise<Page<T>>,
  ctx: B1ErrorContext,
): AsyncGenerator<Page<T>> {
  let page = first;
  yield page;
  const seen = new Set<string>();
  while (page.nextLink) {
    if (seen.has(page.nextLink)) throw new B1ProtocolError(`nextLink loops: ${page.nextLink}`, { context: ctx });
    seen.add(page.nextLink);
    page = await read(page.nextLink);
    yield page;
  }
}

export interface KeyRangeOptions {
  keyField: string;
  filter?: string;
  select?: readonly string[];
  pageSize?: number;
  after?: string | number;
  caseInsensitive?: boolean;
}

/**
 * Key-range pages; `read(query, size)` fetches one page of rows, `keyOf` reads a row's key (the
 * next page starts after the last row's). `after` resumes after a known key.
 */
export async function* keyRangePages<R>(
  o: KeyRangeOptions,
  size: number,
  read: (query: string, po: PageOptions) => Promise<R[]>,
  keyOf: (row: R) => unknown,
  ctx: B1ErrorContext,
): AsyncGenerator<R[]> {
  let after = o.after;
  const select = o.select && !o.select.includes(o.keyField) ? [...o.select, o.keyField] : o.select;
  for (;;) {
    const keyCond =
      after === undefined ? undefined : `${o.keyField} gt ${typeof after === 'number' ? String(after) : `'${after.replace(/'/g, "''")}'`}`;
    const filter = keyCond && o.filter ? `(${o.filter}) and ${keyCond}` : (keyCond ?? o.filter);
    const rows = await read(
      buildQueryString({ ...(select ? { select } : {}), ...(filter ? { filter } : {}), orderby: o.keyField, top: size }),
      {
        maxPageSize: size,
        ...(o.caseInsensitive ? { caseInsensitive: true } : {}),
      },
    );
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < size) return;
    const last = keyOf(rows[rows.length - 1] as R);
    if (typeof last !== 'string' && typeof last !== 'number')
      throw new B1ProtocolError(`key ${o.keyField} missing in page`, { context: ctx });
    after = last;
  }
}

/** Every raw row of a query, following nextLink to the end. */
export async function listRows(
  send: Send,
  path: string,
  q: ODataQuery,
  po: PageOptions,
  maxPageSize: number,
): Promise<Array<Record<string, unknown>>> {
  const ctx = { entity: path };
  const read = (link: string) => readRowsPage(send, link, undefined, po, maxPageSize, ctx);
  const out: Array<Record<string, unknown>> = [];
  for await (const p of followNextLinks(await readRowsPage(send, path, buildQueryString(q) || undefined, po, maxPageSize, ctx), read, ctx))
    out.push(...p.value);
  return out;
}
