/**
 * User-defined fields the hub relies on, checked and created through UserFieldsMD. A real Service
 * Layer only exposes new fields after it is restarted (reference §8), so creating any field makes
 * the result say so, loudly.
 */
import type { B1ClientCore } from './core';
import { f } from './odata-query';
import { RESERVATION_FIELDS, RESERVATION_TABLES, type ReservationTable } from './reservations';

export interface UdfSpec {
  /** Table: OCRD (business partners), OITM (items), ORDR (order header), RDR1 (order lines), `@<UDT>`. */
  table: string;
  /** Name without the `U_` prefix. */
  name: string;
  description: string;
  type?: 'db_Alpha' | 'db_Memo' | 'db_Numeric' | 'db_Date' | 'db_Float';
  size?: number;
  defaultValue?: string;
  validValues?: Array<{ value: string; description: string }>;
}

/** The hub's cross-reference, sync-flag and sync-hash fields. */
export const HUB_UDFS: readonly UdfSpec[] = [
  { table: 'OCRD', name: 'ShopifyId', description: 'Shopify customer id', size: 50 },
  { table: 'OITM', name: 'ShopifyId', description: 'Shopify product id', size: 50 },
  { table: 'OITM', name: 'ShopifyVariantId', description: 'Shopify product variant id', size: 50 },
  // The product push's hash of what it last sent (src/pipelines/product/hash.ts): a delta run
  // skips the Shopify read for an item whose mapped product still hashes to it.
  { table: 'OITM', name: 'ShopifyHash', description: 'Shopify product sync hash', size: 64 },
  {
    table: 'OITM',
    name: 'ShopifySync',
    description: 'Sync item to Shopify',
    size: 1,
    defaultValue: 'N',
    validValues: [
      { value: 'Y', description: 'Yes' },
      { value: 'N', description: 'No' },
    ],
  },
  { table: 'ORDR', name: 'ShopifyId', description: 'Shopify order id', size: 50 },
  // Header and line fields of marketing documents are shared by all of them in B1 (orders,
  // invoices, credit memos, deliveries): created on ORDR/RDR1, they exist on OINV/ORIN/ODLN too.
  { table: 'ORDR', name: 'ShopifyRefundId', description: 'Shopify refund id', size: 50 },
  { table: 'RDR1', name: 'ShopifyLineId', description: 'Shopify order line item id', size: 50 },
  // On deliveries (ODLN): the Shopify fulfillment ids the delivery became, `<FO id>:<fulfillment id>,…`.
  { table: 'ORDR', name: 'ShopifyFulfillId', description: 'Shopify fulfillment ids', size: 254 },
  // Incoming and outgoing payments share their fields the same way (ORCT, OVPM).
  { table: 'ORCT', name: 'ShopifyId', description: 'Shopify order id', size: 50 },
  { table: 'ORCT', name: 'ShopifyTxnId', description: 'Shopify transaction id', size: 60 },
  { table: 'ORCT', name: 'ShopifyRefundId', description: 'Shopify refund id', size: 50 },
];

export const RESTART_MESSAGE =
  'User-defined fields were created. A real SAP Business One Service Layer only exposes new fields after it is restarted: restart the Service Layer before the hub reads or writes them.';

export interface UdfCheckResult {
  existing: UdfSpec[];
  missing: UdfSpec[];
  created: UdfSpec[];
  restartRequired: boolean;
  message?: string;
}

export async function checkUserFields(
  client: B1ClientCore,
  specs: readonly UdfSpec[] = HUB_UDFS,
): Promise<{ existing: UdfSpec[]; missing: UdfSpec[] }> {
  const existing: UdfSpec[] = [];
  const missing: UdfSpec[] = [];
  for (const s of specs) {
    const rows = await client.list('UserFieldsMD', {
      select: ['TableName', 'FieldID', 'Name'],
      filter: f.and(f.eq('TableName', s.table), f.eq('Name', s.name)),
    });
    (rows.length > 0 ? existing : missing).push(s);
  }
  return { existing, missing };
}

/** Creates the missing fields (only with `create: true`); never alters existing ones. */
export async function ensureUserFields(
  client: B1ClientCore,
  specs: readonly UdfSpec[] = HUB_UDFS,
  o: { create: boolean } = { create: true },
): Promise<UdfCheckResult> {
  const { existing, missing } = await checkUserFields(client, specs);
  const created: UdfSpec[] = [];
  if (o.create) {
    for (const s of missing) {
      await client.create('UserFieldsMD', {
        TableName: s.table,
        Name: s.name,
        Description: s.description,
        Type: s.type ?? 'db_Alpha',
        SubType: 'st_None',
        ...(s.size !== undefined ? { Size: s.size, EditSize: s.size } : {}),
        ...(s.defaultValue !== undefined ? { DefaultValue: s.defaultValue } : {}),
        ...(s.validValues ? { ValidValuesMD: s.validValues.map((v) => ({ Value: v.value, Description: v.description })) } : {}),
      });
      created.push(s);
    }
  }
  const restartRequired = created.length > 0;
  return {
    existing,
    missing: o.create ? [] : missing,
    created,
    restartRequired,
    ...(restartRequired ? { message: RESTART_MESSAGE } : {}),
  };
}

/**
 * User-defined tables (reservations.ts): each table and its fields. A table is created through
 * UserTablesMD (`bott_NoObject`: rows keyed by a unique `Code`, reference §8), then its fields
 * through UserFieldsMD on `@<TABLE>`.
 */
export interface UdtCheckResult {
  existing: string[];
  missing: string[];
  created: string[];
  /** Fields of the tables created now (or missing, without create). */
  fields: UdfCheckResult;
  restartRequired: boolean;
  message?: string;
}

export function reservationFieldSpecs(tables: readonly ReservationTable[] = RESERVATION_TABLES): UdfSpec[] {
  return tables.flatMap((t) =>
    RESERVATION_FIELDS.map((fd) => ({ table: `@${t.name}`, name: fd.name, description: fd.description, size: fd.size })),
  );
}

export async function ensureUserTables(
  client: B1ClientCore,
  tables: readonly ReservationTable[] = RESERVATION_TABLES,
  o: { create: boolean } = { create: true },
): Promise<UdtCheckResult> {
  const existing: string[] = [];
  const missing: string[] = [];
  const created: string[] = [];
  for (const t of tables) {
    const row = await client.tryGetRaw('UserTablesMD', t.name, ['TableName']);
    if (row) existing.push(t.name);
    else if (o.create) {
      await client.request('POST', 'UserTablesMD', {
        body: { TableName: t.name, TableDescription: t.description.slice(0, 30), TableType: 'bott_NoObject' },
        context: { entity: 'UserTablesMD', key: t.name },
      });
      created.push(t.name);
    } else missing.push(t.name);
  }
  const present = tables.filter((t) => !missing.includes(t.name));
  const fields = await ensureUserFields(client, reservationFieldSpecs(present), o);
  const restartRequired = created.length > 0 || fields.restartRequired;
  return { existing, missing, created, fields, restartRequired, ...(restartRequired ? { message: RESTART_MESSAGE } : {}) };
}
