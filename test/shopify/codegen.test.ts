import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureSchema } from './helpers';
import { GENERATED_FILE, generateOperationTypes, loadDocuments, loadSchema } from '../../src/connectors/shopify/codegen';

/** Line number and both lines where two texts first differ (a whole-file diff would drown the report). */
function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i])
      return `line ${i + 1}:\n  generated: ${(la[i] ?? '<end>').slice(0, 300)}\n  committed: ${(lb[i] ?? '<end>').slice(0, 300)}`;
  }
  return 'no difference';
}

test('generated/operations.ts is exactly what npm run codegen makes of the documents and the schema', async () => {
  ensureSchema();
  const schema = loadSchema();
  const docs = await loadDocuments();
  const fresh = await generateOperationTypes(docs, schema);
  const committed = readFileSync(GENERATED_FILE, 'utf8');
  assert.ok(
    fresh === committed,
    `src/connectors/shopify/generated/operations.ts is stale: run npm run codegen and commit it (${firstDifference(fresh, committed)})`,
  );

  // Not vacuous: one more field in one document changes the output.
  const changed = docs.map((d) =>
    d.name === 'ShopInfo' ? { ...d, text: d.text.replace('myshopifyDomain', 'myshopifyDomain\n    id') } : d,
  );
  assert.notEqual(changed.find((d) => d.name === 'ShopInfo')?.text, docs.find((d) => d.name === 'ShopInfo')?.text);
  const other = await generateOperationTypes(changed, schema);
  assert.match(firstDifference(other, fresh), /ShopInfoQuery = \{ shop: \{ name: string, myshopifyDomain: string, id: string/);
});

test("every operation is typed by its own name (gql<'Name'>`query Name …`)", () => {
  const dir = dirname(GENERATED_FILE).replace(/[/\\]generated$/, '');
  const wrong: string[] = [];
  let typed = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/\bgql(?:<'([A-Za-z_]\w*)'>)?`\s*(query|mutation|fragment)\s+([A-Za-z_]\w*)/g)) {
      const [, typeName, kind, name] = m;
      if (kind === 'fragment') {
        if (typeName) wrong.push(`${f}: fragment ${name} is typed as ${typeName}`);
      } else if (typeName !== name) {
        wrong.push(`${f}: ${kind} ${name} is typed as ${typeName ?? '(untyped)'}`);
      } else typed++;
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(typed >= 40, `expected the hub's operations, found ${typed}`);
});
