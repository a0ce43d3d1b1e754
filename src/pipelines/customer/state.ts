/** The customer pipeline's per-worker memory (kit/state.ts): the creates each run attempted. */
import type { PipelineDeps } from '../contract';
import { CreateAttempts } from '../kit/state';

export interface CustomerState {
  createAttempts: CreateAttempts;
}

export const customerState = (deps: Pick<PipelineDeps, 'state'>): CustomerState =>
  deps.state.slot('customer', (): CustomerState => ({ createAttempts: new CreateAttempts() }));
