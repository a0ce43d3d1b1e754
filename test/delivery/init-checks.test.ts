/**
 * The Configuration Summary's delivery checks against both simulators over HTTP: the carrier
 * mapping cannot be verified where the Service Layer serves no ShippingTypes (WARN, never PASS),
 * the fulfillment scope is reported, and the ODLN write-back field and the reservation table are
 * part of the fields and tables `init --fix` creates.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedHubConfig, DEMO_SECRETS, type HubConfig } from '../../src/config/hub-config';
import { HUB_UDFS, ensureUserFields, ensureUserTables } from '../../src/connectors/b1/udf';
import { FULFILLMENT_RESERVATIONS, RESERVATION_TABLES } from '../../src/connectors/b1/reservations';
import { runDeliveryChecks } from '../../src/hub/init-checks-delivery';
import { parseMappingConfig } from '../../src/mapping/config';
import { createPipelineDeps } from '../../src/pipelines/deps';
import { startB1Simulator, type B1Simulator } from '../../src/sim/b1';
import { startShopifySimulator, type ShopifySimulator } from '../../src/sim/shopify';

describe('configuration summary: deliveries → fulfillments', () => {
  let b1: B1Simulator;
  let shop: ShopifySimulator;
  before(async () => {
    b1 = await startB1Simulator({ port: 0, seed: { items: 2, customers: 1 } });
    shop = await startShopifySimulator({ port: 0, seed: { skus: ['A00001'], customers: 1, orders: 0 } });
  });
  after(async () => {
    await shop.close();
    await b1.close();
  });

  const configWith = (fulfillment: unknown): HubConfig => {
    const base = embeddedHubConfig({ b1BaseUrl: b1.url, shopifyEndpoint: shop.url, shop: shop.shopDomain });
    return { ...base, mapping: parseMappingConfig({ ...base.mapping, fulfillment }) };
  };

  test('carrier mapping: WARN when B1 cannot answer, the scope check reports what the token has', async () => {
    const config = configWith({ carriers: { '1': { company: 'DHL Express' } } });
    const [carriers, scope] = await runDeliveryChecks(config, createPipelineDeps(config, DEMO_SECRETS), true);
    assert.equal(carriers!.state, 'warn');
    assert.match(carriers!.detail, /cannot verify shipping types 1/);
    // The simulator does not serve currentAppInstallation: unanswerable is WARN.
    assert.equal(scope!.state, 'warn', JSON.stringify(scope));
    assert.match(scope!.detail, /cannot read the token's scopes/);
    const skipped = await runDeliveryChecks(config, createPipelineDeps(config, DEMO_SECRETS), false);
    assert.equal(skipped[0]!.state, 'skip');
  });

  test('the write-back field on deliveries and the reservation table are created by init --fix', async () => {
    assert.ok(HUB_UDFS.some((u) => u.table === 'ORDR' && u.name === 'ShopifyFulfillId'));
    assert.ok(RESERVATION_TABLES.includes(FULFILLMENT_RESERVATIONS));
    const config = configWith({});
    const deps = createPipelineDeps(config, DEMO_SECRETS);
    const f = await ensureUserFields(deps.b1, HUB_UDFS, { create: false });
    assert.deepEqual(f.missing, [], 'seeded like the other hub fields');
    const t = await ensureUserTables(deps.b1, [FULFILLMENT_RESERVATIONS], { create: false });
    assert.deepEqual(t.missing, []);
  });
});
