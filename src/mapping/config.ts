/**
 * Mapping configuration: every setting the four pipelines' mappings depend on, validated once at
 * start so a bad setting stops the run with a message naming the key, instead of failing every
 * record with the same error (or, worse, posting wrong data).
 *
 * Objects are strict: a misspelt key is an error, not a silently ignored setting.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { B1_MAX } from './b1-limits';
import { FulfillmentConfigSchema } from './fulfillment-config';
import { MoneyConfigSchema } from './money-config';

const shopifyGid = (type: string) =>
  z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`), `must be a Shopify ${type} GID like gid://shopify/${type}/123`);

const warehouseCode = z
  .string()
  .min(1, 'must not be empty')
  .max(B1_MAX.WarehouseCode, `B1 warehouse codes have at most ${B1_MAX.WarehouseCode} characters`);

const taxCode = z.string().min(1, 'must not be empty').max(B1_MAX.TaxCode, `B1 tax codes have at most ${B1_MAX.TaxCode} characters`);

/** B1 currency code: ISO codes, local codes like "$", or "##" (all currencies) on a BP. */
const b1Currency = z
  .string()
  .min(1, 'must not be empty')
  .max(B1_MAX.Currency, `B1 currency codes have at most ${B1_MAX.Currency} characters`);

const expenseCode = z
  .number()
  .int('must be an integer B1 freight (AdditionalExpenses) code')
  .positive('must be a positive B1 freight code');

export const WEIGHT_UNITS = ['GRAMS', 'KILOGRAMS', 'OUNCES', 'POUNDS'] as const;
export const FINANCIAL_STATUSES = [
  'AUTHORIZED',
  'EXPIRED',
  'PAID',
  'PARTIALLY_PAID',
  'PARTIALLY_REFUNDED',
  'PENDING',
  'REFUNDED',
  'VOIDED',
] as const;

/**
 * `available` pushed to Shopify, from B1's per-warehouse OITW quantities:
 * - inStockMinusCommitted: on hand less what open sales orders reserve (default; what can still be sold)
 * - inStock: on hand, ignoring reservations (B2B-heavy shops that commit on delivery)
 * - inStockMinusCommittedPlusOrdered: also counts open purchase orders (sell incoming stock)
 */
export const AVAILABILITY_FORMULAS = ['inStockMinusCommitted', 'inStock', 'inStockMinusCommittedPlusOrdered'] as const;

const CardCodeRuleSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('prefix'),
    /**
     * CardCode = prefix + numeric Shopify id. Shopify customer ids have 13 digits today and
     * CardCode allows 15, so at most 2 prefix characters are safe.
     */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]*$/, 'may contain only letters, digits, "_" and "-"')
      .max(
        2,
        `at most 2 characters: Shopify customer ids have 13 digits and B1 CardCode allows ${B1_MAX.CardCode}; use mode 'series' for longer codes`,
      ),
  }),
  z.strictObject({
    mode: z.literal('series'),
    /** B1 numbering series (NNM1 Series for object 2) that assigns CardCode on POST. */
    series: z.number().int('must be an integer B1 numbering series id').positive('must be a positive B1 numbering series id'),
  }),
]);

const CustomerConfigSchema = z.strictObject({
  cardCode: CardCodeRuleSchema.prefault({ mode: 'prefix', prefix: 'C' }),
  /**
   * When no partner carries the customer's GID in U_ShopifyId, link an existing partner with the
   * same email instead of creating a duplicate (the partner existed before the hub was installed).
   */
  linkByEmail: z.boolean().default(true),
  /** BusinessPartnerGroups Code (type bbpgt_CustomerGroup); set at creation only. */
  groupCode: z.number().int('must be an integer BusinessPartnerGroups code').default(100),
  /** BP Currency at creation; "##" lets one partner take documents in any currency. */
  currency: b1Currency.default('##'),
  /** Partner used for orders without a Shopify customer (guest checkouts, some POS orders). Must exist in B1. */
  guestCardCode: z.string().min(1, 'must not be empty').max(B1_MAX.CardCode, `B1 CardCode allows ${B1_MAX.CardCode} characters`),
  /** Ship-to addresses taken from addressesV2 (the default address is always taken). */
  maxAddresses: z.number().int().min(1).max(50).default(10),
});

