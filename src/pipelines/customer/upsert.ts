/**
 * Business partner upsert, shared by the customer pipeline and the order pipeline (which creates
 * an order's customer on the fly). Idempotent by construction: nothing is created without a
 * lookup by U_ShopifyId right before it, so a retried page finds what an earlier attempt wrote
 * instead of creating a second partner.
 *
 * A page of customers is looked up first in a few batched reads (`lookupPartners`: OR filters of
 * U_ShopifyId values, then of the e-mails of the customers not found); each record then only
 * writes, plus the one re-check before a create or a link that guards against concurrent writers.
 */
import { f } from '../../connectors/b1/odata-query';
import type { B1BusinessRuleError, B1NotFoundError } from '../../connectors/b1/errors';
import { isRecordRejection } from '../../shared/error-policy';
import type { BusinessPartner } from '../../connectors/b1/schemas';
import { diffBusinessPartner } from '../../mapping';
import type { B1BusinessPartner, B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps } from '../contract';
import { orFilters } from './paging';
import { createAttemptedInRun, noteCreateAttempt } from './run-memory';

/** The fields diffBusinessPartner compares (nothing else is read). */
export const BP_DIFF_SELECT = ['CardCode', 'CardName', 'CardType', 'EmailAddress', 'Phone1', 'Cellular', 'BilltoDefault', 'ShipToDefault', 'U_ShopifyId', 'BPAddresses'] as const;

export type BpUpsertResult =
  | { outcome: 'created' | 'updated' | 'unchanged'; cardCode: string; linked?: boolean }
  | { outcome: 'failed'; reason: string; field?: string };

function byCardCode(a: { CardCode?: unknown }, b: { CardCode?: unknown }): number {
  return String(a.CardCode).localeCompare(String(b.CardCode));
}

// One rejection check for every pipeline (shared/error-policy.ts).
export { isRecordRejection };

/** The partner carrying this Shopify GID; the lowest CardCode if (wrongly) several do. */
export async function findPartnerByShopifyId(deps: PipelineDeps, shopifyId: string): Promise<BusinessPartner | undefined> {
  const found = await deps.b1.findBusinessPartnersByShopifyId(shopifyId, BP_DIFF_SELECT);
  return found.sort(byCardCode)[0];
}

/** The e-mail values one customer's link-by-e-mail rule looks for (as given, and lower-cased). */
function emailVariants(email: string): string[] {
  return [...new Set([email, email.toLowerCase()])];
}

const linkableFilter = (emailFilter: string) => f.and(emailFilter, f.eq('CardType', 'cCustomer'));

/**
 * A customer partner with this e-mail that no Shopify customer has claimed yet: the partner
 * existed before the hub. Suppliers and leads are never linked.
 */
async function findLinkablePartner(deps: PipelineDeps, email: string): Promise<BusinessPartner | undefined> {
  const filter = linkableFilter(f.or(...emailVariants(email).map((e) => f.eq('EmailAddress', e))));
  const found = await deps.b1.list('BusinessPartners', { filter, select: BP_DIFF_SELECT });
  return found.filter((p) => !p.U_ShopifyId).sort(byCardCode)[0];
}

/**
 * What the batched reads of a page found. Records of one e-mail are posted one after the other
 * (post.ts), so `claim` keeps a partner one record linked from being offered to the next.
 */
export class KnownPartners {
  constructor(
    /** Partners by U_ShopifyId; an id looked up but absent had no partner at lookup time. */
    readonly byShopifyId: ReadonlyMap<string, BusinessPartner>,
    /** Unclaimed customer partners by lower-cased e-mail, lowest CardCode first. */
    private readonly linkable: Map<string, BusinessPartner[]>,
  ) {}

  /** The partner this e-mail would link to (none claimed it when looked up). */
  linkCandidate(email: string): BusinessPartner | undefined {
    return this.linkable.get(email.toLowerCase())?.[0];
  }

  /** The partner is claimed (linked here, or found claimed by someone else): never offer it again. */
  claim(cardCode: string): void {
    for (const [k, list] of this.linkable) {
      const rest = list.filter((p) => String(p.CardCode) !== cardCode);
      if (rest.length !== list.length) this.linkable.set(k, rest);
    }
  }
}

/** Up to this many batched reads of a page run side by side. */
const LOOKUP_CONCURRENCY = 4;

async function listAll(deps: PipelineDeps, filters: string[]): Promise<BusinessPartner[]> {
  const out: BusinessPartner[] = [];
  const queue = [...filters];
  const lane = async () => {
    for (let filter = queue.shift(); filter !== undefined; filter = queue.shift()) out.push(...(await deps.b1.list('BusinessPartners', { filter, select: BP_DIFF_SELECT })));
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, queue.length) }, lane));
  return out;
}

/**
 * Looks up a page of desired partners in batches: by U_ShopifyId (OR filters of 20 values), then
 * (with `customer.linkByEmail`) the unclaimed customer partners carrying the e-mails of those not
 * found. A few requests per page instead of one or two per customer.
 */
