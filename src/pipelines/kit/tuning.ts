/**
 * The pipelines' tunables: defaults here, one copy per deps (`createPipelineDeps`), so a test or
 * a deployment changes a worker's values by passing its own, never by patching module exports
 * that every worker in the process would share. A pipeline adds its own group of values.
 */
export interface PipelineTuning {
  order: {
    /**
     * A run reads past its first page from one bulk export when paging one more page would take
     * at least this many seconds of the bucket's restore (page size × points per order ÷ restore
     * rate): ~12 s on the Standard plan (100 points/s), ~1 s on Plus, where paging beats an
     * export's own start-up time.
     */
    bulkMinPageSeconds: number;
    /** Wait for the export inside one fetch (the activity allows 10 minutes, with heartbeats). */
    bulkWaitPerPageMs: number;
    /** An export not complete this long after its start is abandoned for paging. */
    bulkGiveUpMs: number;
    /**
     * A page's new sales orders are created together (order/create-batch.ts): one `$batch`
     * changeset per order holding its reservation and its POST. Off: each order on its own (the
     * path every order the page cannot decide takes anyway).
     */
    batchCreates: boolean;
  };
}

/** A fresh copy of the defaults (callers may change their copy). */
export function defaultTuning(): PipelineTuning {
  return {
    order: { bulkMinPageSeconds: 5, bulkWaitPerPageMs: 4 * 60_000, bulkGiveUpMs: 30 * 60_000, batchCreates: true },
  };
}
