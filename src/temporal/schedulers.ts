/**
 * Makes sure the schedulers exist. An existing scheduler keeps its schedule, pause state and
 * watermark (they live in its history, so they survive redeploys); only a missing one is started,
 * with the configured initial schedule.
 *
 * An object split off another (SPLIT_FROM: `shopify-product` off `product`) starts, on a
 * deployment where the other's scheduler already runs, from the part of the other's watermark
 * that covered it: an upgrade neither re-imports every Shopify product nor skips one. The other
 * scheduler is created first and asked for its watermark before the new one is started; with two
 * hubs starting at once both ask, and whichever start wins (USE_EXISTING) carries a seed that is
 * safe, because the product run keeps the Shopify part it had (product/fetch.ts, productWatermark)
 * and only an older run finishing its Shopify phase moves it, by what that phase read.
 */
import { WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ScheduleSpec } from '../schedule/spec';
import { SPLIT_FROM, SYNC_OBJECTS, schedulerWorkflowId, type SyncObject } from '../shared/sync-object';
import { statusQuery } from '../workflows/messages';
import { schedulerWorkflow, type SchedulerState } from '../workflows/scheduler';
import { initialSchedulerState } from '../workflows/scheduler-state';

export async function ensureSchedulers(
  client: Client,
  opts: { taskQueue: string; schedules: Record<SyncObject, ScheduleSpec>; objects?: readonly SyncObject[] },
): Promise<Record<SyncObject, WorkflowHandle<typeof schedulerWorkflow>>> {
  const handles = {} as Record<SyncObject, WorkflowHandle<typeof schedulerWorkflow>>;
  for (const object of opts.objects ?? SYNC_OBJECTS) {
    const spec = opts.schedules[object];
    // Only a split-off object's scheduler needs a look first (an existing one keeps its state).
    const state = SPLIT_FROM[object] && !(await schedulerExists(client, object)) ? await seededState(client, object, spec) : undefined;
    handles[object] = await client.workflow.start(schedulerWorkflow, {
      taskQueue: opts.taskQueue,
      workflowId: schedulerWorkflowId(object),
      args: [{ object, spec, ...(state ? { state } : {}) }],
      // Already running: keep it (and its schedule); never a second scheduler per object.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: `${object} scheduler`,
    });
  }
  return handles;
}

async function schedulerExists(client: Client, object: SyncObject): Promise<boolean> {
  try {
    const d = await schedulerHandle(client, object).describe();
    return d.status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * The first state of a split-off object's scheduler: the other's schedule is not copied (each
 * object has its own), only its watermark part. No other scheduler (a new deployment) or no
 * watermark yet: no seed, the first run reads everything, as any first run does. The query is
 * answered by a worker: the hub starts its worker before it ensures the schedulers; a failed
 * query is thrown, so the new scheduler is not started without its seed (the next start retries).
 */
async function seededState(client: Client, object: SyncObject, spec: ScheduleSpec): Promise<SchedulerState | undefined> {
  const split = SPLIT_FROM[object];
  if (!split || !(await schedulerExists(client, split.object))) return undefined;
  const status = await schedulerHandle(client, split.object).query(statusQuery, {});
  const watermark = status.watermark ? split.watermark(status.watermark) : undefined;
  return watermark ? { ...initialSchedulerState(spec), watermark } : undefined;
}

export function schedulerHandle(client: Client, object: SyncObject): WorkflowHandle<typeof schedulerWorkflow> {
  return client.workflow.getHandle<typeof schedulerWorkflow>(schedulerWorkflowId(object));
}