export async function lookupPartners(deps: PipelineDeps, desired: readonly B1BusinessPartnerCreate[]): Promise<KnownPartners> {
  const byShopifyId = new Map<string, BusinessPartner>();
  for (const p of (await listAll(deps, orFilters('U_ShopifyId', desired.map((d) => d.U_ShopifyId)))).sort(byCardCode)) {
    const id = String(p.U_ShopifyId);
    if (!byShopifyId.has(id)) byShopifyId.set(id, p);
  }
  const linkable = new Map<string, BusinessPartner[]>();
  if (deps.mapping.customer.linkByEmail) {
    const emails = desired.filter((d) => !byShopifyId.has(d.U_ShopifyId) && d.EmailAddress).flatMap((d) => emailVariants(d.EmailAddress as string));
    const found = await listAll(deps, orFilters('EmailAddress', emails).map(linkableFilter));
    // Rows are attributed case-insensitively: a case-insensitive database (SQL Server) returns
    // 'ANN@X.COM' for 'ann@x.com', and the per-customer lookup would have linked it too.
    const seen = new Set<string>();
    for (const p of found.sort(byCardCode)) {
      if (p.U_ShopifyId || typeof p.EmailAddress !== 'string' || seen.has(String(p.CardCode))) continue;
      seen.add(String(p.CardCode));
      const k = p.EmailAddress.toLowerCase();
      linkable.set(k, [...(linkable.get(k) ?? []), p]);
    }
  }
  return new KnownPartners(byShopifyId, linkable);
}

function rejection(e: B1BusinessRuleError | B1NotFoundError, what: string): BpUpsertResult {
  return { outcome: 'failed', reason: `SAP B1 refused to ${what}: ${e.sapMessage}`, ...(e.context.field ? { field: e.context.field } : {}) };
}

/**
 * The partner to write for this customer, from the page's batched lookup: found by U_ShopifyId,
 * else the e-mail link candidate; either way re-read right before writing when nothing carries
 * the id yet, in one request (U_ShopifyId, or the candidate's CardCode): a concurrent writer may
 * have created the partner, or claimed the candidate, since the lookup.
 */
async function resolveFromKnown(deps: PipelineDeps, desired: B1BusinessPartnerCreate, known: KnownPartners): Promise<{ existing?: BusinessPartner; linked: boolean }> {
  const hit = known.byShopifyId.get(desired.U_ShopifyId);
  if (hit) return { existing: hit, linked: false };
  const linking = deps.mapping.customer.linkByEmail && desired.EmailAddress;
  const candidate = linking ? known.linkCandidate(desired.EmailAddress as string) : undefined;
  if (!candidate) return { existing: await findPartnerByShopifyId(deps, desired.U_ShopifyId), linked: false };
  const filter = f.or(f.eq('U_ShopifyId', desired.U_ShopifyId), f.eq('CardCode', String(candidate.CardCode)));
  const fresh = await deps.b1.list('BusinessPartners', { filter, select: BP_DIFF_SELECT });
  const own = fresh.filter((p) => p.U_ShopifyId === desired.U_ShopifyId).sort(byCardCode)[0];
  if (own) return { existing: own, linked: false };
  const now = fresh.find((p) => String(p.CardCode) === String(candidate.CardCode));
  if (now && !now.U_ShopifyId) return { existing: now, linked: true };
  // The candidate was claimed (or removed) meanwhile: look for another, as without the batch.
  known.claim(String(candidate.CardCode));
  const other = await findLinkablePartner(deps, desired.EmailAddress as string);
  return other ? { existing: other, linked: true } : { linked: false };
}

async function resolveAlone(deps: PipelineDeps, desired: B1BusinessPartnerCreate): Promise<{ existing?: BusinessPartner; linked: boolean }> {
  const existing = await findPartnerByShopifyId(deps, desired.U_ShopifyId);
  if (existing) return { existing, linked: false };
  if (!deps.mapping.customer.linkByEmail || !desired.EmailAddress) return { linked: false };
  const other = await findLinkablePartner(deps, desired.EmailAddress);
  return other ? { existing: other, linked: true } : { linked: false };
}

/**
 * Creates, links or patches the partner for one mapped Shopify customer. Transient errors throw.
 * `runId` (the sync run) lets a retried page report a partner its earlier attempt created as created.
 * `known` (the page's `lookupPartners`) replaces the per-customer lookups; without it the partner
 * is looked up here (the order pipeline's customers created on the fly).
 */
export async function upsertBusinessPartner(deps: PipelineDeps, desired: B1BusinessPartnerCreate, runId?: string, known?: KnownPartners): Promise<BpUpsertResult> {
  const { existing, linked } = known ? await resolveFromKnown(deps, desired, known) : await resolveAlone(deps, desired);
  if (!existing) {
    noteCreateAttempt(runId, desired.U_ShopifyId);
    try {
      const created = await deps.b1.createBusinessPartner(desired as unknown as Parameters<PipelineDeps['b1']['createBusinessPartner']>[0]);
      return { outcome: 'created', cardCode: String(created.CardCode ?? desired.CardCode) };
    } catch (e) {
      if (isRecordRejection(e)) return rejection(e, `create business partner ${desired.CardCode ?? `(series ${desired.Series})`} for ${desired.U_ShopifyId}`);
      throw e;
    }
  }
  const cardCode = String(existing.CardCode);
  const patch = diffBusinessPartner(existing as unknown as B1BusinessPartner, desired);
  if (!patch) return { outcome: createAttemptedInRun(runId, desired.U_ShopifyId) ? 'created' : 'unchanged', cardCode };
  try {
    await deps.b1.patchBusinessPartner(cardCode, patch as Parameters<PipelineDeps['b1']['patchBusinessPartner']>[1]);
  } catch (e) {
    // A refused link leaves the partner unclaimed: the next customer with this e-mail may link it.
    if (isRecordRejection(e)) return rejection(e, `update business partner ${cardCode}${linked ? ' (linked by e-mail)' : ''}`);
    throw e;
  }
  if (linked) known?.claim(cardCode);
  return { outcome: 'updated', cardCode, ...(linked ? { linked } : {}) };
}
