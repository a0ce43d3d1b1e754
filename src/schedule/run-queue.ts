/**
 * Overlap rule of the scheduler, as pure functions: never two syncs of one object at once,
 * and every trigger that arrives while a run is busy is folded into a single follow-up run.
 * Folding must never lose work: a full request absorbs the others, id lists are unioned, and
 * a delta run still carries explicit ids (a resync must not be dropped because a delta run
 * with an already advanced watermark would not see those records).
 */
import type { PendingRun, SyncMode, SyncTrigger } from '../shared/sync-types';

/** Above this many ids a follow-up becomes a full run: cheaper than an unbounded id list in history. */
export const MAX_COALESCED_IDS = 5_000;

export interface QueuedRequest {
  workflowId: string;
  trigger: SyncTrigger;
  mode: SyncMode;
  ids?: string[];
  requestId?: string;
  scheduledFor?: string;
  queuedAt: string;
}

const MODE_STRENGTH: Record<SyncMode, number> = { ids: 0, delta: 1, full: 2 };
// A human's Sync Now/resync is more telling in the log than the schedule it coincided with.
const TRIGGER_STRENGTH: Record<SyncTrigger, number> = { schedule: 0, webhook: 1, init: 2, resync: 3, manual: 4 };

function union(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a?.length && !b?.length) return undefined;
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}

/** Folds a new request into the pending run (or makes it the pending run). */
export function coalesce(pending: PendingRun | undefined, req: QueuedRequest): PendingRun {
  if (!pending) {
    return {
      workflowId: req.workflowId,
      trigger: req.trigger,
      mode: req.mode,
      ids: req.ids?.length ? [...new Set(req.ids)] : undefined,
      requestIds: req.requestId ? [req.requestId] : [],
      scheduledFor: req.scheduledFor,
      queuedAt: req.queuedAt,
    };
  }
  let mode: SyncMode = MODE_STRENGTH[req.mode] > MODE_STRENGTH[pending.mode] ? req.mode : pending.mode;
  let ids = mode === 'full' ? undefined : union(pending.ids, req.ids);
  if (ids && ids.length > MAX_COALESCED_IDS) {
    mode = 'full';
    ids = undefined;
  }
  return {
    workflowId: pending.workflowId,
    trigger: TRIGGER_STRENGTH[req.trigger] > TRIGGER_STRENGTH[pending.trigger] ? req.trigger : pending.trigger,
    mode,
    ids,
    requestIds: req.requestId ? [...pending.requestIds, req.requestId] : pending.requestIds,
    scheduledFor: pending.scheduledFor ?? req.scheduledFor,
    queuedAt: pending.queuedAt,
  };
}

/** `20261126T140312Z`: sortable and readable in workflow ids. */
export function compactTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Request ids become part of workflow ids: keep them short and free of separators. */
export function isValidRequestId(id: string): boolean {
  return /^[A-Za-z0-9._-]{1,64}$/.test(id);
}
