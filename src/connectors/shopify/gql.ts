import { Kind, parse, print, type FragmentDefinitionNode, type SelectionNode, type SelectionSetNode } from 'graphql';
import type { Operations } from './generated/operations';

/**
 * Every GraphQL document the hub sends is declared with this tag, so one test can find them
 * all (test/shopify/documents.test.ts) and validate them against Shopify's real 2026-07 schema.
 * Fragment documents are interpolated (Apollo style) and appended once to the operation text.
 */
export interface GqlDocument<TResult = unknown, TVariables = Record<string, unknown>> {
  /** Operation or fragment name, used in logs and error messages. */
  readonly name: string;
  /** Full text, fragments included. */
  readonly text: string;
  readonly kind: 'query' | 'mutation' | 'fragment';
  /** Fragments this document spreads directly. */
  readonly fragments: readonly GqlDocument<unknown, unknown>[];
  /**
   * Types only, never set: what the operation returns and takes (generated/operations.ts), so
   * ShopifyExecutor.call types its answer from the document instead of a hand-written shape.
   */
  readonly __types?: { result: TResult; variables: TVariables };
}

/** The generated result type of a typed document (gql<'Name'>). */
export type ResultOf<D> = D extends GqlDocument<infer R, unknown> ? R : never;
/** The generated variables type of a typed document. */
export type VariablesOf<D> = D extends GqlDocument<unknown, infer V> ? V : never;
/** The document of operation `N`, typed from generated/operations.ts. */
export type TypedDocument<N extends keyof Operations> = GqlDocument<Operations[N]['result'], Operations[N]['variables']>;

const registry: GqlDocument[] = [];

/**
 * `gql<'ShopInfo'>\`query ShopInfo …\`` is typed by the generated types of operation ShopInfo (run
 * `npm run codegen` after changing a document; test/shopify/codegen.test.ts checks that every
 * operation names itself); fragments are untyped (`gql\`fragment …\``), their generated
 * `…Fragment` types are imported where a parser needs them.
 */
export function gql(strings: TemplateStringsArray, ...fragments: GqlDocument<unknown, unknown>[]): GqlDocument;
export function gql<N extends keyof Operations>(
  strings: TemplateStringsArray,
  ...fragments: GqlDocument<unknown, unknown>[]
): TypedDocument<N>;
export function gql(strings: TemplateStringsArray, ...fragments: GqlDocument<unknown, unknown>[]): GqlDocument {
  let body = strings[0] ?? '';
  const deps: GqlDocument<unknown, unknown>[] = [];
  fragments.forEach((f, i) => {
    if (f.kind !== 'fragment') throw new Error(`gql: only fragments may be interpolated, got ${f.kind} ${f.name}`);
    if (!deps.includes(f)) deps.push(f);
    body += strings[i + 1] ?? '';
  });
  const head = /^\s*(query|mutation|fragment)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(body);
  if (!head) throw new Error('gql: every document must start with a named query, mutation or fragment');
  const kind = head[1] as GqlDocument['kind'];
  const seen = new Set<string>();
  const fragmentText: string[] = [];
  const addFragment = (f: GqlDocument<unknown, unknown>): void => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    fragmentText.push(f.text);
    for (const d of f.fragments) addFragment(d);
  };
  if (kind !== 'fragment') for (const f of deps) addFragment(f);
  const text = kind === 'fragment' ? body.trim() : [body.trim(), ...fragmentText].join('\n');
  const doc: GqlDocument = { name: head[2] as string, text: dedupeFragments(text), kind, fragments: deps };
  registry.push(doc);
  return doc;
}

/** A fragment included by two others must appear once in the final document. */
function dedupeFragments(text: string): string {
  const parts = text.split(/\n(?=fragment\s)/);
  const seen = new Set<string>();
  return parts
    .filter((p) => {
      const m = /^fragment\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(p);
      if (!m) return true;
      if (seen.has(m[1] as string)) return false;
      seen.add(m[1] as string);
      return true;
    })
    .join('\n');
}

export function registeredDocuments(): readonly GqlDocument[] {
  return registry;
}

/**
 * The plain-query form of an operation for bulkOperationRunQuery: every fragment spread replaced
 * by the fragment's fields, the fragment definitions dropped. A bulk export is written against
 * the same fragments as the per-request reads (so both deliver the same fields) while Shopify
 * gets one self-contained query. The operation registered by the gql tag (with its fragments) is the one
 * the schema test validates; inlining changes no field.
 */
export function bulkQuery<R, V>(doc: GqlDocument<R, V>): GqlDocument<R, V> {
  if (doc.kind !== 'query') throw new Error(`bulkQuery: ${doc.name} is not a query`);
  const ast = parse(doc.text);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of ast.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const inline = (set: SelectionSetNode): SelectionSetNode => ({
    ...set,
    selections: set.selections.flatMap((s): SelectionNode[] => {
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        if (!f) throw new Error(`bulkQuery: ${doc.name} spreads unknown fragment ${s.name.value}`);
        return [...inline(f.selectionSet).selections];
      }
      return s.selectionSet ? [{ ...s, selectionSet: inline(s.selectionSet) } as SelectionNode] : [s];
    }),
  });
  const operations = ast.definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION ? [{ ...d, selectionSet: inline(d.selectionSet) }] : [],
  );
  return { name: doc.name, text: print({ ...ast, definitions: operations }), kind: 'query', fragments: [] };
}
