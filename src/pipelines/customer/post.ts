/** Upserts a page of mapped customers into B1 business partners, one outcome per record. */
import { created, failed, unchanged, updated, type RecordOutcome } from '../../mapping';
import type { B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps, PostPageInput } from '../contract';
import { upsertPartnersOfPage, type PageUpsertResult } from './upsert-page';

type Rec = PostPageInput<B1BusinessPartnerCreate>['records'][number];

function outcomeOf(r: Rec, res: PageUpsertResult): RecordOutcome {
  if (res.outcome === 'failed') return failed('customer', r.id, `customer ${r.label ?? r.id}: ${res.reason}`, res.field);
  if (res.outcome === 'in-progress') return failed('customer', r.id, `customer ${r.label ?? r.id}: ${res.reason}`);
  if (res.outcome === 'created') return created('customer', r.id, res.cardCode);
  if (res.outcome === 'updated') return updated('customer', r.id, res.cardCode);
  return unchanged('customer', r.id, res.cardCode);
}

export async function postCustomers(deps: PipelineDeps, input: PostPageInput<B1BusinessPartnerCreate>): Promise<RecordOutcome[]> {
  const results = await upsertPartnersOfPage(
    deps,
    input.records.map((r) => r.payload),
    input.syncId,
  );
  return input.records.map((r, i) => outcomeOf(r, results[i] as PageUpsertResult));
}
