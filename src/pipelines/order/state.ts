/** The order pipeline's per-worker memory (kit/state.ts). */
import type { PipelineDeps } from '../contract';
import { CreateAttempts } from '../kit/state';

export interface OrderState {
  /** Guest partners known to exist (checked once per worker, not once per order). */
  guestsSeen: Set<string>;
  /** Calls in flight per Shopify order on this worker (exactly-once.ts, `serialised`). */
  inFlight: Map<string, Promise<unknown>>;
  createAttempts: CreateAttempts;
}

export const orderState = (deps: Pick<PipelineDeps, 'state'>): OrderState =>
  deps.state.slot('order', (): OrderState => ({ guestsSeen: new Set(), inFlight: new Map(), createAttempts: new CreateAttempts() }));
