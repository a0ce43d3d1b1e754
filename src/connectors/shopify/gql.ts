/**
 * Every GraphQL document the hub sends is declared with this tag, so one test can find them
 * all (test/shopify/documents.test.ts) and validate them against Shopify's real 2026-07 schema.
 * Fragment documents are interpolated (Apollo style) and appended once to the operation text.
 */
export interface GqlDocument {
  /** Operation or fragment name, used in logs and error messages. */
  readonly name: string;
  /** Full text, fragments included. */
  readonly text: string;
  readonly kind: 'query' | 'mutation' | 'fragment';
  /** Fragments this document spreads directly. */
  readonly fragments: readonly GqlDocument[];
}

const registry: GqlDocument[] = [];

export function gql(strings: TemplateStringsArray, ...fragments: GqlDocument[]): GqlDocument {
  let body = strings[0] ?? '';
  const deps: GqlDocument[] = [];
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
  const addFragment = (f: GqlDocument): void => {
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
