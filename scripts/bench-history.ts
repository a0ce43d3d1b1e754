/** What a benchmarked run left in Temporal: history bytes and events over its continued-as-new runs. */
import { temporal } from '@temporalio/proto';
import type { WorkflowService } from '@temporalio/client';

export interface RunHistory {
  bytes: number;
  events: number;
  runs: number;
  /** Bytes by activity type and direction (input = scheduled event, result = completed event). */
  breakdown: Record<string, number>;
  /** Calls and total ms from scheduling to completion, by activity type. */
  timings: Record<string, { calls: number; ms: number }>;
}

export async function readRunHistory(
  service: WorkflowService,
  namespace: string,
  workflowId: string,
  firstRunId: string,
): Promise<RunHistory> {
  let runId: string | undefined = firstRunId;
  let bytes = 0;
  let events = 0;
  let runs = 0;
  // Where the bytes go: activity inputs and results by activity type, markers, everything else.
  const breakdown: Record<string, number> = {};
  const scheduledType = new Map<string, string>();
  const scheduledAt = new Map<string, number>();
  const ms = (t: temporal.api.history.v1.IHistoryEvent['eventTime']): number =>
    Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
  const timings: Record<string, { calls: number; ms: number }> = {};
  const addTo = (key: string, n: number): void => void (breakdown[key] = (breakdown[key] ?? 0) + n);
  while (runId) {
    // Paged by hand: one page of a large run's history can exceed gRPC's 4 MB message limit.
    let token: Uint8Array | undefined;
    let last: temporal.api.history.v1.IHistoryEvent | undefined;
    do {
      const res: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse = await service.getWorkflowExecutionHistory({
        namespace,
        execution: { workflowId, runId },
        maximumPageSize: 25,
        ...(token ? { nextPageToken: token } : {}),
      });
      const evs = res.history?.events ?? [];
      bytes += temporal.api.history.v1.History.encode({ events: evs }).finish().length;
      for (const ev of evs) {
        const size = temporal.api.history.v1.History.encode({ events: [ev] }).finish().length;
        const sched = ev.activityTaskScheduledEventAttributes;
        const done = ev.activityTaskCompletedEventAttributes;
        if (sched) {
          const type = sched.activityType?.name ?? '?';
          scheduledType.set(String(ev.eventId), type);
          scheduledAt.set(String(ev.eventId), ms(ev.eventTime));
          addTo(`${type} input`, size);
        } else if (done) {
          const type = scheduledType.get(String(done.scheduledEventId)) ?? '?';
          addTo(`${type} result`, size);
          const t0 = scheduledAt.get(String(done.scheduledEventId));
          if (t0 !== undefined) {
            timings[type] = timings[type] ?? { calls: 0, ms: 0 };
            timings[type].calls++;
            timings[type].ms += ms(ev.eventTime) - t0;
          }
        } else if (ev.markerRecordedEventAttributes) addTo(`marker ${ev.markerRecordedEventAttributes.markerName ?? ''}`, size);
        else addTo('other events', size);
      }
      events += evs.length;
      if (evs.length) last = evs[evs.length - 1];
      token = res.nextPageToken && res.nextPageToken.length ? res.nextPageToken : undefined;
    } while (token);
    runs++;
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { bytes, events, runs, breakdown, timings };
}
