/**
 * Runs one hub worker (scheduler + sync workflows, real activities) for a configuration.
 * Used by `b1hub up` (in-process, on the simulators) and `b1hub worker` (production).
 */
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { TemporalTarget } from './temporal-connection';
import { ledgerBackoff, type HubConfig, type HubSecrets } from '../config/hub-config';
import { demoLocationMapping } from '../config/demo';
import { weightUnitMapFromMeasures } from '../mapping/config';
import { createPipelineDeps } from '../pipelines/deps';
import { PIPELINES } from '../pipelines/registry';
import { createHubActivities } from '../activities/hub-activities';
import { hubDataConverter } from '../temporal/data-converter';
import { Client } from '@temporalio/client';
import { createHubWorker } from '../workers/hub-worker';

export interface RunningHubWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after stop() or a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The embedded demo config maps Shopify locations by name ("Warehouse 01" ↔ '01') and weight
 * units by their mass; the real location GIDs and unit codes come from the systems themselves,
 * so they are looked up here once at start.
 */
export async function resolveDemoMapping(config: HubConfig, secrets: HubSecrets): Promise<HubConfig> {
  if (config.source !== 'embedded') return config;
  const deps = createPipelineDeps(config, secrets);
  let mapping = demoLocationMapping(config.mapping, await deps.shopify.locations());
  // Like the locations, the demo's weight units come from the company itself (WeightMeasures).
  if (!Object.keys(mapping.product.weightUnits).length) {
    const measures = (await deps.b1.listWeightMeasures()).flatMap((w) => (typeof w.UnitCode === 'number' ? [{ UnitCode: w.UnitCode, UnitWeightinmg: w.UnitWeightinmg }] : []));
    const weightUnits = weightUnitMapFromMeasures(measures);
    mapping = { ...mapping, product: { ...mapping.product, weightUnits } };
  }
  return { ...config, mapping };
}

export async function startHubWorker(o: {
  connection: NativeConnection;
  namespace: string;
  config: HubConfig;
  secrets: HubSecrets;
  identity?: string;
  maxConcurrentActivities?: number;
}): Promise<RunningHubWorker> {
  const deps = createPipelineDeps(o.config, o.secrets);
  // The log step writes each page's outcomes into the object's open-error ledger, and every run
  // asks it for the open errors due: both through a client on the worker's own connection.
  const client = new Client({ connection: o.connection, namespace: o.namespace, dataConverter: hubDataConverter });
  const worker = await createHubWorker({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.config.temporal.taskQueue,
    activities: createHubActivities({ deps, pipelines: PIPELINES, client, ledgerPolicy: ledgerBackoff(o.config) }),
    ...(o.identity ? { identity: o.identity } : {}),
    ...(o.maxConcurrentActivities ? { maxConcurrentActivities: o.maxConcurrentActivities } : {}),
  });
  const done = worker.run();
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

export function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(target.connectionOptions);
}

let runtimeInstalled = false;

/**
 * An operator's console: one line per worker log message (level, run, text) instead of the
 * SDK's multi-line dump of activity metadata (task tokens and the like). Once per process,
 * before the first worker; a runtime that already exists is kept.
 */
export function installOperatorRuntime(print: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const logger = new DefaultLogger('WARN', (entry) => {
    const meta = (entry.meta ?? {}) as { workflowId?: unknown };
    const where = typeof meta.workflowId === 'string' ? ` ${meta.workflowId}` : '';
    print(`[worker] ${entry.level}${where}: ${entry.message}`);
  });
  try {
    Runtime.install({ logger });
  } catch {
    // A runtime exists already (e.g. created by an earlier worker in this process): keep it.
  }
}
