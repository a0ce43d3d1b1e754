/**
 * Every activity a hub worker registers, built in one place: the four pipeline steps, with the
 * log step writing each page's outcomes into the object's open-error ledger, and the ledger read
 * every run starts with. The production worker, the test workers and the chaos workers all build
 * them here, so none of them can run without the ledger (a worker without it would quietly skip
 * the retries of failed records).
 */
import type { Client } from '@temporalio/client';
import type { Pipeline, PipelineDeps } from '../pipelines/contract';
import type { SyncObject } from '../shared/sync-object';
import type { BackoffPolicy } from '../workflows/ledger-state';
import { createLedgerActivities, withLedger } from './ledger-activities';
import { createSyncActivities } from './sync-activities';

export interface HubActivityDeps {
  deps: PipelineDeps;
  pipelines: Record<SyncObject, Pipeline>;
  /** Reads and writes the ledger workflows; on the worker's own connection, with the hub's data converter. */
  client: Client;
  /** The retries' back-off from the hub config (`ledgerBackoff`); defaults for what is left out. */
  ledgerPolicy?: Partial<BackoffPolicy>;
}

export function createHubActivities({ deps, pipelines, client, ledgerPolicy }: HubActivityDeps) {
  return withLedger(
    createSyncActivities({ deps, pipelines }),
    createLedgerActivities({ client, ...(ledgerPolicy ? { policy: ledgerPolicy } : {}) }),
  );
}
