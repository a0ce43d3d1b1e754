/**
 * Business partner upsert, shared by the customer pipeline and the order pipeline (which creates
 * an order's customer on the fly). Idempotent by construction: nothing is created without a
 * lookup by U_ShopifyId right before it, so a retried page finds what an earlier attempt wrote
 * instead of creating a second partner.
 *
 * A page of customers is looked up first in a few batched reads (`lookupPartners`: OR filters of
 * U_ShopifyId values, then of the e-mails of the customers not found); each record then only
 * writes, plus the one re-check before a create or a link that guards against concurrent writers.
 *
 * Concurrent writers (a customer run and an order run at once, two workers, a retry after a lost
 * answer) cannot create a second partner: a check-then-insert alone could, so the key B1 keeps
 * unique decides. In prefix mode that is the CardCode itself: "code already assigned" for the
 * code we wanted means another writer created our partner first, and we use it. In series mode
 * (B1 numbers the code) a reservation keyed by the Shopify id is taken first (createInSeries).
 * A link by e-mail is a compare-and-set (If-Match on the partner's ETag), and a partner found by
 * e-mail that already carries our U_ShopifyId is ours, so a partner linked by one run is never
 * linked to someone else nor created again by the other.
 */
import { f } from '../../connectors/b1/odata-query';
import { B1BusinessRuleError, B1ConflictError, B1NotFoundError, B1TransientError } from '../../connectors/b1/errors';
import { PARTNER_RESERVATIONS, ReservationSetupError } from '../../connectors/b1/reservations';
import { isRecordRejection } from '../../shared/error-policy';
import type { BusinessPartner } from '../../connectors/b1/schemas';
import { diffBusinessPartner } from '../../mapping';
import type { B1BusinessPartner, B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps } from '../contract';
import { PipelineSetupError } from '../kit/errors';
import { keeperOf } from './partner-duplicates';
import { BP_DIFF_SELECT, findByEmail, findPartnerByShopifyId, type KnownPartners } from './partner-lookup';
import { customerState } from './state';

export type BpUpsertResult =
  | { outcome: 'created' | 'updated' | 'unchanged'; cardCode: string; linked?: boolean }
  | { outcome: 'failed'; reason: string; field?: string };

// One rejection check for every pipeline (shared/error-policy.ts).
export { isRecordRejection };

// The lookups moved to partner-lookup.ts; importers of this module keep finding them here.
export { BP_DIFF_SELECT, findPartnerByShopifyId, KnownPartners, lookupPartners } from './partner-lookup';

function rejection(e: B1BusinessRuleError | B1NotFoundError, what: string): BpUpsertResult {
  return {
    outcome: 'failed',
    reason: `SAP B1 refused to ${what}: ${e.sapMessage}`,
    ...(e.context.field ? { field: e.context.field } : {}),
  };
}

type Resolved = { existing?: BusinessPartner; linked: boolean };

/**
 * The partner to write for this customer, from the page's batched lookup: found by U_ShopifyId,
 * else the e-mail link candidate; either way re-read right before writing when nothing carries
 * the id yet, in one request (U_ShopifyId, or the candidate's CardCode): a concurrent writer may
 * have created the partner, or claimed the candidate, since the lookup.
 */
async function resolveFromKnown(deps: PipelineDeps, desired: B1BusinessPartnerCreate, known: KnownPartners): Promise<Resolved> {
  const hit = known.byShopifyId.get(desired.U_ShopifyId);
  if (hit) return { existing: hit, linked: false };
  const linking = deps.mapping.customer.linkByEmail && desired.EmailAddress;
  const candidate = linking ? known.linkCandidate(desired.EmailAddress as string) : undefined;
  // No candidate: only a partner created or linked for this customer since the lookup counts
  // (a link carries our U_ShopifyId, so the re-check by id finds it too).
  if (!candidate) return { existing: await findPartnerByShopifyId(deps, desired.U_ShopifyId), linked: false };
  const filter = f.or(f.eq('U_ShopifyId', desired.U_ShopifyId), f.eq('CardCode', String(candidate.CardCode)));
  const fresh = await deps.b1.list('BusinessPartners', { filter, select: BP_DIFF_SELECT });
  const own = await keeperOf(
    deps,
    desired.U_ShopifyId,
    fresh.filter((p) => p.U_ShopifyId === desired.U_ShopifyId),
  );
  if (own) return { existing: own, linked: false };
  const now = fresh.find((p) => String(p.CardCode) === String(candidate.CardCode));
  if (now && !now.U_ShopifyId) return { existing: now, linked: true };
  // The candidate was claimed (or removed) meanwhile: look for another, as without the batch.
  known.claim(String(candidate.CardCode));
  return resolveByEmail(deps, desired);
}

