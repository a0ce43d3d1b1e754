/**
 * The order's charges besides its lines, as B1 additional expenses: shipping (every Shopify
 * shipping line collapses into the one freight code, which B1 takes once per document) and, in
 * `taxAsFreight` mode, Shopify's tax as its own expense.
 */
import type { MappingConfig } from './config';
import type { IssueCollector } from './errors';
import { grossDivisor, money, taxSum, type TaxCodes } from './order-tax';
import type { B1AdditionalExpense, ShopifyOrder } from './types';
import { clean, round } from './validate';

export function orderExpenses(order: ShopifyOrder, config: MappingConfig, tax: TaxCodes, issues: IssueCollector): B1AdditionalExpense[] {
  const expenses: B1AdditionalExpense[] = [];
  const shipping = (order.shippingLines ?? []).filter((s) => !s.isRemoved);
  let freight = 0;
  let freightTaxed = false;
  (order.shippingLines ?? []).forEach((s, i) => {
    if (s.isRemoved) return;
    const amount = money(s.currentDiscountedPriceSet ?? s.discountedPriceSet ?? s.originalPriceSet);
    const divisor = grossDivisor(order, s.taxLines);
    if (amount === undefined) issues.add(`shippingLines[${i}]`, `shipping line ${i + 1} ('${s.title ?? ''}') has no price`);
    else if (divisor === undefined)
      issues.add(
        `shippingLines[${i}].taxLines`,
        `shipping line ${i + 1} ('${s.title ?? ''}'): prices include tax but a tax line has no rate`,
      );
    else freight += amount / divisor;
    if (taxSum(s.taxLines) > 0) freightTaxed = true;
  });
  freight = round(freight, 6);
  if (freight > 0) {
    const e: B1AdditionalExpense = { ExpenseCode: config.order.freightExpenseCode, LineTotal: freight };
    const code = tax.codeFor(freightTaxed);
    if (code !== undefined) e[config.order.tax.codeField] = code;
    const remarks = shipping
      .map((s) => clean(s.title))
      .filter((t) => t !== undefined)
      .join(', ');
    if (remarks) e.Remarks = [...remarks].slice(0, 254).join('');
    expenses.push(e);
  }
  if (config.order.tax.mode === 'taxAsFreight') {
    const total =
      money(order.currentTotalTaxSet) ??
      order.lineItems.filter((l) => l.currentQuantity > 0).reduce((s, l) => s + taxSum(l.taxLines), 0) +
        shipping.reduce((s, l) => s + taxSum(l.taxLines), 0);
    const amount = round(total, 6);
    if (amount > 0) {
      const e: B1AdditionalExpense = { ExpenseCode: config.order.tax.expenseCode, LineTotal: amount, Remarks: 'Shopify tax' };
      e[config.order.tax.codeField] = config.order.tax.lineTaxCode;
      expenses.push(e);
    }
  }
  return expenses;
}
