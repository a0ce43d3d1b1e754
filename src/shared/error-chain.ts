/**
 * An error with its whole cause chain on one line, e.g. "Child Workflow execution failed:
 * Activity task failed: <root cause>": Temporal wraps failures in layers, and the root cause is
 * the part an operator needs. Pure, so workflow code can use it too.
 */
export function errorChainText(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  while (cur instanceof Error && parts.length < 6) {
    if (cur.message && !parts.includes(cur.message)) parts.push(cur.message);
    cur = (cur as { cause?: unknown }).cause;
  }
  // A run that failed for configuration says so in its one line, without Temporal's layers:
  // the activity already wrote what is wrong and what to check (shared/error-policy.ts).
  const configuration = parts.find((p) => p.startsWith('configuration: '));
  if (configuration) return configuration;
  return parts.join(': ') || String(err);
}
