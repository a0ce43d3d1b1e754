/** One Shopify order line → one B1 document line: item, price and discount, warehouse, tax code. */
import type { MappingConfig } from './config';
import type { IssueCollector } from './errors';
import { grossDivisor, money, taxSum, type TaxCodes } from './order-tax';
import type { B1DocumentLineCreate, ShopifyLineItem, ShopifyOrder } from './types';
import { clean, round } from './validate';

export interface OrderMappingContext {
  /** Partner the order is posted to (orderCardCode). */
  cardCode: string;
  /** Shopify SKU → B1 ItemCode for every SKU on the order that exists in B1. */
  itemCodeBySku: ReadonlyMap<string, string>;
}

/** Warehouse a line is posted to: its location's warehouse, else order.defaultWarehouse. */
function warehouseFor(line: ShopifyLineItem, order: ShopifyOrder, config: MappingConfig): { warehouse?: string; reason?: string } {
  const loc = line.locationId ?? order.retailLocation?.id ?? undefined;
  if (loc) {
    const m = config.locations.find((l) => l.locationId === loc);
    if (m) return { warehouse: m.orderWarehouse ?? m.warehouses[0] };
    if (config.order.defaultWarehouse) return { warehouse: config.order.defaultWarehouse };
    return { reason: `location ${loc} has no B1 warehouse (config locations[].locationId) and order.defaultWarehouse is not set` };
  }
  if (config.order.defaultWarehouse) return { warehouse: config.order.defaultWarehouse };
  return { reason: 'line has no fulfillment location and order.defaultWarehouse is not set' };
}

export interface LineContext {
  order: ShopifyOrder;
  config: MappingConfig;
  itemCodeBySku: ReadonlyMap<string, string>;
  issues: IssueCollector;
  tax: TaxCodes;
}

/** One Shopify line → one B1 line (index is 0-based; messages say "line 1" for index 0). */
export function mapLine(line: ShopifyLineItem, index: number, ctx: LineContext): B1DocumentLineCreate | undefined {
  const at = `lineItems[${index}]`;
  const label = `line ${index + 1}`;
  const { issues } = ctx;
  if (line.isGiftCard) {
    issues.add(
      `${at}.isGiftCard`,
      `${label} ('${line.name ?? ''}') sells a gift card, which is a liability, not a B1 item; post it manually`,
    );
    return undefined;
  }
  const sku = clean(line.sku);
  if (sku === undefined) {
    issues.add(`${at}.sku`, `${label} ('${line.name ?? ''}') has no SKU`);
    return undefined;
  }
  const itemCode = ctx.itemCodeBySku.get(sku);
  if (itemCode === undefined) issues.add(`${at}.sku`, `${label} SKU '${sku}' has no B1 item`);

  const unit = money(line.originalUnitPriceSet);
  const net = money(line.discountedUnitPriceAfterAllDiscountsSet);
  if (unit === undefined || unit < 0) issues.add(`${at}.originalUnitPriceSet`, `${label} SKU '${sku}' has no valid unit price`);
  if (net === undefined || net < 0)
    issues.add(`${at}.discountedUnitPriceAfterAllDiscountsSet`, `${label} SKU '${sku}' has no valid discounted price`);

  const wh = warehouseFor(line, ctx.order, ctx.config);
  if (wh.reason) issues.add(`${at}.locationId`, `${label} SKU '${sku}': ${wh.reason}`);

  const taxed = line.taxable !== false && taxSum(line.taxLines) > 0;
  const taxCode = ctx.tax.codeFor(taxed);
  const divisor = grossDivisor(ctx.order, line.taxLines);
  if (divisor === undefined)
    issues.add(`${at}.taxLines`, `${label} SKU '${sku}': prices include tax but a tax line has no rate, so the net price is unknown`);
  if (
    itemCode === undefined ||
    unit === undefined ||
    net === undefined ||
    wh.warehouse === undefined ||
    divisor === undefined ||
    unit < 0 ||
    net < 0
  )
    return undefined;

  // B1 keeps list price and discount apart (UnitPrice, DiscountPercent → Price); Shopify's
  // per-unit price after all discounts already includes order-level discounts allocated to
  // the line, so the discount percent reproduces Shopify's net price. Tax-inclusive prices
  // are turned into net prices first: B1 lines carry net prices plus a tax code.
  let unitPrice = round(unit / divisor, 6);
  let discount = 0;
  if (unit > 0 && net < unit) discount = round((1 - net / unit) * 100, 6);
  else if (net > unit) unitPrice = round(net / divisor, 6);
  const out: B1DocumentLineCreate = {
    ItemCode: itemCode,
    Quantity: line.currentQuantity,
    UnitPrice: unitPrice,
    DiscountPercent: discount,
    WarehouseCode: wh.warehouse,
    // The Shopify line travels with the B1 line (and, copied by B1, with the invoice and delivery
    // lines based on it): refunds and fulfillments find their line by it, not by SKU.
    U_ShopifyLineId: line.id,
  };
  if (taxCode !== undefined) out[ctx.config.order.tax.codeField] = taxCode;
  return out;
}
