/**
 * A page's partners written at once: looked up in a few batched reads, new ones created through
 * `$batch` (prefix mode, batch-create.ts), the rest (links by e-mail, patches, series mode) one by
 * one, those sharing an e-mail one after the other. Used by the customer pipeline for its pages
 * and by the order pipeline for the partners of a page's new orders.
 */
import type { B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps } from '../contract';
import { heartbeat, POST_CONCURRENCY } from '../kit/activity';
import { mapInGroups } from '../kit/groups';
import { createPartnersInBatch } from './batch-create';
import { lookupPartners, PartnerInProgressError, upsertBusinessPartner, type BpUpsertResult, type KnownPartners } from './upsert';

/** Another writer holds the customer's reservation (series mode): only this record waits. */
export type PageUpsertResult = BpUpsertResult | { outcome: 'in-progress'; reason: string };

/**
 * Prefix mode: a customer that the lookup found no partner for, and no partner to link by
 * e-mail, is created in the page's `$batch`. Series mode keeps its per-record reservation; links
 * and patches stay per record.
 */
function isPlainCreate(deps: PipelineDeps, known: KnownPartners, d: B1BusinessPartnerCreate): boolean {
  if (!d.CardCode || known.byShopifyId.has(d.U_ShopifyId)) return false;
  return !(deps.mapping.customer.linkByEmail && d.EmailAddress && known.linkCandidate(d.EmailAddress));
}

/** One result per desired partner, in order (distinct U_ShopifyIds). Transient errors throw. */
export async function upsertPartnersOfPage(
  deps: PipelineDeps,
  desired: readonly B1BusinessPartnerCreate[],
  runId: string | undefined,
): Promise<PageUpsertResult[]> {
  if (!desired.length) return [];
  const known = await lookupPartners(deps, desired);
  const batched = desired.filter((d) => isPlainCreate(deps, known, d));
  const single = desired.filter((d) => !batched.includes(d));
  // Customers sharing an e-mail run one after the other, so two of them never both link the
  // same partner; the others run side by side.
  const singles = await mapInGroups(
    single,
    (d) => d.EmailAddress?.toLowerCase() ?? d.U_ShopifyId,
    POST_CONCURRENCY,
    async (d): Promise<PageUpsertResult> => {
      try {
        return await upsertBusinessPartner(deps, d, runId, known);
      } catch (e) {
        // Another writer holds this customer's reservation (series mode) and may still be creating
        // the partner for up to the stale window: only this record waits (open in the failed-record
        // ledger, retried by a later run); failing the page would fail every run until then.
        if (!(e instanceof PartnerInProgressError)) throw e;
        return { outcome: 'in-progress', reason: e.message };
      } finally {
        heartbeat();
      }
    },
  );
  const creates = await createPartnersInBatch(deps, batched, runId);
  heartbeat();
  const byDesired = new Map<B1BusinessPartnerCreate, PageUpsertResult>();
  single.forEach((d, i) => byDesired.set(d, singles[i] as PageUpsertResult));
  batched.forEach((d, i) => byDesired.set(d, creates[i] as BpUpsertResult));
  return desired.map((d) => byDesired.get(d) as PageUpsertResult);
}
