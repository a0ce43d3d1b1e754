/**
 * Configuration Summary checks of the money side of order to cash (mapping `money`): whether the
 * settings are acted on, and whether every gateway's B1 means of payment exists. Kept apart from
 * init-checks.ts so each file holds one concern.
 */
import type { HubConfig } from '../config/hub-config';
import type { PipelineDeps } from '../pipelines/contract';
import type { CheckResult } from './init-checks';

export async function moneyChecks(config: HubConfig, deps: PipelineDeps, b1Ok: boolean): Promise<CheckResult[]> {
  const money = config.mapping.money;
  const wanted = money.documentMode !== 'salesOrder' || money.payments.enabled || money.refunds.enabled;
  const results: CheckResult[] = [];
  results.push(
    wanted
      ? {
          name: 'Order to cash: payments, invoices, refunds',
          state: 'warn',
          detail: `mapping.money asks for ${[
            money.documentMode !== 'salesOrder' ? `document mode ${money.documentMode}` : '',
            money.payments.enabled ? 'payments' : '',
            money.refunds.enabled ? 'refunds' : '',
          ]
            .filter(Boolean)
            .join(', ')}; this version validates these settings but creates only sales orders`,
          fix: 'book payments, invoices and credit memos in B1 by hand until the money syncs are released',
        }
      : { name: 'Order to cash: payments, invoices, refunds', state: 'pass', detail: 'off: Shopify orders become sales orders' },
  );
  const cards = Object.entries(money.payments.gateways).flatMap(([gateway, means]) =>
    means.type === 'creditCard' ? [{ gateway, code: means.creditCard }] : [],
  );
  if (!cards.length) return results;
  const name = 'B1 credit cards of the mapped payment gateways';
  if (!b1Ok) return [...results, { name, state: 'skip', detail: 'Service Layer login failed' }];
  try {
    const known = await deps.b1.money.creditCardCodes();
    const missing = cards.filter((c) => !known.has(c.code));
    results.push(
      missing.length
        ? {
            name,
            state: 'fail',
            detail: missing.map((c) => `gateway '${c.gateway}': CreditCards code ${c.code} does not exist`).join('; '),
            fix: `use one of ${[...known].map(([code, n]) => `${code} (${n})`).join(', ') || 'the codes in B1 Administration → Setup → Banking → Credit Cards'} in mapping.money.payments.gateways`,
          }
        : { name, state: 'pass', detail: cards.map((c) => `${c.gateway} → ${c.code} (${known.get(c.code)})`).join(', ') },
    );
  } catch (err) {
    results.push({
      name,
      state: 'fail',
      detail: err instanceof Error ? err.message.split('\n')[0]!.slice(0, 300) : String(err),
      fix: 'check that the B1 user may read CreditCards',
    });
  }
  return results;
}
