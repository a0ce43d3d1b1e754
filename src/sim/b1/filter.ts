/**
 * The `$filter` subset the Service Layer supports (reference §4): eq ne gt ge lt le, and or not,
 * parentheses, startswith/endswith/contains/substringof, null, date and time literal forms. Time
 * fields compare hour and minute only; dates ignore any time part.
 */
import { parseDateLiteral, parseTimeLiteral } from './clock';
import { SlError } from './errors';
import { enumName } from './model';

export interface FieldInfo {
  edm: string;
  get(rec: Record<string, unknown>): unknown;
}
export type FieldResolver = (path: string) => FieldInfo | undefined;
export type Predicate = (rec: Record<string, unknown>) => boolean;

type Tok =
  | { t: 'id'; v: string }
  | { t: 'str'; v: string; prefix?: string }
  | { t: 'num'; v: number }
  | { t: 'op'; v: string }
  | { t: '(' }
  | { t: ')' }
  | { t: ',' };

const bad = (msg: string): SlError => new SlError(400, -1000, msg);

function readString(s: string, start: number): { v: string; end: number } {
  let v = '';
  let i = start + 1;
  for (;;) {
    if (i >= s.length) throw bad('Invalid $filter: unterminated string literal');
    if (s[i] === "'") {
      if (s[i + 1] === "'") {
        v += "'";
        i += 2;
        continue;
      }
      return { v, end: i + 1 };
    }
    v += s[i++];
  }
}

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push(c === ',' ? { t: ',' } : { t: c });
      i++;
    } else if (c === "'") {
      const r = readString(s, i);
      out.push({ t: 'str', v: r.v });
      i = r.end;
    } else if (/\d/.test(c) || (c === '-' && /\d/.test(s[i + 1] ?? ''))) {
      // A one-digit number before a space (`DocEntry eq 1 and …`) is a number too.
      const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?[dDmMlLfF]?/.exec(s.slice(i))!;
      out.push({ t: 'num', v: parseFloat(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][\w.$]*(\/[A-Za-z_][\w]*)*/.exec(s.slice(i))!;
      i += m[0].length;
      // typed literals: datetime'…', time'…', SAPB1.BoYesNoEnum'tYES'
      if (s[i] === "'") {
        const r = readString(s, i);
        out.push({ t: 'str', v: r.v, prefix: m[0] });
        i = r.end;
        continue;
      }
      const lower = m[0];
      if (['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not'].includes(lower)) out.push({ t: 'op', v: lower });
      else out.push({ t: 'id', v: m[0] });
    } else {
      throw bad(`Invalid $filter: unexpected character '${c}'`);
    }
  }
  return out;
}

type Node =
  | { k: 'bin'; op: 'and' | 'or'; l: Node; r: Node }
  | { k: 'not'; e: Node }
  | { k: 'cmp'; op: string; l: Operand; r: Operand }
  | { k: 'fn'; name: string; args: Operand[] }
  | { k: 'bool'; e: Operand };
type Operand = { k: 'field'; path: string } | { k: 'lit'; v: unknown; prefix?: string } | { k: 'fnv'; node: Node };