/** By U_ShopifyId, then (with `customer.linkByEmail`) by e-mail. */
async function resolveAlone(deps: PipelineDeps, desired: B1BusinessPartnerCreate): Promise<Resolved> {
  const existing = await findPartnerByShopifyId(deps, desired.U_ShopifyId);
  if (existing) return { existing, linked: false };
  return resolveByEmail(deps, desired);
}

async function resolveByEmail(deps: PipelineDeps, desired: B1BusinessPartnerCreate): Promise<Resolved> {
  if (!deps.mapping.customer.linkByEmail || !desired.EmailAddress) return { linked: false };
  const { own, linkable } = await findByEmail(deps, desired.EmailAddress, desired.U_ShopifyId);
  // Linked to this customer by a concurrent run since the lookup by id: ours, not a reason to create.
  if (own) return { existing: own, linked: false };
  return linkable ? { existing: linkable, linked: true } : { linked: false };
}

/** Attempts at linking before giving up on a partner other writers keep changing. */
const LINK_ATTEMPTS = 3;

/**
 * Creates, links or patches the partner for one mapped Shopify customer. Transient errors throw.
 * `runId` (the sync run) lets a retried page report a partner its earlier attempt created as created.
 * `known` (the page's `lookupPartners`) replaces the per-customer lookups; without it the partner
 * is looked up here (the order pipeline's customers created on the fly).
 */
export async function upsertBusinessPartner(
  deps: PipelineDeps,
  desired: B1BusinessPartnerCreate,
  runId?: string,
  known?: KnownPartners,
): Promise<BpUpsertResult> {
  let resolved = known ? await resolveFromKnown(deps, desired, known) : await resolveAlone(deps, desired);
  for (let attempt = 1; resolved.linked && resolved.existing; attempt++) {
    const res = await linkPartner(deps, desired, resolved.existing);
    if (res !== 'taken') {
      if (res.outcome !== 'failed') known?.claim(res.cardCode);
      return res;
    }
    // Another writer claimed the candidate between our read and our write: decide again.
    known?.claim(String(resolved.existing.CardCode));
    if (attempt >= LINK_ATTEMPTS)
      return {
        outcome: 'failed',
        reason: `business partner ${String(resolved.existing.CardCode)} (same e-mail) kept changing while being linked; retried ${LINK_ATTEMPTS} times`,
      };
    resolved = await resolveAlone(deps, desired);
  }
  if (!resolved.existing) return createPartner(deps, desired, runId);
  return patchPartner(deps, desired, resolved.existing, runId);
}

/** Writes what differs to a partner that carries this customer's U_ShopifyId. */
export async function patchPartner(
  deps: PipelineDeps,
  desired: B1BusinessPartnerCreate,
  existing: BusinessPartner,
  runId: string | undefined,
): Promise<BpUpsertResult> {
  const cardCode = String(existing.CardCode);
  const patch = diffBusinessPartner(existing as unknown as B1BusinessPartner, desired);
  if (!patch)
    return { outcome: customerState(deps).createAttempts.attemptedInRun(runId, desired.U_ShopifyId) ? 'created' : 'unchanged', cardCode };
  try {
    await deps.b1.patchBusinessPartner(cardCode, patch as Parameters<PipelineDeps['b1']['patchBusinessPartner']>[1]);
  } catch (e) {
    if (isRecordRejection(e)) return rejection(e, `update business partner ${cardCode}`);
    throw e;
  }
  return { outcome: 'updated', cardCode };
}

