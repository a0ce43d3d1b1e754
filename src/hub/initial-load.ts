/**
 * Initialization: the initial load of customers, products and inventory, each a full sync run
 * through its scheduler (trigger 'init'). Products go before inventory (stock needs the
 * products in Shopify). Resumable: the request ids are kept in data/init-state.json, and a
 * scheduler ignores a request id it has already served, so a restart waits for the runs that
 * already happened instead of starting them again.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { runForRequest, sendSyncNow, waitForRun } from './scheduler-ops';
import type { SyncObject } from '../shared/sync-object';
import { totalRecords, type SyncRunResult } from '../shared/sync-types';
import { errorChainText } from '../shared/error-chain';

const INIT_OBJECTS = ['customer', 'product', 'inventory'] as const satisfies readonly SyncObject[];
type InitObject = (typeof INIT_OBJECTS)[number];

interface InitState {
  requests: Record<InitObject, string>;
}

export function isInitialized(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'initialized.json'));
}

export function markInitialized(dataDir: string, how: string, results?: unknown): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'initialized.json'), `${JSON.stringify({ at: new Date().toISOString(), how, results }, null, 2)}\n`);
}

function loadOrCreateState(dataDir: string): InitState {
  const file = path.join(dataDir, 'init-state.json');
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as InitState;
    } catch {
      // A torn file: start with fresh ids (worst case one extra full run per object).
    }
  }
  const tag = randomUUID().slice(0, 8);
  const state: InitState = { requests: { customer: `init-${tag}`, product: `init-${tag}`, inventory: `init-${tag}` } };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

/** Runs (or resumes) the initial load; resolves to a failure summary, or undefined when all ran clean. */
export async function runInitialLoad(client: Client, dataDir: string, print: (line: string) => void): Promise<string | undefined> {
  const state = loadOrCreateState(dataDir);
  const results: Partial<Record<InitObject, SyncRunResult | { error: string }>> = {};

  const runOne = async (object: InitObject): Promise<void> => {
    const requestId = state.requests[object];
    await sendSyncNow(client, object, { requestId, trigger: 'init', full: true });
    const workflowId = await runForRequest(client, object, requestId);
    print(`${object}: ${workflowId} started`);
    try {
      const result = await waitForRun(client, workflowId, () => {});
      results[object] = result;
      const c = result.counts;
      print(`${object}: ${totalRecords(c)} records — ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed`);
    } catch (err) {
      const msg = errorChainText(err);
      results[object] = { error: msg };
      print(`${object}: run failed: ${msg}`);
    }
  };

  await Promise.all([runOne('customer'), runOne('product').then(() => runOne('inventory'))]);

  const problems = INIT_OBJECTS.flatMap((o) => {
    const r = results[o];
    if (!r) return [`${o}: did not run`];
    if ('error' in r) return [`${o}: ${r.error}`];
    return r.counts.failed ? [`${o}: ${r.counts.failed} records failed`] : [];
  });
  markInitialized(dataDir, problems.length ? 'completed with problems' : 'completed', results);
  print(problems.length ? `initial load finished with problems (${problems.join('; ')}); see \`b1hub log --failed\`` : 'initial load finished');
  return problems.length ? problems.join('; ') : undefined;
}
