/**
 * The four pipeline activities (fetch → map → post → log), built with their dependencies
 * injected. One set of activity names serves every object: the input names the object and
 * the registry picks its pipeline, so the workflow code stays the same for all four.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
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

/** Liveness beat while a step runs: a killed worker is noticed after the heartbeat timeout,
 * not after the (long) start-to-close timeout, and the page is retried on another worker. */
const LIVENESS_BEAT_MS = 5_000;

async function step<T>(run: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  // Local activities (the map step) live inside a workflow task: the server tracks them through
  // that task, so they have no heartbeat of their own.
  const timer = ctx.info.isLocal ? undefined : setInterval(() => ctx.heartbeat(), LIVENESS_BEAT_MS);
  try {
    return await run();
  } catch (err) {
    permanent(err);
  } finally {
    clearInterval(timer);
  }
}

export function createSyncActivities({ deps, pipelines }: SyncActivityDeps) {
  return {
    fetchPage: (input: FetchPageInput): Promise<FetchPageResult> => step(() => pipelines[input.object].fetch(deps, input)),
    mapPage: (input: MapPageInput): Promise<MappedRecord[]> => step(() => pipelines[input.object].map(deps, input)),
    postPage: (input: PostPageInput): Promise<RecordOutcome[]> => step(() => pipelines[input.object].post(deps, input)),

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
