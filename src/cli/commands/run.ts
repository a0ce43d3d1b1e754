/** Long-running commands: `up` (npm start), `worker`, `webhooks`, `sim b1|shopify`. */
import type { Command } from 'commander';
import { action } from '../action';
import { CliError } from '../../hub/errors';
import { outputOpen, surviveClosedOutput, untilStopRequested, type StopRequest } from '../until-signal';
import { registerSimHelpers } from './sim-helpers';
// The worker, the simulators and the dev server are loaded only by the commands that run
// them: every other command starts faster without them.
const DEMO_SYNC_ITEM_COUNT = 20;

function intOption(name: string, min = 0, max = 65535): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${name} '${v}' is not a whole number between ${min} and ${max}`);
    return n;
  };
}

/** Signals repeated this soon after the first are the same request relayed by npm or tsx. */
const RELAY_WINDOW_MS = 2_000;
/** After stop() has finished, a handle nobody closed (a socket, a timer) must not keep us running. */
const EXIT_GRACE_MS = 5_000;

/**
 * Starts listening for a reason to stop (SIGINT, SIGTERM, SIGHUP, an uncaught error) and makes a
 * closed output harmless. Called before anything starts, so a Ctrl-C during start-up is not lost:
 * serve() then stops at once. Listening goes on until the process exits; a repeated signal is
 * ignored while it may be the first one relayed by npm or tsx, then warns, then forces the exit
 * (the dev server's watchdog still stops the server).
 */
function listenForStop(print: (l: string) => void): Promise<StopRequest> {
  surviveClosedOutput();
  let firstAt = 0;
  let repeats = 0;
  return untilStopRequested((again) => {
    if (again.kind === 'fatal') {
      print(`error while stopping: ${(again.error as Error)?.message ?? String(again.error)}`);
      return;
    }
    if (Date.now() - firstAt < RELAY_WINDOW_MS) return;
    repeats += 1;
    if (repeats === 1) print(`${again.signal}: still stopping… (once more to force)`);
    else {
      print(`${again.signal}: forced exit`);
      process.exit(130);
    }
  }).then((request) => {
    firstAt = Date.now();
    return request;
  });
}

/**
 * Runs until a stop request (a signal: exit 0 after a clean stop; an uncaught error: exit 1) or
 * until `done` ends on its own (exit 1 on an error). Whatever ends it, stop() runs.
 */
async function serve(
  done: Promise<void>,
  stop: () => Promise<void>,
  print: (l: string) => void,
  stopRequest: Promise<StopRequest> = listenForStop(print),
): Promise<number> {
  const outcome = await Promise.race([
    stopRequest,
    done.then(
      () => ({ kind: 'ended' as const, error: undefined }),
      (error: unknown) => ({ kind: 'ended' as const, error }),
    ),
  ]);
  let code: number;
  if (outcome.kind === 'signal') {
    print(`${outcome.signal}: stopping…`);
    await stop();
    print('stopped');
    code = 0;
  } else if (outcome.kind === 'fatal') {
    print(`unexpected error: ${(outcome.error as Error)?.stack ?? String(outcome.error)}`);
    print('stopping…');
    await stop();
    print('stopped');
    code = 1;
  } else {
    // The SDK runtime also stops workers on SIGINT; give our handler the chance to win that race.
    await new Promise((r) => setTimeout(r, 50));
    print(`the worker stopped${outcome.error ? `: ${(outcome.error as Error).message}` : ''}; shutting down`);
    await stop();
    code = outcome.error ? 1 : 0;
  }
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  return code;
}

const print = (l: string) => {
  if (outputOpen()) process.stdout.write(`${l}\n`);
};

export function registerRunCommands(program: Command): void {
  program
    .command('up')
    .description(
      'start the hub: with no config the demo (Temporal dev server, simulators, worker, schedulers); with --config the worker and schedulers only',
    )
    .option('--temporal-port <port>', 'dev server gRPC port', intOption('--temporal-port', 1), 7233)
    .option('--ui-port <port>', 'Temporal UI port', intOption('--ui-port', 1), 8233)
    .option(
      '--codec-port <port>',
      'codec endpoint the UI decodes compressed payloads through (default: UI port + 1 when free)',
      intOption('--codec-port', 1),
    )
    .option('--b1-port <port>', 'SAP B1 simulator port', intOption('--b1-port', 1), 50000)
    .option('--shopify-port <port>', 'Shopify simulator port', intOption('--shopify-port', 1), 8081)
    .option(
      '--webhook-port <port>',
      'webhook receiver port (default 8235, on the demo any free port when that is taken)',
      intOption('--webhook-port', 1),
    )
    .option('--items <n>', 'demo company size (items; the first 20 are selected for sync)', intOption('--items', 1, 100000), 50)
    .option('--customers <n>', 'demo size: customers in each system', intOption('--customers', 0, 100000), 20)
    .option('--orders <n>', 'demo size: paid orders in the shop', intOption('--orders', 0, 1_000_000), 30)
    .option('--no-init', 'do not run the initial load on the first start')
    .action(
      action(
        async (
          ctx,
          opts: {
            temporalPort: number;
            uiPort: number;
            codecPort?: number;
            b1Port: number;
            shopifyPort: number;
            webhookPort?: number;
            items: number;
            customers: number;
            orders: number;
            init: boolean;
          },
        ) => {
          const stopRequest = listenForStop(print);
          const config = ctx.configPath ? ctx.config() : undefined;
          const { startHub } = await import('../../hub/up');
          const hub = await startHub({
            dataDir: ctx.dataDir,
            config,
            secrets: config ? ctx.secrets() : undefined,
            temporalAddress: ctx.opts.temporalAddress,
            namespace: ctx.opts.namespace,
            temporalPort: opts.temporalPort,
            uiPort: opts.uiPort,
            ...(opts.codecPort !== undefined ? { codecPort: opts.codecPort } : {}),
            b1Port: opts.b1Port,
            shopifyPort: opts.shopifyPort,
            ...(opts.webhookPort !== undefined ? { webhookPort: opts.webhookPort } : {}),
            items: opts.items,
            customers: opts.customers,
            orders: opts.orders,
            skipInit: !opts.init,
            print,
          });
          return serve(hub.done, hub.stop, print, stopRequest);
        },
      ),
    );

  program
    .command('worker')
    .description('run a hub worker (several may run for scale); ensures the schedulers exist')
    .option('--identity <name>', 'worker identity shown in Temporal')
    .option('--max-activities <n>', 'concurrent activities per worker', intOption('--max-activities', 1, 1000))
    .action(
      action(async (ctx, opts: { identity?: string; maxActivities?: number }) => {
        const { connectWorker, installOperatorRuntime, resolveDemoMapping, startHubWorker } = await import('../../hub/worker');
        const { connectClient } = await import('../../hub/temporal-connection');
        const { ensureSchedulers } = await import('../../temporal/schedulers');
        installOperatorRuntime(print);
        const config = await resolveDemoMapping(ctx.config(), ctx.secrets());
        const target = ctx.temporalTarget();
        const { client, connection } = await connectClient(target);
        const native = await connectWorker(target);
        const worker = await startHubWorker({
          connection: native,
          namespace: target.namespace,
          config,
          secrets: ctx.secrets(),
          identity: opts.identity,
          maxConcurrentActivities: opts.maxActivities,
        });
        await ensureSchedulers(client, { taskQueue: config.temporal.taskQueue, schedules: config.schedules });
        print(
          `worker ready: task queue ${config.temporal.taskQueue} at ${target.address} (namespace ${target.namespace}); Ctrl-C stops it`,
        );
        return serve(
          worker.done,
          async () => {
            await worker.stop();
            await native.close();
            await connection.close();
          },
          print,
        );
      }),
    );

  program
    .command('webhooks')
    .description('run a webhook receiver alone (stateless: run several behind a load balancer); secret from SHOPIFY_WEBHOOK_SECRET')
    .option('--port <port>', 'listen port (default webhooks.port, 8235)', intOption('--port', 0))
    .action(
      action(async (ctx, opts: { port?: number }) => {
        const { connectClient } = await import('../../hub/temporal-connection');
        const { receiverSecrets, startHubReceiver } = await import('../../hub/webhooks');
        const config = ctx.config();
        const secrets = receiverSecrets(config);
        const target = ctx.temporalTarget();
        const { client, connection } = await connectClient(target);
        const { receiver, endpoint } = await startHubReceiver({ client, config, secrets, port: opts.port, print });
        print(
          `webhook receiver listening on ${endpoint.url} (task queue ${config.temporal.taskQueue} at ${target.address}; counters: GET ${endpoint.statsUrl}); Ctrl-C stops it`,
        );
        return serve(
          new Promise<void>(() => {}),
          async () => {
            await receiver.close();
            await connection.close();
          },
          print,
        );
      }),
    );

  const sim = program.command('sim').description('run one simulator alone (development), or add demo data to the running demo');
  registerSimHelpers(sim);
  sim
    .command('b1')
    .description('SAP Business One Service Layer simulator (CompanyDB SBODEMOUS, user manager, password 1234)')
    .option('--port <port>', 'port', intOption('--port'), 50000)
    .option('--items <n>', 'demo items (the first 20 are selected for sync)', intOption('--items', 0, 1_000_000), 50)
    .option('--customers <n>', 'demo customers', intOption('--customers', 0, 1_000_000), 20)
    .option('--state-file <file>', 'persist the company to this JSON file')
    .option('--latency <profile>', 'response times: zero, realistic, or with overrides (realistic,b1.writeMs=300)', 'zero')
    .action(
      action(async (_ctx, opts: { port: number; items: number; customers: number; stateFile?: string; latency: string }) => {
        const { runB1Simulator } = await import('../../sim/b1');
        const s = await runB1Simulator(
          {
            port: opts.port,
            items: opts.items,
            customers: opts.customers,
            latency: opts.latency,
            ...(opts.stateFile ? { stateFile: opts.stateFile } : {}),
          },
          print,
        );
        return serve(new Promise<void>(() => {}), () => s.close(), print);
      }),
    );
  sim
    .command('shopify')
    .description('Shopify Admin GraphQL simulator (token shpat_demo); its SKUs are the B1 demo item codes')
    .option('--port <port>', 'port', intOption('--port'), 8081)
    .option(
      '--items <n>',
      'products for the first n B1 demo items (A00001…; at most 20 are selected in B1)',
      intOption('--items', 0, 100000),
      DEMO_SYNC_ITEM_COUNT,
    )
    .option('--customers <n>', 'customers', intOption('--customers', 0, 100000), 20)
    .option('--orders <n>', 'paid orders', intOption('--orders', 0, 1_000_000), 30)
    .option('--state-file <file>', 'persist the shop to this JSON file (written on exit)')
    .option('--latency <profile>', 'response times: zero, realistic, or with overrides (realistic,shopify.queryMs=150)', 'zero')
    .action(
      action(
        async (_ctx, opts: { port: number; items: number; customers: number; orders: number; stateFile?: string; latency: string }) => {
          const { ensureShopifySchema } = await import('../../hub/provision');
          ensureShopifySchema((line) => process.stderr.write(`b1hub: ${line}\n`));
          const { startShopifySimulator } = await import('../../sim/shopify');
          const { demoItemCodes } = await import('../../sim/b1/seed');
          const { parseLatency } = await import('../../sim/latency');
          const s = await startShopifySimulator({
            latency: parseLatency(opts.latency).shopify,
            port: opts.port,
            host: '127.0.0.1',
            seed: { skus: demoItemCodes(opts.items), customers: opts.customers, orders: opts.orders },
            ...(opts.stateFile ? { stateFile: opts.stateFile } : {}),
          });
          print(
            `Shopify simulator listening at ${s.graphqlUrl} (shop ${s.shopDomain}, token ${s.accessToken}); control API POST ${s.url}/_sim/orders`,
          );
          return serve(new Promise<void>(() => {}), () => s.close(), print);
        },
      ),
    );
}
