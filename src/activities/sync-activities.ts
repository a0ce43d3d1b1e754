/**
 * The four pipeline activities (fetch → map → post → log), built with their dependencies
 * injected. One set of activity names serves every object: the input names the object and
 * the registry picks its pipeline, so the workflow code stays the same for all four.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import type { RecordOutcome } from '../mapping/outcome';
import { PERMANENT_ERROR_TYPES } from '../shared/permanent-errors';
import type { SyncObject } from '../shared/sync-object';
import type {
  FetchPageInput,
  FetchPageResult,
  LogPageInput,
  MapPageInput,
  MappedRecord,
  Pipeline,
  PipelineDeps,
  PostPageInput,
} from '../pipelines/contract';


export interface SyncActivityDeps {
  deps: PipelineDeps;
  pipelines: Record<SyncObject, Pipeline>;
}

function permanent(err: unknown): never {
  if (err instanceof Error && PERMANENT_ERROR_TYPES.includes(err.name)) {
    throw ApplicationFailure.nonRetryable(err.message, err.name);
  }
  throw err;
}

export function createSyncActivities({ deps, pipelines }: SyncActivityDeps) {
  return {
    async fetchPage(input: FetchPageInput): Promise<FetchPageResult> {
      try {
        return await pipelines[input.object].fetch(deps, input);
      } catch (err) {
        permanent(err);
      }
    },

    async mapPage(input: MapPageInput): Promise<MappedRecord[]> {
      try {
        return await pipelines[input.object].map(deps, input);
      } catch (err) {
        permanent(err);
      }
    },

    async postPage(input: PostPageInput): Promise<RecordOutcome[]> {
      try {
        return await pipelines[input.object].post(deps, input);
      } catch (err) {
        permanent(err);
      }
    },

    /**
     * Writes the page's outcomes to the worker log (one line per failed or skipped record) so
     * log shippers see them too; the history of this activity is the durable copy.
     */
    async logOutcomes(input: LogPageInput): Promise<void> {
      for (const o of input.outcomes) {
        if (o.outcome === 'failed') {
          log.warn(`${o.object} ${o.sourceId} failed: ${o.reason ?? 'unknown reason'}`, { runId: input.runId, page: input.pageIndex, field: o.field });
        } else if (o.outcome === 'skipped') {
          log.info(`${o.object} ${o.sourceId} skipped: ${o.rule ?? ''}`, { runId: input.runId, page: input.pageIndex });
        }
      }
    },
  };
}

export type SyncActivitiesImpl = ReturnType<typeof createSyncActivities>;
