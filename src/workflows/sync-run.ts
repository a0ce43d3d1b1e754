/**
 * One sync run of one object. Started by the object's scheduler (schedule, Sync Now,
 * resync, initialization); its history is the run's message log.
 */
import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/types';
import { FailedCountKey, RecordCountKey } from '../shared/search-attributes';
import { totalRecords, type SyncRunInput, type SyncRunResult } from '../shared/sync-types';

const { runSyncPass } = proxyActivities<SyncActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function syncRunWorkflow(input: SyncRunInput): Promise<SyncRunResult> {
  const result = await runSyncPass({ ...input, runId: workflowInfo().workflowId });
  upsertSearchAttributes([
    { key: RecordCountKey, value: totalRecords(result.counts) },
    { key: FailedCountKey, value: result.counts.failed },
  ]);
  return result;
}
