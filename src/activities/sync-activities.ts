/**
 * The four pipeline activities (fetch → map → post → log), built with their dependencies
 * injected. One set of activity names serves every object: the input names the object and
 * the registry picks its pipeline, so the workflow code stays the same for all four.
 */
import { Context, log } from '@temporalio/activity';
import type { RecordOutcome } from '../mapping/outcome';
import { concernsOneRecord, toActivityFailure } from '../shared/error-policy';
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
import { fetchFailureOf, poisoned } from '../pipelines/kit/fetch-poison';
import { withSyncId } from '../shared/sync-contract';

export interface SyncActivityDeps {
  deps: PipelineDeps;
  pipelines: Record<SyncObject, Pipeline>;
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
    // One error policy: what retrying cannot fix fails the run at once, with its reason.
    throw toActivityFailure(err);
  } finally {
    clearInterval(timer);
  }
}

/**
 * Runs `whole` on the page; when it throws an error that concerns one record (the policy's
 * scope, e.g. a TypeError on one record's data or a rejection a pipeline did not catch), runs
 * `one` record by record and fails only the records that throw. Errors about the page, the
 * connection or the setup (auth, network, throttling, outage) still fail the step.
 */
async function isolatingPoison<R extends { id: string; label?: string }, O>(
  object: SyncObject,
  stage: 'mapping' | 'posting',
  records: readonly R[],
  whole: () => Promise<O[]>,
  one: (r: R) => Promise<O[]>,
  failedAs: (r: R, outcome: RecordOutcome) => O,
): Promise<O[]> {
  try {
    return await whole();
  } catch (err) {
    if (!concernsOneRecord(err)) throw err;
    if (records.length === 1) return [failedAs(records[0]!, poisoned(object, records[0]!, stage, err))];
    log.warn(
      `${object}: ${stage} the page failed (${err instanceof Error ? err.name : 'error'}); retrying its ${records.length} records one at a time`,
    );
    const out: O[] = [];
    for (const r of records) {
      try {
        out.push(...(await one(r)));
      } catch (e) {
        if (!concernsOneRecord(e)) throw e;
        out.push(failedAs(r, poisoned(object, r, stage, e)));
      }
    }
    return out;
  }
}

export function createSyncActivities({ deps, pipelines }: SyncActivityDeps) {
  // withSyncId: steps scheduled before the runId → syncId rename name their sync only by runId.
  return {
    fetchPage: (input: FetchPageInput): Promise<FetchPageResult> => step(() => pipelines[input.object].fetch(deps, withSyncId(input))),
    mapPage: (recorded: MapPageInput): Promise<MappedRecord[]> =>
      step(async () => {
        const input = withSyncId(recorded);
        const p = pipelines[input.object];
        const failedAs = (r: { id: string; label?: string }, outcome: RecordOutcome): MappedRecord => ({
          id: r.id,
          ...(r.label !== undefined ? { label: r.label } : {}),
          ok: false,
          outcome,
        });
        // Records that failed while fetching (pipelines/kit/fetch-poison.ts) fail here; the pipeline maps the rest.
        const fetchFailed: MappedRecord[] = [];
        const records = input.records.filter((r) => {
          const outcome = fetchFailureOf(r);
          if (outcome) fetchFailed.push(failedAs(r, outcome));
          return !outcome;
        });
        if (!records.length) return fetchFailed;
        const whole = records.length === input.records.length ? input : { ...input, records };
        const mapped = await isolatingPoison(
          input.object,
          'mapping',
          records,
          () => p.map(deps, whole),
          (r) => p.map(deps, { ...input, records: [r] }),
          failedAs,
        );
        return [...fetchFailed, ...mapped];
      }),
    // Re-posting a page's records one at a time is safe because every pipeline's post looks up
    // what is already there before it writes (see each pipeline's post.ts).
    postPage: (recorded: PostPageInput): Promise<RecordOutcome[]> =>
      step(() => {
        const input = withSyncId(recorded);
        const p = pipelines[input.object];
        return isolatingPoison(
          input.object,
          'posting',
          input.records,
          () => p.post(deps, input),
          (r) => p.post(deps, { ...input, records: [r] }),
          (_r, outcome) => outcome,
        );
      }),

    /**
     * Writes the page's outcomes to the worker log (one line per failed or skipped record) so
     * log shippers see them too; the history of this activity is the durable copy.
     */
    async logOutcomes(recorded: LogPageInput): Promise<void> {
      const input = withSyncId(recorded);
      for (const o of input.outcomes) {
        if (o.outcome === 'failed') {
          log.warn(`${o.object} ${o.sourceId} failed: ${o.reason ?? 'unknown reason'}`, {
            syncId: input.syncId,
            page: input.pageIndex,
            field: o.field,
          });
        } else if (o.outcome === 'skipped') {
          log.info(`${o.object} ${o.sourceId} skipped: ${o.rule ?? ''}`, { syncId: input.syncId, page: input.pageIndex });
        }
      }
    },
  };
}

export type SyncActivitiesImpl = ReturnType<typeof createSyncActivities>;
