import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, validate } from 'graphql';
import { ensureSchema } from './helpers';
import { loadShopifySchema } from '../../src/sim/shopify/schema';

const SRC = resolve(__dirname, '../../src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every GraphQL document in src/ validates against the real 2026-07 Admin schema', async () => {
  ensureSchema();
  const schema = loadShopifySchema('2026-07');
  // gql`…` (fragments) and gql<'Name'>`…` (operations typed by their generated types)
  const literal = /\bgql(?:<'\w+'>)?`/g;
  const files = tsFiles(SRC).filter((f) => new RegExp(literal.source).test(readFileSync(f, 'utf8')));
  assert.ok(files.length > 0, 'no gql documents found in src/');
  let tagged = 0;
  for (const f of files) {
    tagged += (readFileSync(f, 'utf8').match(literal) ?? []).length;
    await import(f);
  }
  const { registeredDocuments } = await import('../../src/connectors/shopify/gql');
  const docs = registeredDocuments();
  // Each tagged literal registers exactly one document: none escapes validation.
  assert.equal(docs.length, tagged, `registry holds ${docs.length} documents, source has ${tagged} gql literals`);
  const operations = docs.filter((d) => d.kind !== 'fragment');
  assert.ok(operations.length >= 20, `expected the hub's operations, found ${operations.length}`);
  const failures: string[] = [];
  for (const d of operations) {
    const errs = validate(schema, parse(d.text));
    if (errs.length) failures.push(`${d.name}: ${errs.map((e) => e.message).join('; ')}`);
  }
  assert.deepEqual(failures, []);
  const used = new Set(operations.flatMap((o) => [...o.text.matchAll(/fragment\s+(\w+)/g)].map((m) => m[1])));
  const unused = docs.filter((d) => d.kind === 'fragment' && !used.has(d.name)).map((d) => d.name);
  assert.deepEqual(unused, [], 'fragments not used by any operation are never validated');
});

test('a document the real schema rejects is caught (the check is not vacuous)', () => {
  ensureSchema();
  const schema = loadShopifySchema('2026-07');
  const errs = validate(schema, parse('query X { customers(first: 1) { nodes { id addresses(first: 1) { city } emailz } } }'));
  assert.ok(errs.some((e) => /emailz/.test(e.message)));
});
