/**
 * The Configuration Summary of `b1hub init`: every check an operator needs green before the
 * first sync, each with a fix hint. Checks read only; with `fix` the ones that can be repaired
 * safely (user-defined fields, metafield definitions, search attributes, the demo's guest
 * customer) are created.
 */
import type { Connection } from '@temporalio/client';
import type { HubConfig } from '../config/hub-config';
import type { PipelineDeps } from '../pipelines/contract';
import { checkUserFields, ensureUserFields, ensureUserTables, RESTART_MESSAGE } from '../connectors/b1/udf';
import { HUB_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { ensureHubSearchAttributes } from '../temporal/search-attributes';
import { check, type CheckResult } from './init-check-kit';
import { runDeliveryChecks } from './init-checks-delivery';
import { runShopifyChecks } from './init-checks-shopify';

export type { CheckState, CheckResult } from './init-check-kit';

/** A B1 entity set the Service Layer may not expose (the simulator has no BusinessPartnerGroups). */
async function b1KeyExists(deps: PipelineDeps, set: string, key: string | number): Promise<boolean | 'unsupported'> {
  const keyText = typeof key === 'number' ? String(key) : `'${key.replace(/'/g, "''")}'`;
  try {
    await deps.b1.request('GET', `${set}?$top=1`);
  } catch (err) {
    if ((err as { status?: number }).status === 404 || (err as { status?: number }).status === 400) return 'unsupported';
    throw err;
  }
  try {
    await deps.b1.request('GET', `${set}(${keyText})`);
    return true;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return false;
    throw err;
  }
}

export async function runInitChecks(o: {
  config: HubConfig;
  deps: PipelineDeps;
  temporal: () => Promise<Connection>;
  namespace: string;
  fix: boolean;
}): Promise<CheckResult[]> {
  const { config, deps, fix } = o;
  const m = config.mapping;
  const results: CheckResult[] = [];
  const b1Hint = `check b1.baseUrl (${config.b1.baseUrl}), b1.companyDb, b1.userName and B1_PASSWORD; for a self-signed certificate set b1.caFile`;

  const login = await check('SAP B1 Service Layer login', b1Hint, async () => {
    await deps.b1.login();
    return { state: 'pass', detail: `${config.b1.baseUrl} as ${config.b1.userName}@${config.b1.companyDb}` };
  });
  results.push(login);
  const b1Ok = login.state === 'pass';
  const b1Check = async (name: string, fixHint: string, fn: () => Promise<Omit<CheckResult, 'name'>>) =>
    results.push(b1Ok ? await check(name, fixHint, fn) : { name, state: 'skip', detail: 'Service Layer login failed' });

  await b1Check('B1 user-defined fields', 'run `b1hub init --fix` (creates them), then restart the Service Layer', async () => {
    if (fix) {
      const r = await ensureUserFields(deps.b1);
      if (r.created.length)
        return {
          state: 'fixed',
          detail: `created ${r.created.map((s) => `${s.table}.U_${s.name}`).join(', ')}`,
          fix: r.restartRequired ? RESTART_MESSAGE : undefined,
        };
      return { state: 'pass', detail: `${r.existing.length} fields present` };
    }
    const { existing, missing } = await checkUserFields(deps.b1);
    return missing.length
      ? {
          state: 'fail',
          detail: `missing ${missing.map((s) => `${s.table}.U_${s.name}`).join(', ')}`,
          fix: 'run `b1hub init --fix` (creates them), then restart the Service Layer',
        }
      : { state: 'pass', detail: `${existing.length} fields present (${existing.map((s) => `${s.table}.U_${s.name}`).join(', ')})` };
  });

  await b1Check(
    'B1 reservation tables (one sales order / partner per Shopify id)',
    'run `b1hub init --fix` (creates them), then restart the Service Layer',
    async () => {
      const r = await ensureUserTables(deps.b1, undefined, { create: fix });
      const fieldsMissing = r.fields.missing.map((s) => `${s.table}.U_${s.name}`);
      if (r.created.length || r.fields.created.length) {
        return {
          state: 'fixed',
          detail: `created ${[...r.created.map((t) => `@${t}`), ...r.fields.created.map((s) => `${s.table}.U_${s.name}`)].join(', ')}`,
          fix: r.restartRequired ? RESTART_MESSAGE : undefined,
        };
      }
      if (r.missing.length || fieldsMissing.length) {
        return {
          state: 'fail',
          detail: `missing ${[...r.missing.map((t) => `@${t}`), ...fieldsMissing].join(', ')}`,
          fix: 'run `b1hub init --fix` (creates them), then restart the Service Layer',
        };
      }
      return { state: 'pass', detail: r.existing.map((t) => `@${t}`).join(', ') };
    },
  );

  await b1Check(
    'Weight units of selected items mapped',
    'add the unit to mapping.product.weightUnits, e.g. {"1": "KILOGRAMS"}',
    async () => {
      const units = new Map<string, string[]>();
      for await (const page of deps.b1.syncedItems({ select: ['ItemCode', 'SalesWeightUnit'] })) {
        for (const it of page as Array<{ ItemCode: string; SalesWeightUnit?: number | null }>) {
          if (it.SalesWeightUnit === null || it.SalesWeightUnit === undefined) continue;
          const k = String(it.SalesWeightUnit);
          units.set(k, [...(units.get(k) ?? []), it.ItemCode]);
        }
      }
      const unmapped = [...units].filter(([k]) => !m.product.weightUnits[k]);
      if (!unmapped.length)
        return {
          state: 'pass',
          detail: units.size ? `units ${[...units.keys()].join(', ')} mapped` : 'no selected item has a weight unit',
        };
      return {
        state: 'fail',
        detail:
          unmapped.map(([k, codes]) => `unit ${k} (${codes.length} items, e.g. ${codes[0]})`).join('; ') +
          ' not in mapping.product.weightUnits',
        fix: `add ${unmapped.map(([k]) => `"${k}"`).join(', ')} to mapping.product.weightUnits (values GRAMS, KILOGRAMS, OUNCES, POUNDS)`,
      };
    },
  );

  await b1Check('Warehouses exist in B1', 'correct mapping.locations[].warehouses / mapping.order.defaultWarehouse', async () => {
    const known = new Set((await deps.b1.listWarehouses(['WarehouseCode'])).map((w) => w.WarehouseCode as string));
    const wanted = new Set([
      ...m.locations.flatMap((l) => [...l.warehouses, ...(l.orderWarehouse ? [l.orderWarehouse] : [])]),
      ...(m.order.defaultWarehouse ? [m.order.defaultWarehouse] : []),
    ]);
    const missing = [...wanted].filter((w) => !known.has(w));
    return missing.length
      ? {
          state: 'fail',
          detail: `not in B1: ${missing.join(', ')} (B1 has ${[...known].join(', ')})`,
          fix: 'correct mapping.locations[].warehouses / mapping.order.defaultWarehouse',
        }
      : { state: 'pass', detail: [...wanted].join(', ') || 'none mapped' };
  });

  await b1Check('Price list exists, in the shop currency', 'set mapping.product.priceList to an existing PriceListNo', async () => {
    const lists = await deps.b1.listPriceLists(['PriceListNo', 'PriceListName', 'DefaultPrimeCurrency']);
    const found = lists.find((l) => l.PriceListNo === m.product.priceList);
    const currency = found?.DefaultPrimeCurrency as string | null | undefined;
    if (found && currency && currency !== m.product.shopCurrency && !m.product.shopCurrencyAliases.includes(currency)) {
      return {
        state: 'fail',
        detail: `price list ${m.product.priceList} is in '${currency}', mapping.product.shopCurrency is ${m.product.shopCurrency}: every product would fail`,
        fix: `if '${currency}' is ${m.product.shopCurrency}, add it to mapping.product.shopCurrencyAliases; otherwise choose a price list in ${m.product.shopCurrency}`,
      };
    }
    return found
      ? { state: 'pass', detail: `${m.product.priceList} ${String(found.PriceListName ?? '')}${currency ? ` (${currency})` : ''}` }
      : {
          state: 'fail',
          detail: `price list ${m.product.priceList} not found (B1 has ${lists.map((l) => l.PriceListNo).join(', ')})`,
          fix: 'set mapping.product.priceList to an existing PriceListNo',
        };
  });

  await b1Check('Customer group exists', 'set mapping.customer.groupCode to an existing BusinessPartnerGroups code', async () => {
    const r = await b1KeyExists(deps, 'BusinessPartnerGroups', m.customer.groupCode);
    if (r === 'unsupported')
      return {
        state: 'warn',
        detail: `cannot verify group ${m.customer.groupCode}: this Service Layer does not serve BusinessPartnerGroups`,
      };
    return r
      ? { state: 'pass', detail: `group ${m.customer.groupCode}` }
      : {
          state: 'fail',
          detail: `group ${m.customer.groupCode} not found`,
          fix: 'set mapping.customer.groupCode to an existing BusinessPartnerGroups code',
        };
  });

  await b1Check(
    'Guest customer exists',
    `create business partner ${m.customer.guestCardCode} in B1 (or run \`b1hub init --fix\`), or change mapping.customer.guestCardCode`,
    async () => {
      const bp = await deps.b1.tryGet('BusinessPartners', m.customer.guestCardCode, { select: ['CardCode', 'CardType'] });
      if (bp) return { state: 'pass', detail: m.customer.guestCardCode };
      if (fix) {
        await deps.b1.createBusinessPartner({
          CardCode: m.customer.guestCardCode,
          CardName: 'Shopify guest customer',
          CardType: 'cCustomer',
          GroupCode: m.customer.groupCode,
        } as never);
        return { state: 'fixed', detail: `created business partner ${m.customer.guestCardCode}` };
      }
      return {
        state: 'fail',
        detail: `business partner ${m.customer.guestCardCode} not found`,
        fix: `create business partner ${m.customer.guestCardCode} in B1 (or run \`b1hub init --fix\`), or change mapping.customer.guestCardCode`,
      };
    },
  );

  await b1Check('Freight code exists', 'set mapping.order.freightExpenseCode to an existing AdditionalExpenses code', async () => {
    const codes = [m.order.freightExpenseCode, ...(m.order.tax.mode === 'taxAsFreight' ? [m.order.tax.expenseCode] : [])];
    const missing: number[] = [];
    for (const c of codes) {
      const r = await b1KeyExists(deps, 'AdditionalExpenses', c);
      if (r === 'unsupported')
        return {
          state: 'warn',
          detail: `cannot verify freight code ${codes.join(', ')}: this Service Layer does not serve AdditionalExpenses`,
        };
      if (!r) missing.push(c);
    }
    return missing.length
      ? {
          state: 'fail',
          detail: `freight code ${missing.join(', ')} not found`,
          fix: 'set mapping.order.freightExpenseCode to an existing AdditionalExpenses code',
        }
      : { state: 'pass', detail: codes.join(', ') };
  });

  await b1Check('Tax codes exist', 'correct the codes in mapping.order.tax', async () => {
    const t = m.order.tax;
    const wanted = new Set(
      t.mode === 'taxCode'
        ? [...Object.values(t.codeByRegion), ...(t.defaultTaxCode ? [t.defaultTaxCode] : []), t.exemptTaxCode]
        : [t.lineTaxCode],
    );
    if (t.codeField !== 'TaxCode')
      return { state: 'warn', detail: `codes ${[...wanted].join(', ')} are VAT groups; only sales tax codes can be checked` };
    const known = new Set((await deps.b1.listSalesTaxCodes(['Code'])).map((c) => c.Code as string));
    const missing = [...wanted].filter((c) => !known.has(c));
    return missing.length
      ? { state: 'fail', detail: `sales tax codes not in B1: ${missing.join(', ')}`, fix: 'correct the codes in mapping.order.tax' }
      : { state: 'pass', detail: [...wanted].join(', ') };
  });

  results.push(...(await runShopifyChecks(config, deps, fix)));
  results.push(...(await runDeliveryChecks(config, deps, b1Ok)));

  results.push(
    await check(
      'Temporal reachable, search attributes',
      'start Temporal (`npm start`) or set --temporal-address / TEMPORAL_ADDRESS',
      async () => {
        const connection = await o.temporal();
        const existing = await connection.operatorService.listSearchAttributes({ namespace: o.namespace });
        const known = new Set(Object.keys(existing.customAttributes ?? {}));
        const missing = HUB_SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name)).map((k) => k.name);
        if (missing.length && fix) {
          await ensureHubSearchAttributes(connection, o.namespace);
          return { state: 'fixed', detail: `registered ${missing.join(', ')} on namespace ${o.namespace}` };
        }
        return missing.length
          ? {
              state: 'fail',
              detail: `namespace ${o.namespace} lacks ${missing.join(', ')}`,
              fix: 'run `b1hub init --fix` (or `temporal operator search-attribute create`)',
            }
          : { state: 'pass', detail: `namespace ${o.namespace}: ${HUB_SEARCH_ATTRIBUTES.map((k) => k.name).join(', ')}` };
      },
    ),
  );
  return results;
}
