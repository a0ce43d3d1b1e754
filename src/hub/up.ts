/**
 * `b1hub up` / `npm start`: the whole hub on one machine.
 *
 * Without a config file it runs the demo: the Temporal dev server (SQLite under the data
 * folder), both simulators seeded with the demo company and shop (state files under the data
 * folder, so a second start reuses them), one worker, the four schedulers, and — on the first
 * start only — the initial load (the `initial-load` workflow: a start that finds it running
 * waits for it, one that finds it done does nothing). With a config file it starts only the worker and makes sure
 * the schedulers exist on the configured Temporal service.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { DEMO_SECRETS, embeddedHubConfig, type HubConfig, type HubSecrets } from '../config/hub-config';
import { startB1Simulator } from '../sim/b1';
import { DEMO_SYNC_ITEM_COUNT, demoItemCodes } from '../sim/b1/seed';
import { startShopifySimulator } from '../sim/shopify';
import { ensureHubSearchAttributes } from '../temporal/search-attributes';
import { ensureSchedulers } from '../temporal/schedulers';
import { startDevServer, portInUse, type DevServer } from './dev-server';
import { startCodecServer } from './codec-server';
import { claimDataDir, readHubStatus, releaseDataDir, removeHubStatus, writeHubStatus, type HubStatusFile } from './status-file';
import { ensureShopifySchema } from './provision';
import { connectClient, resolveTemporalTarget } from './temporal-connection';
import { connectWorker, installOperatorRuntime, resolveDemoMapping, startHubWorker, type RunningHubWorker } from './worker';
import { initialLoadState, legacyInitialLoadInput, runInitialLoad, startInitialLoad } from './initial-load';
import { CliError } from './errors';
import { runInitChecks } from './init-checks';
import { createPipelineDeps } from '../pipelines/deps';
import { webhooksEnabled } from '../config/hub-config';
import {
  DEFAULT_WEBHOOK_PORT,
  ensureWebhookSubscriptions,
  receiverSecrets,
  startHubReceiver,
  SUBSCRIBED_TOPICS,
  type WebhookEndpoint,
} from './webhooks';

export interface UpOptions {
  dataDir: string;
  config?: HubConfig;
  secrets?: HubSecrets;
  temporalAddress?: string;
  namespace?: string;
  temporalPort: number;
  uiPort: number;
  /** The codec endpoint the UI decodes compressed payloads through; default uiPort + 1 when free, else any free port. */
  codecPort?: number;
  b1Port: number;
  shopifyPort: number;
  /** The webhook receiver's port; default webhooks.port (8235), on the demo any free port when that is taken. */
  webhookPort?: number;
  /** Demo company size (items; the first 20 are selected for sync). */
  items: number;
  /** Demo size: customers in each system and paid orders in the shop (first start only). */
  customers?: number;
  orders?: number;
  /** Skip the initial load even on the first start. */
  skipInit?: boolean;
  print: (line: string) => void;
}

export interface RunningHub {
  status: HubStatusFile;
  /** Resolves when the worker stops on its own (a fatal error); stop() for a clean shutdown. */
  done: Promise<void>;
  stop(): Promise<void>;
}

type Stopper = { name: string; stop: () => Promise<void> };

