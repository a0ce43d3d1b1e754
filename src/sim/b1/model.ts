/**
 * Entity model of the simulator: which entity sets exist, their keys and row collections, and the
 * conversion of request bodies into stored (sparse) records with SAP's validation and errors.
 * Field names, Edm types, enum members and DB defaults come from SAP's $metadata (generated.ts).
 */
import { B1_ENUMS, B1_TYPES, type B1PropTuple } from '../../connectors/b1/metadata/generated';
import { SlError } from './errors';
import { parseDateLiteral, parseTimeLiteral } from './clock';
import { MONEY_ENTITY_SETS, MONEY_ENUMS, MONEY_TYPES } from './money-types';

export type Rec = Record<string, unknown>;

export interface CollectionDef {
  prop: string;
  rowType: string;
  /** Row identity used by PATCH merging (reference §5.1). */
  rowKey: string;
}
export interface EntitySetDef {
  name: string;
  type: string;
  /** Table that owns `U_` fields of this set (UserFieldsMD TableName). */
  udfTable?: string;
  key: string[];
  keyKind: 'string' | 'number';
  /** Number keys that the server assigns on POST. */
  autoKey?: boolean;
  collections: CollectionDef[];
  /** Single complex properties (e.g. AddressExtension) validated field by field. */
  complex: Array<{ prop: string; type: string }>;
  deletable: boolean;
}

/** A sales order's shape (type, UDF table, key, rows): shared by Orders and their Drafts. */
const SALES_DOCUMENT = {
  type: 'Document',
  udfTable: 'ORDR',
  key: ['DocEntry'],
  keyKind: 'number',
  autoKey: true,
  collections: [
    { prop: 'DocumentLines', rowType: 'DocumentLine', rowKey: 'LineNum' },
    { prop: 'DocumentAdditionalExpenses', rowType: 'DocumentAdditionalExpense', rowKey: 'ExpenseCode' },
  ],
  complex: [{ prop: 'AddressExtension', type: 'AddressExtension' }],
} as const satisfies Omit<EntitySetDef, 'name' | 'deletable'>;

export const ENTITY_SETS: Record<string, EntitySetDef> = {
  BusinessPartners: {
    name: 'BusinessPartners',
    type: 'BusinessPartner',
    udfTable: 'OCRD',
    key: ['CardCode'],
    keyKind: 'string',
    collections: [
      { prop: 'BPAddresses', rowType: 'BPAddress', rowKey: 'RowNum' },
      { prop: 'ContactEmployees', rowType: 'ContactEmployee', rowKey: 'InternalCode' },
    ],
    complex: [],
    deletable: true,
  },
  Items: {
    name: 'Items',
    type: 'Item',
    udfTable: 'OITM',
    key: ['ItemCode'],
    keyKind: 'string',
    collections: [
      { prop: 'ItemPrices', rowType: 'ItemPrice', rowKey: 'PriceList' },
      { prop: 'ItemWarehouseInfoCollection', rowType: 'ItemWarehouseInfo', rowKey: 'WarehouseCode' },
    ],
    complex: [],
    deletable: true,
  },
  ItemGroups: {
    name: 'ItemGroups',
    type: 'ItemGroups',
    udfTable: 'OITB',
    key: ['Number'],
    keyKind: 'number',
    autoKey: true,
    collections: [],
    complex: [],
    deletable: true,
  },
  Warehouses: {
    name: 'Warehouses',
    type: 'Warehouse',
    udfTable: 'OWHS',
    key: ['WarehouseCode'],
    keyKind: 'string',
    collections: [],
    complex: [],
    deletable: true,
  },
  PriceLists: {
    name: 'PriceLists',
    type: 'PriceList',
    udfTable: 'OPLN',
    key: ['PriceListNo'],
    keyKind: 'number',
    autoKey: true,
    collections: [],
    complex: [],
    deletable: true,
  },
  WeightMeasures: {
    name: 'WeightMeasures',
    type: 'WeightMeasure',
    key: ['UnitCode'],
    keyKind: 'number',
    autoKey: true,
    collections: [],
    complex: [],
    deletable: true,
  },
  // Marketing documents are closed or cancelled, never deleted (reference §5).
  Orders: { name: 'Orders', ...SALES_DOCUMENT, deletable: false },
  SalesTaxCodes: {
    name: 'SalesTaxCodes',
    type: 'SalesTaxCode',
    udfTable: 'OSTC',
    key: ['Code'],
    keyKind: 'string',
    collections: [],
    complex: [],
    deletable: true,
  },
  // Documents caught by an approval procedure (reference §5, §11.8): same shape as Orders, own keys.
  Drafts: { name: 'Drafts', ...SALES_DOCUMENT, deletable: true },
  // Deliveries (delivery-notes.ts); header UDFs made on ORDR are on every marketing document.
  DeliveryNotes: { name: 'DeliveryNotes', ...SALES_DOCUMENT, deletable: false },
  UserTablesMD: {
    name: 'UserTablesMD',
    type: 'UserTablesMD',
    key: ['TableName'],
    keyKind: 'string',
    collections: [],
    complex: [],
    deletable: true,
  },
  UserFieldsMD: {
    name: 'UserFieldsMD',
    type: 'UserFieldMD',
    key: ['TableName', 'FieldID'],
    keyKind: 'string',
    collections: [{ prop: 'ValidValuesMD', rowType: 'ValidValueMD', rowKey: 'Value' }],
    complex: [],
    deletable: true,
  },
  ...MONEY_ENTITY_SETS,
};

