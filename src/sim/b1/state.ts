/**
 * In-memory company database of the simulator plus SAP's business rules for the entities the hub
 * uses. Records are stored sparse (only set fields) and rendered with $metadata defaults, so a
 * 100k-item company stays small. Every mutation goes through `put`/`counter`, which journal undo
 * steps so a `$batch` changeset can roll back atomically.
 */
import { randomUUID } from 'node:crypto';
import { SimClock, localDate, localTime } from './clock';
import { Errors, SlError } from './errors';
import { seriesCardCode } from './bp-series';
import {
  ENTITY_SETS,
  coerceObject,
  defaultOf,
  propsOf,
  renderObject,
  ROW_UDF_TABLE,
  userTableSet,
  type CoerceCtx,
  type EntitySetDef,
  type Rec,
  type UdfDef,
} from './model';
import { MONEY_SETS, moneyExtraProps, type DocOps } from './money';
import { MONEY_UDF_TABLES, udfGroup } from './money-types';
import { DELIVERY_SET, checkDeliveryPatch, createDelivery, type DocKit } from './delivery-notes';

export interface Session {
  id: string;
  user: string;
  companyDb: string;
  lastUsed: number;
}

export interface StockLevels {
  InStock?: number;
  Committed?: number;
  Ordered?: number;
}

const round = (n: number, d = 6): number => Math.round(n * 10 ** d) / 10 ** d;

export class B1SimState {
  readonly clock = new SimClock();
  readonly sessions = new Map<string, Session>();
  private readonly sets = new Map<string, Map<string, Rec>>();
  private readonly sortedKeys = new Map<string, string[] | null>();
  private counters: Record<string, number> = {};
  private journal: Array<() => void> | null = null;
  private udfCache = new Map<string, Map<string, UdfDef>>();
  /** Called after every committed write (persistence hooks in here). */
  onChange: (() => void) | null = null;
  /** Company local currency; SBODEMOUS uses '$'. */
  localCurrency = '$';
  /**
   * Approval procedure on sales orders (test/demo setting): an Orders POST it matches becomes a
   * Draft waiting for approval instead of an order (reference §5, §11.8). null = no procedure.
   */
  approvalRule: ((doc: Rec) => boolean) | null = null;

  constructor() {
    for (const name of Object.keys(ENTITY_SETS)) this.sets.set(name, new Map());
  }

  /** Journaled primitives for the money documents (money-*.ts), which keep their rules apart. */
  readonly docOps: DocOps = {
    put: (set, key, rec) => this.put(set, key, rec),
    counter: (name, start) => this.counter(name, start),
    stamp: (type, rec, created) => this.stamp(type, rec, created),
    prepareDocument: (rec, o) => this.prepareOrder(rec, undefined, o),
    applyCommitted: (before, after) => this.applyCommitted(before, after),
  };

  // ---------- storage primitives ----------

  store(set: string): Map<string, Rec> {
    let s = this.sets.get(set);
    if (!s && this.findDef(set)) {
      s = new Map();
      this.sets.set(set, s);
    }
    if (!s) throw new Error(`unknown entity set ${set}`);
    return s;
  }

  /** Entity set by name: the fixed ones, and `U_<TABLE>` for each user-defined table that exists. */
  findDef(set: string): EntitySetDef | undefined {
    const fixed = ENTITY_SETS[set];
    if (fixed) return fixed;
    if (set.startsWith('U_') && this.sets.get('UserTablesMD')?.has(set.slice(2))) return userTableSet(set.slice(2));
    return undefined;
  }

  def(set: string): EntitySetDef {
    const d = this.findDef(set);
    if (!d) throw new Error(`unknown entity set ${set}`);
    return d;
  }

  keyString(def: EntitySetDef, rec: Rec): string {
    return def.key.map((k) => String(rec[k])).join('|');
  }

  /** Keys in ascending key order (numeric for number keys), cached until the next insert/delete. */
  orderedKeys(set: string): string[] {
    let ks = this.sortedKeys.get(set);
    if (!ks) {
      const def = this.def(set);
      ks = [...this.store(set).keys()];
      if (def.keyKind === 'number') ks.sort((a, b) => Number(a) - Number(b));
      else if (def.key.length > 1) ks.sort((a, b) => this.compareComposite(a, b));
      else ks.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.sortedKeys.set(set, ks);
    }
    return ks;
  }
  private compareComposite(a: string, b: string): number {
    const [ta, fa] = a.split('|');
    const [tb, fb] = b.split('|');
    if (ta !== tb) return ta! < tb! ? -1 : 1;
    return Number(fa) - Number(fb);
  }

  private put(set: string, key: string, rec: Rec | undefined): void {
    const s = this.store(set);
    const prev = s.get(key);
    if (rec === undefined) s.delete(key);
    else s.set(key, rec);
    if ((prev === undefined) !== (rec === undefined)) this.sortedKeys.set(set, null);
    if (set === 'UserFieldsMD') this.udfCache.clear();
    this.journal?.push(() => {
      if (prev === undefined) s.delete(key);
      else s.set(key, prev);
      this.sortedKeys.set(set, null);
      if (set === 'UserFieldsMD') this.udfCache.clear();
    });
  }

