/**
 * A hub worker as its own process, for crash tests: a test starts it, SIGKILLs it in the middle
 * of a run, and starts another. Everything comes from the environment:
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE, B1_URL, SHOPIFY_URL, SHOPIFY_SHOP and
 * HUB_MAPPING (the JSON mapping config the test fixture derived), LEDGER_RETRIES; and
 * B1HUB_MEMORY_TRACE=<file> (the bench): where this process's memory is, one JSON line every 500 ms.
 */
import { NativeConnection } from '@temporalio/worker';
import { embeddedHubConfig, DEMO_SECRETS } from '../../src/config/hub-config';
import { parseMappingConfig } from '../../src/mapping/config';
import { createPipelineDeps } from '../../src/pipelines/deps';
import { PIPELINES } from '../../src/pipelines/registry';
import { createSyncActivities } from '../../src/activities/sync-activities';
import { createLedgerActivities, withLedger } from '../../src/activities/ledger-activities';
import { hubDataConverter } from '../../src/temporal/data-converter';
import { Client } from '@temporalio/client';
import { createHubWorker } from '../../src/hub/worker';
import { traceMemory } from './memory-trace';

async function main() {
  if (process.env.B1HUB_MEMORY_TRACE) traceMemory(process.env.B1HUB_MEMORY_TRACE);
  const need = (k: string) => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set`);
    return v;
  };
  const config = embeddedHubConfig({ b1BaseUrl: need('B1_URL'), shopifyEndpoint: need('SHOPIFY_URL'), shop: need('SHOPIFY_SHOP') });
  config.mapping = parseMappingConfig(JSON.parse(need('HUB_MAPPING')));
  const deps = createPipelineDeps(config, DEMO_SECRETS);
  const connection = await NativeConnection.connect({ address: need('TEMPORAL_ADDRESS') });
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const client = new Client({ connection, namespace, dataConverter: hubDataConverter });
  // As in the test fixture: the ledger is written; its retries only when the test asks (LEDGER_RETRIES).
  const activities = withLedger(createSyncActivities({ deps, pipelines: PIPELINES }), createLedgerActivities({ client }));
  const worker = await createHubWorker({
    connection,
    namespace,
    taskQueue: need('TASK_QUEUE'),
    activities: process.env.LEDGER_RETRIES ? activities : { ...activities, openErrorsDue: async (): Promise<string[]> => [] },
  });
  process.stdout.write('worker ready\n');
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
