/**
 * Deterministic demo company ("SBODEMOUS"-like): item groups, warehouses, weight units, price
 * lists, items with prices and stock, customers, and the hub's UDFs. Same arguments → same data,
 * so the Shopify simulator's demo orders can reference item codes from `demoItemCodes()`.
 *
 * Item codes are `A00001`, `A00002`, … (5 digits, more beyond 99999); customers `C00001`, ….
 * The first 20 items carry `U_ShopifySync = 'Y'`.
 */
import type { Rec } from './model';
import type { B1SimState } from './state';
import { mulberry32 as rng } from '../shared/prng';
import { RESERVATION_FIELDS, RESERVATION_TABLES } from '../../connectors/b1/reservations';
import { DEMO_CREDIT_CARDS } from './money-payments';

export interface B1SeedOptions {
  items: number;
  customers: number;
  seed?: number;
}

export interface B1Seed {
  /** The hub's reservation tables, as `b1hub init --fix` creates them. */
  UserTablesMD?: Rec[];
  UserFieldsMD: Rec[];
  ItemGroups: Rec[];
  Warehouses: Rec[];
  WeightMeasures: Rec[];
  PriceLists: Rec[];
  SalesTaxCodes: Rec[];
  Items: Rec[];
  /** Stock per item and warehouse (read-only in the Service Layer, so loaded via the state). */
  stock: Array<{ ItemCode: string; WarehouseCode: string; InStock: number; Ordered: number }>;
  BusinessPartners: Rec[];
}

/** Number of demo items flagged for the Shopify sync (`U_ShopifySync = 'Y'`). */
export const DEMO_SYNC_ITEM_COUNT = 20;

export function itemCode(n: number): string {
  return `A${String(n).padStart(5, '0')}`;
}
export function customerCode(n: number): string {
  return `C${String(n).padStart(5, '0')}`;
}

/** Item codes of a demo company with `items` items (all of them, in order). */
export function demoItemCodes(items = 50): string[] {
  return Array.from({ length: items }, (_, i) => itemCode(i + 1));
}
/** Item codes flagged `U_ShopifySync = 'Y'` in the demo company: A00001..A00020. */
export const DEMO_ITEM_CODES: readonly string[] = Object.freeze(demoItemCodes(DEMO_SYNC_ITEM_COUNT));

const GROUPS: Array<[number, string, string[]]> = [
  [100, 'Items', ['Gift Card', 'Sample Kit', 'Starter Pack']],
  [101, 'Apparel', ['T-Shirt', 'Hoodie', 'Jacket', 'Cap', 'Sweater']],
  [102, 'Footwear', ['Sneaker', 'Boot', 'Sandal', 'Loafer']],
  [103, 'Accessories', ['Backpack', 'Wallet', 'Belt', 'Scarf', 'Sunglasses']],
  [104, 'Electronics', ['Headphones', 'Charger', 'Speaker', 'Power Bank']],
  [105, 'Home', ['Mug', 'Candle', 'Blanket', 'Lamp', 'Vase']],
];
const ADJ = ['Classic', 'Urban', 'Alpine', 'Coastal', 'Vintage', 'Nordic', 'Summit', 'Harbor', 'Prairie', 'Metro'];
const COLORS = ['Black', 'White', 'Navy', 'Olive', 'Red', 'Grey', 'Sand', 'Teal'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'John', 'Radia', 'Tim'];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'Backus',
  'Perlman',
  'Berners-Lee',
];
const CITIES: Array<[string, string, string]> = [
  ['New York', 'NY', '10001'],
  ['Austin', 'TX', '73301'],
  ['Seattle', 'WA', '98101'],
  ['Denver', 'CO', '80202'],
  ['Chicago', 'IL', '60601'],
  ['Boston', 'MA', '02108'],
];

