/**
 * Orders, Shopify → B1 sales orders.
 *
 * Ownership: Shopify owns the order (what was bought, at what price, where it ships); B1 owns
 * everything after posting (delivery, invoicing, line closing). So the hub creates the sales
 * order once, and afterwards only mirrors cancellations and quantity edits while the B1 order is
 * still open; anything B1 has already acted on is reported, never forced.
 *
 * An order that cannot be mapped completely fails as a whole (never half-posted), with every
 * problem named: the line, the SKU, the setting.
 */
import { DateTime } from 'luxon';
import type { MappingConfig } from './config';
import { IssueCollector, fail, ok, type MappingResult } from './errors';
import type {
  B1AdditionalExpense,
  B1AddressExtension,
  B1DocumentLineCreate,
  B1OrderCreate,
  B1OrderState,
  ShopifyLineItem,
  ShopifyMailingAddress,
  ShopifyMoneyBag,
  ShopifyOrder,
  ShopifyTaxLine,
} from './types';
import { clean, invalidCountry, normalizeState, parseDecimal, round, tooLong } from './validate';

// ───────────────────────────── filter ─────────────────────────────

export type FilterDecision = { pass: true } | { pass: false; rule: string };

/**
 * Whether a Shopify order that is not yet in B1 should be created. (Orders already in B1 go to
 * decideOrderUpdate whatever their status, so a later cancellation still reaches B1.)
 */
export function orderFilter(order: ShopifyOrder, config: MappingConfig): FilterDecision {
  if (order.test && !config.order.includeTestOrders) return { pass: false, rule: 'test-order' };
  if (order.cancelledAt) return { pass: false, rule: 'cancelled' };
  const status = order.displayFinancialStatus ?? null;
  if (status === null || !config.order.financialStatuses.includes(status)) {
    return { pass: false, rule: `financial-status:${status ?? 'NONE'}` };
  }
  if (!order.lineItems.some((l) => l.currentQuantity > 0)) return { pass: false, rule: 'no-open-lines' };
  return { pass: true };
}

/** Partner for the order: the customer's cross-referenced partner, else the guest partner. */
export function orderCardCode(order: ShopifyOrder, customerCardCode: string | undefined, config: MappingConfig): string {
  return order.customer && customerCardCode ? customerCardCode : config.customer.guestCardCode;
}

// ───────────────────────────── dates ─────────────────────────────

/**
 * The company-local calendar date (YYYY-MM-DD) of an instant. processedAt is UTC (or carries an
 * offset); B1 document dates are plain dates in the company's time zone, so an order placed at
 * 23:30 in New York on 8 March must be dated 8 March, not 9 March (UTC), across DST changes too.
 */
export function companyDate(instant: string, timeZone: string): string | undefined {
  const dt = DateTime.fromISO(instant, { setZone: true });
  if (!dt.isValid) return undefined;
  const local = dt.setZone(timeZone);
  return local.isValid ? local.toISODate() ?? undefined : undefined;
}

function plusDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() ?? date;
}

// ───────────────────────────── helpers ─────────────────────────────

function money(bag: ShopifyMoneyBag | undefined | null): number | undefined {
  return bag ? parseDecimal(bag.shopMoney.amount) : undefined;
}

function taxSum(lines: readonly ShopifyTaxLine[] | undefined): number {
  return (lines ?? []).reduce((s, t) => s + (money(t.priceSet) ?? 0), 0);
}

/**
 * Divisor turning a tax-inclusive price into the net price B1 lines take: 1 + the sum of the
 * rates Shopify applied (several jurisdictions stack, e.g. state + county). Undefined when a
 * taxed line carries no rate, which leaves the net price unknowable.
 */