export async function startHub(o: UpOptions): Promise<RunningHub> {
  const running = readHubStatus(o.dataDir)?.pid ?? claimDataDir(o.dataDir);
  if (running !== undefined) {
    throw new CliError(
      `\`b1hub up\` already runs on ${o.dataDir} (pid ${running})`,
      'use that one (`b1hub status`), stop it with Ctrl-C, or start another with a different --data-dir and ports',
    );
  }
  installOperatorRuntime(o.print);
  mkdirSync(o.dataDir, { recursive: true });
  const stoppers: Stopper[] = [];
  const stopAll = async () => {
    // Reverse start order: the worker drains before the servers it talks to go away.
    for (const s of stoppers.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        o.print(`warning: stopping ${s.name} failed: ${(err as Error).message}`);
      }
    }
    stoppers.length = 0;
    // Last: only now may another `up` take the folder (and stop a server we left, if any).
    releaseDataDir(o.dataDir);
  };
  try {
    return o.config ? await startWithConfig(o, o.config, stoppers, stopAll) : await startDemo(o, stoppers, stopAll);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function startDemo(o: UpOptions, stoppers: Stopper[], stopAll: () => Promise<void>): Promise<RunningHub> {
  const startedAt = new Date().toISOString();
  ensureShopifySchema(o.print);

  for (const [what, port] of [
    ['SAP B1 simulator', o.b1Port],
    ['Shopify simulator', o.shopifyPort],
  ] as const) {
    if (await portInUse(port))
      throw new CliError(
        `port ${port} (${what}) is already in use`,
        `stop what uses it, or pick another port with \`b1hub up --${what.startsWith('SAP') ? 'b1' : 'shopify'}-port <n>\``,
      );
  }
  const codec = await startUiCodecServer(o);
  stoppers.push({ name: 'codec endpoint', stop: () => codec.close() });
  const dev: DevServer = await startDevServer({
    dataDir: o.dataDir,
    port: o.temporalPort,
    uiPort: o.uiPort,
    uiCodecEndpoint: codec.url,
    print: o.print,
  });
  stoppers.push({ name: 'Temporal dev server', stop: () => dev.stop() });

  const b1Sim = await startB1Simulator({
    port: o.b1Port,
    host: '127.0.0.1',
    seed: { items: o.items, customers: o.customers ?? 20 },
    stateFile: path.join(o.dataDir, 'b1-sim.json'),
  });
  stoppers.push({ name: 'SAP B1 simulator', stop: () => b1Sim.close() });
  const shopifySim = await startShopifySimulator({
    port: o.shopifyPort,
    host: '127.0.0.1',
    // The shop sells exactly the items the demo company has selected for sync.
    seed: { skus: demoItemCodes(Math.min(o.items, DEMO_SYNC_ITEM_COUNT)), customers: o.customers ?? 20, orders: o.orders ?? 30 },
    stateFile: path.join(o.dataDir, 'shopify-sim.json'),
  });
  // The Shopify simulator writes its state file on close; also save periodically so a crash loses little.
  const saver = setInterval(() => {
    try {
      shopifySim.save();
    } catch {
      // Next tick retries; close() saves again.
    }
  }, 30_000);
  saver.unref();
  stoppers.push({
    name: 'Shopify simulator',
    stop: async () => {
      clearInterval(saver);
      await shopifySim.close();
    },
  });

  let config = embeddedHubConfig({ b1BaseUrl: b1Sim.url, shopifyEndpoint: shopifySim.url, shop: shopifySim.shopDomain });
  config = await resolveDemoMapping(config, DEMO_SECRETS);
  const target = resolveTemporalTarget({ address: dev.address, namespace: 'default' });
  const { client, connection } = await connectClient(target);
  stoppers.push({ name: 'Temporal client', stop: () => connection.close() });
  await ensureHubSearchAttributes(connection, target.namespace);

  const worker = await startWorkerOn(target, config, DEMO_SECRETS, stoppers);
  await ensureSchedulers(client, { taskQueue: config.temporal.taskQueue, schedules: config.schedules });
  const webhooks = await startReceiverOn(client, config, o, stoppers);
  config = { ...config, webhooks: { ...config.webhooks, enabled: true, publicUrl: webhooks.publicUrl } };
  // The demo subscribes itself on every start (the port may differ): a fresh shop gets webhooks.
  const subscribed = await ensureWebhookSubscriptions(createPipelineDeps(config, DEMO_SECRETS).shopify.executor, {
    uri: webhooks.publicUrl,
    apiVersion: config.shopify.apiVersion,
  }).then(
    (changes) => (changes.length ? `${changes.length} subscription(s) created or repaired` : 'subscriptions up to date'),
    (err: unknown) => `subscribing failed (${(err as Error).message}); orders reach B1 on the schedule; \`b1hub init --fix\` retries`,
  );

  // The initial load's workflow is the record of whether it ran (an earlier version's JSON files are taken over once).
  const load = await initialLoadState(client);
  const legacy = load === 'none' ? legacyInitialLoadInput(o.dataDir) : undefined;
  const firstStart = load === 'none' && !legacy?.recorded;
  const initializing = (firstStart && !o.skipInit) || load === 'running';
  if (load === 'none' && !initializing) {
    await startInitialLoad(client, {
      taskQueue: config.temporal.taskQueue,
      input: legacy?.recorded ? legacy : { recorded: { how: 'skipped' } },
    });
  }

  const status: HubStatusFile = {
    pid: process.pid,
    startedAt,
    readyAt: new Date().toISOString(),
    dataDir: o.dataDir,
    temporal: {
      address: dev.address,
      namespace: target.namespace,
      taskQueue: config.temporal.taskQueue,
      uiUrl: dev.uiUrl,
      codecUrl: codec.url,
      dbFile: dev.dbFile,
    },
    b1: { baseUrl: b1Sim.url, companyDb: config.b1.companyDb, userName: config.b1.userName, demoPassword: DEMO_SECRETS.b1Password },
    shopify: {
      graphqlUrl: shopifySim.graphqlUrl,
      shop: shopifySim.shopDomain,
      endpoint: shopifySim.url,
      apiVersion: config.shopify.apiVersion,
      demoAccessToken: DEMO_SECRETS.shopifyAccessToken,
    },
    webhooks,
  };
  if (initializing) status.initialization = { state: 'running' };
  writeHubStatus(o.dataDir, status);
  stoppers.unshift({ name: 'status file', stop: async () => removeHubStatus(o.dataDir) });

  printDemoBanner(o.print, status, codec.url, firstStart, initializing, subscribed);
  // A load an earlier start began (and a worker carries on) is only waited for: its checks ran then.
  if (initializing) startInitialization(client, connection, config, o, status, firstStart);
  else if (load === 'failed')
    o.print(`[init] the initial load ended without finishing (terminated or cancelled); \`b1hub init\` runs it again`);

  return { status, done: worker.done, stop: stopAll };
}

/**
 * First-start initialization, in the background: the configuration checks with safe fixes
 * (`b1hub init --fix`: metafield definitions, the guest customer, UDFs), then the initial load.
 */
function startInitialization(
  client: Client,
  connection: Connection,
  config: HubConfig,
  o: UpOptions,
  status: HubStatusFile,
  withChecks: boolean,
): void {
  const print = (line: string) => o.print(`[init] ${line}`);
  const run = async (): Promise<string | undefined> => {
    if (!withChecks) return runInitialLoad(client, { dataDir: o.dataDir, taskQueue: config.temporal.taskQueue, print });
    const checks = await runInitChecks({
      config,
      deps: createPipelineDeps(config, DEMO_SECRETS),
      temporal: async () => connection,
      namespace: status.temporal.namespace,
      fix: true,
    });
    for (const c of checks) if (c.state === 'fixed' || c.state === 'fail') print(`${c.name}: ${c.state} — ${c.detail}`);
    const failed = checks.filter((c) => c.state === 'fail');
    if (failed.length)
      print(
        `configuration checks failed (${failed.map((c) => c.name).join(', ')}); the initial load runs anyway, see \`b1hub init --check-only\``,
      );
    return runInitialLoad(client, { dataDir: o.dataDir, taskQueue: config.temporal.taskQueue, print });
  };
  void run().then(
    (failed) => {
      status.initialization = failed ? { state: 'failed', detail: failed } : { state: 'done' };
      writeHubStatus(o.dataDir, status);
    },
    (err: unknown) => {
      status.initialization = { state: 'failed', detail: (err as Error).message };
      print(`stopped: ${(err as Error).message}`);
      try {
        writeHubStatus(o.dataDir, status);
      } catch {
        // Shutting down.
      }
    },
  );
}

/** The receiver beside the worker; stopped before the Temporal client it hands deliveries to. */
async function startReceiverOn(client: Client, config: HubConfig, o: UpOptions, stoppers: Stopper[]): Promise<WebhookEndpoint> {
  const { receiver, endpoint } = await startHubReceiver({
    client,
    config,
    secrets: receiverSecrets(config),
    port: o.webhookPort,
    print: o.print,
  });
  // Answers 503 (Shopify retries) from before the worker drains; the port closes last.
  stoppers.push({ name: 'webhook receiver', stop: () => receiver.stopAccepting() });
  stoppers.unshift({ name: 'webhook receiver port', stop: () => receiver.close() });
  return endpoint;
}

async function startWorkerOn(
  target: ReturnType<typeof resolveTemporalTarget>,
  config: HubConfig,
  secrets: HubSecrets,
  stoppers: Stopper[],
): Promise<RunningHubWorker> {
  const native = await connectWorker(target);
  stoppers.push({ name: 'worker connection', stop: () => native.close() });
  const worker = await startHubWorker({ connection: native, namespace: target.namespace, config, secrets });
  stoppers.push({ name: 'worker', stop: () => worker.stop() });
  return worker;
}

async function startWithConfig(o: UpOptions, config: HubConfig, stoppers: Stopper[], stopAll: () => Promise<void>): Promise<RunningHub> {
  const secrets = o.secrets!;
  const target = resolveTemporalTarget({ address: o.temporalAddress, namespace: o.namespace, config });
  const { client, connection } = await connectClient(target);
  stoppers.push({ name: 'Temporal client', stop: () => connection.close() });
  const worker = await startWorkerOn(target, config, secrets, stoppers);
  await ensureSchedulers(client, { taskQueue: config.temporal.taskQueue, schedules: config.schedules });
  const webhooks = webhooksEnabled(config) ? await startReceiverOn(client, config, o, stoppers) : undefined;
  const status: HubStatusFile = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    readyAt: new Date().toISOString(),
    dataDir: o.dataDir,
    temporal: { address: target.address, namespace: target.namespace, taskQueue: config.temporal.taskQueue },
    b1: { baseUrl: config.b1.baseUrl, companyDb: config.b1.companyDb, userName: config.b1.userName },
    shopify: {
      graphqlUrl: `${config.shopify.endpoint ?? `https://${config.shopify.shop}`}/admin/api/${config.shopify.apiVersion}/graphql.json`,
      shop: config.shopify.shop,
      endpoint: config.shopify.endpoint ?? `https://${config.shopify.shop}`,
      apiVersion: config.shopify.apiVersion,
    },
    ...(webhooks ? { webhooks } : {}),
  };
  writeHubStatus(o.dataDir, status);
  stoppers.unshift({ name: 'status file', stop: async () => removeHubStatus(o.dataDir) });
  if (webhooks)
    o.print(`webhook receiver listening on ${webhooks.url} (Shopify calls ${webhooks.publicUrl}; \`b1hub init --fix\` subscribes it)`);
  o.print(
    `b1-shopify-hub worker running on task queue ${config.temporal.taskQueue} at ${target.address} (namespace ${target.namespace}); schedulers ensured. Ctrl-C stops it.`,
  );
  o.print(
    'Payloads of 1 KiB and more are stored zlib-compressed: for readable payloads in your Temporal UI, run `b1hub codec-server --cors-origin <UI origin>` and set it as the UI\'s codec endpoint (README "Payload compression and the codec endpoint").',
  );
  return { status, done: worker.done, stop: stopAll };
}

