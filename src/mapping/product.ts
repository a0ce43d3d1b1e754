/**
 * Products in both directions.
 *
 * B1 → Shopify (items flagged U_ShopifySync): B1 owns title, SKU, barcode, price, weight,
 * tracking, taxable and status of the products it pushes; an edit made to those fields in Shopify
 * is overwritten by the next push of that item (productSet is a desired-state upsert). Everything
 * else on the product (description, images, tags, collections, SEO, vendor, type) is Shopify's:
 * the push never sends those fields, so productSet leaves them untouched.
 *
 * Shopify → B1 (a variant whose SKU has no B1 item): the item is created once, in the configured
 * default item group, and from then on B1 owns it; items created this way are not flagged for
 * push, because a single-variant push would replace a multi-variant Shopify product's variants.
 */
import type { MappingConfig } from './config';
import { IssueCollector, fail, ok, type MappingResult } from './errors';
import { fingerprint } from './fingerprint';
import type {
  B1Item,
  B1ItemCreate,
  B1YesNo,
  ShopifyProduct,
  ShopifyProductSetIdentifier,
  ShopifyProductSetInput,
  ShopifyProductStatus,
  ShopifyProductVariant,
  ShopifyWeightUnit,
} from './types';
import { clean, parseDecimal, round, tooLong } from './validate';

/** Shopify's single-variant products carry this one option (what productCreate makes). */
const DEFAULT_OPTION = 'Title';
const DEFAULT_VALUE = 'Default Title';

/** Minor-unit digits of currencies that do not use 2 (ISO 4217); prices are rounded to them. */
const CURRENCY_DIGITS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function formatMoney(amount: number, currency: string): string {
  return round(amount, CURRENCY_DIGITS[currency] ?? 2).toFixed(CURRENCY_DIGITS[currency] ?? 2);
}

/** `YYYY-MM-DD` part of a B1 date ("2025-10-21" or "2025-10-21T00:00:00Z"). */
function day(value: string | null | undefined): string | undefined {
  const v = clean(value);
  return v === undefined ? undefined : v.slice(0, 10);
}

function inRange(asOf: string, from: string | undefined, to: string | undefined): boolean {
  return (from === undefined || asOf >= from) && (to === undefined || asOf <= to);
}

/**
 * Whether the item is sellable on `asOf` (company-local date, YYYY-MM-DD): B1's Frozen wins
 * (inside its From/To window, or always without one), and an Active item with a From/To window
 * is active only inside it. Both flags off is B1's default and means active.
 */
export function itemIsActive(item: B1Item, asOf: string): boolean {
  if (item.Frozen === 'tYES' && inRange(asOf, day(item.FrozenFrom), day(item.FrozenTo))) return false;
  if (item.Valid === 'tYES' && !inRange(asOf, day(item.ValidFrom), day(item.ValidTo))) return false;
  return true;
}

export interface ProductSetRequest {
  identifier: ShopifyProductSetIdentifier;
  input: ShopifyProductSetInput;
  /** productFingerprint(input): stored after a successful push; equal next time → skip. */
  fingerprint: string;
}

/**
 * B1 item → productSet(identifier: {customId}, input) keyed by the ItemCode metafield, so a
 * retried push updates the product the first attempt created instead of creating another.
 */
export function mapItemToProductSet(item: B1Item, config: MappingConfig, asOf: string): MappingResult<ProductSetRequest> {
  const cfg = config.product;
  const issues = new IssueCollector();
  const code = clean(item.ItemCode);
  if (code === undefined) return fail([{ field: 'ItemCode', reason: 'item has no ItemCode' }]);
  if (code !== item.ItemCode)
    issues.add('ItemCode', `ItemCode '${item.ItemCode}' has leading or trailing spaces, which Shopify SKUs cannot keep`);

  const title = clean(item.ItemName);
  if (title === undefined) issues.add('ItemName', `item '${code}' has no ItemName for the product title`);

  const priceRow = (item.ItemPrices ?? []).find((p) => p.PriceList === cfg.priceList);
  const price = priceRow?.Price;
  if (priceRow === undefined || price === null || price === undefined) {
    issues.add('ItemPrices', `item '${code}' has no price in price list ${cfg.priceList} (config product.priceList)`);
  } else if (!(price > 0) && !(price === 0 && cfg.allowZeroPrice)) {
    issues.add('ItemPrices', `item '${code}' has price ${price} in price list ${cfg.priceList}; set a price or product.allowZeroPrice`);
  }
  const cur = clean(priceRow?.Currency);
  if (cur !== undefined && cur !== cfg.shopCurrency && !cfg.shopCurrencyAliases.includes(cur)) {
    issues.add(
      'ItemPrices',
      `price list ${cfg.priceList} prices item '${code}' in ${cur}, the shop sells in ${cfg.shopCurrency} (config product.shopCurrency/shopCurrencyAliases)`,
    );
  }

  let weight: { unit: ShopifyWeightUnit; value: number } = { unit: 'KILOGRAMS', value: 0 };
  const w = item.SalesUnitWeight ?? 0;
  if (w < 0) issues.add('SalesUnitWeight', `item '${code}' has a negative weight ${w}`);
  else if (w > 0) {
    const unitCode = item.SalesWeightUnit;
    const unit = unitCode === null || unitCode === undefined ? undefined : cfg.weightUnits[String(unitCode)];
    if (unit === undefined) {
      issues.add(
        'SalesWeightUnit',
        `item '${code}' is weighed in B1 unit ${unitCode ?? '(none)'}, which has no Shopify unit (config product.weightUnits["${unitCode ?? ''}"])`,
      );
    } else weight = { unit, value: w };
  }

  if (!issues.ok || title === undefined || price === null || price === undefined) return fail(issues.issues);

  const taxable = item.VatLiable === 'tYES' ? true : item.VatLiable === 'tNO' ? false : cfg.taxableDefault;
  const status: ShopifyProductStatus = itemIsActive(item, asOf) ? 'ACTIVE' : cfg.inactiveStatus;
  const input: ShopifyProductSetInput = {
    title,
    status,
    productOptions: [{ name: DEFAULT_OPTION, position: 1, values: [{ name: DEFAULT_VALUE }] }],
    metafields: [{ namespace: cfg.identifier.namespace, key: cfg.identifier.key, type: 'id', value: code }],
    variants: [
      {
        optionValues: [{ optionName: DEFAULT_OPTION, name: DEFAULT_VALUE }],
        sku: code,
        barcode: clean(item.BarCode) ?? null,
        price: formatMoney(price, cfg.shopCurrency),
        taxable,
        inventoryItem: {
          // B1 non-inventory items (services, fees) have no stock to track.
          tracked: item.InventoryItem !== 'tNO',
          measurement: { weight },
        },
      },
    ],
  };
  return ok({
    identifier: { customId: { namespace: cfg.identifier.namespace, key: cfg.identifier.key, value: code } },
    input,
    fingerprint: productFingerprint(input),
  });
}