/**
 * Types the generated $metadata subset lacks: UserTablesMD (from SAP's full $metadata) and the
 * rows of a user-defined table (`U_<TABLE>` entity sets: `Code` key and `Name`, reference §8).
 */
const SIM_TYPES: Record<string, { key: readonly string[]; props: readonly B1PropTuple[] }> = {
  UserTablesMD: {
    key: ['TableName'],
    props: [
      ['TableName', 'Edm.String', 0, null],
      ['TableDescription', 'Edm.String', 0, null],
      ['TableType', 'SAPB1.BoUTBTableType', 0, '0'],
      ['Archivable', 'SAPB1.BoYesNoEnum', 0, 'N'],
      ['ArchiveDateField', 'Edm.String', 0, null],
    ] as unknown as readonly B1PropTuple[],
  },
  UserTableRow: {
    key: ['Code'],
    props: [
      ['Code', 'Edm.String', 0, null],
      ['Name', 'Edm.String', 0, null],
    ] as unknown as readonly B1PropTuple[],
  },
};

/** Entity set of a user-defined table's rows: `U_MYTBL` for table `@MYTBL` (reference §8). */
export function userTableSet(tableName: string): EntitySetDef {
  return {
    name: `U_${tableName}`,
    type: 'UserTableRow',
    udfTable: `@${tableName}`,
    key: ['Code'],
    keyKind: 'string',
    collections: [],
    complex: [],
    deletable: true,
  };
}

/** Row tables that carry UDFs of their own: order lines live in RDR1. */
export const ROW_UDF_TABLE: Record<string, string> = { DocumentLine: 'RDR1' };

/**
 * Column sizes of the SAP B1 10.0 database (nvarchar lengths). $metadata carries no MaxLength, so
 * these come from SAP's table definitions (OCRD, CRD1, OCPR, OITM, OITB, OWHS, OPLN, OWGT, ORDR,
 * RDR1, CUFD). Only the fields the hub writes are listed; others are not length-checked.
 */