  private counter(name: string, start: number): number {
    const prev = this.counters[name];
    const v = prev ?? start;
    this.counters[name] = v + 1;
    this.journal?.push(() => {
      if (prev === undefined) delete this.counters[name];
      else this.counters[name] = prev;
    });
    return v;
  }

  /** Runs `fn` atomically: on any thrown error every write it made is undone. */
  transaction<T>(fn: () => T): T {
    const outer = this.journal;
    const j: Array<() => void> = [];
    this.journal = j;
    try {
      const r = fn();
      if (outer) outer.push(...j);
      return r;
    } catch (e) {
      for (let i = j.length - 1; i >= 0; i--) j[i]!();
      throw e;
    } finally {
      this.journal = outer;
      if (!outer) this.onChange?.();
    }
  }

  udfsFor = (table: string): Map<string, UdfDef> => {
    let m = this.udfCache.get(table);
    if (!m) {
      m = new Map();
      for (const r of this.store('UserFieldsMD').values()) {
        if (udfGroup(r.TableName) !== udfGroup(table)) continue; // shared field sets (money-types.ts)
        const vv = Array.isArray(r.ValidValuesMD) ? (r.ValidValuesMD as Rec[]).map((x) => String(x.Value)) : [];
        m.set(String(r.Name), {
          name: String(r.Name),
          type: String(r.Type ?? 'db_Alpha'),
          size: Number(r.EditSize ?? r.Size ?? 10),
          defaultValue: (r.DefaultValue as string | null | undefined) ?? null,
          validValues: vv,
        });
      }
      this.udfCache.set(table, m);
    }
    return m;
  };

  private get ctx(): CoerceCtx {
    return { udfsFor: this.udfsFor };
  }

  // ---------- reads ----------

  get(set: string, key: string): Rec | undefined {
    return this.store(set).get(key);
  }

  /** Value of a field for $filter/$orderby, including computed and defaulted fields. */
  fieldOf(set: string, rec: Rec, field: string): unknown {
    if (
      set === 'Items' &&
      (field === 'QuantityOnStock' || field === 'QuantityOrderedByCustomers' || field === 'QuantityOrderedFromVendors')
    ) {
      return this.itemTotals(rec)[field];
    }
    const v = rec[field];
    if (v !== undefined) return v;
    const p = propsOf(this.def(set).type).get(field);
    if (p) return defaultOf(p);
    if (field.startsWith('U_')) {
      const t = this.def(set).udfTable;
      return (t && this.udfsFor(t).get(field.slice(2))?.defaultValue) ?? null;
    }
    return null;
  }

  private itemTotals(rec: Rec): Record<string, number> {
    let s = 0;
    let c = 0;
    let o = 0;
    for (const w of (rec.ItemWarehouseInfoCollection as Rec[] | undefined) ?? []) {
      s += Number(w.InStock ?? 0);
      c += Number(w.Committed ?? 0);
      o += Number(w.Ordered ?? 0);
    }
    return { QuantityOnStock: round(s), QuantityOrderedByCustomers: round(c), QuantityOrderedFromVendors: round(o) };
  }

  render(set: string, rec: Rec, select?: Set<string>): Rec {
    const def = this.def(set);
    const view = set === 'Items' ? { ...rec, ...this.itemTotals(rec) } : rec;
    const out = renderObject(def.type, view, def.udfTable ? this.udfsFor(def.udfTable) : undefined, select);
    for (const [name] of moneyExtraProps(set)) if (!select || select.has(name)) out[name] = rec[name] ?? 0;
    // Row-level UDFs (order lines carry RDR1 fields).
    for (const c of def.collections) {
      const t = ROW_UDF_TABLE[c.rowType];
      const rows = out[c.prop];
      if (!t || !Array.isArray(rows)) continue;
      const udfs = this.udfsFor(t);
      const src = (view[c.prop] as Rec[] | undefined) ?? [];
      rows.forEach((row: Rec, i) => {
        for (const u of udfs.values()) row[`U_${u.name}`] = src[i]?.[`U_${u.name}`] ?? u.defaultValue ?? null;
      });
    }
    return out;
  }

  // ---------- writes ----------

  private stamp(type: string, rec: Rec, created: boolean): void {
    const props = propsOf(type);
    const now = this.clock.now();
    if (created) {
      if (props.has('CreateDate')) rec.CreateDate = localDate(now);
      if (props.has('CreateTime')) rec.CreateTime = localTime(now);
      if (props.has('CreationDate')) rec.CreationDate = localDate(now);
    }
    if (props.has('UpdateDate')) rec.UpdateDate = localDate(now);
    if (props.has('UpdateTime')) rec.UpdateTime = localTime(now);
  }

  /**
   * POST. An order an approval procedure catches is stored as a Draft instead (`draft: true`,
   * `set: 'Drafts'`), pending approval, without committing stock.
   */
  create(set: string, body: unknown, o: { skipApproval?: boolean } = {}): { key: string; rec: Rec; set: string; draft?: true } {
    const def = this.def(set);
    const input = coerceObject(def.type, body, this.ctx, def.udfTable);
    const money = MONEY_SETS[set];
    if (money) return { ...this.transaction(() => money.create(this, input)), set };
    if (set === DELIVERY_SET) return createDelivery(this, this.docKit(), input);
    return this.transaction(() => {
      const rec = this.prepareCreate(def, input);
      if (set === 'Orders' && !o.skipApproval && this.approvalRule?.(rec)) {
        const draft = this.asDraft(rec);
        const dkey = String(draft.DocEntry);
        this.stamp(def.type, draft, true);
        this.put('Drafts', dkey, draft);
        return { key: dkey, rec: draft, set: 'Drafts', draft: true as const };
      }
      const key = this.keyString(def, rec);
      if (this.store(set).has(key)) throw this.duplicate(def, rec);
      this.stamp(def.type, rec, true);
      this.put(set, key, rec);
      if (set === 'Orders') this.applyCommitted(undefined, rec);
      return { key, rec, set };
    });
  }

