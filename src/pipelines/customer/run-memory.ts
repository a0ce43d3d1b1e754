/**
 * Creates this worker attempted, per run. A page retried after an ambiguous failure (the POST
 * reached B1 but its answer was lost, or another record of the page failed) finds the record
 * its earlier attempt wrote; without this memory it would count it `unchanged`, and the run's
 * counts would under-report what it created. After a worker crash the memory is gone and such
 * records count as `unchanged`: still correct data, only the label is conservative.
 */
const MAX_ENTRIES = 20_000;
const attempted = new Set<string>();

const key = (runId: string, sourceId: string) => `${runId}\u0000${sourceId}`;

export function noteCreateAttempt(runId: string | undefined, sourceId: string): void {
  if (runId === undefined) return;
  attempted.add(key(runId, sourceId));
  // Oldest first (insertion order): long-lived workers keep a bounded memory.
  for (const k of attempted) {
    if (attempted.size <= MAX_ENTRIES) break;
    attempted.delete(k);
  }
}

export function createAttemptedInRun(runId: string | undefined, sourceId: string): boolean {
  return runId !== undefined && attempted.has(key(runId, sourceId));
}