class Parser {
  private i = 0;
  constructor(private toks: Tok[]) {}
  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw bad('Invalid $filter: unexpected end of expression');
    return t;
  }
  parse(): Node {
    const n = this.or();
    if (this.i !== this.toks.length) throw bad('Invalid $filter: unexpected token');
    return n;
  }
  private or(): Node {
    let l = this.and();
    for (let t = this.peek(); t?.t === 'op' && t.v === 'or'; t = this.peek()) {
      this.i++;
      l = { k: 'bin', op: 'or', l, r: this.and() };
    }
    return l;
  }
  private and(): Node {
    let l = this.unary();
    for (let t = this.peek(); t?.t === 'op' && t.v === 'and'; t = this.peek()) {
      this.i++;
      l = { k: 'bin', op: 'and', l, r: this.unary() };
    }
    return l;
  }
  private unary(): Node {
    const t = this.peek();
    if (t?.t === 'op' && t.v === 'not') {
      this.i++;
      return { k: 'not', e: this.unary() };
    }
    return this.comparison();
  }
  private comparison(): Node {
    const t = this.peek();
    if (t?.t === '(') {
      this.i++;
      const e = this.or();
      if (this.next().t !== ')') throw bad('Invalid $filter: missing )');
      return this.maybeCmp({ k: 'fnv', node: e });
    }
    const l = this.operand();
    return this.maybeCmp(l);
  }
  private maybeCmp(l: Operand): Node {
    const t = this.peek();
    if (t?.t === 'op' && ['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(t.v)) {
      this.i++;
      return { k: 'cmp', op: t.v, l, r: this.operand() };
    }
    if (l.k === 'fnv') return l.node;
    return { k: 'bool', e: l };
  }
  private operand(): Operand {
    const t = this.next();
    if (t.t === 'str') return { k: 'lit', v: t.v, ...(t.prefix ? { prefix: t.prefix } : {}) };
    if (t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t === 'id') {
      if (t.v === 'null') return { k: 'lit', v: null };
      if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
      if (this.peek()?.t === '(') {
        const name = t.v;
        if (!['startswith', 'endswith', 'contains', 'substringof'].includes(name)) {
          throw bad(`Invalid $filter: function '${name}' is not supported`);
        }
        this.i++;
        const args: Operand[] = [this.operand()];
        while (this.peek()?.t === ',') {
          this.i++;
          args.push(this.operand());
        }
        if (this.next().t !== ')') throw bad('Invalid $filter: missing )');
        return { k: 'fnv', node: { k: 'fn', name, args } };
      }
      return { k: 'field', path: t.v };
    }
    if (t.t === '(') {
      const e = this.or();
      if (this.next().t !== ')') throw bad('Invalid $filter: missing )');
      return { k: 'fnv', node: e };
    }
    throw bad('Invalid $filter: operand expected');
  }
}

interface Ctx {
  resolve: FieldResolver;
  caseInsensitive: boolean;
}

/** Literal → comparable value in the field's domain. */
function literalFor(edm: string | undefined, lit: { v: unknown; prefix?: string }): unknown {
  const v = lit.v;
  if (v === null || edm === undefined) return v;
  if (edm === 'Edm.DateTime') {
    const d = typeof v === 'string' ? parseDateLiteral(v) : null;
    if (!d) throw bad(`Invalid date literal '${String(v)}'`);
    return d;
  }
  if (edm === 'Edm.Time') {
    const t = typeof v === 'string' ? parseTimeLiteral(v) : null;
    if (!t) throw bad(`Invalid time literal '${String(v)}'`);
    return t.slice(0, 5);
  }
  if (edm.startsWith('SAPB1.')) {
    const n = enumName(edm.slice(6), v);
    if (n === undefined) throw bad(`Enumeration value '${String(v)}' is invalid`);
    return n;
  }
  if (edm === 'Edm.Int32' || edm === 'Edm.Double') {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n)) throw bad(`Invalid numeric literal '${String(v)}'`);
    return n;
  }
  return v;
}

function fieldValue(edm: string, raw: unknown): unknown {
  if (raw === undefined) return null;
  if (edm === 'Edm.Time' && typeof raw === 'string') return raw.slice(0, 5);
  return raw;
}

function compileOperand(o: Operand, ctx: Ctx, other?: Operand): { edm?: string; get: (r: Record<string, unknown>) => unknown } {
  if (o.k === 'field') {
    if (o.path.includes('/')) {
      throw bad(`Property '${o.path}' cannot be used in $filter; collection members need $crossjoin`);
    }
    const f = ctx.resolve(o.path);
    if (!f) throw bad(`Invalid property '${o.path}' in $filter`);
    return { edm: f.edm, get: (r) => fieldValue(f.edm, f.get(r)) };
  }
  if (o.k === 'lit') {
    let edm: string | undefined;
    if (other?.k === 'field') edm = ctx.resolve(other.path)?.edm;
    const v = literalFor(edm, o);
    return { get: () => v };
  }
  const p = compileNode(o.node, ctx);
  return { edm: 'Edm.Boolean', get: (r) => p(r) };
}