/**
 * Links an unclaimed partner found by e-mail: a compare-and-set on its ETag, so of two customers
 * sharing an e-mail (linked by two runs at once) only one gets it, and the other decides again
 * ('taken'). A Service Layer without ETags (before 10.0 FP 2102) gets a plain PATCH checked by
 * a re-read.
 */
async function linkPartner(
  deps: PipelineDeps,
  desired: B1BusinessPartnerCreate,
  candidate: BusinessPartner,
): Promise<BpUpsertResult | 'taken'> {
  const cardCode = String(candidate.CardCode);
  const read = await deps.b1.getWithEtag('BusinessPartners', cardCode, { select: BP_DIFF_SELECT }).catch((e: unknown) => {
    if (e instanceof B1NotFoundError) return undefined;
    throw e;
  });
  if (!read) return 'taken';
  const current = read.entity;
  if (current.U_ShopifyId === desired.U_ShopifyId) return patchPartner(deps, desired, current, undefined);
  if (current.U_ShopifyId) return 'taken';
  const patch = diffBusinessPartner(current as unknown as B1BusinessPartner, desired) ?? {};
  try {
    await deps.b1.patch(
      'BusinessPartners',
      cardCode,
      { ...patch, U_ShopifyId: desired.U_ShopifyId },
      read.etag ? { ifMatch: read.etag } : {},
    );
  } catch (e) {
    if (e instanceof B1ConflictError) return 'taken';
    // A refused link leaves the partner unclaimed: the next customer with this e-mail may link it.
    if (isRecordRejection(e)) return rejection(e, `update business partner ${cardCode} (linked by e-mail)`);
    throw e;
  }
  if (!read.etag) {
    const after = await deps.b1.tryGet('BusinessPartners', cardCode, { select: ['CardCode', 'U_ShopifyId'] });
    if (after?.U_ShopifyId !== desired.U_ShopifyId) return 'taken';
  }
  return { outcome: 'updated', cardCode, linked: true };
}

/**
 * Creates the partner. In prefix mode the CardCode is this customer's own key, kept unique by B1:
 * when B1 refuses it, the partner with that code is re-read; carrying our U_ShopifyId it is ours
 * (a concurrent run or an earlier attempt whose answer was lost created it) and is used;
 * carrying another (or none: made in B1 by hand) it is a real conflict and the record fails
 * saying so. Decided by the re-read, not by SAP's message text.
 */
async function createPartner(deps: PipelineDeps, desired: B1BusinessPartnerCreate, runId: string | undefined): Promise<BpUpsertResult> {
  if (!desired.CardCode) return createInSeries(deps, desired, runId);
  customerState(deps).createAttempts.note(runId, desired.U_ShopifyId);
  try {
    const created = await deps.b1.createBusinessPartner(desired as unknown as Parameters<PipelineDeps['b1']['createBusinessPartner']>[0]);
    return { outcome: 'created', cardCode: String(created.CardCode ?? desired.CardCode) };
  } catch (e) {
    if (!isRecordRejection(e)) throw e;
    return afterRefusedCreate(deps, desired, e, runId);
  }
}

/**
 * Prefix mode, B1 refused the create (alone or as a part of a `$batch`): the partner with the
 * code is re-read. Carrying our U_ShopifyId it is ours (a concurrent writer or an earlier attempt
 * created it) and is used; carrying another id, or none, the record fails naming the owner.
 */
export async function afterRefusedCreate(
  deps: PipelineDeps,
  desired: B1BusinessPartnerCreate,
  e: B1BusinessRuleError | B1NotFoundError,
  runId: string | undefined,
): Promise<BpUpsertResult> {
  if (desired.CardCode) {
    const there = await deps.b1.tryGet('BusinessPartners', desired.CardCode, { select: BP_DIFF_SELECT });
    if (there?.U_ShopifyId === desired.U_ShopifyId) return patchPartner(deps, desired, there, runId);
    if (there) {
      const owner = there.U_ShopifyId ? `Shopify customer ${String(there.U_ShopifyId)}` : 'no Shopify customer (made in B1)';
      return {
        outcome: 'failed',
        reason: `business partner code ${desired.CardCode} is already taken by a partner of ${owner}; change customer.cardCode.prefix or free the code`,
        field: 'id',
      };
    }
  }
  return rejection(e, `create business partner ${desired.CardCode ?? `(series ${desired.Series})`} for ${desired.U_ShopifyId}`);
}

