import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/** The Admin API version the hub is pinned to (ApiVersion.July26 in @shopify/shopify-api 13). */
export const SHOPIFY_SCHEMA_VERSION = '2026-07';

/** The repository root: nearest ancestor with a package.json (works from src/ and from dist/src/). */
function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(__dirname, '..', '..', '..');
    dir = up;
  }
}

export function shopifySchemaPath(version: string = SHOPIFY_SCHEMA_VERSION): string {
  return resolve(repoRoot(), '.cache', 'shopify', `admin_${version}.json.gz`);
}

export class ShopifySchemaMissingError extends Error {
  constructor(readonly path: string) {
    super(`Shopify Admin schema not found at ${path}; run scripts/provision-shopify-schema.sh (npm test does this in its pretest step)`);
    this.name = 'ShopifySchemaMissingError';
  }
}

const cache = new Map<string, GraphQLSchema>();

/**
 * Shopify's real Admin introspection result, turned into a GraphQLSchema. Building it takes
 * about a second for ~1 MB of gzip, so it is done once per process and version.
 */
export function loadShopifySchema(version: string = SHOPIFY_SCHEMA_VERSION): GraphQLSchema {
  const hit = cache.get(version);
  if (hit) return hit;
  const path = shopifySchemaPath(version);
  if (!existsSync(path)) throw new ShopifySchemaMissingError(path);
  const json = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
  const introspection = json.data ?? (json as IntrospectionQuery);
  const schema = buildClientSchema(introspection, { assumeValid: true });
  cache.set(version, schema);
  return schema;
}