export const FIELD_SIZES: Record<string, number> = {
  'BusinessPartner.CardCode': 15,
  'BusinessPartner.CardName': 100,
  'BusinessPartner.CardForeignName': 100,
  'BusinessPartner.EmailAddress': 100,
  'BusinessPartner.Phone1': 20,
  'BusinessPartner.Phone2': 20,
  'BusinessPartner.Cellular': 50,
  'BusinessPartner.Currency': 3,
  'BusinessPartner.FederalTaxID': 32,
  'BusinessPartner.Notes': 100,
  'BusinessPartner.FreeText': 64000,
  'BusinessPartner.ShipToDefault': 50,
  'BusinessPartner.BilltoDefault': 50,
  'BPAddress.AddressName': 50,
  'BPAddress.AddressName2': 50,
  'BPAddress.AddressName3': 50,
  'BPAddress.Street': 100,
  'BPAddress.StreetNo': 100,
  'BPAddress.Block': 100,
  'BPAddress.BuildingFloorRoom': 100,
  'BPAddress.City': 100,
  'BPAddress.ZipCode': 20,
  'BPAddress.County': 100,
  'BPAddress.State': 3,
  'BPAddress.Country': 3,
  'ContactEmployee.Name': 50,
  'ContactEmployee.FirstName': 50,
  'ContactEmployee.MiddleName': 50,
  'ContactEmployee.LastName': 50,
  'ContactEmployee.E_Mail': 100,
  'ContactEmployee.Phone1': 20,
  'ContactEmployee.MobilePhone': 50,
  'ContactEmployee.Position': 90,
  'Item.ItemCode': 50,
  'Item.ItemName': 100,
  'Item.ForeignName': 100,
  'Item.BarCode': 254,
  'Item.SalesUnit': 100,
  'Item.User_Text': 64000,
  'Item.DefaultWarehouse': 8,
  'ItemPrice.Currency': 3,
  'ItemWarehouseInfo.WarehouseCode': 8,
  'ItemGroups.GroupName': 20,
  'Warehouse.WarehouseCode': 8,
  'Warehouse.WarehouseName': 100,
  'PriceList.PriceListName': 32,
  'WeightMeasure.UnitDisplay': 10,
  'WeightMeasure.UnitName': 20,
  'Document.CardCode': 15,
  'Document.CardName': 100,
  'Document.NumAtCard': 100,
  'Document.Comments': 254,
  'Document.DocCurrency': 3,
  'Document.ShipToCode': 50,
  'Document.PayToCode': 50,
  'Document.Address': 254,
  'Document.Address2': 254,
  'Document.JournalMemo': 50,
  'DocumentLine.ItemCode': 50,
  'DocumentLine.ItemDescription': 100,
  'DocumentLine.WarehouseCode': 8,
  'DocumentLine.TaxCode': 8,
  'DocumentLine.Currency': 3,
  'DocumentLine.FreeText': 100,
  'AddressExtension.ShipToStreet': 100,
  'AddressExtension.ShipToCity': 100,
  'AddressExtension.ShipToZipCode': 20,
  'AddressExtension.ShipToState': 3,
  'AddressExtension.ShipToCountry': 3,
  'AddressExtension.BillToStreet': 100,
  'AddressExtension.BillToCity': 100,
  'AddressExtension.BillToZipCode': 20,
  'AddressExtension.BillToState': 3,
  'AddressExtension.BillToCountry': 3,
  'SalesTaxCode.Code': 8,
  'SalesTaxCode.Name': 50,
  'UserFieldMD.Name': 50,
  'UserFieldMD.Description': 80,
  'UserFieldMD.TableName': 20,
  'UserTablesMD.TableName': 19,
  'UserTablesMD.TableDescription': 30,
  'UserTableRow.Code': 50,
  'UserTableRow.Name': 100,
};

const propIndex = new Map<string, Map<string, B1PropTuple>>();
export function propsOf(type: string): Map<string, B1PropTuple> {
  let m = propIndex.get(type);
  if (!m) {
    const t = B1_TYPES[type] ?? SIM_TYPES[type] ?? MONEY_TYPES[type];
    if (!t) throw new Error(`unknown type ${type}`);
    m = new Map(t.props.map((p) => [p[0], p]));
    propIndex.set(type, m);
  }
  return m;
}