/**
 * Large payloads are stored compressed (src/temporal/zlib-codec.ts); the embedded UI shows them
 * through this endpoint. The browser calls it from the UI's page, so the UI's origins may.
 */
async function startUiCodecServer(o: UpOptions): Promise<Awaited<ReturnType<typeof startCodecServer>>> {
  const corsOrigins = [`http://localhost:${o.uiPort}`, `http://127.0.0.1:${o.uiPort}`];
  const taken = [o.temporalPort, o.uiPort, o.b1Port, o.shopifyPort, o.webhookPort ?? DEFAULT_WEBHOOK_PORT];
  if (o.codecPort !== undefined) {
    if (await portInUse(o.codecPort))
      throw new CliError(`port ${o.codecPort} (codec endpoint) is already in use`, 'pick another codec port');
    return startCodecServer({ port: o.codecPort, corsOrigins });
  }
  const preferred = o.uiPort + 1;
  const free = preferred <= 65535 && !taken.includes(preferred) && !(await portInUse(preferred));
  try {
    return await startCodecServer({ port: free ? preferred : 0, corsOrigins });
  } catch (err) {
    // Lost a race for the preferred port: any free one does, the UI is told the URL at start.
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return startCodecServer({ port: 0, corsOrigins });
  }
}

function printDemoBanner(
  print: (line: string) => void,
  s: HubStatusFile,
  codecUrl: string,
  firstStart: boolean,
  initializing: boolean,
  subscribed: string,
): void {
  const lines = [
    '',
    'b1-shopify-hub is running (demo: embedded configuration, simulators)',
    '',
    `  Temporal          ${s.temporal.address} (namespace ${s.temporal.namespace}, task queue ${s.temporal.taskQueue})`,
    `  Temporal UI       ${s.temporal.uiUrl}`,
    `  Codec endpoint    ${codecUrl}   (the UI shows compressed payloads through it; temporal workflow show --codec-endpoint ${codecUrl})`,
    `  SAP B1 (sim)      ${s.b1.baseUrl}   CompanyDB ${s.b1.companyDb}, user ${s.b1.userName}, password ${s.b1.demoPassword}`,
    `  Shopify (sim)     ${s.shopify.graphqlUrl}   shop ${s.shopify.shop}, token ${s.shopify.demoAccessToken}`,
    `  Webhooks          ${s.webhooks?.url ?? '—'}   ${SUBSCRIBED_TOPICS.length} topics, ${subscribed}`,
    `  Data              ${s.dataDir} (delete it to start over)`,
    '',
    !firstStart
      ? '  Data reused from the previous start.'
      : initializing
        ? '  First start: initial load of customers, products and inventory is running (see `b1hub status`).'
        : '  First start (initial load skipped: run `b1hub init` for it).',
    '',
    'Try, in another terminal:',
    '  npx b1hub status',
    '  npx b1hub sync order --wait',
    '  npx b1hub schedule show',
    '  npx b1hub log --since 1h',
    '  npx b1hub items list --selected',
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  for (const l of lines) print(l);
}
