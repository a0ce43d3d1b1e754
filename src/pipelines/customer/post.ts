/** Upserts a page of mapped customers into B1 business partners, one outcome per record. */
import { created, failed, unchanged, updated, type RecordOutcome } from '../../mapping';
import type { B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps, PostPageInput } from '../contract';
import { heartbeat, POST_CONCURRENCY } from '../kit/activity';
import { mapInGroups } from '../kit/groups';
import { lookupPartners, PartnerInProgressError, upsertBusinessPartner, type BpUpsertResult } from './upsert';

export async function postCustomers(deps: PipelineDeps, input: PostPageInput<B1BusinessPartnerCreate>): Promise<RecordOutcome[]> {
  // The page's partners in a few batched reads, not one or two per customer.
  const known = await lookupPartners(
    deps,
    input.records.map((r) => r.payload),
  );
  // Customers sharing an e-mail run one after the other, so two of them never both link the
  // same partner; the others run side by side.
  return mapInGroups(
    input.records,
    (r) => r.payload.EmailAddress?.toLowerCase() ?? r.id,
    POST_CONCURRENCY,
    async (r) => {
      let res: BpUpsertResult;
      try {
        res = await upsertBusinessPartner(deps, r.payload, input.syncId, known);
      } catch (e) {
        // Another writer holds this customer's reservation (series mode) and may still be creating
        // the partner for up to the stale window: only this record waits (open in the failed-record
        // ledger, retried by a later run); failing the page would fail every run until then.
        if (!(e instanceof PartnerInProgressError)) throw e;
        heartbeat();
        return failed('customer', r.id, `customer ${r.label ?? r.id}: ${e.message}`);
      }
      heartbeat();
      if (res.outcome === 'failed') return failed('customer', r.id, `customer ${r.label ?? r.id}: ${res.reason}`, res.field);
      if (res.outcome === 'created') return created('customer', r.id, res.cardCode);
      if (res.outcome === 'updated') return updated('customer', r.id, res.cardCode);
      return unchanged('customer', r.id, res.cardCode);
    },
  );
}
