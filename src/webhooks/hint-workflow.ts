/**
 * Workflow code (deterministic): hands one webhook delivery to the schedulers.
 *
 * Its workflow id is `webhook:<X-Shopify-Event-Id>`, started with REJECT_DUPLICATE: Temporal's
 * workflow-id uniqueness is the durable dedupe set, shared by every receiver replica and kept for
 * the namespace's retention (Shopify retries for about 4 hours; keep retention ≥ 1 day). Starting it
 * is one RPC the receiver awaits before it answers 200, so an acknowledged delivery is in
 * Temporal; the signal to the scheduler then happens here, retried by Temporal, never half-done
 * by a receiver that died between two calls.
 */
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { SYNC_OBJECTS, schedulerWorkflowId } from '../shared/sync-object';
import { pauseSignal, syncNowSignal } from '../workflows/messages';
import type { WebhookAction } from './topics';

export interface WebhookHintInput {
  eventId: string;
  topic: string;
  /** From X-Shopify-Triggered-At, for the history reader; the run re-reads the record anyway. */
  triggeredAt?: string;
  action: WebhookAction;
}

export const WEBHOOK_HINT_WORKFLOW_PREFIX = 'webhook:';

/**
 * Hints run on their own task queue (served by their own worker in every hub worker process):
 * a burst of deliveries starts thousands of short workflows, which on the schedulers' queue took
 * the schedulers' workflow cache and task slots (a 1,000-order burst held the order scheduler's
 * next task for minutes). Apart, the hints cost the schedulers only the signals they send.
 */
export function webhookTaskQueue(taskQueue: string): string {
  return `${taskQueue}-webhooks`;
}

/** `wh-<event id>`: the scheduler's requestId, so a retried signal is served once. */
export function hintRequestId(eventId: string): string {
  return `wh-${eventId}`.slice(0, 64);
}

export async function webhookHintWorkflow(input: WebhookHintInput): Promise<{ signalled: string[] }> {
  const a = input.action;
  if (a.kind === 'ignore') return { signalled: [] };
  if (a.kind === 'pause') {
    const ids = SYNC_OBJECTS.map((o) => schedulerWorkflowId(o));
    for (const id of ids) await getExternalWorkflowHandle(id).signal(pauseSignal, { reason: a.reason });
    return { signalled: ids };
  }
  const id = schedulerWorkflowId(a.object);
  await getExternalWorkflowHandle(id).signal(syncNowSignal, {
    requestId: hintRequestId(input.eventId),
    trigger: 'webhook',
    ids: a.kind === 'ids' ? a.ids : undefined,
  });
  return { signalled: [id] };
}
