/**
 * Money and tax of a Shopify order as B1 needs them: amounts in shop currency, the net price
 * behind a tax-inclusive one, and the B1 tax code per taxed line or freight (order.tax settings).
 */
import type { MappingConfig } from './config';
import type { IssueCollector } from './errors';
import type { ShopifyMoneyBag, ShopifyOrder, ShopifyTaxLine } from './types';
import { clean, normalizeState, parseDecimal } from './validate';

export function money(bag: ShopifyMoneyBag | undefined | null): number | undefined {
  return bag ? parseDecimal(bag.shopMoney.amount) : undefined;
}

export function taxSum(lines: readonly ShopifyTaxLine[] | undefined): number {
  return (lines ?? []).reduce((s, t) => s + (money(t.priceSet) ?? 0), 0);
}

/**
 * Divisor turning a tax-inclusive price into the net price B1 lines take: 1 + the sum of the
 * rates Shopify applied (several jurisdictions stack, e.g. state + county). Undefined when a
 * taxed line carries no rate, which leaves the net price unknowable.
 */
export function grossDivisor(order: ShopifyOrder, taxLines: readonly ShopifyTaxLine[] | undefined): number | undefined {
  if (!order.taxesIncluded) return 1;
  let rate = 0;
  for (const t of taxLines ?? []) {
    if ((money(t.priceSet) ?? 0) === 0) continue;
    if (typeof t.rate !== 'number') return undefined;
    rate += t.rate;
  }
  return 1 + rate;
}

/** Tax region of the order: ship-to, else bill-to (digital goods). */
function taxRegion(order: ShopifyOrder): { country?: string; state?: string } {
  const a = order.shippingAddress ?? order.billingAddress;
  const country = clean(a?.countryCodeV2)?.toUpperCase();
  const province = clean(a?.provinceCode);
  const state = province ? normalizeState(country, province).state : undefined;
  return { country, state };
}

/** Resolves (once per order) the tax code for taxed lines and freight, per order.tax. */
export class TaxCodes {
  private regionCode: string | undefined | null = null;
  constructor(
    private readonly order: ShopifyOrder,
    private readonly config: MappingConfig,
    private readonly issues: IssueCollector,
  ) {}

  /** Tax code for a line/freight Shopify taxed (`taxed`) or not. */
  codeFor(taxed: boolean): string | undefined {
    const tax = this.config.order.tax;
    if (tax.mode === 'taxAsFreight') return tax.lineTaxCode;
    if (!taxed) return tax.exemptTaxCode;
    if (this.regionCode === null) {
      const { country, state } = taxRegion(this.order);
      const key = country && state ? `${country}-${state}` : country;
      this.regionCode =
        (country && state ? tax.codeByRegion[`${country}-${state}`] : undefined) ??
        (country ? tax.codeByRegion[country] : undefined) ??
        tax.defaultTaxCode;
      if (this.regionCode === undefined) {
        const addr = this.order.shippingAddress ? 'shippingAddress' : 'billingAddress';
        this.issues.add(
          state ? `${addr}.provinceCode` : `${addr}.countryCodeV2`,
          `no B1 tax code for region ${key ?? '(no address)'} (config order.tax.codeByRegion["${key ?? ''}"] or order.tax.defaultTaxCode)`,
        );
      }
    }
    return this.regionCode;
  }
}
