/**
 * Prefix mode: the page's new customers (no partner carries their id, no partner to link by
 * e-mail) are created through `$batch`, each POST in its own changeset, so every record keeps its
 * own result and its own error. A page of 50 new customers costs a few requests instead of two
 * per customer (re-check + POST).
 *
 * Exactly once is decided as for a single create (upsert.ts, createPartner): the CardCode is
 * this customer's own key and B1 keeps it unique; a refused part re-reads the partner with that
 * code and uses it when it carries our U_ShopifyId (a concurrent run, or an attempt whose answer
 * was lost, created it). The re-check by U_ShopifyId right before writing is kept too, batched:
 * a partner linked to one of these customers by e-mail since the page's lookup is used, not
 * duplicated. A request that fails as a whole (lost answer, 502) is thrown and the page retried:
 * its lookups find what the lost request created, and the run's create attempts
 * (state.ts) still report those as created.
 */
import type { BatchOperation } from '../../connectors/b1/batch';
import { isRecordRejection } from '../../shared/error-policy';
import type { B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps } from '../contract';
import { evenSlices } from '../kit/groups';
import { findPartnersByShopifyIds } from './partner-lookup';
import { customerState } from './state';
import { afterRefusedCreate, patchPartner, type BpUpsertResult } from './upsert';

/**
 * Creates go out in this many `$batch` requests at once: the Service Layer runs a batch's parts
 * one after another, so splitting a page's creates keeps the parallelism single POSTs had.
 */
export const CREATE_LANES = 4;

function createdCode(body: string, desired: B1BusinessPartnerCreate): string {
  try {
    const code = (JSON.parse(body) as { CardCode?: unknown }).CardCode;
    if (typeof code === 'string' && code) return code;
  } catch {
    // 204 (return-no-content) or no JSON: the code we asked for is the code.
  }
  return String(desired.CardCode);
}

/**
 * One outcome per desired partner, in order. Every `desired` has its CardCode (prefix mode) and
 * had no partner nor link candidate in the page's lookup. Transient errors throw.
 */
export async function createPartnersInBatch(
  deps: PipelineDeps,
  desired: readonly B1BusinessPartnerCreate[],
  runId: string | undefined,
): Promise<BpUpsertResult[]> {
  if (desired.some((d) => !d.CardCode)) throw new Error('createPartnersInBatch: prefix mode only (every partner needs its CardCode)');
  const out = new Array<BpUpsertResult>(desired.length);
  // The re-check right before writing: created or linked by a concurrent writer since the lookup.
  const now = await findPartnersByShopifyIds(
    deps,
    desired.map((d) => d.U_ShopifyId),
  );
  const toCreate: number[] = [];
  for (const [i, d] of desired.entries()) {
    const found = now.get(d.U_ShopifyId);
    if (found) out[i] = await patchPartner(deps, d, found, runId);
    else toCreate.push(i);
  }
  const attempts = customerState(deps).createAttempts;
  for (const i of toCreate) attempts.note(runId, (desired[i] as B1BusinessPartnerCreate).U_ShopifyId);
  const lanes = evenSlices(toCreate, CREATE_LANES);
  const answers = await Promise.all(
    lanes.map((lane) =>
      deps.b1.batchEach(
        lane.map((i): BatchOperation => ({ method: 'POST', path: 'BusinessPartners', body: desired[i] })),
        // Not idempotent: a whole request that fails is not re-sent here; the page's retry decides.
        { chunkSize: lane.length },
      ),
    ),
  );
  for (const [l, lane] of lanes.entries()) {
    for (const [k, i] of lane.entries()) {
      const d = desired[i] as B1BusinessPartnerCreate;
      const r = answers[l]?.[k];
      if (!r) throw new Error(`no $batch result for the create of business partner ${String(d.CardCode)}`);
      if (r.ok) out[i] = { outcome: 'created', cardCode: createdCode(r.part.body, d) };
      else if (isRecordRejection(r.error)) out[i] = await afterRefusedCreate(deps, d, r.error, runId);
      else throw r.error;
    }
  }
  return out;
}
