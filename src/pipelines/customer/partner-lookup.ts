/**
 * Finding the business partners a page of customers maps to, before any write: in a few batched
 * reads per page (`lookupPartners`), or for one customer by U_ShopifyId or by e-mail. upsert.ts
 * decides from what is found here, and re-checks right before it creates or links.
 */
import { f } from '../../connectors/b1/odata-query';
import type { PageOptions } from '../../connectors/b1/core';
import type { BusinessPartner } from '../../connectors/b1/schemas';
import type { B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps } from '../contract';
import { orFilters } from '../kit/paging';
// Numbers inside codes compare as numbers ("C9" before "C10"): the oldest of several is the one numbered first.
import { byCardCode, keeperOf } from './partner-duplicates';

/** The fields diffBusinessPartner compares (nothing else is read). */
export const BP_DIFF_SELECT = [
  'CardCode',
  'CardName',
  'CardType',
  'EmailAddress',
  'Phone1',
  'Cellular',
  'BilltoDefault',
  'ShipToDefault',
  'U_ShopifyId',
  'BPAddresses',
] as const;

/** The partner carrying this Shopify GID; several (a late series create) are settled first (partner-duplicates.ts). */
export async function findPartnerByShopifyId(deps: PipelineDeps, shopifyId: string): Promise<BusinessPartner | undefined> {
  return keeperOf(deps, shopifyId, await deps.b1.findBusinessPartnersByShopifyId(shopifyId, BP_DIFF_SELECT));
}

/** The e-mail values one customer's link-by-e-mail rule looks for (as given, and lower-cased). */
function emailVariants(email: string): string[] {
  return [...new Set([email, email.toLowerCase()])];
}

const linkableFilter = (emailFilter: string) => f.and(emailFilter, f.eq('CardType', 'cCustomer'));

/**
 * E-mail lookups compare case-insensitively on every B1 database: SQL Server does by default,
 * HANA only with this header (reference §4, 9.2 PL07+; SQL Server ignores it). Without it
 * 'Ann.Buyer@Example.com' in B1 never matched 'ann.buyer@example.com' from Shopify on HANA and
 * a second partner was created. The lower-cased variant stays in the filter for older releases.
 */
const EMAIL_MATCH: PageOptions = { caseInsensitive: true };

const sameEmail = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/**
 * By e-mail: the customer partner that already carries this Shopify id (`own`: another run
 * linked it meanwhile), else one that no Shopify customer has claimed yet (`linkable`: the
 * partner existed before the hub). Suppliers and leads are never linked.
 */
export async function findByEmail(
  deps: PipelineDeps,
  email: string,
  shopifyId: string,
): Promise<{ own?: BusinessPartner; linkable?: BusinessPartner }> {
  const filter = linkableFilter(f.or(...emailVariants(email).map((e) => f.eq('EmailAddress', e))));
  const found = (await deps.b1.list('BusinessPartners', { filter, select: BP_DIFF_SELECT }, EMAIL_MATCH))
    .filter((p) => sameEmail(p.EmailAddress, email))
    .sort(byCardCode);
  const own = found.find((p) => p.U_ShopifyId === shopifyId);
  if (own) return { own };
  const linkable = found.find((p) => !p.U_ShopifyId);
  return linkable ? { linkable } : {};
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

async function listAll(deps: PipelineDeps, filters: string[], po: PageOptions = {}): Promise<BusinessPartner[]> {
  const out: BusinessPartner[] = [];
  const queue = [...filters];
  const lane = async () => {
    for (let filter = queue.shift(); filter !== undefined; filter = queue.shift())
      out.push(...(await deps.b1.list('BusinessPartners', { filter, select: BP_DIFF_SELECT }, po)));
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, queue.length) }, lane));
  return out;
}

/**
 * The partners carrying these Shopify ids, by id, in OR filters of 20 values; several for one
 * customer (a late series create) are settled here, in this run (partner-duplicates.ts).
 */
export async function findPartnersByShopifyIds(deps: PipelineDeps, ids: readonly string[]): Promise<Map<string, BusinessPartner>> {
  const byShopifyId = new Map<string, BusinessPartner>();
  const carrying = new Map<string, BusinessPartner[]>();
  for (const p of await listAll(deps, orFilters('U_ShopifyId', ids))) {
    const id = String(p.U_ShopifyId);
    carrying.set(id, [...(carrying.get(id) ?? []), p]);
  }
  for (const [id, found] of carrying) {
    const keep = await keeperOf(deps, id, found);
    if (keep) byShopifyId.set(id, keep);
  }
  return byShopifyId;
}

/**
 * Looks up a page of desired partners in batches: by U_ShopifyId (OR filters of 20 values), then
 * (with `customer.linkByEmail`) the unclaimed customer partners carrying the e-mails of those not
 * found. A few requests per page instead of one or two per customer.
 */
export async function lookupPartners(deps: PipelineDeps, desired: readonly B1BusinessPartnerCreate[]): Promise<KnownPartners> {
  const byShopifyId = await findPartnersByShopifyIds(
    deps,
    desired.map((d) => d.U_ShopifyId),
  );
  const linkable = new Map<string, BusinessPartner[]>();
  if (deps.mapping.customer.linkByEmail) {
    const emails = desired
      .filter((d) => !byShopifyId.has(d.U_ShopifyId) && d.EmailAddress)
      .flatMap((d) => emailVariants(d.EmailAddress as string));
    const found = await listAll(deps, orFilters('EmailAddress', emails).map(linkableFilter), EMAIL_MATCH);
    // Rows are attributed case-insensitively: the database compares so (EMAIL_MATCH), and the
    // per-customer lookup would have linked 'ANN@X.COM' for 'ann@x.com' too.
    const wanted = new Set(desired.map((d) => d.U_ShopifyId));
    const seen = new Set<string>();
    for (const p of found.sort(byCardCode)) {
      // Linked to one of this page's customers between the two reads: that customer's own partner.
      if (typeof p.U_ShopifyId === 'string' && wanted.has(p.U_ShopifyId) && !byShopifyId.has(p.U_ShopifyId))
        byShopifyId.set(p.U_ShopifyId, p);
      if (p.U_ShopifyId || typeof p.EmailAddress !== 'string' || seen.has(String(p.CardCode))) continue;
      seen.add(String(p.CardCode));
      const k = p.EmailAddress.toLowerCase();
      linkable.set(k, [...(linkable.get(k) ?? []), p]);
    }
  }
  return new KnownPartners(byShopifyId, linkable);
}
