/** Upserts a page of mapped customers into B1 business partners, one outcome per record. */
import { created, failed, unchanged, updated, type RecordOutcome } from '../../mapping';
import type { B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps, PostPageInput } from '../contract';
import { heartbeat, POST_CONCURRENCY } from '../kit/activity';
import { mapInGroups } from '../kit/groups';
import { createPartnersInBatch } from './batch-create';
import { lookupPartners, PartnerInProgressError, upsertBusinessPartner, type BpUpsertResult, type KnownPartners } from './upsert';

type Rec = PostPageInput<B1BusinessPartnerCreate>['records'][number];

function outcomeOf(r: Rec, res: BpUpsertResult): RecordOutcome {
  if (res.outcome === 'failed') return failed('customer', r.id, `customer ${r.label ?? r.id}: ${res.reason}`, res.field);
  if (res.outcome === 'created') return created('customer', r.id, res.cardCode);
  if (res.outcome === 'updated') return updated('customer', r.id, res.cardCode);
  return unchanged('customer', r.id, res.cardCode);
}

/**
 * Prefix mode: a customer that the lookup found no partner for, and no partner to link by
 * e-mail, is created in the page's `$batch` (batch-create.ts). Series mode keeps its per-record
 * reservation; links and patches stay per record.
 */
function isPlainCreate(deps: PipelineDeps, known: KnownPartners, d: B1BusinessPartnerCreate): boolean {
  if (!d.CardCode || known.byShopifyId.has(d.U_ShopifyId)) return false;
  return !(deps.mapping.customer.linkByEmail && d.EmailAddress && known.linkCandidate(d.EmailAddress));
}

export async function postCustomers(deps: PipelineDeps, input: PostPageInput<B1BusinessPartnerCreate>): Promise<RecordOutcome[]> {
  // The page's partners in a few batched reads, not one or two per customer.
  const known = await lookupPartners(
    deps,
    input.records.map((r) => r.payload),
  );
  const batched = input.records.filter((r) => isPlainCreate(deps, known, r.payload));
  const single = input.records.filter((r) => !batched.includes(r));
  // Customers sharing an e-mail run one after the other, so two of them never both link the
  // same partner; the others run side by side.
  const singles = await mapInGroups(
    single,
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
      return outcomeOf(r, res);
    },
  );
  const creates = await createPartnersInBatch(
    deps,
    batched.map((r) => r.payload),
    input.syncId,
  );
  heartbeat();
  const byRecord = new Map<Rec, RecordOutcome>();
  single.forEach((r, i) => byRecord.set(r, singles[i] as RecordOutcome));
  batched.forEach((r, i) => byRecord.set(r, outcomeOf(r, creates[i] as BpUpsertResult)));
  return input.records.map((r) => byRecord.get(r) as RecordOutcome);
}
