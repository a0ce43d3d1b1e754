/**
 * One sync run of one object: pages through the source with fetch → map → post → log.
 *
 * Started by the object's scheduler (schedule, Sync Now, resync, initialization). It first
 * retries the object's open errors that are due (the ledger, ledger.ts), then does its own
 * work; every page's outcomes go to the ledger through the log step. Its history
 * is the run's message log: each page's records as read (fetch result), as mapped (map
 * result), what was written (post result) and the outcome per record (log input). Long runs
 * continue as new with their position and counts, so a 100k-record run stays far below
 * Temporal's history limits.
 */
import {
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { SyncActivities } from '../activities/types';
import { stepOf, type FetchPageResult, type RecordOutcome } from '../shared/sync-contract';
import { PERMANENT_ERROR_TYPES } from '../shared/permanent-errors';
import { FailedCountKey, RecordCountKey } from '../shared/search-attributes';
import {
  addCounts,
  countOutcomes,
  totalRecords,
  ZERO_COUNTS,
  type SyncCounts,
  type SyncRunInput,
  type SyncRunResult,
} from '../shared/sync-types';

// Transient trouble (5xx, throttling, network) is retried with back-off for ~10 minutes; after
// that the run fails, the watermark stays, and the next scheduled run picks the work up again.
const retry: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 10,
  nonRetryableErrorTypes: PERMANENT_ERROR_TYPES,
};

/**
 * The SDK (1.24) keeps each activity's arguments reachable until the workflow run ends: the cancel
 * handler it hangs on the run's root scope closes over them. Every page a run posted (records,
 * mapped payloads, outcomes) stayed in the workflow thread's heap until continue-as-new, ~1.4 KB
 * per record (measured: +70 MB over 50,000 inventory items). Each call gets a shallow copy of its
 * input, emptied once the call has settled: its payloads were serialized when it was scheduled, so
 * the commands (and replay) are unchanged, and nothing here reads an input after its call.
 */
function releasingInputs<T extends object>(activities: T): T {
  return new Proxy(activities, {
    get(target, name) {
      const call = Reflect.get(target, name) as unknown;
      if (typeof call !== 'function') return call;
      return (input: object) => {
        const own: Record<string, unknown> = { ...input };
        return (call as (i: object) => Promise<unknown>)(own).finally(() => {
          for (const key of Object.keys(own)) delete own[key];
        });
      };
    },
  });
}

/** I/O steps; the summary labels each call in the Temporal UI ("post 24 orders, page 3"). */
// The activities beat every few seconds while they work, so a crashed worker's page is retried
// after the heartbeat timeout instead of the start-to-close timeout.
const io = (summary: string) =>
  releasingInputs(proxyActivities<SyncActivities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '30 seconds', retry, summary }));
// Mapping is pure and fast; a short timeout surfaces a stuck worker quickly.
const pure = (summary: string) =>
  releasingInputs(proxyActivities<SyncActivities>({ startToCloseTimeout: '1 minute', heartbeatTimeout: '30 seconds', retry, summary }));
// The same pure step as a local activity: it runs inside the workflow task's worker without a
// trip through the server's task queue, and its history marker keeps only the result (the
// mapped page). Its input is the fetch result, already in history, so nothing is lost.
const pureLocal = (summary: string) =>
  releasingInputs(proxyLocalActivities<SyncActivities>({ startToCloseTimeout: '1 minute', retry, summary }));

// Reading the ledger is a query: quick, and a few tries are enough (see the retry phase below).
const ledgerRead = (summary: string) =>
  proxyActivities<SyncActivities>({ startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 3 }, summary });

/** Pages per workflow run before continuing as new (history stays small and fast to replay). */
export const PAGES_PER_RUN = 100;
/** Open errors re-read per fetch when the run retries the ledger (the pipeline may page further). */
export const LEDGER_RETRY_CHUNK = 50;
/** The rule of a retried open error whose record the source no longer has. */
export const NO_LONGER_IN_SOURCE = 'no longer in the source';

export interface SyncRunProgress {
  cursor?: string;
  pageIndex: number;
  counts: SyncCounts;
  watermark?: string;
}

function failedOutcome(input: SyncRunInput, id: string, reason: string, field?: string): RecordOutcome {
  return { object: input.object, sourceId: id, outcome: 'failed', reason, ...(field ? { field } : {}) };
}