function norm(v: unknown, ci: boolean): unknown {
  return ci && typeof v === 'string' ? v.toLowerCase() : v;
}

function compileNode(n: Node, ctx: Ctx): Predicate {
  switch (n.k) {
    case 'bin': {
      const l = compileNode(n.l, ctx);
      const r = compileNode(n.r, ctx);
      return n.op === 'and' ? (x) => l(x) && r(x) : (x) => l(x) || r(x);
    }
    case 'not': {
      const e = compileNode(n.e, ctx);
      return (x) => !e(x);
    }
    case 'bool': {
      const e = compileOperand(n.e, ctx);
      return (x) => e.get(x) === true || e.get(x) === 'tYES';
    }
    case 'fn': {
      const args = n.args.map((a, i) => compileOperand(a, ctx, n.args[i === 0 ? 1 : 0]));
      if (args.length !== 2) throw bad(`Invalid $filter: ${n.name} takes two arguments`);
      const [a, b] = n.name === 'substringof' ? [args[1]!, args[0]!] : [args[0]!, args[1]!];
      const ci = ctx.caseInsensitive;
      const test =
        n.name === 'startswith'
          ? (s: string, t: string) => s.startsWith(t)
          : n.name === 'endswith'
            ? (s: string, t: string) => s.endsWith(t)
            : (s: string, t: string) => s.includes(t);
      return (x) => {
        const s = norm(a.get(x), ci);
        const t = norm(b.get(x), ci);
        return typeof s === 'string' && typeof t === 'string' && test(s, t);
      };
    }
    case 'cmp': {
      const l = compileOperand(n.l, ctx, n.r);
      const r = compileOperand(n.r, ctx, n.l);
      const ci = ctx.caseInsensitive;
      const op = n.op;
      return (x) => {
        const a = norm(l.get(x), ci);
        const b = norm(r.get(x), ci);
        if (op === 'eq') return a === b || (a == null && b == null);
        if (op === 'ne') return !(a === b || (a == null && b == null));
        if (a == null || b == null) return false;
        const c = (a as number | string) < (b as number | string) ? -1 : (a as number | string) > (b as number | string) ? 1 : 0;
        return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
      };
    }
  }
}

export function compileFilter(expr: string, resolve: FieldResolver, caseInsensitive = false): Predicate {
  const node = new Parser(tokenize(expr)).parse();
  return compileNode(node, { resolve, caseInsensitive });
}

/**
 * Lower bound on `field` implied by a top-level conjunct `field gt|ge <literal>` (key-range paging),
 * so a key-ordered scan can start there instead of at the first key.
 */
export function keyLowerBound(expr: string, field: string): { value: string | number; inclusive: boolean } | undefined {
  let node: Node;
  try {
    node = new Parser(tokenize(expr)).parse();
  } catch {
    return undefined;
  }
  const conjuncts: Node[] = [];
  const walk = (n: Node): void => {
    if (n.k === 'bin' && n.op === 'and') {
      walk(n.l);
      walk(n.r);
    } else conjuncts.push(n);
  };
  walk(node);
  let best: { value: string | number; inclusive: boolean } | undefined;
  for (const c of conjuncts) {
    if (c.k !== 'cmp' || (c.op !== 'gt' && c.op !== 'ge')) continue;
    if (c.l.k !== 'field' || c.l.path !== field || c.r.k !== 'lit') continue;
    const v = c.r.v;
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    if (!best || v > best.value) best = { value: v, inclusive: c.op === 'ge' };
  }
  return best;
}
