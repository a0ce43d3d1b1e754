/** Upserts a page of mapped customers into B1 business partners, one outcome per record. */
import { Context } from '@temporalio/activity';
import { created, failed, unchanged, updated, type RecordOutcome } from '../../mapping';
import type { B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps, PostPageInput } from '../contract';
import { upsertBusinessPartner } from './upsert';

export async function postCustomers(deps: PipelineDeps, input: PostPageInput<B1BusinessPartnerCreate>): Promise<RecordOutcome[]> {
  const out: RecordOutcome[] = [];
  // Sequential on purpose: two Shopify customers sharing an e-mail must not both link the same
  // partner, and the lookups must see the writes made earlier in the page.
  for (const r of input.records) {
    const res = await upsertBusinessPartner(deps, r.payload);
    if (res.outcome === 'failed') out.push(failed('customer', r.id, `customer ${r.label ?? r.id}: ${res.reason}`, res.field));
    else if (res.outcome === 'created') out.push(created('customer', r.id, res.cardCode));
    else if (res.outcome === 'updated') out.push(updated('customer', r.id, res.cardCode));
    else out.push(unchanged('customer', r.id, res.cardCode));
    heartbeat();
  }
  return out;
}

/** Progress for Temporal (lets a heartbeat timeout detect a dead worker mid-page). */
export function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not inside an activity (the pipeline called directly): nothing to report to.
  }
}
