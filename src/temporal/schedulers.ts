/**
 * Makes sure the four scheduler workflows exist. An existing scheduler keeps its schedule,
 * pause state and watermark (they live in its history, so they survive redeploys); only a
 * missing one is started, with the configured initial schedule.
 */
import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ScheduleSpec } from '../schedule/spec';
import { SYNC_OBJECTS, schedulerWorkflowId, type SyncObject } from '../shared/sync-object';
import { schedulerWorkflow } from '../workflows/scheduler';

export async function ensureSchedulers(
  client: Client,
  opts: { taskQueue: string; schedules: Record<SyncObject, ScheduleSpec>; objects?: readonly SyncObject[] },
): Promise<Record<SyncObject, WorkflowHandle<typeof schedulerWorkflow>>> {
  const handles = {} as Record<SyncObject, WorkflowHandle<typeof schedulerWorkflow>>;
  for (const object of opts.objects ?? SYNC_OBJECTS) {
    handles[object] = await client.workflow.start(schedulerWorkflow, {
      taskQueue: opts.taskQueue,
      workflowId: schedulerWorkflowId(object),
      args: [{ object, spec: opts.schedules[object] }],
      // Already running: keep it (and its schedule); never a second scheduler per object.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: `${object} scheduler`,
    });
  }
  return handles;
}

export function schedulerHandle(client: Client, object: SyncObject): WorkflowHandle<typeof schedulerWorkflow> {
  return client.workflow.getHandle<typeof schedulerWorkflow>(schedulerWorkflowId(object));
}
