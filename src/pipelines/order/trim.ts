/** The order as the mapping reads it: everything else Shopify returns is dropped before history. */
import type { ShopifyLineItem, ShopifyMoneyBag, ShopifyOrder, ShopifyShippingLine, ShopifyTaxLine } from '../../mapping/types';
import { pick, trimAddress } from '../kit/trim';

type Maybe<T> = T | null | undefined;

function money(m: ShopifyMoneyBag): ShopifyMoneyBag;
function money(m: Maybe<ShopifyMoneyBag>): ShopifyMoneyBag | undefined;
function money(m: Maybe<ShopifyMoneyBag>): ShopifyMoneyBag | undefined {
  return m ? { shopMoney: { amount: m.shopMoney.amount, currencyCode: m.shopMoney.currencyCode } } : undefined;
}

function taxLines(ts: Maybe<ShopifyTaxLine[]>): ShopifyTaxLine[] {
  return (ts ?? []).map((t) => ({ ...(typeof t.rate === 'number' ? { rate: t.rate } : {}), priceSet: money(t.priceSet) }));
}

function line(l: ShopifyLineItem): ShopifyLineItem {
  const out: ShopifyLineItem = {
    id: l.id,
    // The name only appears in messages about lines without a SKU or selling a gift card.
    ...pick(l, !l.sku?.trim() || l.isGiftCard ? (['sku', 'name', 'locationId'] as const) : (['sku', 'locationId'] as const)),
    currentQuantity: l.currentQuantity,
    originalUnitPriceSet: money(l.originalUnitPriceSet),
    discountedUnitPriceAfterAllDiscountsSet: money(l.discountedUnitPriceAfterAllDiscountsSet),
    taxLines: taxLines(l.taxLines),
  };
  if (l.taxable === false) out.taxable = false;
  if (l.isGiftCard) out.isGiftCard = true;
  return out;
}

function shipping(s: ShopifyShippingLine): ShopifyShippingLine {
  const out: ShopifyShippingLine = { ...pick(s, ['title'] as const), taxLines: taxLines(s.taxLines) };
  if (s.isRemoved) out.isRemoved = true;
  const price = money(s.currentDiscountedPriceSet) ?? money(s.discountedPriceSet) ?? money(s.originalPriceSet);
  if (price) out.currentDiscountedPriceSet = price;
  return out;
}

export function trimOrder(o: ShopifyOrder): ShopifyOrder {
  const out: ShopifyOrder = {
    id: o.id,
    name: o.name,
    processedAt: o.processedAt,
    test: o.test,
    currencyCode: o.currencyCode,
    // updatedAt stays behind: fetch derives the watermark from the raw page, mapping never reads it.
    ...pick(o, ['cancelledAt', 'displayFinancialStatus', 'taxesIncluded'] as const),
    lineItems: o.lineItems.map(line),
  };
  const tax = money(o.currentTotalTaxSet);
  if (tax) out.currentTotalTaxSet = tax;
  if (o.customer?.id) out.customer = { id: o.customer.id };
  if (o.retailLocation?.id) out.retailLocation = { id: o.retailLocation.id };
  // Order addresses are copied into AddressExtension; their ids are never used.
  const ship = trimAddress(o.shippingAddress);
  if (ship) out.shippingAddress = { ...ship, id: undefined };
  const bill = trimAddress(o.billingAddress);
  if (bill) out.billingAddress = { ...bill, id: undefined };
  if (o.shippingLines?.length) out.shippingLines = o.shippingLines.map(shipping);
  return out;
}