  /** A prepared order turned into a draft waiting for approval: the Drafts table's own numbering. */
  private asDraft(order: Rec): Rec {
    const entry = this.counter('Drafts.DocEntry', 1);
    const d: Rec = {
      ...order,
      DocEntry: entry,
      DocNum: this.counter('Drafts.DocNum', 1),
      DocObjectCode: 'oOrders',
      AuthorizationStatus: 'dasPending',
    };
    d.DocumentLines = ((order.DocumentLines as Rec[] | undefined) ?? []).map((l) => ({ ...l, DocEntry: entry }));
    if (d.AddressExtension && typeof d.AddressExtension === 'object')
      d.AddressExtension = { ...(d.AddressExtension as Rec), DocEntry: entry };
    return d;
  }

  /**
   * Test/demo helper: the approver approves a draft and it is saved as the sales order it stands
   * for (what `DraftsService_SaveDraftToDocument` does after approval). Returns the order's key.
   */
  approveDraft(draftEntry: number): number {
    const d = this.get('Drafts', String(draftEntry));
    if (!d) throw new Error(`no draft ${draftEntry}`);
    if (d.AuthorizationStatus !== 'dasPending') throw new Error(`draft ${draftEntry} is ${String(d.AuthorizationStatus)}`);
    const body: Rec = {};
    for (const [k, v] of Object.entries(d)) {
      if (
        [
          'DocEntry',
          'DocNum',
          'DocObjectCode',
          'AuthorizationStatus',
          'DocumentStatus',
          'Cancelled',
          'CreateDate',
          'CreateTime',
          'CreationDate',
          'UpdateDate',
          'UpdateTime',
        ].includes(k)
      )
        continue;
      body[k] = v;
    }
    body.DocumentLines = ((d.DocumentLines as Rec[] | undefined) ?? []).map((l) => {
      const { DocEntry: _e, LineNum: _n, ...rest } = l;
      return rest;
    });
    if (body.AddressExtension && typeof body.AddressExtension === 'object') {
      const { DocEntry: _e, ...rest } = body.AddressExtension as Rec;
      body.AddressExtension = rest;
    }
    return this.transaction(() => {
      const { key } = this.create('Orders', body, { skipApproval: true });
      const next: Rec = { ...d, AuthorizationStatus: 'dasGenerated', DocumentStatus: 'bost_Close' };
      this.stamp('Document', next, false);
      this.put('Drafts', String(draftEntry), next);
      return Number(key);
    });
  }

  private duplicate(def: EntitySetDef, rec: Rec): SlError {
    if (def.name === 'BusinessPartners') {
      const c = String(rec.CardCode);
      return Errors.business(
        `1320000140 - Business partner code '${c}' already assigned to a business partner; enter a unique business partner code`,
      );
    }
    if (def.name === 'Items') return Errors.business(`Item code '${String(rec.ItemCode)}' already exists`);
    // User-defined table rows: the unique Code (reference §3 lists -2035 for duplicates, unconfirmed).
    if (def.type === 'UserTableRow')
      return new SlError(400, -2035, `This entry already exists in the following tables (${String(def.udfTable)}) (ODBC -2035)`);
    if (def.name === 'UserTablesMD') return Errors.business(`Table '${String(rec.TableName)}' already exists`);
    return Errors.business('This entry already exists in the following tables');
  }

