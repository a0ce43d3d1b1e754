/** Keys of the typed entity sets, and the OData annotations the client strips from every row. */
import type { EntitySetName } from './schemas';

/** A row without its `odata.*` / `@odata.*` annotations (etag, metadata, links). */
export function stripAnnotations(j: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(j)) if (!k.startsWith('odata.') && !k.startsWith('@odata.')) out[k] = v;
  return out;
}

const KEY_FIELDS: Record<EntitySetName, string> = {
  BusinessPartners: 'CardCode',
  Items: 'ItemCode',
  ItemGroups: 'Number',
  Warehouses: 'WarehouseCode',
  PriceLists: 'PriceListNo',
  WeightMeasures: 'UnitCode',
  Orders: 'DocEntry',
  UserFieldsMD: 'FieldID',
  SalesTaxCodes: 'Code',
};

export function keyFieldOf(set: EntitySetName): string {
  return KEY_FIELDS[set];
}

/** The entity's key when a row (or a create body) carries it. */
export function keyOfEntity(set: EntitySetName, j: Record<string, unknown>): string | number | undefined {
  const k = j[KEY_FIELDS[set]];
  return typeof k === 'string' || typeof k === 'number' ? k : undefined;
}

/** `{ key }` for an error context, when the body names the key. */
export function keyFromBody(set: EntitySetName, body: Record<string, unknown>): { key?: string | number } {
  const k = keyOfEntity(set, body);
  return k !== undefined ? { key: k } : {};
}

/** `/b1s/v1/Orders(22)` → 22, `Items('A''1')` → "A'1". */
export function keyFromLocation(location: string): string | number | undefined {
  const m = /\(([^)]*)\)\s*$/.exec(decodeURIComponent(location));
  if (!m) return undefined;
  const inner = m[1]!;
  if (/^-?\d+$/.test(inner)) return Number(inner);
  const s = /^'(.*)'$/.exec(inner);
  return s ? s[1]!.replace(/''/g, "'") : inner;
}
