/**
 * The item fields the product push reads, and whether the item table has the sync-hash fields.
 *
 * U_ShopifyVariantId and U_ShopifyHash came after U_ShopifyId: a company upgraded without
 * `b1hub init --fix` (or a demo data dir from before) lacks them, and naming an unknown field in
 * `$select` or a PATCH makes the Service Layer refuse the whole request, i.e. every product run
 * would fail. Without them the push works as before (compares with Shopify, writes only the id);
 * `b1hub init` reports them missing.
 */
import type { B1Client } from '../../connectors/b1/client';
import { f } from '../../connectors/b1/odata-query';

export const ITEM_FIELDS = [
  'ItemCode', 'ItemName', 'BarCode', 'InventoryItem', 'VatLiable', 'Valid', 'ValidFrom', 'ValidTo', 'Frozen', 'FrozenFrom',
  'FrozenTo', 'SalesUnitWeight', 'SalesWeightUnit', 'ItemPrices', 'U_ShopifyId', 'U_ShopifySync', 'UpdateDate', 'UpdateTime',
] as const;

/** Written back together with U_ShopifyId (see hash.ts). */
export const HASH_FIELDS = ['U_ShopifyVariantId', 'U_ShopifyHash'] as const;

export function itemSelect(hashFields: boolean): readonly string[] {
  return hashFields ? [...ITEM_FIELDS, ...HASH_FIELDS] : ITEM_FIELDS;
}

/**
 * Missing fields are looked for again after `recheckMs`, so `init --fix` is picked up without a
 * worker restart. Mutable so a test can shorten it.
 */
export const HASH_FIELDS_PROBE = { recheckMs: 5 * 60_000 };

const probes = new WeakMap<B1Client, { at: number; present: Promise<boolean> }>();

/** Whether OITM has both hash fields: one UserFieldsMD query, then cached per worker (present: for good). */
export function hasHashFields(b1: B1Client, now: number = Date.now()): Promise<boolean> {
  const cached = probes.get(b1);
  if (cached && now - cached.at < HASH_FIELDS_PROBE.recheckMs) return cached.present;
  // Re-checked only while missing: fields are not dropped under a running hub.
  if (cached) return cached.present.then((yes) => yes || probe(b1, now));
  return probe(b1, now);
}

function probe(b1: B1Client, now: number): Promise<boolean> {
  const names = HASH_FIELDS.map((n) => n.slice(2));
  const present = b1
    .list('UserFieldsMD', { select: ['Name'], filter: f.and(f.eq('TableName', 'OITM'), f.anyOf('Name', names)) })
    .then((rows) => names.every((n) => rows.some((r) => r.Name === n)));
  present.catch(() => probes.delete(b1));
  probes.set(b1, { at: now, present });
  return present;
}
