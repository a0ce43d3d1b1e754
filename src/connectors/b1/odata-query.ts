/**
 * OData query building for the Service Layer's $filter subset, with correct literal quoting.
 */
export interface ODataQuery {
  select?: readonly string[];
  filter?: string;
  orderby?: string | readonly string[];
  top?: number;
  skip?: number;
  /** v1 `$inlinecount=allpages`. */
  inlineCount?: boolean;
}

/** String literal with OData quote escaping (`'` → `''`). */
export function str(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/** Literal for any scalar: strings quoted, numbers bare, null as null. */
export function lit(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot use ${v} in $filter`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return str(v);
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
function field(f: string): string {
  if (!FIELD.test(f)) throw new Error(`invalid field name '${f}'`);
  return f;
}

export const f = {
  eq: (name: string, v: string | number | null) => `${field(name)} eq ${lit(v)}`,
  ne: (name: string, v: string | number | null) => `${field(name)} ne ${lit(v)}`,
  gt: (name: string, v: string | number) => `${field(name)} gt ${lit(v)}`,
  ge: (name: string, v: string | number) => `${field(name)} ge ${lit(v)}`,
  lt: (name: string, v: string | number) => `${field(name)} lt ${lit(v)}`,
  le: (name: string, v: string | number) => `${field(name)} le ${lit(v)}`,
  startswith: (name: string, v: string) => `startswith(${field(name)},${str(v)})`,
  and: (...xs: Array<string | undefined | false>) => {
    const parts = xs.filter((x): x is string => typeof x === 'string' && x !== '');
    return parts.length <= 1 ? (parts[0] ?? '') : parts.map((p) => `(${p})`).join(' and ');
  },
  or: (...xs: Array<string | undefined | false>) => {
    const parts = xs.filter((x): x is string => typeof x === 'string' && x !== '');
    return parts.length <= 1 ? (parts[0] ?? '') : parts.map((p) => `(${p})`).join(' or ');
  },
  /** `field eq v1 or field eq v2 …` (the Service Layer has no `in`). */
  anyOf: (name: string, vs: ReadonlyArray<string | number>) => vs.map((v) => `${field(name)} eq ${lit(v)}`).join(' or '),
};

/** Encodes one query option value; keeps OData punctuation readable but safe in a URL. */
function enc(v: string): string {
  return encodeURIComponent(v).replace(/%2C/g, ',').replace(/%24/g, '$').replace(/%3A/g, ':').replace(/%2F/g, '/');
}

export function buildQueryString(q: ODataQuery): string {
  const parts: string[] = [];
  if (q.select && q.select.length > 0) parts.push(`$select=${enc(q.select.map(field).join(','))}`);
  if (q.filter) parts.push(`$filter=${enc(q.filter)}`);
  if (q.orderby && q.orderby.length > 0) parts.push(`$orderby=${enc(typeof q.orderby === 'string' ? q.orderby : q.orderby.join(','))}`);
  if (q.top !== undefined) parts.push(`$top=${Math.trunc(q.top)}`);
  if (q.skip !== undefined) parts.push(`$skip=${Math.trunc(q.skip)}`);
  if (q.inlineCount) parts.push('$inlinecount=allpages');
  return parts.join('&');
}

/** Key segment: `('A1')` for strings, `(22)` for numbers. */
export function keySegment(key: string | number): string {
  return typeof key === 'number' ? `(${key})` : `(${encodeURIComponent(str(key)).replace(/%27/g, "'")})`;
}