const ProductConfigSchema = z.strictObject({
  /** PriceLists PriceListNo whose price becomes the Shopify variant price. */
  priceList: z.number().int('must be an integer PriceListNo').positive('must be a positive PriceListNo').default(1),
  /** Shop currency; a price list price in another currency is refused rather than published wrongly. */
  shopCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD')
    .default('USD'),
  /** B1 currency codes that mean shopCurrency (e.g. "$" in a company whose local currency code is "$"). */
  shopCurrencyAliases: z.array(b1Currency).default([]),
  /** Publishing at price 0 is almost always a missing price-list entry, so it fails unless allowed. */
  allowZeroPrice: z.boolean().default(false),
  /**
   * B1 WeightMeasures UnitCode → Shopify WeightUnit. Derive it from the company's WeightMeasures
   * with weightUnitMapFromMeasures(); an item weighed in an unmapped unit fails naming the key.
   */
  weightUnits: z.record(z.string().regex(/^\d+$/, 'keys must be B1 WeightMeasures UnitCode numbers'), z.enum(WEIGHT_UNITS)).default({}),
  /** ItemGroups Number for items created from Shopify products. */
  defaultItemGroup: z.number().int('must be an integer ItemGroups Number').default(100),
  /** `taxable` when the item does not say (VatLiable absent), and VatLiable for Shopify-created items without `taxable`. */
  taxableDefault: z.boolean().default(true),
  /** Shopify status for items that are inactive or frozen in B1. */
  inactiveStatus: z.enum(['DRAFT', 'ARCHIVED']).default('DRAFT'),
  /** Metafield definition of type `id` holding the ItemCode: the productSet upsert key. */
  identifier: z
    .strictObject({
      namespace: z.string().regex(/^[A-Za-z0-9_-]{3,255}$/, 'must be 3-255 letters, digits, "_" or "-"'),
      key: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/, 'must be 2-64 letters, digits, "_" or "-"'),
    })
    .default({ namespace: 'b1hub', key: 'item_code' }),
});

/**
 * Document line/freight property the code goes to: US-style sales tax localisations use TaxCode
 * (SalesTaxCodes), VAT localisations use VatGroup (VatGroups).
 */
const taxCodeField = z.enum(['TaxCode', 'VatGroup']).default('TaxCode');

const TaxConfigSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    /** B1 computes tax from a tax code on every line (US: SalesTaxCodes). */
    mode: z.literal('taxCode'),
    /**
     * Tax code by ship-to region: "US-CA" (country-province) first, then "US" (country). Lines
     * Shopify taxed in an unmapped region fail naming the region rather than posting wrong tax.
     */
    codeByRegion: z.record(z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'keys must be "CC" or "CC-PROVINCE"'), taxCode).default({}),
    /** Used when no region entry matches; leave unset to make such orders fail. */
    defaultTaxCode: taxCode.optional(),
    /** Code for lines and freight Shopify did not tax (tax-exempt customer, untaxed product). */
    exemptTaxCode: taxCode,
    codeField: taxCodeField,
  }),
  z.strictObject({
    /** Shopify's tax amount is posted as one freight line; lines carry a zero-rate code. */
    mode: z.literal('taxAsFreight'),
    expenseCode,
    /** Zero-rate code put on lines and freight so B1 adds no tax of its own. */
    lineTaxCode: taxCode,
    codeField: taxCodeField,
  }),
]);

const OrderConfigSchema = z.strictObject({
  /** Orders are created only in these displayFinancialStatus values. */
  financialStatuses: z.array(z.enum(FINANCIAL_STATUSES)).min(1, 'list at least one financial status').default(['AUTHORIZED', 'PAID']),
  includeTestOrders: z.boolean().default(false),
  /** Company time zone (IANA): processedAt is converted to it for DocDate. */
  timeZone: z
    .string()
    .refine((tz) => IANAZone.isValidZone(tz), { error: (i) => `'${String(i.input)}' is not an IANA time zone (e.g. America/New_York)` }),
  /** DocDueDate = DocDate + this many days. */
  dueDays: z.number().int().min(0).max(365).default(0),
  /** Warehouse for lines whose location is unknown or unmapped; unset makes such orders fail. */
  defaultWarehouse: warehouseCode.optional(),
  /** Freight code that shipping lines are posted to. */
  freightExpenseCode: expenseCode,
  tax: TaxConfigSchema,
  /** Shopify (ISO 4217) currency → B1 currency code, where the company uses other codes. */
  currencyCodes: z.record(z.string().regex(/^[A-Z]{3}$/, 'keys must be ISO 4217 codes'), b1Currency).default({}),
});

