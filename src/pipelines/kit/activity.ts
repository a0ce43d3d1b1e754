/** What every pipeline's post step shares about running inside a Temporal activity. */
import { Context } from '@temporalio/activity';

/** Records of one page posted side by side (B1 round trips dominate; 4 keeps a Service Layer node comfortable). */
export const POST_CONCURRENCY = 4;

/** Progress for Temporal (lets a heartbeat timeout detect a dead worker mid-page). */
export function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not inside an activity (the pipeline called directly): nothing to report to.
  }
}
