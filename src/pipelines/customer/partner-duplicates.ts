/**
 * One business partner per Shopify customer, also after a create that committed late (series
 * mode: a POST that outlived its client and its reservation's stale window, committing after a
 * successor created the partner and checked). Every run that touches a customer (the customer
 * run's batched lookup, the order run's per-order lookup, a series create) sees all partners
 * carrying its U_ShopifyId; when there are several, they are settled here, from B1's state alone
 * so that every writer picks the same keeper: the oldest (lowest CardCode) that has documents in
 * B1, else the oldest. Every other copy loses the Shopify id and gets a note naming the keeper;
 * one without documents is also frozen, one with documents is left active (its documents may
 * still need deliveries or payments); "without documents" is read again right before and right
 * after the freeze, so an order committing meanwhile unfreezes it. Nothing is ever deleted.
 */
import { f } from '../../connectors/b1/odata-query';
import type { BusinessPartner } from '../../connectors/b1/schemas';
import type { PipelineDeps } from '../contract';

const CODE_ORDER = new Intl.Collator('en', { numeric: true });
export function byCardCode(a: { CardCode?: unknown }, b: { CardCode?: unknown }): number {
  return CODE_ORDER.compare(String(a.CardCode), String(b.CardCode));
}

/** Whether B1 holds any sales order or draft for the partner (any status: cancelled ones too). */
async function hasDocuments(deps: PipelineDeps, cardCode: string): Promise<boolean> {
  for (const set of ['Orders', 'Drafts']) {
    const rows = await deps.b1.listRaw(set, { filter: f.eq('CardCode', cardCode), select: ['DocEntry'], top: 1 });
    if (rows.length) return true;
  }
  return false;
}

type Settled<P> = { keep: P; unlinked: string[] };

/**
 * Settles several partners carrying one Shopify id; returns the keeper. `found` is what the
 * caller read (any fields); nothing is written when it holds one partner or none.
 */
export async function settlePartnerDuplicates<P extends { CardCode?: unknown }>(
  deps: PipelineDeps,
  shopifyId: string,
  found: readonly P[],
): Promise<Settled<P> | undefined> {
  const all = [...found].sort(byCardCode);
  if (all.length === 0) return undefined;
  if (all.length === 1) return { keep: all[0]!, unlinked: [] };
  const inUse = new Map<string, boolean>();
  for (const p of all) inUse.set(String(p.CardCode), await hasDocuments(deps, String(p.CardCode)));
  const keep = all.find((p) => inUse.get(String(p.CardCode))) ?? all[0]!;
  const keepCode = String(keep.CardCode);
  const unlinked: string[] = [];
  type Patch = Parameters<PipelineDeps['b1']['patchBusinessPartner']>[1];
  const leftActive = (): Patch =>
    ({
      U_ShopifyId: null,
      FreeText: `Duplicate of ${keepCode} for Shopify customer ${shopifyId} (has documents: left active) by the Shopify hub`,
      Frozen: 'tNO',
    }) as Patch;
  for (const p of all) {
    const code = String(p.CardCode);
    if (code === keepCode) continue;
    // An order run may be posting to this copy (it resolved the partner before the settle): its
    // order can commit after the read above. Read again right before freezing, and once more
    // after: a document that committed before the freeze landed unfreezes the copy. One whose
    // POST arrives after the freeze is refused by B1 (inactive partner), and that order's retry
    // resolves the keeper. The ETag is no guard here: whether adding a document changes the
    // partner's ETag is not documented.
    const hasDocs = inUse.get(code) || (await hasDocuments(deps, code));
    if (hasDocs) {
      await deps.b1.patchBusinessPartner(code, leftActive());
    } else {
      await deps.b1.patchBusinessPartner(code, {
        U_ShopifyId: null,
        FreeText: `Duplicate of ${keepCode} for Shopify customer ${shopifyId}; frozen by the Shopify hub`,
        Frozen: 'tYES',
      } as Patch);
      if (await hasDocuments(deps, code)) await deps.b1.patchBusinessPartner(code, leftActive());
    }
    unlinked.push(code);
  }
  // Two settlers that read B1 at different moments (a document added in between) could each
  // unlink the other's keeper: then nothing carries the id, and the keeper is linked again rather
  // than leaving the customer without a partner (a second create); the next run that touches the
  // customer settles again if both linked theirs back.
  const left = await deps.b1.findBusinessPartnersByShopifyId(shopifyId, ['CardCode']);
  if (left.length === 0)
    await deps.b1.patchBusinessPartner(keepCode, { U_ShopifyId: shopifyId } as Parameters<PipelineDeps['b1']['patchBusinessPartner']>[1]);
  return { keep, unlinked };
}

/** The partner carrying this Shopify id after settling duplicates (see above), or undefined. */
export async function keeperOf(
  deps: PipelineDeps,
  shopifyId: string,
  found: readonly BusinessPartner[],
): Promise<BusinessPartner | undefined> {
  return (await settlePartnerDuplicates(deps, shopifyId, found))?.keep;
}