/** Stable hash of everything the push would send: equal fingerprints mean nothing to write. */
export function productFingerprint(input: ShopifyProductSetInput): string {
  return fingerprint(input);
}

/** Item cross-reference written back after a push or a create (B1 UDF U_ShopifyId on OITM). */
export function itemCrossReference(productId: string): { U_ShopifyId: string } {
  return { U_ShopifyId: productId };
}

/** Weight in B1 units for a Shopify weight, using the reverse of product.weightUnits. */
function b1Weight(
  weight: { unit: ShopifyWeightUnit; value: number } | null | undefined,
  config: MappingConfig,
): { SalesUnitWeight: number; SalesWeightUnit: number } | undefined {
  if (!weight || !(weight.value > 0)) return undefined;
  const codes = Object.entries(config.product.weightUnits)
    .filter(([, u]) => u === weight.unit)
    .map(([c]) => Number(c))
    .sort((a, b) => a - b);
  const unitCode = codes[0];
  return unitCode === undefined ? undefined : { SalesUnitWeight: weight.value, SalesWeightUnit: unitCode };
}

/**
 * A Shopify variant whose SKU has no B1 item → POST /Items body: ItemCode = SKU, default item
 * group, non-inventory when Shopify does not track it, price into the configured price list.
 */
export function mapVariantToItem(
  product: ShopifyProduct,
  variant: ShopifyProductVariant,
  config: MappingConfig,
): MappingResult<B1ItemCreate> {
  const issues = new IssueCollector();
  const sku = clean(variant.sku);
  if (sku === undefined)
    return fail([{ field: 'variants.sku', reason: `variant ${variant.id} has no SKU, so it cannot become a B1 item` }]);
  const longCode = tooLong('ItemCode', sku);
  if (longCode) issues.add('variants.sku', `SKU '${sku}': ${longCode}`);

  const vTitle = clean(variant.title);
  const name = vTitle === undefined || vTitle === DEFAULT_VALUE ? clean(product.title) : `${clean(product.title) ?? ''} - ${vTitle}`;
  if (name === undefined) issues.add('title', `product ${product.id} has no title for ItemName`);
  else {
    const long = tooLong('ItemName', name);
    if (long) issues.add('title', long);
  }

  const price = parseDecimal(variant.price);
  if (variant.price !== null && variant.price !== undefined && price === undefined) {
    issues.add('variants.price', `price '${variant.price}' is not a decimal number`);
  }
  const barcode = clean(variant.barcode);
  if (barcode !== undefined) {
    const long = tooLong('BarCode', barcode);
    if (long) issues.add('variants.barcode', long);
  }
  if (!issues.ok || name === undefined) return fail(issues.issues);

  const tracked = variant.inventoryItem?.tracked ?? false;
  const vatLiable: B1YesNo = (variant.taxable ?? config.product.taxableDefault) ? 'tYES' : 'tNO';
  const item: B1ItemCreate = {
    ItemCode: sku,
    ItemName: name,
    ItemType: 'itItems',
    ItemsGroupCode: config.product.defaultItemGroup,
    InventoryItem: tracked ? 'tYES' : 'tNO',
    SalesItem: 'tYES',
    VatLiable: vatLiable,
    ItemPrices: price === undefined ? [] : [{ PriceList: config.product.priceList, Price: price }],
    U_ShopifyId: product.id,
  };
  if (barcode !== undefined) item.BarCode = barcode;
  const weight = b1Weight(variant.inventoryItem?.measurement?.weight, config);
  if (weight) Object.assign(item, weight);
  return ok(item);
}

/**
 * The variants of a Shopify product that need a B1 item: those with a SKU not in
 * `existingItemCodes`. Variants without SKU are reported as failures (nothing to key an item on).
 */
export function variantsMissingInB1(
  product: ShopifyProduct,
  existingItemCodes: ReadonlySet<string>,
  config: MappingConfig,
): { variantId: string; sku: string | undefined; result: MappingResult<B1ItemCreate> }[] {
  return product.variants
    .filter((v) => {
      const sku = clean(v.sku);
      return sku === undefined || !existingItemCodes.has(sku);
    })
    .map((v) => ({ variantId: v.id, sku: clean(v.sku), result: mapVariantToItem(product, v, config) }));
}