function grossDivisor(order: ShopifyOrder, taxLines: readonly ShopifyTaxLine[] | undefined): number | undefined {
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
class TaxCodes {
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
      this.regionCode = (country && state ? tax.codeByRegion[`${country}-${state}`] : undefined) ?? (country ? tax.codeByRegion[country] : undefined) ?? tax.defaultTaxCode;
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

interface LineContext {
  order: ShopifyOrder;
  config: MappingConfig;
  itemCodeBySku: ReadonlyMap<string, string>;
  issues: IssueCollector;
  tax: TaxCodes;
}

/** One Shopify line → one B1 line (index is 0-based; messages say "line 1" for index 0). */
function mapLine(line: ShopifyLineItem, index: number, ctx: LineContext): B1DocumentLineCreate | undefined {
  const at = `lineItems[${index}]`;
  const label = `line ${index + 1}`;
  const { issues } = ctx;
  if (line.isGiftCard) {
    issues.add(`${at}.isGiftCard`, `${label} ('${line.name ?? ''}') sells a gift card, which is a liability, not a B1 item; post it manually`);
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
  if (net === undefined || net < 0) issues.add(`${at}.discountedUnitPriceAfterAllDiscountsSet`, `${label} SKU '${sku}' has no valid discounted price`);

  const wh = warehouseFor(line, ctx.order, ctx.config);
  if (wh.reason) issues.add(`${at}.locationId`, `${label} SKU '${sku}': ${wh.reason}`);

  const taxed = line.taxable !== false && taxSum(line.taxLines) > 0;
  const taxCode = ctx.tax.codeFor(taxed);
  const divisor = grossDivisor(ctx.order, line.taxLines);
  if (divisor === undefined) issues.add(`${at}.taxLines`, `${label} SKU '${sku}': prices include tax but a tax line has no rate, so the net price is unknown`);
  if (itemCode === undefined || unit === undefined || net === undefined || wh.warehouse === undefined || divisor === undefined || unit < 0 || net < 0) return undefined;

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
  };
  if (taxCode !== undefined) out[ctx.config.order.tax.codeField] = taxCode;
  return out;
}

function mapAddress(
  addr: ShopifyMailingAddress,
  side: 'ShipTo' | 'BillTo',
  field: string,
  issues: IssueCollector,
): Partial<B1AddressExtension> {
  const out: Record<string, string> = {};
  const put = (suffix: 'Street' | 'Building' | 'City' | 'ZipCode', src: string, v: string | null | undefined) => {
    const value = clean(v);
    if (value === undefined) return;
    const long = tooLong(`ShipTo${suffix}`, value);
    if (long) issues.add(`${field}.${src}`, long.replace(/^ShipTo/, side));
    else out[`${side}${suffix}`] = value;
  };
  put('Street', 'address1', addr.address1);
  put('Building', 'address2', addr.address2);
  put('City', 'city', addr.city);
  put('ZipCode', 'zip', addr.zip);
  const country = clean(addr.countryCodeV2)?.toUpperCase();
  if (country) {
    const bad = invalidCountry(country);
    if (bad) issues.add(`${field}.countryCodeV2`, bad);
    else out[`${side}Country`] = country;
  }
  const province = clean(addr.provinceCode);
  if (province) {
    const st = normalizeState(country, province);
    if (st.reason) issues.add(`${field}.provinceCode`, st.reason);
    else if (st.state) out[`${side}State`] = st.state;
  }
  return out as Partial<B1AddressExtension>;
}

// ───────────────────────────── create ─────────────────────────────

export interface OrderMappingContext {
  /** Partner the order is posted to (orderCardCode). */
  cardCode: string;
  /** Shopify SKU → B1 ItemCode for every SKU on the order that exists in B1. */
  itemCodeBySku: ReadonlyMap<string, string>;
}

/** Shopify order → POST /Orders body. */
export function mapOrderToSalesOrder(order: ShopifyOrder, config: MappingConfig, ctx: OrderMappingContext): MappingResult<B1OrderCreate> {
  const issues = new IssueCollector();
  const tz = config.order.timeZone;

  const numAtCard = clean(order.name);
  if (numAtCard === undefined) issues.add('name', 'order has no name for NumAtCard');
  else {
    const long = tooLong('NumAtCard', numAtCard);
    if (long) issues.add('name', long);
  }
  const long = tooLong('U_ShopifyId', order.id);
  if (long) issues.add('id', long);

  const docDate = companyDate(order.processedAt, tz);
  if (docDate === undefined) issues.add('processedAt', `processedAt '${order.processedAt}' is not an ISO 8601 date-time`);

  const tax = new TaxCodes(order, config, issues);
  const lineCtx: LineContext = { order, config, itemCodeBySku: ctx.itemCodeBySku, issues, tax };
  const lines: B1DocumentLineCreate[] = [];
  order.lineItems.forEach((line, i) => {
    // Lines removed by edits or refunds keep existing in Shopify with currentQuantity 0.
    if (line.currentQuantity <= 0) return;
    const l = mapLine(line, i, lineCtx);
    if (l) lines.push(l);
  });
  if (!order.lineItems.some((l) => l.currentQuantity > 0)) issues.add('lineItems', 'order has no line with currentQuantity > 0');

  const expenses: B1AdditionalExpense[] = [];
  // Every Shopify shipping line collapses into the one freight code: B1 takes each freight
  // code once per document.
  const shipping = (order.shippingLines ?? []).filter((s) => !s.isRemoved);
  let freight = 0;
  let freightTaxed = false;
  (order.shippingLines ?? []).forEach((s, i) => {
    if (s.isRemoved) return;
    const amount = money(s.currentDiscountedPriceSet ?? s.discountedPriceSet ?? s.originalPriceSet);
    const divisor = grossDivisor(order, s.taxLines);
    if (amount === undefined) issues.add(`shippingLines[${i}]`, `shipping line ${i + 1} ('${s.title ?? ''}') has no price`);
    else if (divisor === undefined) issues.add(`shippingLines[${i}].taxLines`, `shipping line ${i + 1} ('${s.title ?? ''}'): prices include tax but a tax line has no rate`);
    else freight += amount / divisor;
    if (taxSum(s.taxLines) > 0) freightTaxed = true;
  });
  freight = round(freight, 6);
  if (freight > 0) {
    const e: B1AdditionalExpense = { ExpenseCode: config.order.freightExpenseCode, LineTotal: freight };
    const code = tax.codeFor(freightTaxed);
    if (code !== undefined) e[config.order.tax.codeField] = code;
    const remarks = shipping.map((s) => clean(s.title)).filter((t) => t !== undefined).join(', ');
    if (remarks) e.Remarks = [...remarks].slice(0, 254).join('');
    expenses.push(e);
  }
  if (config.order.tax.mode === 'taxAsFreight') {
    const total =
      money(order.currentTotalTaxSet) ??
      order.lineItems.filter((l) => l.currentQuantity > 0).reduce((s, l) => s + taxSum(l.taxLines), 0) + shipping.reduce((s, l) => s + taxSum(l.taxLines), 0);
    const amount = round(total, 6);
    if (amount > 0) {
      const e: B1AdditionalExpense = { ExpenseCode: config.order.tax.expenseCode, LineTotal: amount, Remarks: 'Shopify tax' };
      e[config.order.tax.codeField] = config.order.tax.lineTaxCode;
      expenses.push(e);
    }
  }

  let ext: B1AddressExtension | undefined;
  if (order.shippingAddress || order.billingAddress) {
    ext = {
      ...(order.shippingAddress ? mapAddress(order.shippingAddress, 'ShipTo', 'shippingAddress', issues) : {}),
      ...(order.billingAddress ? mapAddress(order.billingAddress, 'BillTo', 'billingAddress', issues) : {}),
    };
  }

  if (!issues.ok || docDate === undefined || numAtCard === undefined) return fail(issues.issues);
  const doc: B1OrderCreate = {
    CardCode: ctx.cardCode,
    DocDate: docDate,
    DocDueDate: plusDays(docDate, config.order.dueDays),
    TaxDate: docDate,
    NumAtCard: numAtCard,
    DocCurrency: config.order.currencyCodes[order.currencyCode] ?? order.currencyCode,
    U_ShopifyId: order.id,
    DocumentLines: lines,
  };
  if (expenses.length > 0) doc.DocumentAdditionalExpenses = expenses;
  if (ext && Object.keys(ext).length > 0) doc.AddressExtension = ext;
  return ok(doc);
}

// ───────────────────────────── update ─────────────────────────────

/** A PATCH row: quantity change or closing of an existing line, or a new line. */
export type B1DocumentLinePatch = { LineNum: number; Quantity: number } | { LineNum: number; LineStatus: 'bost_Close' } | B1DocumentLineCreate;

export type OrderUpdateDecision =
  | { action: 'nothing' }
  | { action: 'cancel'; docEntry: number }
  | { action: 'patch'; docEntry: number; patch: { DocumentLines: B1DocumentLinePatch[] } }
  /** Shopify changed something B1 can no longer take: reported (record outcome), nothing written. */
  | { action: 'report-not-applied'; reason: string; field: string };

/**
 * What to do with an order that already exists in B1, given its current Shopify state:
 * cancel an open order cancelled in Shopify; apply quantity edits while it is open; report what
 * B1 has already acted on (closed, delivered, cancelled). All-or-nothing: if any line cannot be
 * changed, nothing is patched and the whole decision is a report.
 */
export function decideOrderUpdate(
  existing: B1OrderState,
  order: ShopifyOrder,
  config: MappingConfig,
  ctx: Pick<OrderMappingContext, 'itemCodeBySku'>,
): OrderUpdateDecision {
  const docEntry = existing.DocEntry;
  const open = existing.DocumentStatus === 'bost_Open';
  const cancelledInB1 = existing.Cancelled === 'tYES';

  if (order.cancelledAt) {
    if (cancelledInB1) return { action: 'nothing' };
    if (open) return { action: 'cancel', docEntry };
    return { action: 'report-not-applied', field: 'cancelledAt', reason: `order ${order.name} was cancelled in Shopify but B1 order ${docEntry} is already closed; reverse it in B1 (return/credit memo)` };
  }
  if (cancelledInB1) {
    return { action: 'report-not-applied', field: 'cancelledAt', reason: `B1 order ${docEntry} is cancelled but Shopify order ${order.name} is not` };
  }

  // Desired quantity per ItemCode from Shopify's current quantities.
  const issues = new IssueCollector();
  const desired = new Map<string, { qty: number; firstIndex: number }>();
  order.lineItems.forEach((l, i) => {
    if (l.currentQuantity <= 0) return;
    const sku = clean(l.sku);
    const code = sku === undefined ? undefined : ctx.itemCodeBySku.get(sku);
    if (code === undefined) {
      issues.add(`lineItems[${i}].sku`, sku === undefined ? `line ${i + 1} has no SKU` : `line ${i + 1} SKU '${sku}' has no B1 item`);
      return;
    }
    const d = desired.get(code);
    desired.set(code, { qty: (d?.qty ?? 0) + l.currentQuantity, firstIndex: d?.firstIndex ?? i });
  });
  if (!issues.ok) return { action: 'report-not-applied', field: issues.issues[0]?.field ?? 'lineItems', reason: issues.issues.map((x) => x.reason).join('; ') };

  // Items Shopify ever had on the order (removed lines stay with currentQuantity 0). B1 lines
  // of other items were added in B1 and are B1's: never closed or changed here.
  const shopifyCodes = new Set<string>();
  for (const l of order.lineItems) {
    const sku = clean(l.sku);
    const code = sku === undefined ? undefined : ctx.itemCodeBySku.get(sku);
    if (code !== undefined) shopifyCodes.add(code);
  }
  const codes = new Set<string>([...desired.keys(), ...existing.DocumentLines.map((l) => l.ItemCode).filter((c) => shopifyCodes.has(c))]);
  const rows: B1DocumentLinePatch[] = [];
  const problems: string[] = [];
  const tax = new TaxCodes(order, config, issues);
  const lineCtx: LineContext = { order, config, itemCodeBySku: ctx.itemCodeBySku, issues, tax };

  for (const code of [...codes].sort()) {
    const want = desired.get(code)?.qty ?? 0;
    const lines = existing.DocumentLines.filter((l) => l.ItemCode === code);
    const openLines = lines.filter((l) => (l.LineStatus ?? 'bost_Open') === 'bost_Open');
    const delivered = (l: B1OrderState['DocumentLines'][number]) => l.Quantity - (l.RemainingOpenQuantity ?? l.Quantity);
    // Closed lines keep what was delivered on them; open lines their whole quantity.
    const have = lines.reduce((s, l) => s + ((l.LineStatus ?? 'bost_Open') === 'bost_Open' ? l.Quantity : delivered(l)), 0);
    if (!open) {
      // A closed order is compared with what it was ordered with, not what was delivered: closing by
      // hand keeps each line's open quantity (B1 does not deliver it), and only a quantity Shopify
      // changed is an edit that cannot be applied.
      const ordered = lines.reduce((s, l) => s + l.Quantity, 0);
      if (want !== ordered) problems.push(`item '${code}': quantity is ${want} in Shopify, ${ordered} in B1 order ${docEntry}, which is closed`);
      continue;
    }
    if (want === have) continue;
    if (openLines.length > 1) {
      problems.push(`item '${code}' is on ${openLines.length} open lines of B1 order ${docEntry}; change ${have} → ${want} manually`);
      continue;
    }
    const line = openLines[0];
    if (line === undefined) {
      if (want < have) {
        problems.push(`item '${code}': Shopify quantity ${want} is below the ${have} B1 has already delivered`);
        continue;
      }
      const index = desired.get(code)?.firstIndex ?? 0;
      const src = order.lineItems[index];
      const mapped = src ? mapLine(src, index, lineCtx) : undefined;
      if (mapped) rows.push({ ...mapped, Quantity: want - have });
      continue;
    }
    const newQty = line.Quantity + (want - have);
    const deliveredHere = delivered(line);
    if (newQty < deliveredHere) {
      problems.push(`item '${code}': Shopify quantity ${want} is below the ${deliveredHere} B1 has already delivered on line ${line.LineNum}`);
    } else if (newQty === 0) {
      rows.push({ LineNum: line.LineNum, LineStatus: 'bost_Close' });
    } else {
      rows.push({ LineNum: line.LineNum, Quantity: newQty });
    }
  }
  if (!issues.ok) return { action: 'report-not-applied', field: issues.issues[0]?.field ?? 'lineItems', reason: issues.issues.map((x) => x.reason).join('; ') };
  if (problems.length > 0) return { action: 'report-not-applied', field: 'lineItems', reason: `quantity edits not applied: ${problems.join('; ')}` };
  if (rows.length === 0) return { action: 'nothing' };
  return { action: 'patch', docEntry, patch: { DocumentLines: rows } };
}
