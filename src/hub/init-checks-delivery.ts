/**
 * The delivery → fulfillment part of `b1hub init`'s checks: the carrier mapping names B1 shipping
 * types that exist (and says which ones deliveries would send without a carrier), and the token
 * may create fulfillments. The write-back UDF (`U_ShopifyFulfillId` on ODLN, shared with ORDR) and
 * the reservation table `@B1H_FUL_RES` are checked and created with the other fields and tables.
 * A check the system cannot answer is WARN, never PASS.
 */
import type { HubConfig } from '../config/hub-config';
import type { PipelineDeps } from '../pipelines/contract';
import { check, msg, type CheckResult } from './init-check-kit';

/** Shopify scopes that allow fulfillmentCreate on the shop's own (merchant-managed) locations. */
const FULFILLMENT_SCOPES = ['write_merchant_managed_fulfillment_orders', 'write_fulfillments', 'write_assigned_fulfillment_orders'];

async function shippingTypes(deps: PipelineDeps): Promise<Map<string, string> | 'unsupported'> {
  try {
    const rows = await deps.b1.listRaw('ShippingTypes', { select: ['Code', 'Name'] });
    return new Map(rows.map((r) => [String(r.Code), String(r.Name ?? '')]));
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404 || status === 400 || status === 501) return 'unsupported';
    throw err;
  }
}

export async function runDeliveryChecks(config: HubConfig, deps: PipelineDeps, b1Ok: boolean): Promise<CheckResult[]> {
  const cfg = config.mapping.fulfillment;
  const results: CheckResult[] = [];
  const mapped = Object.keys(cfg.carriers);
  const hint =
    'map B1 shipping types (ShippingTypes codes) to Shopify carriers in mapping.fulfillment.carriers, or set mapping.fulfillment.defaultCarrier';
  results.push(
    b1Ok
      ? await check('Carrier mapping (deliveries → fulfillments)', hint, async () => {
          const types = await shippingTypes(deps);
          if (types === 'unsupported')
            return {
              state: 'warn',
              detail: `cannot verify ${mapped.length ? `shipping types ${mapped.join(', ')}` : 'the shipping types'}: this Service Layer does not serve ShippingTypes`,
            };
          const unknown = mapped.filter((k) => !types.has(k));
          if (unknown.length)
            return {
              state: 'fail',
              detail: `shipping types not in B1: ${unknown.join(', ')}`,
              fix: 'correct the keys of mapping.fulfillment.carriers',
            };
          const unmapped = [...types].filter(([k]) => !cfg.carriers[k]);
          if (unmapped.length && !cfg.defaultCarrier)
            return {
              state: 'warn',
              detail: `deliveries with shipping type ${unmapped.map(([k, n]) => `${k} (${n})`).join(', ')} get tracking numbers without a carrier (no tracking link)`,
              fix: hint,
            };
          return {
            state: 'pass',
            detail: mapped.length
              ? mapped.map((k) => `${k} → ${cfg.carriers[k]!.company}`).join(', ')
              : `default ${cfg.defaultCarrier?.company ?? 'none'}`,
          };
        })
      : { name: 'Carrier mapping (deliveries → fulfillments)', state: 'skip', detail: 'Service Layer login failed' },
  );
  results.push(
    await check(
      'Shopify token may create fulfillments',
      'grant write_merchant_managed_fulfillment_orders to the app and reinstall it',
      async () => {
        let scopes: string[];
        try {
          scopes = await deps.shopify.accessScopes();
        } catch (err) {
          return { state: 'warn', detail: `cannot read the token's scopes (${msg(err)})` };
        }
        if (scopes.some((s) => FULFILLMENT_SCOPES.includes(s)))
          return { state: 'pass', detail: scopes.filter((s) => FULFILLMENT_SCOPES.includes(s)).join(', ') };
        return {
          state: 'warn',
          detail: `none of ${FULFILLMENT_SCOPES.join(', ')} granted: the delivery sync cannot create fulfillments`,
          fix: 'grant write_merchant_managed_fulfillment_orders to the app and reinstall it',
        };
      },
    ),
  );
  return results;
}
