import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { shopifySchemaPath } from '../../src/sim/shopify/schema';
import { startShopifySimulator, type ShopifySimulator, type ShopifySimulatorOptions } from '../../src/sim/shopify';
import { ShopifyClient, Secret, type ExecutorOptions, type Page, type ShopifyClientConfig } from '../../src/connectors/shopify';

/** Makes sure the real schema is there: provisions it locally, fails in CI (pretest must have done it). */
export function ensureSchema(): void {
  if (existsSync(shopifySchemaPath())) return;
  const inCi = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());
  if (inCi) throw new Error(`Shopify schema missing at ${shopifySchemaPath()} in CI: the pretest provisioning step did not run`);
  execFileSync('bash', [resolve(__dirname, '../../scripts/provision-shopify-schema.sh')], { stdio: 'inherit' });
}

let shopSeq = 0;

export async function startSim(opts: ShopifySimulatorOptions = {}): Promise<ShopifySimulator> {
  ensureSchema();
  return startShopifySimulator({ bulkStepMs: 5, ...opts });
}

/** A production client pointed at the simulator through the endpoint override (fresh shop domain per client). */
export function clientFor(sim: ShopifySimulator, cfg: Partial<ShopifyClientConfig> = {}, exec: ExecutorOptions = {}): ShopifyClient {
  shopSeq++;
  return new ShopifyClient(
    {
      shop: `test-${process.pid}-${shopSeq}.myshopify.com`,
      endpoint: sim.url,
      auth: { kind: 'accessToken', accessToken: new Secret(sim.accessToken) },
      ...cfg,
    },
    { baseBackoffMs: 20, maxBackoffMs: 2000, ...exec },
  );
}

/** Raw GraphQL POST, for asserting the simulator's wire format (the body is walked dynamically by assertions). */
export async function rawGraphQL(
  sim: ShopifySimulator,
  query: string,
  variables?: unknown,
  token: string | null = sim.accessToken,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['x-shopify-access-token'] = token;
  const res = await fetch(sim.graphqlUrl, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: await res.json() };
}

/** Every page of a paged read, following endCursor and keeping a page size the client shrank. */
export async function* pagesOf<T>(page: (after: string | null, first: number | undefined) => Promise<Page<T>>): AsyncGenerator<Page<T>> {
  let after: string | null = null;
  let first: number | undefined;
  for (;;) {
    const p = await page(after, first);
    yield p;
    if (!p.hasNextPage) return;
    after = p.endCursor;
    first = p.pageSize;
  }
}
