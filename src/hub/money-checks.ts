/**
 * Configuration Summary checks of the money side of order to cash (mapping `money`): what the hub
 * books, settings some records would fail without, and whether every gateway's B1 means of payment exists. Kept apart from
 * init-checks.ts so each file holds one concern.
 */
import type { HubConfig } from '../config/hub-config';
import type { PipelineDeps } from '../pipelines/contract';
import type { CheckResult } from './init-checks';
import { moneyConfigProblems } from '../mapping/money-config';

export async function moneyChecks(config: HubConfig, deps: PipelineDeps, b1Ok: boolean): Promise<CheckResult[]> {
  const money = config.mapping.money;
  const wanted = money.documentMode !== 'salesOrder' || money.payments.enabled || money.refunds.enabled;
  const results: CheckResult[] = [];
  const name = 'Order to cash: payments, invoices, refunds';
  if (!wanted) results.push({ name, state: 'pass', detail: 'off: Shopify orders become sales orders only' });
  else {
    const booked = [
      money.documentMode === 'reserveInvoice'
        ? 'sales order → reserve invoice'
        : money.documentMode === 'invoice'
          ? 'sales order → A/R invoice once fulfilled in Shopify'
          : 'sales orders (payments on account)',
      money.payments.enabled ? `incoming payments (${Object.keys(money.payments.gateways).length} gateways mapped)` : '',
      money.refunds.enabled ? 'refunds as credit memos and outgoing payments' : '',
      money.documentMode !== 'salesOrder' ? 'cancellations after invoicing as credit memos' : '',
    ].filter(Boolean);
    const problems = [
      ...(money.payments.enabled ? moneyConfigProblems('payment', money) : []),
      ...(money.refunds.enabled && money.refunds.goodwillAccount === undefined
        ? ['money.refunds.goodwillAccount: refunds without line items (goodwill amounts) fail until it is set']
        : []),
      ...(money.refunds.enabled && money.refunds.adjustmentExpenseCode === undefined
        ? [
            'money.refunds.adjustmentExpenseCode: refunds with an order adjustment (refund discrepancy, restocking fee) fail until it is set',
          ]
        : []),
    ];
    results.push(
      problems.length
        ? { name, state: 'warn', detail: `books ${booked.join('; ')}; ${problems.join('; ')}`, fix: 'set the keys named in mapping.money' }
        : { name, state: 'pass', detail: `books ${booked.join('; ')}` },
    );
  }
  const cards = Object.entries(money.payments.gateways).flatMap(([gateway, means]) =>
    means.type === 'creditCard' ? [{ gateway, code: means.creditCard }] : [],
  );
  if (!cards.length) return results;
  const cardsName = 'B1 credit cards of the mapped payment gateways';
  if (!b1Ok) return [...results, { name: cardsName, state: 'skip', detail: 'Service Layer login failed' }];
  try {
    const known = await deps.b1.money.creditCardCodes();
    const missing = cards.filter((c) => !known.has(c.code));
    results.push(
      missing.length
        ? {
            name: cardsName,
            state: 'fail',
            detail: missing.map((c) => `gateway '${c.gateway}': CreditCards code ${c.code} does not exist`).join('; '),
            fix: `use one of ${[...known].map(([code, n]) => `${code} (${n})`).join(', ') || 'the codes in B1 Administration → Setup → Banking → Credit Cards'} in mapping.money.payments.gateways`,
          }
        : { name: cardsName, state: 'pass', detail: cards.map((c) => `${c.gateway} → ${c.code} (${known.get(c.code)})`).join(', ') },
    );
  } catch (err) {
    results.push({
      name: cardsName,
      state: 'fail',
      detail: err instanceof Error ? err.message.split('\n')[0]!.slice(0, 300) : String(err),
      fix: 'check that the B1 user may read CreditCards',
    });
  }
  return results;
}