export function generateB1Seed(opts: B1SeedOptions): B1Seed {
  const r = rng(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const money = (lo: number, hi: number): number => Math.round((lo + r() * (hi - lo)) * 100) / 100;

  const udf = (TableName: string, Name: string, Size: number, Description: string, extra: Rec = {}): Rec => ({
    TableName,
    Name,
    Type: 'db_Alpha',
    SubType: 'st_None',
    Size,
    EditSize: Size,
    Description,
    Mandatory: 'tNO',
    ValidValuesMD: [],
    ...extra,
  });
  const seed: B1Seed = {
    UserFieldsMD: [
      { ...udf('OCRD', 'ShopifyId', 50, 'Shopify customer id'), FieldID: 0 },
      { ...udf('OITM', 'ShopifyId', 50, 'Shopify product id'), FieldID: 0 },
      {
        ...udf('OITM', 'ShopifySync', 1, 'Sync item to Shopify', {
          DefaultValue: 'N',
          ValidValuesMD: [
            { Value: 'Y', Description: 'Yes' },
            { Value: 'N', Description: 'No' },
          ],
        }),
        FieldID: 1,
      },
      { ...udf('OITM', 'ShopifyVariantId', 50, 'Shopify product variant id'), FieldID: 2 },
      { ...udf('OITM', 'ShopifyHash', 64, 'Shopify product sync hash'), FieldID: 3 },
      { ...udf('ORDR', 'ShopifyId', 50, 'Shopify order id'), FieldID: 0 },
      { ...udf('ORDR', 'ShopifyRefundId', 50, 'Shopify refund id'), FieldID: 1 },
      { ...udf('ORDR', 'ShopifyFulfillId', 254, 'Shopify fulfillment ids'), FieldID: 2 },
      { ...udf('RDR1', 'ShopifyLineId', 50, 'Shopify order line item id'), FieldID: 0 },
      { ...udf('ORCT', 'ShopifyId', 50, 'Shopify order id'), FieldID: 0 },
      { ...udf('ORCT', 'ShopifyTxnId', 60, 'Shopify transaction id'), FieldID: 1 },
      { ...udf('ORCT', 'ShopifyRefundId', 50, 'Shopify refund id'), FieldID: 2 },
      ...RESERVATION_TABLES.flatMap((t) =>
        RESERVATION_FIELDS.map((fd, i) => ({ ...udf(`@${t.name}`, fd.name, fd.size, fd.description), FieldID: i })),
      ),
    ],
    UserTablesMD: RESERVATION_TABLES.map((t) => ({
      TableName: t.name,
      TableDescription: t.description.slice(0, 30),
      TableType: 'bott_NoObject',
    })),
    ItemGroups: GROUPS.map(([Number, GroupName]) => ({ Number, GroupName })),
    Warehouses: [
      {
        WarehouseCode: '01',
        WarehouseName: 'General Warehouse',
        Street: '1 Main Street',
        City: 'New York',
        Country: 'US',
        Nettable: 'tYES',
      },
      {
        WarehouseCode: '02',
        WarehouseName: 'West Coast Warehouse',
        Street: '500 Pine Street',
        City: 'Seattle',
        Country: 'US',
        Nettable: 'tYES',
      },
    ],
    WeightMeasures: [
      { UnitCode: 1, UnitDisplay: 'kg', UnitName: 'Kilogram', UnitWeightinmg: 1_000_000 },
      { UnitCode: 2, UnitDisplay: 'g', UnitName: 'Gram', UnitWeightinmg: 1_000 },
      { UnitCode: 3, UnitDisplay: 'lb', UnitName: 'Pound', UnitWeightinmg: 453_592.37 },
      { UnitCode: 4, UnitDisplay: 'oz', UnitName: 'Ounce', UnitWeightinmg: 28_349.523 },
    ],
    PriceLists: [
      {
        PriceListNo: 1,
        PriceListName: 'Base Price',
        BasePriceList: 1,
        Factor: 1,
        IsGrossPrice: 'tNO',
        Active: 'tYES',
        DefaultPrimeCurrency: '$',
      },
      {
        PriceListNo: 2,
        PriceListName: 'Retail Price',
        BasePriceList: 1,
        Factor: 1.25,
        IsGrossPrice: 'tNO',
        Active: 'tYES',
        DefaultPrimeCurrency: '$',
      },
      {
        PriceListNo: 3,
        PriceListName: 'Wholesale Price',
        BasePriceList: 1,
        Factor: 0.8,
        IsGrossPrice: 'tNO',
        Active: 'tYES',
        DefaultPrimeCurrency: '$',
      },
    ],
    // US sales tax codes as in the US demo database (rates simplified to one jurisdiction each).
    SalesTaxCodes: [
      { Code: 'CA', Name: 'California', Rate: 7.25 },
      { Code: 'NY', Name: 'New York', Rate: 8.875 },
      { Code: 'TX', Name: 'Texas', Rate: 6.25 },
      { Code: 'WA', Name: 'Washington', Rate: 6.5 },
      { Code: 'EX', Name: 'Exempt', Rate: 0 },
    ],
    Items: [],
    stock: [],
    BusinessPartners: [],
  };

  for (let i = 1; i <= opts.items; i++) {
    const [group, , nouns] = pick(GROUPS.slice(1));
    const name = `${pick(ADJ)} ${pick(nouns)} ${pick(COLORS)}`;
    const base = money(5, 250);
    const code = itemCode(i);
    seed.Items.push({
      ItemCode: code,
      ItemName: name,
      ForeignName: null,
      ItemsGroupCode: group,
      ItemType: 'itItems',
      InventoryItem: 'tYES',
      SalesItem: 'tYES',
      PurchaseItem: 'tYES',
      ManageStockByWarehouse: 'tYES',
      DefaultWarehouse: '01',
      BarCode: `0${String(400000000000 + i * 7919).slice(0, 12)}`,
      SalesUnit: 'Each',
      SalesUnitWeight: Math.round((0.05 + r() * 4) * 1000) / 1000,
      SalesWeightUnit: 1,
      ItemPrices: [
        { PriceList: 1, Price: base, Currency: '$' },
        { PriceList: 2, Price: Math.round(base * 125) / 100, Currency: '$' },
        { PriceList: 3, Price: Math.round(base * 80) / 100, Currency: '$' },
      ],
      U_ShopifySync: i <= DEMO_SYNC_ITEM_COUNT ? 'Y' : 'N',
    });
    for (const wh of ['01', '02']) {
      const inStock = r() < 0.1 ? 0 : Math.floor(r() * 200);
      seed.stock.push({ ItemCode: code, WarehouseCode: wh, InStock: inStock, Ordered: r() < 0.2 ? Math.floor(r() * 50) : 0 });
    }
  }

  for (let i = 1; i <= opts.customers; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const [city, state, zip] = pick(CITIES);
    const code = customerCode(i);
    const street = `${100 + Math.floor(r() * 900)} ${pick(['Oak', 'Maple', 'Cedar', 'Elm', 'Pine'])} Street`;
    const address = (AddressName: string, AddressType: string, RowNum: number): Rec => ({
      AddressName,
      AddressType,
      Street: street,
      City: city,
      State: state,
      ZipCode: zip,
      Country: 'US',
      RowNum,
      BPCode: code,
    });
    seed.BusinessPartners.push({
      CardCode: code,
      CardName: `${first} ${last}`,
      CardType: 'cCustomer',
      GroupCode: 100,
      EmailAddress: `${first}.${last}${i}@example.com`.toLowerCase(),
      Phone1: `555-${String(1000 + i).slice(-4)}`,
      Currency: '$',
      PriceListNum: 2,
      BilltoDefault: 'Bill to',
      ShipToDefault: 'Ship to',
      BPAddresses: [address('Bill to', 'bo_BillTo', 0), address('Ship to', 'bo_ShipTo', 1)],
      ContactEmployees: [
        {
          Name: `${first} ${last}`,
          FirstName: first,
          LastName: last,
          E_Mail: `${first}.${last}${i}@example.com`.toLowerCase(),
          InternalCode: i,
          CardCode: code,
          Active: 'tYES',
        },
      ],
    });
  }
  return seed;
}

/** Loads a generated seed into an empty simulator state. */
export function loadSeed(state: B1SimState, seed: B1Seed): void {
  for (const t of seed.UserTablesMD ?? []) state.insertRaw('UserTablesMD', t);
  for (const u of seed.UserFieldsMD) state.insertRaw('UserFieldsMD', u);
  for (const g of seed.ItemGroups) state.insertRaw('ItemGroups', g);
  for (const w of seed.Warehouses) state.insertRaw('Warehouses', w);
  for (const w of seed.WeightMeasures) state.insertRaw('WeightMeasures', w);
  for (const p of seed.PriceLists) state.insertRaw('PriceLists', p);
  for (const t of seed.SalesTaxCodes) state.insertRaw('SalesTaxCodes', t);
  for (const it of seed.Items) state.insertRaw('Items', it);
  for (const s of seed.stock) state.setStock(s.ItemCode, s.WarehouseCode, { InStock: s.InStock, Ordered: s.Ordered });
  for (const bp of seed.BusinessPartners) state.insertRaw('BusinessPartners', bp);
  for (const c of DEMO_CREDIT_CARDS) state.insertRaw('CreditCards', c);
  state.bumpCounter('InternalCode', seed.BusinessPartners.length + 1);
}
