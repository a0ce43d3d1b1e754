/**
 * Business partner upsert, shared by the customer pipeline and the order pipeline (which creates
 * an order's customer on the fly). Idempotent by construction: every call looks the partner up
 * by U_ShopifyId before it creates anything, so a retried page finds what an earlier attempt
 * wrote instead of creating a second partner.
 */
import { f } from '../../connectors/b1/odata-query';
import { B1BusinessRuleError, B1NotFoundError } from '../../connectors/b1/errors';
import type { BusinessPartner } from '../../connectors/b1/schemas';
import { diffBusinessPartner } from '../../mapping';
import type { B1BusinessPartner, B1BusinessPartnerCreate } from '../../mapping/types';
import type { PipelineDeps } from '../contract';
import { createAttemptedInRun, noteCreateAttempt } from './run-memory';

/** The fields diffBusinessPartner compares (nothing else is read). */
export const BP_DIFF_SELECT = ['CardCode', 'CardName', 'CardType', 'EmailAddress', 'Phone1', 'Cellular', 'BilltoDefault', 'ShipToDefault', 'U_ShopifyId', 'BPAddresses'] as const;

export type BpUpsertResult =
  | { outcome: 'created' | 'updated' | 'unchanged'; cardCode: string; linked?: boolean }
  | { outcome: 'failed'; reason: string; field?: string };

function byCardCode(a: { CardCode?: unknown }, b: { CardCode?: unknown }): number {
  return String(a.CardCode).localeCompare(String(b.CardCode));
}

/** A B1 refusal of this one record (validation, business rule, missing reference), not an outage. */
export function isRecordRejection(e: unknown): e is B1BusinessRuleError | B1NotFoundError {
  return e instanceof B1BusinessRuleError || e instanceof B1NotFoundError;
}

/** The partner carrying this Shopify GID; the lowest CardCode if (wrongly) several do. */
export async function findPartnerByShopifyId(deps: PipelineDeps, shopifyId: string): Promise<BusinessPartner | undefined> {
  const found = await deps.b1.findBusinessPartnersByShopifyId(shopifyId, BP_DIFF_SELECT);
  return found.sort(byCardCode)[0];
}

/**
 * A customer partner with this e-mail that no Shopify customer has claimed yet: the partner
 * existed before the hub. Suppliers and leads are never linked.
 */
async function findLinkablePartner(deps: PipelineDeps, email: string): Promise<BusinessPartner | undefined> {
  const emails = [...new Set([email, email.toLowerCase()])];
  const filter = f.and(f.or(...emails.map((e) => f.eq('EmailAddress', e))), f.eq('CardType', 'cCustomer'));
  const found = await deps.b1.list('BusinessPartners', { filter, select: BP_DIFF_SELECT });
  return found.filter((p) => !p.U_ShopifyId).sort(byCardCode)[0];
}

function rejection(e: B1BusinessRuleError | B1NotFoundError, what: string): BpUpsertResult {
  return { outcome: 'failed', reason: `SAP B1 refused to ${what}: ${e.sapMessage}`, ...(e.context.field ? { field: e.context.field } : {}) };
}

/**
 * Creates, links or patches the partner for one mapped Shopify customer. Transient errors throw.
 * `runId` (the sync run) lets a retried page report a partner its earlier attempt created as created.
 */
export async function upsertBusinessPartner(deps: PipelineDeps, desired: B1BusinessPartnerCreate, runId?: string): Promise<BpUpsertResult> {
  let existing = await findPartnerByShopifyId(deps, desired.U_ShopifyId);
  let linked = false;
  if (!existing && deps.mapping.customer.linkByEmail && desired.EmailAddress) {
    existing = await findLinkablePartner(deps, desired.EmailAddress);
    linked = existing !== undefined;
  }
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
    if (isRecordRejection(e)) return rejection(e, `update business partner ${cardCode}${linked ? ' (linked by e-mail)' : ''}`);
    throw e;
  }
  return { outcome: 'updated', cardCode, ...(linked ? { linked } : {}) };
}
