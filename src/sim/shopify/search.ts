/**
 * The subset of Shopify's search syntax the hub relies on: `field:value` terms (implicit AND),
 * `AND`/`OR`/`NOT`/`-`, parentheses, quoted values ('…' or "…"), range comparators
 * (:>, :>=, :<, :<=) and a trailing `*` prefix wildcard. Unknown fields match nothing, which
 * is how Shopify treats a filter it cannot apply to a resource.
 */
export type SearchValue = string | number | boolean | null | undefined | (string | number | null)[];
export type FieldGetter<T> = (rec: T) => SearchValue;

type Node =
  | { kind: 'and' | 'or'; items: Node[] }
  | { kind: 'not'; item: Node }
  | { kind: 'term'; field: string | null; op: ':' | '>' | '>=' | '<' | '<='; value: string };

function tokenize(q: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
      continue;
    }
    let tok = '';
    while (i < q.length && !/\s/.test(q[i] as string) && q[i] !== ')' && !(q[i] === '(' && tok === '')) {
      const ch = q[i] as string;
      if (ch === "'" || ch === '"') {
        let j = i + 1;
        while (j < q.length && q[j] !== ch) j += q[j] === '\\' ? 2 : 1;
        tok += q.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (ch === '\\' && i + 1 < q.length) {
        tok += q.slice(i, i + 2);
        i += 2;
        continue;
      }
      tok += ch;
      i++;
    }
    tokens.push(tok);
  }
  return tokens;
}

function unquote(v: string): string {
  const quoted = v.length >= 2 && (v.startsWith("'") || v.startsWith('"')) && v.endsWith(v[0] as string);
  return (quoted ? v.slice(1, -1) : v).replace(/\\(.)/g, '$1');
}

function parseTerm(tok: string): Node {
  const m = /^([A-Za-z_][A-Za-z0-9_.]*):(>=|<=|>|<)?(.*)$/s.exec(tok);
  if (!m) return { kind: 'term', field: null, op: ':', value: unquote(tok) };
  return {
    kind: 'term',
    field: (m[1] as string).toLowerCase(),
    op: (m[2] as '>' | '>=' | '<' | '<=' | undefined) ?? ':',
    value: unquote(m[3] ?? ''),
  };
}

export function parseSearch(q: string): Node {
  const tokens = tokenize(q);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const orExpr = (): Node => {
    const items = [andExpr()];
    while (peek() === 'OR') {
      pos++;
      items.push(andExpr());
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'or', items };
  };
  const andExpr = (): Node => {
    const items: Node[] = [];
    for (;;) {
      const t = peek();
      if (t === undefined || t === ')' || t === 'OR') break;
      if (t === 'AND') {
        pos++;
        continue;
      }
      items.push(unary());
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'and', items };
  };
  const unary = (): Node => {
    const t = peek() as string;
    if (t === 'NOT') {
      pos++;
      return { kind: 'not', item: unary() };
    }
    if (t === '(') {
      pos++;
      const inner = orExpr();
      if (peek() === ')') pos++;
      return inner;
    }
    pos++;
    if (t.startsWith('-') && t.length > 1) return { kind: 'not', item: parseTerm(t.slice(1)) };
    return parseTerm(t);
  };
  const root = orExpr();
  return root;
}

/** The range operators; undefined for ':' (equality is type-specific). */
function ordered(a: number, op: string, b: number): boolean | undefined {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    default:
      return undefined;
  }
}

function compare(actual: string | number | boolean, op: string, raw: string): boolean {
  if (typeof actual === 'boolean') return op === ':' && String(actual) === raw.toLowerCase();
  if (typeof actual === 'number') {
    const n = Number(raw);
    if (Number.isNaN(n)) return false;
    return ordered(actual, op, n) ?? actual === n;
  }
  // Dates compare as instants; other strings case-insensitively.
  const asDate = /^\d{4}-\d{2}-\d{2}/.test(actual) && /^\d{4}-\d{2}-\d{2}/.test(raw);
  if (asDate) {
    const a = Date.parse(actual);
    const b = Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw);
    if (Number.isNaN(b)) return false;
    return ordered(a, op, b) ?? (raw.length === 10 ? actual.startsWith(raw) : a === b);
  }
  const a = actual.toLowerCase();
  const b = raw.toLowerCase();
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    default:
      return b.endsWith('*') ? a.startsWith(b.slice(0, -1)) : a === b;
  }
}

function matchValue(v: SearchValue, op: string, raw: string): boolean {
  if (v === null || v === undefined) return false;
  if (Array.isArray(v)) return v.some((x) => x !== null && compare(x, op, raw));
  return compare(v, op, raw);
}

export function compileSearch<T>(
  q: string | null | undefined,
  fields: Record<string, FieldGetter<T>>,
  freeText?: (rec: T) => string[],
): (rec: T) => boolean {
  if (!q || !q.trim()) return () => true;
  const root = parseSearch(q);
  const evalNode = (n: Node, rec: T): boolean => {
    switch (n.kind) {
      case 'and':
        return n.items.every((i) => evalNode(i, rec));
      case 'or':
        return n.items.some((i) => evalNode(i, rec));
      case 'not':
        return !evalNode(n.item, rec);
      case 'term': {
        if (n.field === null) {
          const needle = n.value.toLowerCase().replace(/\*$/, '');
          return (freeText?.(rec) ?? []).some((s) => s.toLowerCase().includes(needle));
        }
        const getter = fields[n.field];
        if (!getter) return false;
        if (n.value === '*') return getter(rec) != null;
        return matchValue(getter(rec), n.op, n.value);
      }
    }
  };
  return (rec: T) => evalNode(root, rec);
}