const LocationMappingSchema = z.strictObject({
  locationId: shopifyGid('Location'),
  /** Warehouses whose availability is summed into this location. */
  warehouses: z.array(warehouseCode).min(1, 'map at least one warehouse'),
  /** Warehouse order lines fulfilled from this location are posted to; default the first warehouse. */
  orderWarehouse: warehouseCode.optional(),
});

const InventoryConfigSchema = z.strictObject({
  formula: z.enum(AVAILABILITY_FORMULAS).default('inStockMinusCommitted'),
  /**
   * No longer has an effect: every stock write is compare-and-set against the value it was computed
   * from (a sale between read and write would otherwise be overwritten and oversold). Still accepted
   * so that existing configuration files load.
   */
  compareQuantity: z.boolean().default(false),
  /** inventorySetQuantities reason. */
  reason: z.enum(['correction', 'cycle_count_available', 'other', 'received', 'restock']).default('correction'),
});

export const MappingConfigSchema = z
  .strictObject({
    customer: CustomerConfigSchema,
    product: ProductConfigSchema.prefault({}),
    order: OrderConfigSchema,
    inventory: InventoryConfigSchema.prefault({}),
    locations: z.array(LocationMappingSchema).default([]),
    money: MoneyConfigSchema.prefault({}),
    fulfillment: FulfillmentConfigSchema.prefault({}),
  })
  .superRefine((cfg, ctx) => {
    // A warehouse feeding two locations would be counted twice in Shopify's total stock.
    const seenWarehouse = new Map<string, number>();
    const seenLocation = new Map<string, number>();
    cfg.locations.forEach((loc, i) => {
      const prevLoc = seenLocation.get(loc.locationId);
      if (prevLoc !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['locations', i, 'locationId'],
          message: `location ${loc.locationId} is already mapped in locations[${prevLoc}]`,
        });
      }
      seenLocation.set(loc.locationId, i);
      loc.warehouses.forEach((wh, j) => {
        const prev = seenWarehouse.get(wh);
        if (prev !== undefined && prev !== i) {
          ctx.addIssue({
            code: 'custom',
            path: ['locations', i, 'warehouses', j],
            message: `warehouse '${wh}' already feeds locations[${prev}]; one warehouse may feed only one location`,
          });
        }
        seenWarehouse.set(wh, i);
      });
      if (loc.orderWarehouse !== undefined && !loc.warehouses.includes(loc.orderWarehouse)) {
        ctx.addIssue({
          code: 'custom',
          path: ['locations', i, 'orderWarehouse'],
          message: `'${loc.orderWarehouse}' is not one of this location's warehouses (${loc.warehouses.join(', ')})`,
        });
      }
    });
    if (cfg.order.tax.mode === 'taxAsFreight' && cfg.order.tax.expenseCode === cfg.order.freightExpenseCode) {
      ctx.addIssue({
        code: 'custom',
        path: ['order', 'tax', 'expenseCode'],
        message: 'must differ from order.freightExpenseCode, or tax and shipping merge into one freight line',
      });
    }
  });

export type MappingConfig = z.infer<typeof MappingConfigSchema>;
/** What a user writes: defaults may be omitted. */
export type MappingConfigInput = z.input<typeof MappingConfigSchema>;
export type TaxConfig = MappingConfig['order']['tax'];
export type AvailabilityFormula = (typeof AVAILABILITY_FORMULAS)[number];
export type LocationMapping = MappingConfig['locations'][number];

/** `order.tax.codeByRegion["US-CA"]`, `locations[1].warehouses[0]`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out || '(root)';
}

export class MappingConfigError extends Error {
  override readonly name = 'MappingConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid mapping configuration: ${problems.join('; ')}`);
  }
}

export type ConfigValidation = { ok: true; config: MappingConfig } | { ok: false; errors: string[] };

/** Validates a configuration; each error reads `<key path>: <why>`. */
export function validateMappingConfig(input: unknown): ConfigValidation {
  const parsed = MappingConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  const errors = parsed.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => `${formatConfigPath([...i.path, k])}: unknown setting`).join('; ');
    }
    if (i.code === 'invalid_key' && i.issues[0]) {
      return `${formatConfigPath(i.path)}: ${i.issues[0].message}`;
    }
    if (i.code === 'invalid_type' && / received undefined$/.test(i.message)) {
      return `${formatConfigPath(i.path)}: required setting is missing (expected ${i.expected})`;
    }
    return `${formatConfigPath(i.path)}: ${i.message}`;
  });
  return { ok: false, errors };
}

