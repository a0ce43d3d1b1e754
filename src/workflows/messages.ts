/**
 * The scheduler's message interface, shared by the workflow and its callers (CLI, tests).
 * Signals are the design's way to drive a scheduler; `changeSchedule` is an update for
 * callers that need an answer, and its validator rejects a bad spec before it reaches history.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ScheduleSpec } from '../schedule/spec';
import type { SchedulerStatus, SyncNowRequest } from '../shared/sync-types';

export const setScheduleSignal = defineSignal<[ScheduleSpec]>('setSchedule');
export const syncNowSignal = defineSignal<[SyncNowRequest?]>('syncNow');
export const pauseSignal = defineSignal<[{ reason?: string }?]>('pause');
export const resumeSignal = defineSignal('resume');

export const changeScheduleUpdate = defineUpdate<SchedulerStatus, [ScheduleSpec]>('changeSchedule');

/** `nextCount`: how many upcoming fire times to list (default 1, at most 20). */
export const statusQuery = defineQuery<SchedulerStatus & { nextFireTimes: string[] }, [{ nextCount?: number }?]>('status');
