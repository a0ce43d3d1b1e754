/**
 * Checks every entity set, property, type and enum that the zod schemas and the simulator use
 * against SAP's own $metadata (../shared/reference/sap-b1-metadata.xml from the repo root).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { B1_ENTITY_SETS, B1_ENUMS, B1_TYPES } from '../../src/connectors/b1/metadata/generated';
import { parseMetadataXml, type MdModel, type MdType } from '../../src/connectors/b1/metadata/parse';
import * as schemas from '../../src/connectors/b1/schemas';
import { ENTITY_SETS, FIELD_SIZES } from '../../src/sim/b1/model';
import { generateB1Seed, type B1Simulator } from '../../src/sim/b1';
import { clientFor, startSim } from './helpers';

const XML = join(__dirname, '../../../shared/reference/sap-b1-metadata.xml');
const present = existsSync(XML);
if (!present) process.stdout.write(`# fidelity: ${XML} is absent; skipping the $metadata fidelity checks\n`);

/** Our own UDFs (not SAP's); everything else must come from $metadata. */
import { HUB_UDFS as HUB_UDF_SPECS } from '../../src/connectors/b1/udf';
const HUB_UDFS = new Set(HUB_UDF_SPECS.map((u) => `U_${u.name}`));

function typeOf(md: MdModel, name: string): MdType {
  const t = md.types.get(name);
  assert.ok(t, `type ${name} exists in $metadata`);
  return t;
}

function unwrap(s: z.ZodType): { kind: string; inner: z.ZodType } {
  let cur = s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } };
  while (cur._zod.def.type === 'optional' || cur._zod.def.type === 'nullable') cur = cur._zod.def.innerType as unknown as typeof cur;
  return { kind: cur._zod.def.type, inner: cur as unknown as z.ZodType };
}

/** Recursively checks one value of SAP type `typeName` (stored record or rendered JSON). */
function checkValue(md: MdModel, typeName: string, value: Record<string, unknown>, where: string, udfOk: (k: string) => boolean): void {
  const t = typeOf(md, typeName);
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('odata.') || k.startsWith('@odata.')) continue;
    if (k.startsWith('U_')) {
      assert.ok(udfOk(k), `${where}.${k} is a UDF created through UserFieldsMD`);
      continue;
    }
    const p = t.props.find((x) => x.name === k);
    assert.ok(p, `${where}.${k} exists on SAPB1.${typeName}`);
    if (v === null || v === undefined) continue;
    const coll = /^Collection\(SAPB1\.(.*)\)$/.exec(p.type);
    if (coll) {
      assert.ok(Array.isArray(v), `${where}.${k} is a collection`);
      if (md.types.has(coll[1]!))
        for (const [i, row] of (v as Array<Record<string, unknown>>).entries()) checkValue(md, coll[1]!, row, `${where}.${k}[${i}]`, udfOk);
      continue;
    }
    if (p.type.startsWith('SAPB1.')) {
      const n = p.type.slice(6);
      if (md.enums.has(n))
        assert.ok(
          md.enums.get(n)!.some(([m]) => m === v),
          `${where}.${k}=${String(v)} is a member name of ${n}`,
        );
      else checkValue(md, n, v as Record<string, unknown>, `${where}.${k}`, udfOk);
      continue;
    }
    if (p.type === 'Edm.String') assert.equal(typeof v, 'string', `${where}.${k} is a string`);
    else if (p.type === 'Edm.Int32') assert.ok(Number.isInteger(v), `${where}.${k} is an Int32`);
    else if (p.type === 'Edm.Double') assert.equal(typeof v, 'number', `${where}.${k} is a number`);
    else if (p.type === 'Edm.DateTime') assert.match(String(v), /^\d{4}-\d{2}-\d{2}$/, `${where}.${k} is a date`);
    else if (p.type === 'Edm.Time') assert.match(String(v), /^\d{2}:\d{2}:\d{2}$/, `${where}.${k} is a time`);
  }
}