/** Target of a reservation whose create B1 refused: nothing was created, the next attempt takes over at once. */
const REFUSED = 'refused';

/**
 * Another writer holds this customer's reservation and its partner is not there yet (being
 * created now, or its POST is still to commit): retrying later helps.
 */
export class PartnerInProgressError extends B1TransientError {
  override name = 'PartnerInProgressError';
}

/**
 * Series mode: B1 numbers the CardCode, so nothing natural keeps two creates apart. A
 * reservation B1 keeps unique (a row of @B1H_BP_RES whose Code is the Shopify customer id,
 * connectors/b1/reservations.ts) is taken before the POST and settled with the CardCode after;
 * of any number of writers only its holder creates. Another writer uses the partner the
 * reservation names, or finds by U_ShopifyId (the holder's answer was lost), or, while the
 * holder may still be creating, throws PartnerInProgressError (the order pipeline fails only
 * that order; the customer page is retried). A reservation left without a partner past the
 * stale window (15 min of SAP B1 time) is taken over; a POST that commits later than that is the
 * window left: every run that touches the customer settles several partners carrying its id
 * (partner-duplicates.ts), this create right after writing too.
 */
async function createInSeries(deps: PipelineDeps, desired: B1BusinessPartnerCreate, runId: string | undefined): Promise<BpUpsertResult> {
  const reservations = deps.b1.reservations;
  const id = desired.U_ShopifyId;
  let taken = await reservations.reserve(PARTNER_RESERVATIONS, id).catch((e: unknown) => {
    throw e instanceof ReservationSetupError
      ? new PipelineSetupError(`customer.cardCode mode 'series' needs the partner reservation table: ${e.message}`)
      : e;
  });
  if (!taken.mine) {
    const held = taken.holder;
    if (held.target && held.target !== REFUSED) {
      const named = await deps.b1.tryGet('BusinessPartners', held.target, { select: BP_DIFF_SELECT });
      if (named?.U_ShopifyId === id) return patchPartner(deps, desired, named, runId);
    }
    const found = await findPartnerByShopifyId(deps, id);
    if (found) {
      if (held.target !== String(found.CardCode)) await reservations.settle(held, String(found.CardCode));
      return patchPartner(deps, desired, found, runId);
    }
    if (held.target !== REFUSED && !reservations.isStale(held)) {
      throw new PartnerInProgressError(
        `business partner for ${id} is being created by another writer (reservation ${held.code} taken ${held.takenAt} by ${held.holder}); retry`,
        { context: { entity: 'BusinessPartners' } },
      );
    }
    taken = await reservations.takeOver(held);
    if (!taken.mine)
      throw new PartnerInProgressError(`business partner for ${id}: another writer took over reservation ${held.code} first; retry`, {
        context: { entity: 'BusinessPartners' },
      });
  }
  const mine = taken.reservation;
  // A partner made before reservations existed, or by a holder whose POST committed late.
  const before = await findPartnerByShopifyId(deps, id);
  if (before) {
    await reservations.settle(mine, String(before.CardCode));
    return patchPartner(deps, desired, before, runId);
  }
  customerState(deps).createAttempts.note(runId, id);
  let cardCode: string;
  try {
    cardCode = String(
      (await deps.b1.createBusinessPartner(desired as unknown as Parameters<PipelineDeps['b1']['createBusinessPartner']>[0])).CardCode,
    );
  } catch (e) {
    if (!isRecordRejection(e)) throw e;
    // Refused: nothing was created; the next attempt (after the data is fixed) need not wait.
    await reservations.settle(mine, REFUSED);
    return rejection(e, `create business partner (series ${desired.Series}) for ${id}`);
  }
  // Another partner may have committed meanwhile (a POST past its stale reservation): settled
  // now; one committing even later is settled by the next run that touches this customer.
  const keep = await findPartnerByShopifyId(deps, id);
  const kept = keep ? String(keep.CardCode) : cardCode;
  await reservations.settle(mine, kept);
  return kept === cardCode || !keep ? { outcome: 'created', cardCode } : patchPartner(deps, desired, keep, runId);
}
