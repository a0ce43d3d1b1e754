/**
 * The item fields the product push reads, and whether the item table has the sync-hash fields.
 *
 * U_ShopifyVariantId and U_ShopifyHash came after U_ShopifyId: a company upgraded without
 * `b1hub init --fix` (or a demo data dir from before) lacks them, and naming an unknown field in
 * `$select` or a PATCH makes the Service Layer refuse the whole request, i.e. every product run
 * would fail. Without them the push works as before (compares with Shopify, writes only the id);
 * `b1hub init` reports them missing.
 */
import { f } from '../../connectors/b1/odata-query';
import type { PipelineDeps } from '../contract';

export const ITEM_FIELDS = [
  'ItemCode',
  'ItemName',
  'BarCode',
  'InventoryItem',
  'VatLiable',
  'Valid',
  'ValidFrom',
  'ValidTo',
  'Frozen',
  'FrozenFrom',
  'FrozenTo',
  'SalesUnitWeight',
  'SalesWeightUnit',
  'ItemPrices',
  'U_ShopifyId',
  'U_ShopifySync',
  'UpdateDate',
  'UpdateTime',
] as const;

/** Written back together with U_ShopifyId (see hash.ts). */
export const HASH_FIELDS = ['U_ShopifyVariantId', 'U_ShopifyHash'] as const;

export function itemSelect(hashFields: boolean): readonly string[] {
  return hashFields ? [...ITEM_FIELDS, ...HASH_FIELDS] : ITEM_FIELDS;
}

/**
 * Whether OITM has both hash fields: one UserFieldsMD query, then kept in the deps' product state
 * (present: for good). Missing fields are looked for again after `hashFieldsRecheckMs`, so
 * `init --fix` is picked up without a worker restart.
 */
export function hasHashFields(deps: Pick<PipelineDeps, 'b1' | 'product'>, now: number = Date.now()): Promise<boolean> {
  const cached = deps.product.hashFieldsProbe;
  if (cached && now - cached.at < deps.product.tuning.hashFieldsRecheckMs) return cached.present;
  // Re-checked only while missing: fields are not dropped under a running hub.
  if (cached) return cached.present.then((yes) => yes || probe(deps, now));
  return probe(deps, now);
}

function probe(deps: Pick<PipelineDeps, 'b1' | 'product'>, now: number): Promise<boolean> {
  const names = HASH_FIELDS.map((n) => n.slice(2));
  const present = deps.b1
    .list('UserFieldsMD', { select: ['Name'], filter: f.and(f.eq('TableName', 'OITM'), f.anyOf('Name', names)) })
    .then((rows) => names.every((n) => rows.some((r) => r.Name === n)));
  const entry = { at: now, present };
  present.catch(() => {
    if (deps.product.hashFieldsProbe === entry) deps.product.hashFieldsProbe = undefined;
  });
  deps.product.hashFieldsProbe = entry;
  return present;
}
