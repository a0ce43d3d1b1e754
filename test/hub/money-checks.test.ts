/**
 * The Configuration Summary's money checks against the B1 simulator over HTTP: what the hub books,
 * settings some records would fail without (flagged, never silently ignored), and a gateway mapped
 * to a credit card code B1 does not have fails with the gateway, the code and the codes that exist.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedHubConfig, DEMO_SECRETS, type HubConfig } from '../../src/config/hub-config';
import { moneyChecks } from '../../src/hub/money-checks';
import { MoneyConfigSchema } from '../../src/mapping/money-config';
import { createPipelineDeps } from '../../src/pipelines/deps';
import { startB1Simulator, type B1Simulator } from '../../src/sim/b1';

describe('configuration summary: money', () => {
  let sim: B1Simulator;
  before(async () => {
    sim = await startB1Simulator({ port: 0, seed: { items: 2, customers: 1 } });
  });
  after(() => sim.close());

  const configWith = (money: unknown): HubConfig => {
    const base = embeddedHubConfig({ b1BaseUrl: sim.url, shopifyEndpoint: 'http://127.0.0.1:9', shop: 'demo.myshopify.com' });
    return { ...base, mapping: { ...base.mapping, money: MoneyConfigSchema.parse(money) } };
  };

  test('off by default: passes, and asks nothing of B1', async () => {
    const config = configWith({});
    const r = await moneyChecks(config, createPipelineDeps(config, DEMO_SECRETS), true);
    assert.deepEqual(
      r.map((c) => c.state),
      ['pass'],
    );
    assert.match(r[0]!.detail, /sales orders/);
  });

  test('what is booked is named, missing refund settings are flagged; an unknown card code is named with the codes B1 has', async () => {
    const config = configWith({
      documentMode: 'reserveInvoice',
      payments: {
        enabled: true,
        gateways: { shopify_payments: { type: 'creditCard', creditCard: 4 }, paypal: { type: 'creditCard', creditCard: 99 } },
      },
      refunds: { enabled: true },
    });
    const [mode, cards] = await moneyChecks(config, createPipelineDeps(config, DEMO_SECRETS), true);
    assert.equal(mode!.state, 'warn');
    assert.match(mode!.detail, /sales order → reserve invoice; incoming payments \(2 gateways mapped\); refunds as credit memos/);
    assert.match(mode!.detail, /money\.refunds\.goodwillAccount/);
    assert.equal(cards!.state, 'fail');
    assert.equal(cards!.detail, "gateway 'paypal': CreditCards code 99 does not exist");
    assert.match(cards!.fix ?? '', /4 \(Shopify Payments\)/);
  });

  test('every mapped card exists: passes with the names B1 gives them; no login: skipped', async () => {
    const config = configWith({ payments: { enabled: true, gateways: { shopify_payments: { type: 'creditCard', creditCard: 4 } } } });
    const deps = createPipelineDeps(config, DEMO_SECRETS);
    const [, cards] = await moneyChecks(config, deps, true);
    assert.deepEqual([cards!.state, cards!.detail], ['pass', 'shopify_payments → 4 (Shopify Payments)']);
    const [, skipped] = await moneyChecks(config, deps, false);
    assert.equal(skipped!.state, 'skip');
  });
});