/** Like validateMappingConfig but throws a MappingConfigError listing every problem. */
export function parseMappingConfig(input: unknown): MappingConfig {
  const v = validateMappingConfig(input);
  if (!v.ok) throw new MappingConfigError(v.errors);
  return v.config;
}

/** Milligrams per Shopify weight unit (exact: the avoirdupois pound is 453.59237 g). */
const MG_PER_UNIT: Record<(typeof WEIGHT_UNITS)[number], number> = {
  GRAMS: 1_000,
  KILOGRAMS: 1_000_000,
  OUNCES: 28_349.523125,
  POUNDS: 453_592.37,
};

/**
 * Builds product.weightUnits from the company's WeightMeasures (UnitCode, UnitWeightinmg): each B1
 * unit maps to the Shopify unit of the same mass. Units with no Shopify equivalent (e.g. tonnes)
 * are left out, so items weighed in them fail visibly rather than with a wrong weight.
 */
export function weightUnitMapFromMeasures(
  measures: readonly { UnitCode: number; UnitWeightinmg?: number | null }[],
): Record<string, (typeof WEIGHT_UNITS)[number]> {
  const out: Record<string, (typeof WEIGHT_UNITS)[number]> = {};
  for (const m of measures) {
    const mg = m.UnitWeightinmg;
    if (typeof mg !== 'number' || !(mg > 0)) continue;
    for (const unit of WEIGHT_UNITS) {
      if (Math.abs(mg - MG_PER_UNIT[unit]) / MG_PER_UNIT[unit] < 1e-4) out[String(m.UnitCode)] = unit;
    }
  }
  return out;
}

/**
 * Defaults for SAP's US demo company SBODEMOUS and a demo shop: customer group 100, item group
 * 100 and price list 1 exist in every B1 company; warehouse "01" is the demo's main warehouse.
 * The guest partner, the freight codes, the tax codes and the location id are created or looked
 * up at setup and must be adjusted for a real company.
 */
export const DEMO_MAPPING_CONFIG: MappingConfig = parseMappingConfig({
  customer: {
    cardCode: { mode: 'prefix', prefix: 'C' },
    linkByEmail: true,
    groupCode: 100,
    currency: '##',
    guestCardCode: 'SHOPGUEST',
  },
  product: {
    priceList: 1,
    shopCurrency: 'USD',
    // The demo company's local currency is '$' (as in SAP's US demo database).
    shopCurrencyAliases: ['$'],
    weightUnits: {},
    defaultItemGroup: 100,
    taxableDefault: true,
  },
  order: {
    financialStatuses: ['AUTHORIZED', 'PAID'],
    includeTestOrders: false,
    currencyCodes: { USD: '$' },
    timeZone: 'America/New_York',
    defaultWarehouse: '01',
    freightExpenseCode: 1,
    tax: { mode: 'taxCode', codeByRegion: {}, defaultTaxCode: 'CA', exemptTaxCode: 'EX' },
  },
  inventory: { formula: 'inStockMinusCommitted' },
  locations: [{ locationId: 'gid://shopify/Location/1', warehouses: ['01'], orderWarehouse: '01' }],
});

/**
 * Settings a particular pipeline cannot run without, beyond the schema (which must stay valid for
 * a company that runs only some pipelines). Checked when that pipeline starts, so a run that
 * could only fail every record stops at once with the key named.
 */
export function pipelineConfigProblems(object: 'customer' | 'product' | 'order' | 'inventory', config: MappingConfig): string[] {
  const problems: string[] = [];
  if (object === 'inventory' && config.locations.length === 0) {
    problems.push('locations: map at least one Shopify location to B1 warehouses to push inventory');
  }
  if (object === 'order' && config.order.defaultWarehouse === undefined && config.locations.length === 0) {
    problems.push('order.defaultWarehouse: set it (or map locations) so order lines have a warehouse');
  }
  return problems;
}
