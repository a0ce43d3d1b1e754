/**
 * Customer pipeline end to end: Temporal dev server, real sync-run workflow and activities, both
 * simulators over HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';
import { b1Writes, gidNumber, partners, partnersByShopifyId, runLog } from './support-shopify-to-b1';

describe('customer pipeline (Shopify → B1 business partners)', () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let watermark: string | undefined;
  const ids: Record<string, string> = {};

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 8, shopifyOrders: 0, badCustomers: 3, b1Customers: 4 });
    const sim = fx.shopifySim;
    // A partner that existed in B1 before the hub: same e-mail as a new Shopify customer.
    const b1Existing = partners(fx).find((p) => p.CardCode === 'C00002')!;
    // A supplier with the same e-mail as another new customer: never linked (CardType filter).
    await fx.deps.b1.createBusinessPartner({
      CardCode: 'V90001',
      CardName: 'Supplier With Mail',
      CardType: 'cSupplier',
      EmailAddress: 'supplier.shared@example.com',
    });
    ids.supplierMail = `gid://shopify/Customer/${sim.createCustomer({ firstName: 'Sam', lastName: 'Supplied', email: 'supplier.shared@example.com' }).id}`;
    ids.linked = `gid://shopify/Customer/${sim.createCustomer({ firstName: 'Linda', lastName: 'Linked', email: String(b1Existing.EmailAddress), addresses: [{ address1: '1 Link Road', city: 'Austin', zip: '73301', countryCode: 'US', provinceCode: 'TX' }] }).id}`;
    ids.unicode = `gid://shopify/Customer/${sim.createCustomer({ firstName: 'Zoë', lastName: 'Ærøskøbing-Łódź 東京', email: 'zoe.unicode@example.com', addresses: [{ address1: 'Königstraße 7', city: 'München', zip: '80331', countryCode: 'DE' }] }).id}`;
    ids.badEmail = `gid://shopify/Customer/${sim.createCustomer({ firstName: 'Bad', lastName: 'Mail', email: 'bad@@mail', addresses: [] }).id}`;
    ids.longName = `gid://shopify/Customer/${sim.createCustomer({ firstName: 'L'.repeat(60), lastName: 'M'.repeat(60), email: 'long.name@example.com' }).id}`;
    worker = await fx.startWorker();
  });

  after(async () => {
    await worker?.stop();
    await fx?.close();
  });

  test('a first delta run creates partners, links by e-mail, fails bad records alone', async () => {
    const shopifyTotal = Object.keys(fx.shopifySim.state.data.customers).length;
    const before = partners(fx).length;
    const { result, workflowId } = await fx.runSync('customer', { mode: 'delta' });
    const c = result.counts;
    assert.equal(c.created + c.updated + c.unchanged + c.skipped + c.failed, shopifyTotal, JSON.stringify(c));
    // badCustomers 3 = one without a name (CardName falls back to the e-mail), one malformed
    // e-mail, one over-long name with country ZZ; plus the two made above.
    assert.equal(c.failed, 4, JSON.stringify(c));
    assert.equal(c.updated, 1, 'the linked partner is updated, not duplicated');
    assert.equal(c.created, shopifyTotal - 5);
    assert.equal(partners(fx).length, before + c.created);
    watermark = result.watermark;
    assert.ok(watermark);

    const linked = partnersByShopifyId(fx, ids.linked!);
    assert.equal(linked.length, 1);
    assert.equal(linked[0]!.CardCode, 'C00002', 'the existing partner carries the Shopify id');
    assert.ok(
      (linked[0]!.BPAddresses as { Street?: string }[]).some((a) => a.Street === '1 Link Road'),
      'Shopify address added to the linked partner',
    );
    assert.ok(
      (linked[0]!.BPAddresses as { AddressName?: string }[]).some((a) => a.AddressName === 'Bill to'),
      "B1's own addresses kept",
    );

    const uni = partnersByShopifyId(fx, ids.unicode!)[0]!;
    assert.equal(uni.CardCode, `C${gidNumber(ids.unicode!)}`);
    assert.equal(uni.CardName, 'Zoë Ærøskøbing-Łódź 東京');
    const addrs = uni.BPAddresses as { AddressType: string; Street?: string; City?: string; Country?: string }[];
    assert.deepEqual(addrs.map((a) => a.AddressType).sort(), ['bo_BillTo', 'bo_ShipTo']);
    assert.ok(addrs.every((a) => a.Street === 'Königstraße 7' && a.City === 'München' && a.Country === 'DE'));
    assert.equal(uni.BilltoDefault, uni.ShipToDefault);

    const sam = partnersByShopifyId(fx, ids.supplierMail!);
    assert.equal(sam.length, 1);
    assert.equal(sam[0]!.CardType, 'cCustomer');
    assert.notEqual(sam[0]!.CardCode, 'V90001', 'a supplier is never linked to a Shopify customer');
    assert.equal(partners(fx).find((p) => p.CardCode === 'V90001')?.U_ShopifyId ?? null, null);

    assert.equal(partnersByShopifyId(fx, ids.badEmail!).length, 0);
    assert.equal(partnersByShopifyId(fx, ids.longName!).length, 0);

    // The failures are in the run's history, naming the record and the field.
    const { outcomes } = await runLog(fx, workflowId);
    const bad = outcomes.find((o) => o.sourceId === ids.badEmail);
    assert.equal(bad?.outcome, 'failed');
    assert.equal(bad?.field, 'defaultEmailAddress.emailAddress');
    assert.match(bad?.reason ?? '', /bad@@mail/);
    const long = outcomes.find((o) => o.sourceId === ids.longName);
    assert.equal(long?.field, 'firstName/lastName');
    assert.match(long?.reason ?? '', /CardName/);
    assert.equal(outcomes.find((o) => o.sourceId === ids.linked)?.targetId, 'C00002');
  });

  test('a resync of bad and unknown ids fails each alone', async () => {
    const { result, workflowId } = await fx.runSync('customer', {
      mode: 'ids',
      ids: [ids.badEmail!, ids.longName!, 'gid://shopify/Customer/999999'],
    });
    assert.equal(result.counts.failed, 3);
    const { outcomes } = await runLog(fx, workflowId);
    assert.match(outcomes.find((o) => o.sourceId === 'gid://shopify/Customer/999999')?.reason ?? '', /not found in the source/);
    assert.equal(result.watermark, undefined, 'a resync does not move the watermark');
  });

  test('a second delta run changes nothing and writes nothing', async () => {
    const from = fx.b1Sim.faults.log.length;
    const { result } = await fx.runSync('customer', { mode: 'delta', since: watermark });
    const c = result.counts;
    assert.equal(c.created + c.updated, 0, JSON.stringify(c));
    assert.ok(c.unchanged >= 1, 'the overlap window re-reads the last changes');
    assert.deepEqual(b1Writes(fx.b1Sim.faults.log.slice(from)), []);
  });

  test('a change in Shopify patches only that partner; resync by ids re-reads current data', async () => {
    fx.shopifySim.updateCustomer(gidNumber(ids.unicode!), { phone: '+4930123456' });
    fx.shopifySim.updateCustomer(gidNumber(ids.badEmail!), { email: 'good.mail@example.com' });
    const from = fx.b1Sim.faults.log.length;
    const { result } = await fx.runSync('customer', { mode: 'ids', ids: [ids.unicode!, ids.badEmail!] });
    assert.deepEqual(
      { created: result.counts.created, updated: result.counts.updated, failed: result.counts.failed },
      { created: 1, updated: 1, failed: 0 },
    );
    assert.equal(partnersByShopifyId(fx, ids.unicode!)[0]!.Cellular, '+4930123456');
    assert.equal(partnersByShopifyId(fx, ids.badEmail!)[0]!.EmailAddress, 'good.mail@example.com');
    const writes = b1Writes(fx.b1Sim.faults.log.slice(from));
    assert.equal(writes.filter((w) => w.startsWith('PATCH ')).length, 1, writes.join('\n'));
    // The new partner goes through the page's $batch (batch-create.ts).
    assert.equal(writes.filter((w) => /^POST \/b1s\/v1\/(BusinessPartners|\$batch)/.test(w)).length, 1, writes.join('\n'));
  });

  test('a delta run also reads the extra ids it is given', async () => {
    fx.shopifySim.updateCustomer(gidNumber(ids.linked!), { phone: '+15125550100' });
    // A watermark in the future: the delta query itself finds nothing.
    const { result } = await fx.runSync('customer', { mode: 'delta', since: '2099-01-01T00:00:00Z', ids: [ids.linked!] });
    assert.deepEqual(result.counts, { created: 0, updated: 1, unchanged: 0, skipped: 0, failed: 0 });
    assert.equal(partnersByShopifyId(fx, ids.linked!)[0]!.Cellular, '+15125550100');
  });
});
