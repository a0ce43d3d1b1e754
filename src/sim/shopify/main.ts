import { readFileSync } from 'node:fs';
import { startShopifySimulator } from './server';
import type { PlanName } from './bucket';
import { parseLatency } from '../latency';

/**
 * Standalone simulator: `tsx src/sim/shopify/main.ts --port 8081 [--host 127.0.0.1]
 * [--token shpat_demo] [--plan standard] [--state-file f.json] [--tls-key k.pem --tls-cert c.pem]
 * [--skus A00001,A00002 --customers 20 --orders 30 --seed 42 --bad-customers 0] [--empty]
 * [--latency zero|realistic[,shopify.queryMs=250…]]`.
 * Client credentials come from SHOPIFY_SIM_CLIENT_ID / SHOPIFY_SIM_CLIENT_SECRET.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const key = arg('tls-key');
  const cert = arg('tls-cert');
  const sim = await startShopifySimulator({
    port: Number(arg('port') ?? 8081),
    host: arg('host') ?? '127.0.0.1',
    accessToken: arg('token') ?? process.env.SHOPIFY_SIM_ACCESS_TOKEN,
    clientId: process.env.SHOPIFY_SIM_CLIENT_ID,
    clientSecret: process.env.SHOPIFY_SIM_CLIENT_SECRET,
    plan: (arg('plan') as PlanName | undefined) ?? 'standard',
    stateFile: arg('state-file'),
    seed: process.argv.includes('--empty')
      ? false
      : arg('skus')
        ? {
            skus: (arg('skus') as string)
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean),
            customers: Number(arg('customers') ?? 20),
            orders: Number(arg('orders') ?? 30),
            seed: Number(arg('seed') ?? 42),
            badCustomers: Number(arg('bad-customers') ?? 0),
          }
        : undefined,
    tls: key && cert ? { key: readFileSync(key), cert: readFileSync(cert) } : undefined,
    ...(arg('latency') ? { latency: parseLatency(arg('latency') as string).shopify } : {}),
  });
  console.log(`Shopify simulator listening over ${sim.protocol} at ${sim.graphqlUrl} (shop ${sim.shopDomain})`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`Shopify simulator failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
