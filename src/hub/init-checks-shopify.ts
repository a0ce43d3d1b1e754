/**
 * The Shopify half of `b1hub init`'s checks: the shop is reachable and sells in the mapped
 * currency, the API version, the token's scopes, the mapped locations, the cross-reference
 * metafield definitions and the webhook subscriptions. Each later check is skipped when the shop
 * is not reachable, so the summary names the cause once.
 */
import { ApiVersion } from '@shopify/shopify-api';
import type { HubConfig } from '../config/hub-config';
import type { PipelineDeps } from '../pipelines/contract';
import { check, msg, type CheckResult } from './init-check-kit';
import { webhookSubscriptionsCheck } from './webhooks';

/** What the four pipelines need; write_* implies read_* in Shopify's scope model. */
const REQUIRED_SCOPES: Array<{ scope: string; any: string[] }> = [
  { scope: 'products', any: ['write_products'] },
  { scope: 'customers', any: ['write_customers'] },
  { scope: 'orders', any: ['read_orders', 'write_orders'] },
  { scope: 'inventory', any: ['write_inventory'] },
  { scope: 'locations', any: ['read_locations', 'write_locations'] },
];
/** The Shopify checks, in the summary's order; `fix` creates the definitions and subscriptions. */
export async function runShopifyChecks(config: HubConfig, deps: PipelineDeps, fix: boolean): Promise<CheckResult[]> {
  const m = config.mapping;
  const results: CheckResult[] = [];
  const shopifyHint = `check shopify.shop (${config.shopify.shop}) and the token (SHOPIFY_ACCESS_TOKEN or client credentials)`;
  const shop = await check('Shopify Admin API reachable', shopifyHint, async () => {
    const s = await deps.shopify.shop();
    return { state: 'pass', detail: `${s.myshopifyDomain} (${s.name}, ${s.currencyCode})` };
  });
  results.push(shop);
  if (shop.state === 'pass') {
    const s = await deps.shopify.shop();
    results.push(
      s.currencyCode === m.product.shopCurrency
        ? { name: 'Shop currency matches', state: 'pass', detail: s.currencyCode }
        : {
            name: 'Shop currency matches',
            state: 'fail',
            detail: `the shop sells in ${s.currencyCode}, mapping.product.shopCurrency is ${m.product.shopCurrency}`,
            fix: `set mapping.product.shopCurrency to ${s.currencyCode}`,
          },
    );
  }
  const shopOk = shop.state === 'pass';
  const shopCheck = async (name: string, fixHint: string, fn: () => Promise<Omit<CheckResult, 'name'>>) =>
    results.push(shopOk ? await check(name, fixHint, fn) : { name, state: 'skip', detail: 'Shopify is not reachable' });

  const versions = Object.values(ApiVersion).filter((v) => v !== ApiVersion.Unstable) as string[];
  results.push(
    versions.includes(config.shopify.apiVersion)
      ? { name: 'Shopify API version supported', state: 'pass', detail: config.shopify.apiVersion }
      : {
          name: 'Shopify API version supported',
          state: 'fail',
          detail: `${config.shopify.apiVersion} is not a supported version (${versions.slice(-4).join(', ')})`,
          fix: `set shopify.apiVersion to ${versions[versions.length - 1]}`,
        },
  );

  await shopCheck(
    'Shopify token scopes',
    'grant the app the missing scopes in the Shopify admin (Apps → Develop apps → Configuration) and reinstall it',
    async () => {
      let handles: string[];
      try {
        handles = await deps.shopify.accessScopes();
      } catch (err) {
        return { state: 'warn', detail: `cannot read the token's scopes (${msg(err)})` };
      }
      const missing = REQUIRED_SCOPES.filter((r) => !r.any.some((h) => handles.includes(h))).map((r) => r.any[0]!);
      if (missing.length)
        return {
          state: 'fail',
          detail: `missing ${missing.join(', ')}`,
          fix: 'grant the app the missing scopes in the Shopify admin (Apps → Develop apps → Configuration) and reinstall it',
        };
      if (!handles.includes('read_all_orders'))
        return {
          state: 'warn',
          detail: 'read_all_orders missing: only orders of the last 60 days can be read',
          fix: 'request read_all_orders for older orders',
        };
      return { state: 'pass', detail: handles.join(', ') };
    },
  );

  await shopCheck(
    'Shopify locations exist',
    'correct mapping.locations[].locationId (list them in the Shopify admin under Settings → Locations)',
    async () => {
      const locs = await deps.shopify.locations();
      const known = new Set(locs.map((l) => l.id));
      const missing = m.locations.map((l) => l.locationId).filter((id) => !known.has(id));
      return missing.length
        ? {
            state: 'fail',
            detail: `not in the shop: ${missing.join(', ')} (shop has ${locs.map((l) => `${l.id} ${l.name}`).join(', ')})`,
            fix: 'correct mapping.locations[].locationId',
          }
        : { state: 'pass', detail: m.locations.map((l) => `${l.locationId} ← ${l.warehouses.join('+')}`).join('; ') || 'none mapped' };
    },
  );

  await shopCheck('Shopify metafield definitions', 'run `b1hub init --fix` (creates them)', async () => {
    if (fix) {
      await deps.shopify.ensureCustomIdDefinitions();
      return { state: 'pass', detail: 'product and customer cross-reference definitions present (created if missing)' };
    }
    const defs = [
      { ownerType: 'PRODUCT', ...deps.shopify.productIdField },
      { ownerType: 'CUSTOMER', ...deps.shopify.customerIdField },
    ];
    const missing: string[] = [];
    for (const d of defs) {
      if (!(await deps.shopify.hasMetafieldDefinition(d))) missing.push(`${d.ownerType} ${d.namespace}.${d.key}`);
    }
    return missing.length
      ? { state: 'fail', detail: `missing ${missing.join(', ')}`, fix: 'run `b1hub init --fix` (creates them)' }
      : { state: 'pass', detail: defs.map((d) => `${d.ownerType} ${d.namespace}.${d.key}`).join(', ') };
  });

  await shopCheck('Shopify webhook subscriptions', 'run `b1hub init --fix` (creates and repairs them)', () =>
    webhookSubscriptionsCheck(config, deps.shopify.executor, fix),
  );
  return results;
}
