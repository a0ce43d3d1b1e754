/**
 * Types shared by the scheduler workflows, the sync workflows and their callers (CLI, tests).
 * Only plain data: these values travel through Temporal payloads, so no secrets and no
 * functions, and everything must stay small.
 */
import type { ScheduleSpec } from '../schedule/spec';
import type { SyncObject } from './sync-object';

/** Why a sync run started: the schedule, Sync Now, a resync of failed records, initialization, or a Shopify webhook. */
export type SyncTrigger = 'schedule' | 'manual' | 'resync' | 'init' | 'webhook';
/** delta: since the watermark; full: everything; ids: only the given source ids (re-fetched). */
export type SyncMode = 'delta' | 'full' | 'ids';

export interface SyncNowRequest {
  /** Caller-chosen id; the run that serves it is `sync:<object>:<requestId>` unless coalesced. */
  requestId?: string;
  trigger?: Exclude<SyncTrigger, 'schedule'>;
  /** Full sync instead of delta. */
  full?: boolean;
  /** Only these source record ids (resync); re-fetched from the source. */
  ids?: string[];
}

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

export const ZERO_COUNTS: SyncCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };

export function addCounts(a: SyncCounts, b: SyncCounts): SyncCounts {
  return {
    created: a.created + b.created,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
  };
}

/** Tally of one page's record outcomes. */
export function countOutcomes(outcomes: Iterable<{ outcome: keyof SyncCounts }>): SyncCounts {
  const c = { ...ZERO_COUNTS };
  for (const o of outcomes) c[o.outcome] += 1;
  return c;
}

export function totalRecords(c: SyncCounts): number {
  return c.created + c.updated + c.unchanged + c.skipped + c.failed;
}

/** Input of one sync run (a child of the object's scheduler, or started directly by a resync). */
export interface SyncRunInput {
  object: SyncObject;
  trigger: SyncTrigger;
  mode: SyncMode;
  /** Source ids to (re)sync: the whole scope in 'ids' mode, extra records in 'delta' mode. */
  ids?: string[];
  /** Delta watermark (ISO-8601) handed over by the scheduler. */
  since?: string;
  /** The schedule slot this run serves, when triggered by the schedule (ISO-8601). */
  scheduledFor?: string;
}

export interface SyncRunResult {
  counts: SyncCounts;
  /** High-water mark of the source data read; the scheduler keeps it for the next delta run. */
  watermark?: string;
}

export type RunOutcome = 'running' | 'completed' | 'completed_with_failures' | 'failed';

export interface RunSummary {
  workflowId: string;
  trigger: SyncTrigger;
  mode: SyncMode;
  requestIds: string[];
  scheduledFor?: string;
  startedAt: string;
  endedAt?: string;
  outcome: RunOutcome;
  counts?: SyncCounts;
  error?: string;
}

/** A run waiting to start: at most one per object (triggers during a run coalesce into it). */
export interface PendingRun {
  workflowId: string;
  trigger: SyncTrigger;
  mode: SyncMode;
  ids?: string[];
  requestIds: string[];
  scheduledFor?: string;
  queuedAt: string;
}

export interface SchedulerStatus {
  object: SyncObject;
  spec: ScheduleSpec;
  description: string;
  paused: boolean;
  /** Why it was paused, when the pauser said (e.g. the app/uninstalled webhook). */
  pauseReason?: string;
  nextFireAt?: string;
  running?: RunSummary;
  pending?: PendingRun;
  recentRuns: RunSummary[];
  watermark?: string;
  /** The last schedule change that was rejected, with the reason (signals cannot answer). */
  lastRejected?: { at: string; reason: string };
  /** Which run served each recent request id (coalesced requests share a run). */
  requests: Record<string, string>;
}
