/**
 * A standalone webhook receiver process (run as many as needed behind a load balancer):
 *   node --import tsx src/webhooks/main.ts
 * Environment: SHOPIFY_WEBHOOK_SECRET (else SHOPIFY_CLIENT_SECRET), optional
 * SHOPIFY_WEBHOOK_SECRET_PREVIOUS; TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE
 * (default), B1HUB_TASK_QUEUE (b1-shopify-hub), WEBHOOK_PORT (8235), WEBHOOK_HOST (127.0.0.1),
 * WEBHOOK_PATH (/webhooks/shopify), SHOPIFY_SHOP (only this shop's deliveries, when set).
 */
import { Client, Connection } from '@temporalio/client';
import { hubDataConverter } from '../temporal/data-converter';
import { startWebhookReceiver, webhookSecretsFromEnv } from './receiver';

async function main(): Promise<void> {
  const env = process.env;
  const secrets = webhookSecretsFromEnv(env);
  // Lazy: the receiver starts (and answers 503) while Temporal is unreachable; Shopify retries.
  const connection = Connection.lazy({ address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: hubDataConverter });
  const rx = await startWebhookReceiver({
    client,
    taskQueue: env.B1HUB_TASK_QUEUE ?? 'b1-shopify-hub',
    secrets,
    port: Number(env.WEBHOOK_PORT ?? 8235),
    host: env.WEBHOOK_HOST ?? '127.0.0.1',
    path: env.WEBHOOK_PATH,
    shopDomain: env.SHOPIFY_SHOP || undefined,
    log: (line) => console.log(line),
  });
  console.log(`webhook receiver listening on ${rx.url} (stats: GET /webhooks/stats)`);
  const stop = () => {
    void rx
      .close()
      .then(() => connection.close().catch(() => undefined))
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
