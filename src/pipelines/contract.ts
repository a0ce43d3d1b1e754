/**
 * The contract every sync pipeline implements: fetch a page from the source, map it (pure,
 * validated), post it to the target, log the outcomes. The sync-run workflow drives these
 * four steps as four activities, so the run's history shows, for every record, what was read,
 * what was written and why it failed: the history is the message log.
 *
 * The step inputs and results are the workflow↔activity contract (src/shared/sync-contract.ts,
 * re-exported here); this module adds what only the worker side knows: the clients.
 */
import type { RecordOutcome } from '../mapping/outcome';
import type { MappingConfig } from '../mapping/config';
import type { SyncObject } from '../shared/sync-object';
import type { FetchPageInput, FetchPageResult, MapPageInput, MappedRecord, PostPageInput } from '../shared/sync-contract';
import type { B1Client } from '../connectors/b1/client';
import type { ShopifyClient } from '../connectors/shopify/client';
import type { PipelineState } from './kit/state';
import type { PipelineTuning } from './kit/tuning';
import type { ProductState } from './product/state';

export type {
  FetchPageInput,
  FetchPageResult,
  LogPageInput,
  MapPageInput,
  MappedRecord,
  PostPageInput,
  SourceRecord,
} from '../shared/sync-contract';

/** What a pipeline needs at run time; built once per worker from the config and the secrets. */
export interface PipelineDeps {
  b1: B1Client;
  shopify: ShopifyClient;
  mapping: MappingConfig;
  /** Page size per object (records per fetch), chosen to keep payloads small. */
  pageSizes: Record<SyncObject, number>;
  /** The pipelines' per-worker memory (caches, in-process locks): one per deps, never module state. */
  state: PipelineState;
  /** Tunables with defaults (kit/tuning.ts): a test passes its own instead of patching globals. */
  tuning: PipelineTuning;
  /** The product pipelines' caches and tuning (product/state.ts). */
  product: ProductState;
}

/** One object's pipeline. `map` must be deterministic in its inputs (it is also re-run on resync). */
export interface Pipeline<T = unknown, P = unknown> {
  object: SyncObject;
  fetch(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<T>>;
  map(deps: PipelineDeps, input: MapPageInput<T>): Promise<MappedRecord<P>[]>;
  post(deps: PipelineDeps, input: PostPageInput<P>): Promise<RecordOutcome[]>;
}

/**
 * Default records per page: a page of orders with lines is the largest payload. Inventory
 * records are small (quantities only), so its pages are large: per-page overhead, not Shopify's
 * rate limit, bounded it at 250 (measured: 10k items 1,065 rec/s at 250, 1,969 rec/s at 500). At
 * real latency a page's write takes ~0.5 s whatever its size: 500 held a 100k run at ~700 rec/s
 * once it read from the snapshot, below the ~1,250 rec/s the rate limit allows; 1000 is the most
 * fetch takes.
 */
export const DEFAULT_PAGE_SIZES: Readonly<Record<SyncObject, number>> = {
  customer: 50,
  product: 50,
  // Variants per page of the Shopify → B1 scan (the connection maximum).
  'shopify-product': 250,
  order: 25,
  inventory: 1000,
  // Deliveries carry their lines and base order lines; each costs a few Shopify calls.
  delivery: 25,
};
