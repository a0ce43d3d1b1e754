/**
 * A hub worker process for the chaos suite: the production workflows, activities and connector
 * clients, pointed at the fault proxies, so the driver can SIGKILL it mid-run and start another.
 *
 * It differs from test/support/worker-main.ts in one respect: the clients' per-request timeouts
 * come from CHAOS_B1_TIMEOUT_MS / CHAOS_SHOPIFY_TIMEOUT_MS (production defaults: 120 s and 30 s),
 * so a slow commit that outlasts the client's timeout fits in a two-minute run. Everything else
 * comes from the environment like the test worker: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TASK_QUEUE, B1_URL, SHOPIFY_URL, SHOPIFY_SHOP, HUB_MAPPING.
 */
import { NativeConnection } from '@temporalio/worker';
import { embeddedHubConfig, DEMO_SECRETS } from '../../config/hub-config';
import { parseMappingConfig } from '../../mapping/config';
import { createPipelineDeps } from '../../pipelines/deps';
import { PIPELINES } from '../../pipelines/registry';
import { Client } from '@temporalio/client';
import { createHubActivities } from '../../activities/hub-activities';
import { hubDataConverter } from '../../temporal/data-converter';
import { createHubWorker } from '../../hub/worker';
import { B1Client } from '../../connectors/b1/client';
import { ShopifyClient } from '../../connectors/shopify/client';
import { Secret } from '../../connectors/shopify/secret';
import type { PipelineDeps } from '../../pipelines/contract';

async function main(): Promise<void> {
  // The driver holds our stdin: when it dies (even by SIGKILL) the pipe closes and so do we, so
  // no worker outlives a chaos run.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  const need = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set`);
    return v;
  };
  const b1TimeoutMs = Number(process.env.CHAOS_B1_TIMEOUT_MS ?? 120_000);
  const shopifyTimeoutMs = Number(process.env.CHAOS_SHOPIFY_TIMEOUT_MS ?? 30_000);
  const config = embeddedHubConfig({ b1BaseUrl: need('B1_URL'), shopifyEndpoint: need('SHOPIFY_URL'), shop: need('SHOPIFY_SHOP') });
  config.mapping = parseMappingConfig(JSON.parse(need('HUB_MAPPING')));
  const base = createPipelineDeps(config, DEMO_SECRETS);
  // The same clients createPipelineDeps builds, with the chaos run's timeouts.
  const deps: PipelineDeps = {
    ...base,
    b1: new B1Client({
      baseUrl: config.b1.baseUrl,
      companyDb: config.b1.companyDb,
      userName: config.b1.userName,
      password: DEMO_SECRETS.b1Password,
      maxPageSize: config.b1.pageSize,
      timeoutMs: b1TimeoutMs,
      batchTimeoutMs: b1TimeoutMs,
      // The in-doubt window, shortened with the client timeouts so the clean run can show that an
      // order held in doubt is taken over and created, not only that it waits (production: 15 min).
      ...(process.env.CHAOS_RESERVATION_STALE_MS ? { reservations: { staleAfterMs: Number(process.env.CHAOS_RESERVATION_STALE_MS) } } : {}),
    }),
    shopify: new ShopifyClient({
      shop: config.shopify.shop,
      endpoint: config.shopify.endpoint,
      apiVersion: config.shopify.apiVersion,
      auth: { kind: 'accessToken', accessToken: new Secret(DEMO_SECRETS.shopifyAccessToken ?? '') },
      requestTimeoutMs: shopifyTimeoutMs,
    }),
  };
  const connection = await NativeConnection.connect({ address: need('TEMPORAL_ADDRESS') });
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  // As in production: the log step writes the open-error ledger, and every run retries it first.
  const client = new Client({ connection, namespace, dataConverter: hubDataConverter });
  const worker = await createHubWorker({
    connection,
    namespace,
    taskQueue: need('TASK_QUEUE'),
    activities: createHubActivities({ deps, pipelines: PIPELINES, client }),
    ...(process.env.WORKER_IDENTITY ? { identity: process.env.WORKER_IDENTITY } : {}),
  });
  process.stdout.write('worker ready\n');
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