const enums = {
  ...(B1_ENUMS as unknown as Record<string, ReadonlyArray<readonly [string, string]>>),
  ...(MONEY_ENUMS as unknown as Record<string, ReadonlyArray<readonly [string, string]>>),
  // Not in the generated subset; members from SAP's full $metadata.
  BoUTBTableType: [
    ['bott_Document', '3'],
    ['bott_DocumentLines', '4'],
    ['bott_MasterData', '1'],
    ['bott_MasterDataLines', '2'],
    ['bott_NoObject', '0'],
    ['bott_NoObjectAutoIncrement', '5'],
  ],
} as Record<string, ReadonlyArray<readonly [string, string]>>;

/** Enum name for a name or DB value (SAP accepts both, reference §1); undefined when neither. */
export function enumName(enumType: string, v: unknown): string | undefined {
  const members = enums[enumType];
  if (!members || (typeof v !== 'string' && typeof v !== 'number')) return undefined;
  const s = String(v);
  for (const [name, value] of members) if (name === s || value === s) return name;
  return undefined;
}

/** UDF definition as the simulator needs it to validate `U_` properties. */
export interface UdfDef {
  name: string;
  type: string; // BoFieldTypes name
  size: number;
  defaultValue: string | null;
  validValues: string[];
}

const MSG_INVALID_PROP = (prop: string, type: string): string => `Property '${prop}' of '${type}' is invalid`;

function coerceScalar(type: string, edm: string, prop: string, v: unknown, owner: string): unknown {
  if (v === null) return null;
  const typeErr = (): SlError =>
    new SlError(400, -1000, `Property '${prop}' of '${owner}' has an invalid value: ${JSON.stringify(v)?.slice(0, 60)}`);
  switch (edm) {
    case 'Edm.String': {
      if (typeof v !== 'string') {
        if (typeof v === 'number') return String(v);
        throw typeErr();
      }
      const max = FIELD_SIZES[`${type}.${prop}`];
      if (max !== undefined && v.length > max) throw new SlError(400, -1000, `Value too long in property '${prop}' of '${owner}'`);
      return v;
    }
    case 'Edm.Int32': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > 2147483647) throw typeErr();
      return n;
    }
    case 'Edm.Double': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw typeErr();
      return n;
    }
    case 'Edm.DateTime': {
      const d = typeof v === 'string' ? parseDateLiteral(v) : null;
      if (!d) throw typeErr();
      return d;
    }
    case 'Edm.Time': {
      const t = typeof v === 'string' ? parseTimeLiteral(v) : null;
      if (!t) throw typeErr();
      return t;
    }
    default: {
      if (edm.startsWith('SAPB1.')) {
        const e = edm.slice(6);
        if (enums[e]) {
          const name = enumName(e, v);
          if (name === undefined)
            throw new SlError(400, -1000, `Enumeration value ${JSON.stringify(v)} of property '${prop}' of '${owner}' is invalid`);
          return name;
        }
      }
      return v;
    }
  }
}

export function coerceUdf(def: UdfDef, prop: string, v: unknown, owner: string): unknown {
  if (v === null) return null;
  const bad = (): SlError =>
    new SlError(400, -1000, `Property '${prop}' of '${owner}' has an invalid value: ${JSON.stringify(v)?.slice(0, 60)}`);
  switch (def.type) {
    case 'db_Alpha':
    case 'db_Memo': {
      const s = typeof v === 'number' ? String(v) : v;
      if (typeof s !== 'string') throw bad();
      if (def.type === 'db_Alpha' && s.length > def.size)
        throw new SlError(400, -1000, `Value too long in property '${prop}' of '${owner}'`);
      if (def.validValues.length > 0 && !def.validValues.includes(s))
        throw new SlError(400, -1000, `Invalid value "${s.slice(0, 40)}" for field '${prop}'`);
      return s;
    }
    case 'db_Numeric': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw bad();
      return n;
    }
    case 'db_Float': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw bad();
      return n;
    }
    case 'db_Date': {
      const d = typeof v === 'string' ? parseDateLiteral(v) : null;
      if (!d) throw bad();
      return d;
    }
    default:
      return v;
  }
}