describe('fidelity to SAP $metadata', { skip: present ? false : `${XML} not found` }, () => {
  let md: MdModel;
  let sim: B1Simulator;
  before(async () => {
    md = parseMetadataXml(readFileSync(XML, 'utf8'));
    sim = await startSim({ seed: { items: 5, customers: 3 } });
  });
  after(() => sim?.close());

  test('the parser reads the file as SAP wrote it (spot checks)', () => {
    assert.deepEqual(typeOf(md, 'Item').key, ['ItemCode']);
    assert.deepEqual(md.enums.get('BoYesNoEnum'), [
      ['tNO', 'N'],
      ['tYES', 'Y'],
    ]);
    assert.equal(md.entitySets.get('Orders')?.type, 'Document');
    assert.ok(md.functionImports.has('Login'));
    assert.ok(md.types.size > 800);
  });

  test('generated entity sets, types, properties and enums match $metadata', () => {
    for (const [set, d] of Object.entries(B1_ENTITY_SETS)) {
      const es = md.entitySets.get(set);
      assert.ok(es, `entity set ${set}`);
      assert.equal(es.type, d.type);
      assert.equal(es.table, d.table);
      assert.deepEqual(typeOf(md, d.type).key, [...d.key]);
    }
    for (const [name, t] of Object.entries(B1_TYPES)) {
      const x = typeOf(md, name);
      assert.deepEqual(x.key, [...t.key], `${name} key`);
      for (const [prop, edm, flags, dflt] of t.props) {
        const p = x.props.find((q) => q.name === prop);
        assert.ok(p, `${name}.${prop}`);
        assert.equal(p.type, edm, `${name}.${prop} type`);
        assert.equal(p.nullable, !(flags & 1), `${name}.${prop} nullable`);
        assert.equal(p.writable, !(flags & 2), `${name}.${prop} writable`);
        assert.equal(p.defaultValue ?? null, dflt, `${name}.${prop} default`);
      }
      // nothing of SAP's (except foreign-company UDFs) is missing from the generated type
      assert.equal(t.props.length, x.props.filter((p) => !p.name.startsWith('U_')).length, `${name} property count`);
    }
    for (const [name, members] of Object.entries(B1_ENUMS)) {
      assert.deepEqual(
        members.map((m) => [...m]),
        md.enums.get(name),
        `enum ${name}`,
      );
    }
  });

  test('every zod schema field exists in $metadata with a matching type', () => {
    const pairs: Array<[z.ZodType, string]> = [
      [schemas.BusinessPartnerSchema, 'BusinessPartner'],
      [schemas.BPAddressSchema, 'BPAddress'],
      [schemas.ContactEmployeeSchema, 'ContactEmployee'],
      [schemas.ItemSchema, 'Item'],
      [schemas.ItemPriceSchema, 'ItemPrice'],
      [schemas.ItemWarehouseInfoSchema, 'ItemWarehouseInfo'],
      [schemas.ItemGroupSchema, 'ItemGroups'],
      [schemas.WarehouseSchema, 'Warehouse'],
      [schemas.PriceListSchema, 'PriceList'],
      [schemas.WeightMeasureSchema, 'WeightMeasure'],
      [schemas.OrderSchema, 'Document'],
      [schemas.DocumentLineSchema, 'DocumentLine'],
      [schemas.AddressExtensionSchema, 'AddressExtension'],
      [schemas.DocumentAdditionalExpenseSchema, 'DocumentAdditionalExpense'],
      [schemas.UserFieldMDSchema, 'UserFieldMD'],
      [schemas.ValidValueMDSchema, 'ValidValueMD'],
      [schemas.B1SessionSchema, 'B1Session'],
    ];
    let checked = 0;
    for (const [schema, typeName] of pairs) {
      const t = typeOf(md, typeName);
      const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
      for (const [k, s] of Object.entries(shape)) {
        if (HUB_UDFS.has(k)) continue;
        const p = t.props.find((x) => x.name === k);
        assert.ok(p, `${typeName}.${k} exists in $metadata`);
        const { kind, inner } = unwrap(s);
        const coll = /^Collection\(/.test(p.type);
        if (coll) assert.equal(kind, 'array', `${typeName}.${k}`);
        else if (['Edm.String', 'Edm.DateTime', 'Edm.Time'].includes(p.type)) assert.equal(kind, 'string', `${typeName}.${k}`);
        else if (['Edm.Int32', 'Edm.Double'].includes(p.type)) assert.equal(kind, 'number', `${typeName}.${k}`);
        else if (md.enums.has(p.type.slice(6))) {
          assert.equal(kind, 'enum', `${typeName}.${k}`);
          assert.deepEqual(
            (inner as unknown as { options: string[] }).options,
            md.enums.get(p.type.slice(6))!.map(([m]) => m),
          );
        } else assert.equal(kind, 'object', `${typeName}.${k}`);
        checked++;
      }
    }
    assert.ok(checked > 1400, `checked ${checked} fields`);
  });

  test('simulator model: entity sets, row collections, row keys and field sizes are SAP names', () => {
    for (const def of Object.values(ENTITY_SETS)) {
      const es = md.entitySets.get(def.name);
      assert.ok(es, `entity set ${def.name}`);
      assert.equal(es.type, def.type);
      const t = typeOf(md, def.type);
      assert.deepEqual(t.key, def.key, `${def.name} key`);
      if (def.udfTable && ['BusinessPartners', 'Items', 'Orders'].includes(def.name)) assert.equal(def.udfTable, es.table);
      for (const c of def.collections) {
        assert.equal(t.props.find((p) => p.name === c.prop)?.type, `Collection(SAPB1.${c.rowType})`, `${def.name}.${c.prop}`);
        assert.ok(
          typeOf(md, c.rowType).props.some((p) => p.name === c.rowKey),
          `${c.rowType}.${c.rowKey}`,
        );
      }
      for (const c of def.complex) assert.equal(t.props.find((p) => p.name === c.prop)?.type, `SAPB1.${c.type}`);
    }
    for (const k of Object.keys(FIELD_SIZES)) {
      const [typeName, prop] = k.split('.') as [string, string];
      // A user-defined table's rows have a type per table (`U_<TABLE>`), only in that company's
      // $metadata: the simulator's one stand-in type has SAP's Code and Name (reference §8).
      if (typeName === 'UserTableRow') {
        assert.ok(['Code', 'Name'].includes(prop), `FIELD_SIZES ${k}`);
        continue;
      }
      assert.equal(typeOf(md, typeName).props.find((p) => p.name === prop)?.type, 'Edm.String', `FIELD_SIZES ${k}`);
    }
  });

  test('seed data uses only SAP fields and enum names', () => {
    const seed = generateB1Seed({ items: 10, customers: 4 });
    const sets: Array<[string, Array<Record<string, unknown>>]> = [
      ['UserFieldMD', seed.UserFieldsMD],
      ['ItemGroups', seed.ItemGroups],
      ['Warehouse', seed.Warehouses],
      ['WeightMeasure', seed.WeightMeasures],
      ['PriceList', seed.PriceLists],
      ['Item', seed.Items],
      ['BusinessPartner', seed.BusinessPartners],
    ];
    for (const [typeName, rows] of sets) for (const r of rows) checkValue(md, typeName, r, typeName, (k) => HUB_UDFS.has(k));
    for (const s of seed.stock) checkValue(md, 'ItemWarehouseInfo', { ...s }, 'stock', () => false);
  });

  test('everything the simulator stores and serves after real operations is SAP-shaped', async () => {
    const c = clientFor(sim.url);
    await c.createBusinessPartner({
      CardCode: 'F1',
      CardName: 'Fidelity',
      CardType: 'cCustomer',
      BPAddresses: [{ AddressName: 'A', AddressType: 'bo_BillTo', City: 'X' }],
      ContactEmployees: [{ Name: 'Pat', E_Mail: 'p@example.com' }],
    });
    await c.createItem({ ItemCode: 'F-ITEM', ItemName: 'F', ItemsGroupCode: 102, ItemPrices: [{ PriceList: 1, Price: 3, Currency: '$' }] });
    const o1 = await c.createOrder({
      CardCode: 'F1',
      DocDueDate: '2026-10-01',
      DocumentLines: [{ ItemCode: 'F-ITEM', Quantity: 1 }],
      DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 2 }],
      AddressExtension: { ShipToCity: 'Y' },
    });
    const o2 = await c.createOrder({ CardCode: 'F1', DocDueDate: '2026-10-01', DocumentLines: [{ ItemCode: 'A00001', Quantity: 1 }] });
    await c.cancelOrder(o1.DocEntry!);
    await c.closeOrder(o2.DocEntry!);
    await c.patch('Orders', o2.DocEntry!, { Comments: 'closed' });
    await c.create('ItemGroups', { GroupName: 'Fidelity' });
    await c.create('Warehouses', { WarehouseCode: 'F9', WarehouseName: 'F9' });
    await c.create('PriceLists', { PriceListName: 'F list' });
    await c.create('WeightMeasures', { UnitDisplay: 'st', UnitName: 'Stone', UnitWeightinmg: 6350293 });
    const udfOk = (k: string): boolean => HUB_UDFS.has(k);
    for (const def of Object.values(ENTITY_SETS)) {
      for (const [key, rec] of sim.state.store(def.name)) checkValue(md, def.type, rec, `${def.name}(${key}) stored`, udfOk);
      // Sets the hub's client has no schema for (Drafts, UserTablesMD) are checked as stored.
      if (!(def.name in schemas.ENTITY_SCHEMAS)) continue;
      for (const rec of await c.list(def.name as schemas.EntitySetName))
        checkValue(md, def.type, rec as Record<string, unknown>, `${def.name} served`, udfOk);
    }
  });
});
