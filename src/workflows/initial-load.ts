/**
 * The initial load: one workflow per hub (id `initial-load`) that runs the full sync of
 * customers, products and inventory through their schedulers (trigger 'init'), products before
 * inventory (stock needs the products in Shopify). Being a workflow makes it durable and
 * single: two `up`s (or `up` and `init`) starting it at once meet on the fixed workflow id, a
 * worker killed mid-load hands it to another worker, and its result (kept by Temporal) is what
 * tells the next start that the load is done.
 *
 * Each object's run is requested with a request id derived from this workflow's first run, so a
 * retried request is one the scheduler has already served (it ignores it) and never a second run.
 */
import { patched, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { SyncObject } from '../shared/sync-object';
import type { SyncCounts } from '../shared/sync-types';

export const INITIAL_LOAD_WORKFLOW_ID = 'initial-load';

export const INIT_OBJECTS = ['customer', 'product', 'shopify-product', 'inventory'] as const satisfies readonly SyncObject[];
export type InitObject = (typeof INIT_OBJECTS)[number];

/** One object's initial sync: the run that served it and its counts, or why it failed. */
export type InitObjectResult = { workflowId: string; counts: SyncCounts } | { workflowId?: string; error: string };

export interface InitialLoadInput {
  /** Request ids of a load an earlier version began (data/init-state.json): reused, so runs already served are not repeated. */
  requestIds?: Partial<Record<InitObject, string>>;
  /** Nothing to run: the load is recorded as already done (an earlier version's data/initialized.json) or skipped (`up --no-init`). */
  recorded?: { how: string; at?: string };
}

export interface InitialLoadResult {
  /** 'completed', 'completed with problems', 'skipped', or what an earlier version recorded. */
  how: string;
  at: string;
  results: Partial<Record<InitObject, InitObjectResult>>;
  /** One line per object that did not run clean; empty when all did. */
  problems: string[];
}

export interface InitialLoadActivities {
  /**
   * Requests the object's full sync from its scheduler (Sync Now with `requestId`, trigger
   * 'init') and waits for the run serving it. A run that fails is a result, not an error: the
   * load goes on with the other objects.
   */
  initialSync(input: { object: InitObject; requestId: string }): Promise<InitObjectResult>;
}

const { initialSync } = proxyActivities<InitialLoadActivities>({
  // A full sync of a large catalogue takes a while; the heartbeat is what notices a dead worker.
  startToCloseTimeout: '24h',
  heartbeatTimeout: '1m',
  // Until a scheduler answers (no worker yet, Temporal restarting): the load must not give up.
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export async function initialLoadWorkflow(input: InitialLoadInput = {}): Promise<InitialLoadResult> {
  if (input.recorded) return { how: input.recorded.how, at: input.recorded.at ?? new Date().toISOString(), results: {}, problems: [] };
  const tag = workflowInfo().firstExecutionRunId.slice(0, 8);
  const results: Partial<Record<InitObject, InitObjectResult>> = {};
  const runOne = async (object: InitObject): Promise<void> => {
    results[object] = await initialSync({ object, requestId: input.requestIds?.[object] ?? `init-${tag}` });
    setCurrentDetails(INIT_OBJECTS.map((o) => `${o}: ${results[o] ? ('error' in results[o] ? 'failed' : 'done') : 'pending'}`).join(', '));
  };
  // Products made in Shopify are imported after the push (their own object since products run per
  // direction); a load begun before that imported them inside the product run.
  const withImport = patched('initial-load-shopify-product');
  await Promise.all([
    runOne('customer'),
    runOne('product').then(() => Promise.all([runOne('inventory'), withImport ? runOne('shopify-product') : undefined])),
  ]);
  const problems = INIT_OBJECTS.flatMap((o) => {
    const r = results[o];
    if (!r) return [];
    if ('error' in r) return [`${o}: ${r.error}`];
    return r.counts.failed ? [`${o}: ${r.counts.failed} records failed`] : [];
  });
  return { how: problems.length ? 'completed with problems' : 'completed', at: new Date().toISOString(), results, problems };
}