export interface CoerceCtx {
  udfsFor(table: string): Map<string, UdfDef>;
  /** POST ignores read-only properties silently, like PATCH (reference §5). */
  keepReadOnly?: boolean;
}

/**
 * Validates one object of SAP type `type` and returns the sparse record to store: enum names,
 * numbers, normalised dates/times; unknown properties and bad values → SAP's -1000 errors.
 */
export function coerceObject(type: string, body: unknown, ctx: CoerceCtx, udfTable?: string): Rec {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SlError(400, -1000, `Invalid value for '${type}': an object is expected`);
  }
  const props = propsOf(type);
  const out: Rec = {};
  const udfs = udfTable ? ctx.udfsFor(udfTable) : undefined;
  for (const [k, v] of Object.entries(body as Rec)) {
    if (k.startsWith('odata.') || k.startsWith('@odata.')) continue;
    if (k.startsWith('U_') && udfs) {
      const def = udfs.get(k.slice(2));
      if (!def) throw new SlError(400, -1000, MSG_INVALID_PROP(k, type));
      out[k] = coerceUdf(def, k, v, type);
      continue;
    }
    const p = props.get(k);
    if (!p) throw new SlError(400, -1000, MSG_INVALID_PROP(k, type));
    const [, edm, flags] = p;
    if (flags & 2 && !ctx.keepReadOnly) continue;
    const coll = /^Collection\(SAPB1\.(.*)\)$/.exec(edm);
    if (coll) {
      if (v === null) continue;
      if (!Array.isArray(v)) throw new SlError(400, -1000, `Property '${k}' of '${type}' must be a collection`);
      const rowType = coll[1]!;
      out[k] =
        (B1_TYPES[rowType] ?? MONEY_TYPES[rowType])
          ? v.map((row) => coerceObject(rowType, row, ctx, ROW_UDF_TABLE[rowType]))
          : v.map((row) => (row && typeof row === 'object' ? { ...(row as Rec) } : row));
      continue;
    }
    if (edm.startsWith('SAPB1.') && B1_TYPES[edm.slice(6)]) {
      out[k] = v === null ? null : coerceObject(edm.slice(6), v, ctx);
      continue;
    }
    out[k] = coerceScalar(type, edm, k, v, type);
  }
  return out;
}

/** DB default of a property rendered as SAP returns it (enum name, number, or null). */
export function defaultOf(p: B1PropTuple): unknown {
  const [, edm, , dbDefault] = p;
  if (edm.startsWith('Collection(')) return [];
  if (dbDefault === null) return null;
  if (edm.startsWith('SAPB1.')) return enumName(edm.slice(6), dbDefault) ?? null;
  if (edm === 'Edm.Int32' || edm === 'Edm.Double') return Number(dbDefault);
  return dbDefault;
}

/** Full representation of a sparse record: every $metadata property, then UDFs (null by default). */
export function renderObject(type: string, rec: Rec, udfs: Map<string, UdfDef> | undefined, select?: Set<string>): Rec {
  const out: Rec = {};
  for (const p of propsOf(type).values()) {
    const name = p[0];
    if (select && !select.has(name)) continue;
    const v = rec[name];
    const coll = /^Collection\(SAPB1\.(.*)\)$/.exec(p[1]);
    if (coll && Array.isArray(v)) {
      const rowType = coll[1]!;
      out[name] = (B1_TYPES[rowType] ?? MONEY_TYPES[rowType]) ? v.map((r) => renderObject(rowType, r as Rec, undefined)) : v;
    } else if (p[1].startsWith('SAPB1.') && B1_TYPES[p[1].slice(6)]) {
      out[name] = renderObject(p[1].slice(6), (v as Rec | undefined) ?? {}, undefined);
    } else {
      out[name] = v === undefined ? defaultOf(p) : v;
    }
  }
  if (udfs) {
    for (const u of udfs.values()) {
      const name = `U_${u.name}`;
      if (select && !select.has(name)) continue;
      out[name] = rec[name] === undefined ? (u.defaultValue ?? null) : rec[name];
    }
  }
  return out;
}