export async function syncRunWorkflow(input: SyncRunInput, progress?: SyncRunProgress): Promise<SyncRunResult> {
  // Every step names its sync by the workflow id, which continue-as-new keeps (shared/sync-contract).
  const step = stepOf(input.object, workflowInfo().workflowId);
  let cursor = progress?.cursor;
  let pageIndex = progress?.pageIndex ?? 0;
  let counts = progress?.counts ?? { ...ZERO_COUNTS };
  let watermark = progress?.watermark;
  const firstPageOfThisRun = pageIndex;

  const fetchAt = (at: string | undefined, index: number) =>
    io(`fetch ${input.object}s, page ${index + 1}`).fetchPage({
      ...step,
      mode: input.mode,
      since: input.since,
      ids: input.ids,
      cursor: at,
      pageIndex: index,
    });
  // Read page N+1 while page N is mapped and posted, so the target's rate limit, not the
  // round trips, bounds throughput. Patched: runs recorded before this change replay unchanged.
  const prefetch = patched('prefetch-next-page');
  // Map as a local activity, and log page N while page N+1 is mapped and posted: two fewer
  // server round trips on each page's critical path, and one copy of each page fewer in history.
  // Patched: runs recorded before this change replay unchanged.
  const pipelined = patched('local-map-background-log');
  const mapStep = (summary: string) => (pipelined ? pureLocal(summary) : pure(summary));
  // Open-error ledger: retries of due open errors first, labels handed to the log step.
  // Patched: runs recorded before the ledger replay unchanged.
  const ledger = patched('open-error-ledger');
  // A page marked postsMayOverlap (an initial-load chunk) keeps posting while the next page is
  // read, mapped and posted: the chunk's bulk import waits on Shopify while the other's links go
  // to B1. Patched: runs recorded before this change replay unchanged.
  const overlap = patched('overlap-independent-posts');
  // At most one log in flight: the previous page's log is awaited before the next one starts,
  // and before the run continues as new or completes.
  let logging: Promise<void> = Promise.resolve();
  const continueAsNewDue = (pagesDone: number) => workflowInfo().continueAsNewSuggested || pagesDone - firstPageOfThisRun >= PAGES_PER_RUN;
  let next: Promise<FetchPageResult> | undefined;

  /**
   * Map, post and log one page, and add its outcomes to the counts. `missing` turns the ids the source
   * did not return into outcomes (failed for a requested resync; skipped for a ledger retry).
   * `earlier`: the previous page, still posting alongside this one; this page logs after it.
   */
  const processPage = async (
    page: FetchPageResult,
    index: number,
    missing: (id: string) => RecordOutcome,
    countedFailed?: ReadonlySet<string>,
    earlier?: Promise<unknown>,
  ): Promise<RecordOutcome[]> => {
    const outcomes: RecordOutcome[] = (page.missingIds ?? []).map(missing);
    if (page.records.length) {
      const mapped = await mapStep(`map ${page.records.length} ${input.object}s`).mapPage({ ...step, records: page.records });
      const toPost = mapped.flatMap((m) => (m.ok ? [{ id: m.id, label: m.label, payload: m.payload }] : []));
      for (const m of mapped) if (!m.ok) outcomes.push(m.outcome);
      if (toPost.length)
        outcomes.push(...(await io(`post ${toPost.length} ${input.object}s`).postPage({ ...step, pageIndex: index, records: toPost })));
    }
    // Outcomes reach the log (and the ledger) in page order, whichever post ended first.
    if (earlier) await earlier;
    if (outcomes.length) {
      const failedHere = outcomes.filter((o) => o.outcome === 'failed').length;
      // The ledger shows a record by its label ("#1001"); the log step hands it on.
      const labels = ledger ? new Map(page.records.flatMap((r) => (r.label ? [[r.id, r.label] as const] : []))) : undefined;
      const logged = labels ? outcomes.map((o) => (labels.has(o.sourceId) ? { ...o, label: labels.get(o.sourceId) } : o)) : outcomes;
      const log = () =>
        io(`log ${outcomes.length} outcomes${failedHere ? ` (${failedHere} failed)` : ''}`).logOutcomes({
          ...step,
          pageIndex: index,
          outcomes: logged,
        });
      if (pipelined) {
        await logging;
        logging = log();
        // Awaited before the next log, continue-as-new or completion; a failure then fails the run.
        logging.catch(() => undefined);
      } else {
        await log();
      }
      counts = addCounts(
        counts,
        countOutcomes(countedFailed?.size ? outcomes.filter((o) => !(o.outcome === 'failed' && countedFailed.has(o.sourceId))) : outcomes),
      );
    }
    return outcomes;
  };
  // A record the ledger retry failed and this run's own pages read again (with webhooks it is often
  // failed by a hint run just before a scheduled run retries it) is posted again, since a newer
  // read may carry a fix, but a second failure is counted once: the run reports records, not attempts.
  const failedInRetry = new Set<string>();

  // Open errors first: every run of the object (schedule, Sync Now, resync) retries the ledger's
  // open errors that are due under the back-off, re-read from the source in 'ids' mode, before
  // its own work. Only at the run's start (not after continue-as-new), bounded per run by the
  // ledger activity. Retry pages have negative page indexes (-1, -2, …) so they never share a
  // page key (idempotency keys, ledger de-duplication) with the run's own pages.
  if (ledger && !progress) {
    // A ledger that cannot be read (no answer within a few tries) does not stop the run's own
    // work: its open errors stay open and the next run asks again.
    let due: string[] = [];
    try {
      due = await ledgerRead(`open ${input.object} errors due for a retry`).openErrorsDue({ object: input.object, nowMs: Date.now() });
    } catch (err) {
      if (isCancellation(err)) throw err;
      due = [];
    }
    if (input.mode === 'ids' && input.ids) {
      const requested = new Set(input.ids);
      due = due.filter((id) => !requested.has(id));
    }
    let retryPage = 0;
    for (let i = 0; i < due.length; i += LEDGER_RETRY_CHUNK) {
      const ids = due.slice(i, i + LEDGER_RETRY_CHUNK);
      let at: string | undefined;
      do {
        retryPage -= 1;
        const page = await io(`retry ${ids.length} open ${input.object} errors`).fetchPage({
          ...step,
          mode: 'ids',
          ids,
          cursor: at,
          pageIndex: retryPage,
        });
        const outcomes = await processPage(page, retryPage, (id) => ({
          object: input.object,
          sourceId: id,
          outcome: 'skipped',
          rule: NO_LONGER_IN_SOURCE,
        }));
        for (const o of outcomes) if (o.outcome === 'failed') failedInRetry.add(o.sourceId);
        at = page.nextCursor;
      } while (at);
    }
  }

  // The page still posting while the next one goes on (postsMayOverlap); at most one.
  let posting: Promise<unknown> | undefined;
  for (;;) {
    const page = await (next ?? fetchAt(cursor, pageIndex));
    next = undefined;
    if (prefetch && page.nextCursor && !continueAsNewDue(pageIndex + 1)) {
      next = fetchAt(page.nextCursor, pageIndex + 1);
      // Awaited next iteration; a failure then fails the run like any fetch failure.
      next.catch(() => undefined);
    }

    const handled = processPage(
      page,
      pageIndex,
      (id) => failedOutcome(input, id, `${input.object} ${id} was not found in the source (deleted, or the id is wrong)`),
      failedInRetry,
      posting,
    );
    if (overlap && page.postsMayOverlap && page.nextCursor) {
      // Two posts at most: the earlier one ends before the next page is taken on. A failure
      // surfaces when the page is awaited (here or before continue-as-new or completion).
      handled.catch(() => undefined);
      if (posting) await posting;
      posting = handled;
    } else {
      await handled;
      posting = undefined;
    }
    if (page.watermark && (!watermark || page.watermark > watermark)) watermark = page.watermark;
    pageIndex += 1;
    setCurrentDetails(
      `**${input.trigger} ${input.mode} sync of ${input.object}s** — page ${pageIndex}: ` +
        `${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ` +
        `${counts.skipped} skipped, ${counts.failed} failed`,
    );

    if (!page.nextCursor) break;
    cursor = page.nextCursor;
    if (continueAsNewDue(pageIndex)) {
      if (posting) await posting;
      await logging;
      await continueAsNew<typeof syncRunWorkflow>(input, { cursor, pageIndex, counts, watermark });
    }
  }

  if (posting) await posting;
  await logging;
  upsertSearchAttributes([
    { key: RecordCountKey, value: totalRecords(counts) },
    { key: FailedCountKey, value: counts.failed },
  ]);
  return { counts, watermark };
}