  private prepareCreate(def: EntitySetDef, input: Rec): Rec {
    const rec: Rec = { ...input };
    switch (def.name) {
      case 'BusinessPartners': {
        rec.CardCode = seriesCardCode(rec, (c) => this.counter(c, 1)) ?? rec.CardCode;
        if (typeof rec.CardCode !== 'string' || rec.CardCode === '') throw Errors.business('Enter BP code');
        this.prepareBpRows(rec, undefined);
        break;
      }
      case 'Items': {
        if (typeof rec.ItemCode !== 'string' || rec.ItemCode === '') throw Errors.business('Enter item code');
        const grp = rec.ItemsGroupCode ?? 100;
        if (!this.store('ItemGroups').has(String(grp))) throw Errors.notFound();
        this.prepareItemRows(rec, undefined);
        break;
      }
      case 'ItemGroups':
        if (rec.GroupName == null) throw Errors.business('Enter group name');
        rec.Number = this.nextAuto('ItemGroups', 'Number');
        break;
      case 'PriceLists':
        if (rec.PriceListName == null) throw Errors.business('Enter price list name');
        rec.PriceListNo = this.nextAuto('PriceLists', 'PriceListNo');
        break;
      case 'WeightMeasures':
        rec.UnitCode = this.nextAuto('WeightMeasures', 'UnitCode');
        break;
      case 'Warehouses':
        if (typeof rec.WarehouseCode !== 'string' || rec.WarehouseCode === '') throw Errors.business('Enter warehouse code');
        break;
      case 'Orders':
        return this.prepareOrder(rec, undefined);
      case 'UserFieldsMD':
        return this.prepareUdf(rec);
      case 'UserTablesMD':
        // SAP: up to 19 characters, letters, digits and underscores; stored without the '@'.
        if (typeof rec.TableName !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,18}$/.test(rec.TableName))
          throw Errors.business(`Invalid table name '${String(rec.TableName)}'`);
        rec.TableType ??= 'bott_NoObject';
        break;
    }
    if (def.type === 'UserTableRow' && (typeof rec.Code !== 'string' || rec.Code === '')) throw Errors.business('Enter code');
    return rec;
  }

  private nextAuto(set: string, keyProp: string): number {
    let max = 0;
    for (const r of this.store(set).values()) max = Math.max(max, Number(r[keyProp]));
    return this.counter(`auto:${set}`, max + 1);
  }

  private prepareUdf(rec: Rec): Rec {
    const table = rec.TableName;
    if (
      typeof table !== 'string' ||
      !(/^(OCRD|OITM|ORDR|RDR1|OITB|OWHS|OPLN|OSTC|@\w+)$/.test(table) || MONEY_UDF_TABLES.includes(table))
    ) {
      throw Errors.business(`Invalid table name '${String(table)}'`);
    }
    const name = rec.Name;
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name.startsWith('U_')) {
      throw Errors.business(`Invalid field name '${String(name)}'`);
    }
    if (table.startsWith('@') && !this.get('UserTablesMD', table.slice(1))) throw Errors.business(`Invalid table name '${table}'`);
    if (this.udfsFor(table).has(name)) throw Errors.business(`Field '${name}' already exists in table '${table}'`);
    rec.Type ??= 'db_Alpha';
    const size = Number(rec.EditSize ?? rec.Size ?? (rec.Type === 'db_Alpha' ? 10 : 11));
    if (rec.Type === 'db_Alpha' && (size < 1 || size > 254)) throw Errors.business('Size of alphanumeric field must be between 1 and 254');
    rec.Size = size;
    rec.EditSize = size;
    rec.SubType ??= 'st_None';
    rec.Mandatory ??= 'tNO';
    rec.ValidValuesMD ??= [];
    let max = -1;
    for (const r of this.store('UserFieldsMD').values()) if (r.TableName === table) max = Math.max(max, Number(r.FieldID));
    rec.FieldID = max + 1;
    return rec;
  }

  private prepareBpRows(rec: Rec, prev: Rec | undefined): void {
    const addrs = (rec.BPAddresses as Rec[] | undefined) ?? [];
    let rowNum = 0;
    for (const a of addrs) if (typeof a.RowNum === 'number') rowNum = Math.max(rowNum, a.RowNum + 1);
    const seen = new Set<string>();
    for (const a of addrs) {
      if (a.AddressName == null || a.AddressName === '') throw Errors.business('Enter address ID');
      a.AddressType ??= 'bo_ShipTo';
      const id = `${String(a.AddressType)}|${String(a.AddressName)}`;
      if (seen.has(id)) throw Errors.business(`Address ID '${String(a.AddressName)}' already exists`);
      seen.add(id);
      if (typeof a.RowNum !== 'number') a.RowNum = rowNum++;
      a.BPCode = rec.CardCode ?? prev?.CardCode;
    }
    const names = new Set<string>();
    for (const c of (rec.ContactEmployees as Rec[] | undefined) ?? []) {
      if (c.Name == null || c.Name === '') throw Errors.business('Enter contact person name');
      if (names.has(String(c.Name))) throw Errors.business(`Contact person '${String(c.Name)}' already exists`);
      names.add(String(c.Name));
      if (typeof c.InternalCode !== 'number') c.InternalCode = this.counter('InternalCode', 1);
      c.CardCode = rec.CardCode ?? prev?.CardCode;
    }
  }

  /** Every item has one price row per price list and one stock row per warehouse, as in SAP. */
  private prepareItemRows(rec: Rec, prev: Rec | undefined): void {
    const code = rec.ItemCode ?? prev?.ItemCode;
    const prices = new Map<number, Rec>();
    for (const p of (rec.ItemPrices as Rec[] | undefined) ?? []) {
      if (typeof p.PriceList !== 'number') throw Errors.business('Enter price list number');
      if (!this.store('PriceLists').has(String(p.PriceList))) throw Errors.notFound();
      prices.set(p.PriceList, p);
    }
    for (const pl of this.orderedKeys('PriceLists')) {
      if (!prices.has(Number(pl))) prices.set(Number(pl), { PriceList: Number(pl), Price: 0, Currency: null });
    }
    rec.ItemPrices = [...prices.values()].sort((a, b) => Number(a.PriceList) - Number(b.PriceList));
    const rows = new Map<string, Rec>();
    for (const w of (rec.ItemWarehouseInfoCollection as Rec[] | undefined) ?? []) {
      if (typeof w.WarehouseCode !== 'string' || !this.store('Warehouses').has(w.WarehouseCode)) throw Errors.notFound();
      rows.set(w.WarehouseCode, w);
    }
    for (const wh of this.orderedKeys('Warehouses')) if (!rows.has(wh)) rows.set(wh, { WarehouseCode: wh });
    rec.ItemWarehouseInfoCollection = [...rows.values()].map((w) => ({ InStock: 0, Committed: 0, Ordered: 0, ...w, ItemCode: code }));
  }

  private prepareOrder(
    rec: Rec,
    prev: Rec | undefined,
    o: { objectCode: string; counters: string } = { objectCode: 'oOrders', counters: '' },
  ): Rec {
    const merged: Rec = { ...prev, ...rec };
    const cardCode = merged.CardCode;
    if (typeof cardCode !== 'string' || cardCode === '') throw Errors.business('Enter BP code');
    const bp = this.get('BusinessPartners', cardCode);
    if (!bp) throw Errors.notFound();
    if (!prev && bp.CardType === 'cSupplier') throw Errors.business(`1470000341 - Business partner '${cardCode}' is not a customer`);
    if (!prev) {
      if (merged.DocDueDate == null && o.objectCode === 'oOrders') throw Errors.rule('Enter delivery date');
      merged.DocEntry = this.counter(`${o.counters}DocEntry`, 1);
      merged.DocNum = this.counter(`${o.counters}DocNum`, 1);
      merged.DocType ??= 'dDocument_Items';
      merged.DocObjectCode = o.objectCode;
      merged.DocumentStatus = 'bost_Open';
      merged.Cancelled = 'tNO';
      merged.DocDate ??= localDate(this.clock.now());
      merged.TaxDate ??= merged.DocDate;
      merged.DocTime = localTime(this.clock.now()).slice(0, 5) + ':00';
      merged.CardName ??= bp.CardName ?? null;
      merged.DocCurrency ??= bp.Currency && bp.Currency !== '##' ? bp.Currency : this.localCurrency;
      merged.DocRate ??= 1;
      merged.Series ??= 1;
    }
    const lines = (merged.DocumentLines as Rec[] | undefined) ?? [];
    if (lines.length === 0) throw Errors.rule('Document must have at least one row');
    let lineNum = 0;
    for (const l of lines) if (typeof l.LineNum === 'number') lineNum = Math.max(lineNum, l.LineNum + 1);
    const priceList = typeof bp.PriceListNum === 'number' ? bp.PriceListNum : 1;
    // US localisation: tax comes from the line's sales tax code (OSTC); a code that does not exist
    // is a missing master record. Lines without a code carry no tax.
    const rateOf = (code: unknown): number => {
      if (code == null || code === '') return 0;
      const tc = this.get('SalesTaxCodes', String(code));
      if (!tc) throw Errors.notFound();
      if (tc.Inactive === 'tYES') throw Errors.business(`Tax code '${String(code)}' is inactive`);
      return Number(tc.Rate ?? 0);
    };
    let total = 0;
    let tax = 0;
    for (const l of lines) {
      const code = l.ItemCode;
      if (typeof code !== 'string') throw Errors.business('Enter item code');
      const item = this.get('Items', code);
      if (!item) throw Errors.notFound();
      if (item.SalesItem === 'tNO') throw Errors.business(`Item '${code}' is not a sales item`);
      if (typeof l.LineNum !== 'number') l.LineNum = lineNum++;
      const qty = Number(l.Quantity ?? 1);
      if (!(qty > 0)) throw Errors.rule(`Quantity must be positive in row ${Number(l.LineNum) + 1}`);
      l.Quantity = qty;
      l.WarehouseCode ??= item.DefaultWarehouse ?? '01';
      if (!this.store('Warehouses').has(String(l.WarehouseCode))) throw Errors.notFound();
      l.ItemDescription ??= item.ItemName ?? null;
      if (l.UnitPrice == null) {
        const p = ((item.ItemPrices as Rec[] | undefined) ?? []).find((x) => x.PriceList === priceList);
        l.UnitPrice = Number(p?.Price ?? 0);
      }
      const disc = Number(l.DiscountPercent ?? 0);
      l.DiscountPercent = disc;
      l.Price = round(Number(l.UnitPrice) * (1 - disc / 100));
      l.LineTotal = round(Number(l.Price) * qty, 2);
      l.Currency ??= merged.DocCurrency;
      l.LineStatus ??= 'bost_Open';
      // OpenQty is what is not delivered yet (only a delivery lowers it); closing a line by hand
      // releases it from Committed but delivers nothing, so it keeps its open quantity.
      const before = ((prev?.DocumentLines as Rec[] | undefined) ?? []).find((p) => p.LineNum === l.LineNum);
      const delivered = before ? Number(before.Quantity ?? 0) - Number(before.RemainingOpenQuantity ?? before.Quantity ?? 0) : 0;
      if (qty < delivered) throw Errors.rule(`Quantity cannot be less than the delivered quantity in row ${Number(l.LineNum) + 1}`);
      l.RemainingOpenQuantity = round(qty - delivered);
      l.DocEntry = merged.DocEntry;
      const rate = rateOf(l.TaxCode);
      l.TaxPercentagePerRow = rate;
      l.TaxTotal = round((Number(l.LineTotal) * rate) / 100, 2);
      l.PriceAfterVAT = round(Number(l.Price) * (1 + rate / 100));
      total += Number(l.LineTotal);
      tax += Number(l.TaxTotal);
    }
    let exp = 0;
    for (const e of (merged.DocumentAdditionalExpenses as Rec[] | undefined) ?? []) {
      if (typeof e.ExpenseCode !== 'number') throw Errors.business('Enter freight code');
      const rate = rateOf(e.TaxCode);
      e.TaxPercent = rate;
      e.TaxSum = round((Number(e.LineTotal ?? 0) * rate) / 100, 2);
      exp += Number(e.LineTotal ?? 0);
      tax += Number(e.TaxSum);
    }
    if (merged.AddressExtension && typeof merged.AddressExtension === 'object') {
      merged.AddressExtension = { ...(merged.AddressExtension as Rec), DocEntry: merged.DocEntry };
    }
    const hdrDisc = Number(merged.DiscountPercent ?? 0);
    merged.TotalDiscount = round((total * hdrDisc) / 100, 2);
    // Simplified: one rate per code (no jurisdictions), the header discount also reduces line tax.
    merged.VatSum = round(tax - (tax * hdrDisc) / 100, 2);
    merged.DocTotal = round(total - Number(merged.TotalDiscount) + exp + Number(merged.VatSum), 2);
    // Document rounding (RoundDif): with Rounding tYES, RoundingDiffAmount is part of the total.
    if (merged.Rounding === 'tYES') {
      const diff = Number(merged.RoundingDiffAmount ?? 0);
      if (!Number.isFinite(diff)) throw Errors.business('Invalid rounding amount');
      merged.RoundingDiffAmount = round(diff, 2);
      merged.DocTotal = round(Number(merged.DocTotal) + Number(merged.RoundingDiffAmount), 2);
    } else {
      merged.Rounding = 'tNO';
      merged.RoundingDiffAmount = 0;
    }
    return merged;
  }

  /** Moves item Committed quantities from an order's previous open lines to its new open lines. */
  private applyCommitted(before: Rec | undefined, after: Rec | undefined): void {
    const delta = new Map<string, number>();
    const add = (o: Rec | undefined, sign: number): void => {
      if (!o || o.DocumentStatus !== 'bost_Open') return;
      for (const l of (o.DocumentLines as Rec[] | undefined) ?? []) {
        if (l.LineStatus !== 'bost_Open') continue;
        const k = `${String(l.ItemCode)}\u0000${String(l.WarehouseCode)}`;
        delta.set(k, (delta.get(k) ?? 0) + sign * Number(l.RemainingOpenQuantity ?? 0));
      }
    };
    add(before, -1);
    add(after, 1);
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const [itemCode, whs] = k.split('\u0000') as [string, string];
      const item = this.get('Items', itemCode);
      if (!item || item.InventoryItem === 'tNO') continue;
      const rows = ((item.ItemWarehouseInfoCollection as Rec[] | undefined) ?? []).map((w) =>
        w.WarehouseCode === whs ? { ...w, Committed: round(Number(w.Committed ?? 0) + d) } : w,
      );
      this.put('Items', itemCode, { ...item, ItemWarehouseInfoCollection: rows });
    }
  }

  /** PATCH (merge) or, with `put`, PUT: writable properties left out fall back to their defaults. */
  update(set: string, key: string, body: unknown, replaceCollections: boolean, put = false): void {
    const def = this.def(set);
    const prev = this.get(set, key);
    if (!prev) throw Errors.notFound();
    const input = coerceObject(def.type, body, this.ctx, def.udfTable);
    for (const k of def.key) delete input[k]; // keys are read-only on PATCH (reference §5)
    MONEY_SETS[set]?.checkPatch(this, prev, input, put);
    if (set === DELIVERY_SET) checkDeliveryPatch(input);
    this.transaction(() => {
      const next: Rec = put ? this.readOnlyPart(def, prev) : { ...prev };
      for (const [k, v] of Object.entries(input)) {
        const coll = def.collections.find((c) => c.prop === k);
        if (coll && Array.isArray(v))
          next[k] = this.mergeRows(coll.rowKey, (prev[k] as Rec[] | undefined) ?? [], v as Rec[], replaceCollections);
        else if (def.complex.some((c) => c.prop === k) && v && typeof v === 'object')
          next[k] = { ...(prev[k] as Rec | undefined), ...(v as Rec) };
        else next[k] = v;
      }
      let rec = next;
      if (set === 'Orders') {
        if (prev.DocumentStatus !== 'bost_Open' && 'DocumentLines' in input) throw Errors.rule('Cannot update a closed document');
        rec = this.prepareOrder(next, prev);
      } else if (set === 'BusinessPartners') this.prepareBpRows(rec, prev);
      else if (set === 'Items') {
        if (rec.ItemsGroupCode != null && !this.store('ItemGroups').has(String(rec.ItemsGroupCode))) throw Errors.notFound();
        this.prepareItemRows(rec, prev);
      }
      this.stamp(def.type, rec, false);
      this.put(set, key, rec);
      if (set === 'Orders') this.applyCommitted(prev, rec);
    });
  }

  /** What PUT keeps: keys, read-only properties (stamps, totals, status) and UDF-free system rows. */
  private readOnlyPart(def: EntitySetDef, prev: Rec): Rec {
    const props = propsOf(def.type);
    const out: Rec = {};
    for (const [k, v] of Object.entries(prev)) {
      const p = props.get(k);
      if (def.key.includes(k) || (p && p[2] & 2)) out[k] = v;
    }
    // Stock rows are not user data: PUT cannot reset them.
    if (def.name === 'Items') out.ItemWarehouseInfoCollection = prev.ItemWarehouseInfoCollection;
    return out;
  }

  private mergeRows(rowKey: string, prev: Rec[], patch: Rec[], replace: boolean): Rec[] {
    const out: Rec[] = replace ? [] : prev.map((r) => ({ ...r }));
    for (const row of patch) {
      const k = row[rowKey];
      const old = k === undefined ? undefined : prev.find((r) => r[rowKey] === k);
      if (old) {
        const merged = { ...old, ...row };
        const i = out.findIndex((r) => r[rowKey] === k);
        if (i >= 0) out[i] = merged;
        else out.push(merged);
      } else {
        // A key that matches no existing row is assigned fresh, as SAP does for new rows.
        const fresh = { ...row };
        if (rowKey === 'LineNum' || rowKey === 'RowNum' || rowKey === 'InternalCode') delete fresh[rowKey];
        out.push(fresh);
      }
    }
    return out;
  }

  remove(set: string, key: string): void {
    const def = this.def(set);
    if (!def.deletable) throw Errors.notSupported();
    if (!this.get(set, key)) throw Errors.notFound();
    if (set === 'BusinessPartners' || set === 'Items') {
      for (const o of ['Orders', 'Invoices', 'CreditNotes', 'IncomingPayments', 'VendorPayments'].flatMap((d) => [
        ...this.store(d).values(),
      ])) {
        if (set === 'BusinessPartners' && o.CardCode === key)
          throw Errors.business(`Cannot remove business partner '${key}': it is used in documents`);
        if (set === 'Items' && ((o.DocumentLines as Rec[] | undefined) ?? []).some((l) => l.ItemCode === key)) {
          throw Errors.business(`Cannot remove item '${key}': it is used in documents`);
        }
      }
    }
    this.transaction(() => this.put(set, key, undefined));
  }

  /** Bound actions on Orders: Close, Cancel, Reopen. */
  orderAction(key: string, action: string): void {
    const prev = this.get('Orders', key);
    if (!prev) throw Errors.notFound();
    this.transaction(() => {
      const next: Rec = { ...prev };
      // Closing or cancelling delivers nothing: the lines keep their open quantity (released from Committed).
      const closeLines = (): Rec[] => ((prev.DocumentLines as Rec[] | undefined) ?? []).map((l) => ({ ...l, LineStatus: 'bost_Close' }));
      if (action === 'Cancel') {
        if (prev.Cancelled === 'tYES') throw Errors.rule('Document is already cancelled');
        if (prev.DocumentStatus !== 'bost_Open') throw Errors.rule('Cannot cancel a closed document');
        Object.assign(next, {
          Cancelled: 'tYES',
          CancelStatus: 'csCancellation',
          DocumentStatus: 'bost_Close',
          CancelDate: localDate(this.clock.now()),
          DocumentLines: closeLines(),
        });
      } else if (action === 'Close') {
        if (prev.DocumentStatus !== 'bost_Open') throw Errors.rule('Document is already closed');
        Object.assign(next, { DocumentStatus: 'bost_Close', ClosingDate: localDate(this.clock.now()), DocumentLines: closeLines() });
      } else if (action === 'Reopen') {
        if (prev.DocumentStatus === 'bost_Open') throw Errors.rule('Document is already open');
        if (prev.Cancelled === 'tYES') throw Errors.rule('Cannot reopen a cancelled document');
        const lines = ((prev.DocumentLines as Rec[] | undefined) ?? []).map((l) => ({
          ...l,
          LineStatus: Number(l.RemainingOpenQuantity ?? 0) > 0 ? 'bost_Open' : 'bost_Close',
        }));
        Object.assign(next, { DocumentStatus: 'bost_Open', DocumentLines: lines });
      } else {
        throw Errors.notSupported();
      }
      this.stamp('Document', next, false);
      this.put('Orders', key, next);
      this.applyCommitted(prev, next);
    });
  }

  /**
   * A delivery (`DeliveryNotes` based on the order's lines, BaseType 17; not served over HTTP):
   * each line's open quantity drops by what is delivered and the line closes at 0, the order when
   * every line is closed; InStock drops and Committed is released (reference order-to-cash §2).
   */
  deliver(docEntry: number, lines: { LineNum: number; Quantity: number }[]): void {
    const key = String(docEntry);
    const prev = this.get('Orders', key);
    if (!prev) throw Errors.notFound();
    if (prev.DocumentStatus !== 'bost_Open' || prev.Cancelled === 'tYES') throw Errors.rule('Cannot copy from a closed document');
    this.transaction(() => {
      const shipped = new Map<string, number>();
      const docLines = ((prev.DocumentLines as Rec[] | undefined) ?? []).map((l) => {
        const d = lines.find((x) => x.LineNum === l.LineNum);
        if (!d) return { ...l };
        const open = Number(l.RemainingOpenQuantity ?? 0);
        if (l.LineStatus !== 'bost_Open' || !(d.Quantity > 0) || d.Quantity > open)
          throw Errors.rule(`Quantity exceeds the open quantity in base document row ${Number(l.LineNum) + 1}`);
        const k = `${String(l.ItemCode)}\u0000${String(l.WarehouseCode)}`;
        shipped.set(k, (shipped.get(k) ?? 0) + d.Quantity);
        const left = round(open - d.Quantity);
        return { ...l, RemainingOpenQuantity: left, LineStatus: left > 0 ? 'bost_Open' : 'bost_Close' };
      });
      const next: Rec = { ...prev, DocumentLines: docLines };
      if (docLines.every((l) => l.LineStatus !== 'bost_Open'))
        Object.assign(next, { DocumentStatus: 'bost_Close', ClosingDate: localDate(this.clock.now()) });
      this.stamp('Document', next, false);
      this.put('Orders', key, next);
      this.applyCommitted(prev, next);
      for (const [k, q] of shipped) {
        const [itemCode, whs] = k.split('\u0000') as [string, string];
        const item = this.get('Items', itemCode);
        if (!item || item.InventoryItem === 'tNO') continue;
        const rows = ((item.ItemWarehouseInfoCollection as Rec[] | undefined) ?? []).map((w) =>
          w.WarehouseCode === whs ? { ...w, InStock: round(Number(w.InStock ?? 0) - q) } : w,
        );
        this.put('Items', itemCode, { ...item, ItemWarehouseInfoCollection: rows });
      }
    });
  }

  /** Journaled primitives for the document modules kept in their own files (delivery-notes.ts). */
  docKit(): DocKit {
    return {
      put: (set, key, rec) => this.put(set, key, rec),
      counter: (name, start) => this.counter(name, start),
      stamp: (type, rec, created) => this.stamp(type, rec, created),
      applyCommitted: (before, after) => this.applyCommitted(before, after),
    };
  }

  // ---------- sessions ----------

  newSession(user: string, companyDb: string): Session {
    const s: Session = { id: randomUUID(), user, companyDb, lastUsed: this.clock.now().getTime() };
    this.sessions.set(s.id, s);
    return s;
  }

  /** Expires every session now, as if the idle timeout had passed (fault injection). */
  expireAllSessions(): void {
    this.sessions.clear();
  }

  // ---------- helpers for seeding and tests ----------

  /** Inserts a record without business rules (seed data); still validated against $metadata. */
  insertRaw(set: string, rec: Rec): void {
    const def = this.def(set);
    const r = coerceObject(def.type, rec, { udfsFor: this.udfsFor, keepReadOnly: true }, def.udfTable);
    if (set === 'Items') this.prepareItemRows(r, undefined);
    this.stamp(def.type, r, r.CreateDate === undefined && r.CreationDate === undefined);
    if (rec.UpdateDate !== undefined) r.UpdateDate = rec.UpdateDate;
    if (rec.UpdateTime !== undefined) r.UpdateTime = rec.UpdateTime;
    this.put(set, this.keyString(def, r), r);
  }

  /** Sets stock of one item in one warehouse. Does not touch UpdateDate unless asked: whether SAP does is unconfirmed. */
  setStock(itemCode: string, warehouse: string, levels: StockLevels, opts: { touch?: boolean } = {}): void {
    const item = this.get('Items', itemCode);
    if (!item) throw new Error(`no item ${itemCode}`);
    if (!this.get('Warehouses', warehouse)) throw new Error(`no warehouse ${warehouse}`);
    let rows = (item.ItemWarehouseInfoCollection as Rec[] | undefined) ?? [];
    if (!rows.some((w) => w.WarehouseCode === warehouse))
      rows = [...rows, { WarehouseCode: warehouse, ItemCode: itemCode, InStock: 0, Committed: 0, Ordered: 0 }];
    const next: Rec = { ...item, ItemWarehouseInfoCollection: rows.map((w) => (w.WarehouseCode === warehouse ? { ...w, ...levels } : w)) };
    if (opts.touch) this.stamp('Item', next, false);
    this.transaction(() => this.put('Items', itemCode, next));
  }

  /** Bumps UpdateDate/UpdateTime of a record to the clock's now, as any write would. */
  touch(set: string, key: string): void {
    const rec = this.get(set, key);
    if (!rec) throw new Error(`no ${set}(${key})`);
    const next = { ...rec };
    this.stamp(this.def(set).type, next, false);
    this.transaction(() => this.put(set, key, next));
  }

  /** Makes sure a counter will not hand out values below `atLeast` (after seeding fixed ids). */
  bumpCounter(name: string, atLeast: number): void {
    if ((this.counters[name] ?? 0) < atLeast) this.counters[name] = atLeast;
  }

  count(set: string): number {
    return this.store(set).size;
  }

  // ---------- persistence ----------

  toJSON(): unknown {
    const sets: Record<string, Rec[]> = {};
    for (const [n, s] of this.sets) sets[n] = [...s.values()];
    return { version: 1, counters: this.counters, sets };
  }

  loadJSON(data: unknown): void {
    const d = data as { version?: number; counters?: Record<string, number>; sets?: Record<string, Rec[]> };
    if (d.version !== 1 || !d.sets) throw new Error('unsupported simulator state file');
    this.counters = { ...d.counters };
    for (const [n, rows] of Object.entries(d.sets)) {
      const def = this.findDef(n);
      if (!def) continue;
      const s = this.store(n);
      s.clear();
      for (const r of rows) s.set(this.keyString(def, r), r);
      this.sortedKeys.set(n, null);
    }
    this.udfCache.clear();
  }
}
