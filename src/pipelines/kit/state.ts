/**
 * Per-worker memory of the pipelines (caches, in-process locks, what a run attempted). It lives
 * in the injected deps, one per `createPipelineDeps` call, never in module scope: two workers
 * in one process (tests, a second hub) each have their own, and dropping the deps drops it.
 *
 * A pipeline keeps its own part in one slot, typed by the accessor the pipeline exports (e.g.
 * `orderState(deps)` in order/state.ts), so adding a pipeline adds no field here.
 */
export class PipelineState {
  readonly #slots = new Map<string, unknown>();

  /** The value of `key` in this worker, made by `make` on first use. Keys are the pipeline's name (`order`, `customer`, …). */
  slot<T>(key: string, make: () => T): T {
    if (!this.#slots.has(key)) this.#slots.set(key, make());
    return this.#slots.get(key) as T;
  }
}

/**
 * Creates this worker attempted, per run. A page retried after an ambiguous failure (the POST
 * reached B1 but its answer was lost, or another record of the page failed) finds the record
 * its earlier attempt wrote; without this memory it would count it `unchanged`, and the run's
 * counts would under-report what it created. After a worker crash the memory is gone and such
 * records count as `unchanged`: still correct data, only the label is conservative.
 */
export class CreateAttempts {
  readonly #attempted = new Set<string>();

  constructor(private readonly maxEntries = 20_000) {}

  note(runId: string | undefined, sourceId: string): void {
    if (runId === undefined) return;
    this.#attempted.add(key(runId, sourceId));
    // Oldest first (insertion order): long-lived workers keep a bounded memory.
    for (const k of this.#attempted) {
      if (this.#attempted.size <= this.maxEntries) break;
      this.#attempted.delete(k);
    }
  }

  /** Takes back a note whose write is known not to have happened (B1 rolled it back). */
  forget(runId: string | undefined, sourceId: string): void {
    if (runId !== undefined) this.#attempted.delete(key(runId, sourceId));
  }

  attemptedInRun(runId: string | undefined, sourceId: string): boolean {
    return runId !== undefined && this.#attempted.has(key(runId, sourceId));
  }
}

const key = (runId: string, sourceId: string) => `${runId}\u0000${sourceId}`;
