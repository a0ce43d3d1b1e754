/**
 * One business partner per Shopify customer in every interleaving of concurrent writers: a
 * customer run and an order run at once (both create partners for new customers), a link by
 * e-mail racing a create, two customers of one e-mail linked at once, a retry after a lost
 * answer; and e-mail matching that ignores case on a case-sensitive (HANA-like) database.
 *
 * The interleavings are forced, not hoped for: the B1 client the pipeline gets holds a call at a
 * chosen point until the other writer has reached its own point or finished (`Rendezvous`).
 * Real simulators over HTTP; the end-to-end case runs both sync runs on the Temporal dev server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { B1Client } from '../../src/connectors/b1/client';
import { DEMO_SECRETS } from '../../src/config/hub-config';
import { customerPipeline } from '../../src/pipelines/customer';
import { upsertBusinessPartner, type BpUpsertResult } from '../../src/pipelines/customer/upsert';
import type { MappingConfig } from '../../src/mapping/config';
import { PIPELINES } from '../../src/pipelines/registry';
import type { Pipeline, PipelineDeps } from '../../src/pipelines/contract';
import type { B1BusinessPartnerCreate } from '../../src/mapping/types';
import { createSyncActivities } from '../../src/activities/sync-activities';
import { createHubWorker } from '../../src/hub/worker';
import { startHubFixture, type HubFixture } from '../support/hub-fixture';
import { gidNumber, partners, partnersByShopifyId, runLog, salesOrdersByShopifyId } from './support-shopify-to-b1';

/**
 * Holds every caller of `arrive()` until `parties` callers arrived, or until the ones that have
 * not arrived `leave()` (finished without reaching the point): no sleeps, no timing.
 */
class Rendezvous {
  private arrived = 0;
  private release!: () => void;
  readonly open = new Promise<void>((r) => (this.release = r));
  constructor(private parties: number) {}
  async arrive(): Promise<void> {
    this.arrived++;
    this.check();
    await this.open;
  }
  leave(): void {
    this.parties--;
    this.check();
  }
  private check(): void {
    if (this.arrived >= this.parties) this.release();
  }
}

type Hooks = {
  beforeCreate?: (body: Record<string, unknown>) => Promise<void>;
  beforePatch?: (key: unknown) => Promise<void>;
  afterFindById?: () => Promise<void>;
};

/** The same client (session, connection) with hooks at chosen calls. */
function hooked(b1: B1Client, h: Hooks): B1Client {
  const o = Object.create(b1) as B1Client;
  o.createBusinessPartner = async (bp) => {
    await h.beforeCreate?.(bp as Record<string, unknown>);
    return b1.createBusinessPartner.call(o, bp);
  };
  // A customer page creates its new partners through $batch (batch-create.ts): the same hook, per create.
  o.batchEach = async (ops, opts) => {
    for (const op of ops)
      if (op.method === 'POST' && op.path === 'BusinessPartners') await h.beforeCreate?.(op.body as Record<string, unknown>);
    return b1.batchEach.call(o, ops, opts);
  };
  o.patch = async (set, key, body, opts) => {
    if (set === 'BusinessPartners') await h.beforePatch?.(key);
    return b1.patch.call(o, set, key, body, opts);
  };
  o.findBusinessPartnersByShopifyId = async (id, select) => {
    const r = await b1.findBusinessPartnersByShopifyId.call(o, id, select);
    await h.afterFindById?.();
    return r;
  };
  return o;
}

describe('customer pipeline: one partner per Shopify customer under concurrent writers', () => {
  let fx: HubFixture;
  const gid = (c: { id: number }) => `gid://shopify/Customer/${c.id}`;
  let run = 0;

  /** The partner payload the customer run (and the order run) would write for this customer. */
  async function desiredFor(id: string, deps: PipelineDeps = fx.deps): Promise<B1BusinessPartnerCreate> {
    const page = await customerPipeline.fetch(deps, { object: 'customer', syncId: 'read', mode: 'ids', ids: [id], pageIndex: 0 });
    const [m] = await customerPipeline.map(deps, { object: 'customer', syncId: 'read', records: page.records });
    assert.ok(m?.ok, JSON.stringify(m));
    return m.payload as B1BusinessPartnerCreate;
  }

  /** A customer run's post of one customer (batched lookups, then the upsert). */
  function customerRunPost(deps: PipelineDeps, id: string, payload: B1BusinessPartnerCreate) {
    return customerPipeline.post(deps, { object: 'customer', syncId: `run-${++run}`, pageIndex: 0, records: [{ id, label: id, payload }] });
  }

  /** Series mode: B1 numbers the CardCode (simulator: `S70-000001`, …). */
  const seriesMapping = (): MappingConfig => ({
    ...fx.deps.mapping,
    customer: { ...fx.deps.mapping.customer, cardCode: { mode: 'series', series: 70 } },
  });
  const seriesDeps = (b1: B1Client = fx.deps.b1): PipelineDeps => ({ ...fx.deps, b1, mapping: seriesMapping() });

  /**
   * Runs `attempt` again while another writer holds the customer's reservation, as a later run
   * retries the record (a customer page reports it failed; the order run's upsert throws).
   */
  async function retried<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        const r = await attempt();
        if (
          Array.isArray(r) &&
          r.some((o: { outcome?: string; reason?: string }) => o.outcome === 'failed' && /another writer/.test(o.reason ?? '')) &&
          i <= 50
        ) {
          await new Promise((res) => setTimeout(res, 100));
          continue;
        }
        return r;
      } catch (e) {
        if ((e as Error).name !== 'PartnerInProgressError' || i > 50) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 2, shopifyOrders: 0, b1Customers: 4 });
  });

  after(async () => {
    await fx?.close();
  });

  test('prefix mode: a customer run and an order run creating the same new partner at once give one partner, neither fails', async () => {
    const id = gid(fx.shopifySim.createCustomer({ firstName: 'Both', lastName: 'Runs', email: 'both.runs@example.com' }));
    const desired = await desiredFor(id);
    const meet = new Rendezvous(2);
    const a = hooked(fx.deps.b1, { beforeCreate: () => meet.arrive() });
    const b = hooked(fx.deps.b1, { beforeCreate: () => meet.arrive() });
    const [outcomes, order] = await Promise.all([
      customerRunPost({ ...fx.deps, b1: a }, id, desired).finally(() => meet.leave()),
      upsertBusinessPartner({ ...fx.deps, b1: b }, desired).finally(() => meet.leave()),
    ]);
    const found = partnersByShopifyId(fx, id);
    assert.equal(found.length, 1, 'one partner');
    assert.notEqual(outcomes[0]?.outcome, 'failed', JSON.stringify(outcomes));
    assert.notEqual(order.outcome, 'failed', JSON.stringify(order));
    assert.equal(outcomes[0]?.targetId, found[0]!.CardCode);
    assert.equal(order.outcome !== 'failed' && order.cardCode, found[0]!.CardCode, 'the order goes to that partner');
  });

  test('prefix mode: the code we wanted held by another Shopify customer fails that record, naming the owner', async () => {
    const c = fx.shopifySim.createCustomer({ firstName: 'Code', lastName: 'Taken', email: 'code.taken@example.com' });
    const other = 'gid://shopify/Customer/424242';
    await fx.deps.b1.createBusinessPartner({ CardCode: `C${c.id}`, CardName: 'Someone else', CardType: 'cCustomer', U_ShopifyId: other });
    const [o] = await customerRunPost(fx.deps, gid(c), await desiredFor(gid(c)));
    assert.equal(o?.outcome, 'failed');
    assert.match(o?.reason ?? '', new RegExp(`C${c.id}.*${other}`));
    assert.equal(partnersByShopifyId(fx, gid(c)).length, 0);
  });

  test('a partner linked by e-mail by one run is used, not created again, by the other', async () => {
    const p = partners(fx).find((x) => x.CardCode === 'C00002')!;
    const id = gid(fx.shopifySim.createCustomer({ firstName: 'Link', lastName: 'Race', email: String(p.EmailAddress) }));
    const desired = await desiredFor(id);
    // The order run looks the id up, finds nothing; the customer run links the partner; then the
    // order run goes on to its e-mail lookup.
    let linked!: () => void;
    const customerRunDone = new Promise<void>((r) => (linked = r));
    const orderRun = upsertBusinessPartner({ ...fx.deps, b1: hooked(fx.deps.b1, { afterFindById: () => customerRunDone }) }, desired);
    const [o] = await customerRunPost(fx.deps, id, desired).finally(linked);
    const res = await orderRun;
    assert.equal(o?.outcome, 'updated');
    assert.equal(o?.targetId, 'C00002');
    assert.deepEqual(
      partnersByShopifyId(fx, id).map((x) => x.CardCode),
      ['C00002'],
      'one partner carries the customer',
    );
    assert.equal(res.outcome !== 'failed' && res.cardCode, 'C00002');
  });

  test('two customers of one e-mail linked at once: one gets the partner, the other its own', async () => {
    const p = partners(fx).find((x) => x.CardCode === 'C00003')!;
    const x = gid(fx.shopifySim.createCustomer({ firstName: 'Xena', lastName: 'Shared', email: String(p.EmailAddress) }));
    const y = gid(fx.shopifySim.createCustomer({ firstName: 'Yann', lastName: 'Shared', email: String(p.EmailAddress) }));
    const [dx, dy] = [await desiredFor(x), await desiredFor(y)];
    const meet = new Rendezvous(2);
    const onPartner = (key: unknown) => (key === 'C00003' ? meet.arrive() : Promise.resolve());
    const [[ox], oy] = await Promise.all([
      customerRunPost({ ...fx.deps, b1: hooked(fx.deps.b1, { beforePatch: onPartner }) }, x, dx).finally(() => meet.leave()),
      upsertBusinessPartner({ ...fx.deps, b1: hooked(fx.deps.b1, { beforePatch: onPartner }) }, dy).finally(() => meet.leave()),
    ]);
    const px = partnersByShopifyId(fx, x);
    const py = partnersByShopifyId(fx, y);
    assert.equal(px.length, 1, 'x has one partner');
    assert.equal(py.length, 1, 'y has one partner');
    assert.equal([px[0]!.CardCode, py[0]!.CardCode].filter((c) => c === 'C00003').length, 1, 'exactly one of them is linked to C00003');
    assert.equal(ox?.targetId, px[0]!.CardCode, 'x is told the partner that carries it');
    assert.equal(oy.outcome !== 'failed' && oy.cardCode, py[0]!.CardCode, 'y is told the partner that carries it');
  });

  test('HANA-like database (case-sensitive eq): e-mails differing in case link, not duplicate', async () => {
    // The simulator compares strings case-sensitively, as HANA does, unless B1S-CaseInsensitive is sent.
    await fx.deps.b1.createBusinessPartner({
      CardCode: 'C90077',
      CardName: 'Ann Buyer',
      CardType: 'cCustomer',
      EmailAddress: 'Ann.Buyer@Example.com',
    });
    await fx.deps.b1.createBusinessPartner({
      CardCode: 'C90078',
      CardName: 'Bob Buyer',
      CardType: 'cCustomer',
      EmailAddress: 'Bob.Buyer@Example.COM',
    });
    const probe = await fx.deps.b1.list('BusinessPartners', { filter: "EmailAddress eq 'ann.buyer@example.com'", select: ['CardCode'] });
    assert.deepEqual(probe, [], 'the simulator is case-sensitive without the header');
    const ann = gid(fx.shopifySim.createCustomer({ firstName: 'Ann', lastName: 'Buyer', email: 'ann.buyer@example.com' }));
    const bob = gid(fx.shopifySim.createCustomer({ firstName: 'Bob', lastName: 'Buyer', email: 'bob.buyer@example.com' }));
    const before = partners(fx).length;
    // The customer run (batched lookups) and the order run (its own lookups) both match.
    const [o] = await customerRunPost(fx.deps, ann, await desiredFor(ann));
    const res = await upsertBusinessPartner(fx.deps, await desiredFor(bob));
    assert.equal(o?.outcome, 'updated');
    assert.equal(o?.targetId, 'C90077');
    assert.equal(res.outcome !== 'failed' && res.cardCode, 'C90078');
    assert.equal(partners(fx).length, before, 'no partner created');
    assert.deepEqual(
      partnersByShopifyId(fx, ann).map((p) => p.CardCode),
      ['C90077'],
    );
    assert.deepEqual(
      partnersByShopifyId(fx, bob).map((p) => p.CardCode),
      ['C90078'],
    );
  });

  test('a create whose answer is lost: the retried page finds the partner, one partner, counted created', async () => {
    const id = gid(fx.shopifySim.createCustomer({ firstName: 'Lost', lastName: 'Answer', email: 'lost.answer@example.com' }));
    const desired = await desiredFor(id);
    // The page creates through $batch: the whole request's answer is lost after it committed.
    fx.b1Sim.faults.failNext({ kind: '502', match: /^POST \/b1s\/v1\/\$batch/, when: 'after' });
    const input = { object: 'customer' as const, syncId: 'lost-answer', pageIndex: 0, records: [{ id, label: id, payload: desired }] };
    await assert.rejects(customerPipeline.post(fx.deps, input), 'the lost answer fails the page (Temporal retries it)');
    const [o] = await customerPipeline.post(fx.deps, input);
    assert.equal(partnersByShopifyId(fx, id).length, 1);
    assert.equal(o?.outcome, 'created');
  });

  test('series mode: a customer run and an order run creating the same new partner at once give one partner', async () => {
    const id = gid(fx.shopifySim.createCustomer({ firstName: 'Series', lastName: 'Both', email: 'series.both@example.com' }));
    const desired = await desiredFor(id, seriesDeps());
    assert.equal(desired.CardCode, undefined);
    const meet = new Rendezvous(2);
    const a = seriesDeps(hooked(fx.deps.b1, { beforeCreate: () => meet.arrive() }));
    const b = seriesDeps(hooked(fx.deps.b1, { beforeCreate: () => meet.arrive() }));
    // The writer that finds the other's reservation without a partner yet waits: the customer run
    // reports that record failed (a later run retries it), the order run's upsert throws.
    const [ra, rb] = await Promise.allSettled([
      customerRunPost(a, id, desired).finally(() => meet.leave()),
      upsertBusinessPartner(b, desired).finally(() => meet.leave()),
    ]);
    if (ra.status === 'fulfilled' && ra.value[0]?.outcome === 'failed') assert.match(ra.value[0].reason ?? '', /another writer/);
    const outcome =
      ra.status === 'fulfilled' && ra.value[0]?.outcome !== 'failed'
        ? ra.value[0]
        : (await retried(() => customerRunPost(seriesDeps(), id, desired)))[0];
    const order: BpUpsertResult = rb.status === 'fulfilled' ? rb.value : await retried(() => upsertBusinessPartner(seriesDeps(), desired));
    const found = partnersByShopifyId(fx, id);
    assert.equal(found.length, 1, `one partner: ${found.map((p) => p.CardCode).join(', ')}`);
    assert.match(String(found[0]!.CardCode), /^S70-\d{6}$/, 'numbered by the series');
    assert.equal(outcome?.targetId, found[0]!.CardCode);
    assert.equal(order.outcome !== 'failed' && order.cardCode, found[0]!.CardCode);
  });

  test('series mode: a retry while the first POST is still committing (slow commit past the client timeout) creates nothing more', async () => {
    const id = gid(fx.shopifySim.createCustomer({ firstName: 'Slow', lastName: 'Commit', email: 'slow.commit@example.com' }));
    const desired = await desiredFor(id, seriesDeps());
    const impatient = new B1Client({
      baseUrl: fx.config.b1.baseUrl,
      companyDb: fx.config.b1.companyDb,
      userName: fx.config.b1.userName,
      password: DEMO_SECRETS.b1Password,
      timeoutMs: 400,
    });
    const deps = seriesDeps(impatient);
    fx.b1Sim.faults.failNext({ kind: 'slow', match: /^POST \/b1s\/v1\/BusinessPartners/, slowMs: 1500 });
    const input = { object: 'customer' as const, syncId: 'slow-commit', pageIndex: 0, records: [{ id, label: id, payload: desired }] };
    await assert.rejects(customerPipeline.post(deps, input), 'the client gives up on the slow POST');
    // Retried at once, with another customer on the page: the first POST is still being
    // processed, nothing carries the id yet. That record waits (failed, open in the ledger for a
    // later run); the page does not fail, so the other customer is not held up for the window.
    const otherId = gid(fx.shopifySim.createCustomer({ firstName: 'Page', lastName: 'Mate', email: 'page.mate@example.com' }));
    const other = await desiredFor(otherId, seriesDeps());
    const [stuck, mate] = await customerPipeline.post(deps, {
      ...input,
      records: [...input.records, { id: otherId, label: otherId, payload: other }],
    });
    assert.equal(stuck?.outcome, 'failed', JSON.stringify(stuck));
    assert.match(stuck?.reason ?? '', /being created by another writer/);
    assert.equal(mate?.outcome, 'created', JSON.stringify(mate));
    assert.equal(partnersByShopifyId(fx, id).length, 0);
    const [o] = await retried(() => customerPipeline.post(deps, input));
    const found = partnersByShopifyId(fx, id);
    assert.equal(found.length, 1);
    assert.equal(o?.targetId, found[0]!.CardCode);
    assert.equal(o?.outcome, 'created', 'the run that created it says so');
  });

  test('series mode: a create whose answer is lost: the retry uses the partner its reservation stands for', async () => {
    const id = gid(fx.shopifySim.createCustomer({ firstName: 'Lost', lastName: 'Series', email: 'lost.series@example.com' }));
    const desired = await desiredFor(id, seriesDeps());
    fx.b1Sim.faults.failNext({ kind: '502', match: /^POST \/b1s\/v1\/BusinessPartners/, when: 'after' });
    const input = { object: 'customer' as const, syncId: 'lost-series', pageIndex: 0, records: [{ id, label: id, payload: desired }] };
    await assert.rejects(customerPipeline.post(seriesDeps(), input));
    const [o] = await customerPipeline.post(seriesDeps(), input);
    assert.equal(partnersByShopifyId(fx, id).length, 1);
    assert.equal(o?.outcome, 'created');
  });

  test('series mode: a partner that commits between the re-check and our create (a POST past its stale reservation): the oldest stays, ours is frozen', async () => {
    const id = gid(fx.shopifySim.createCustomer({ firstName: 'Late', lastName: 'Commit', email: 'late.commit@example.com' }));
    const desired = await desiredFor(id, seriesDeps());
    let late = '';
    const b1 = hooked(fx.deps.b1, {
      beforeCreate: async () => {
        late = String(
          (await fx.deps.b1.createBusinessPartner({ ...(desired as unknown as Parameters<B1Client['createBusinessPartner']>[0]) }))
            .CardCode,
        );
      },
    });
    const [o] = await customerRunPost(seriesDeps(b1), id, desired);
    const found = partnersByShopifyId(fx, id);
    assert.deepEqual(
      found.map((p) => p.CardCode),
      [late],
      'only the older partner carries the customer',
    );
    assert.equal(o?.targetId, late);
    const frozen = partners(fx).filter((p) => String(p.FreeText ?? '').includes(`Duplicate of ${late}`));
    assert.equal(frozen.length, 1);
    assert.equal(frozen[0]!.Frozen, 'tYES');
  });

  for (const variant of ['slow commit past the client timeout', 'response lost after the write'] as const) {
    test(`series mode, ${variant}, committing after a successor created the partner: the next run touching the customer leaves one partner`, async () => {
      const slow = variant.startsWith('slow');
      const c = fx.shopifySim.createCustomer({
        firstName: 'Late',
        lastName: slow ? 'Slow' : 'Lost',
        email: `late.${slow ? 'slow' : 'lost'}@example.com`,
      });
      const id = gid(c);
      const desired = await desiredFor(id, seriesDeps());
      // Writer A: took the reservation, re-checked, and is about to POST; held there until B is done.
      let atCreate!: () => void;
      const aAtCreate = new Promise<void>((r) => (atCreate = r));
      let letGo!: () => void;
      const bDone = new Promise<void>((r) => (letGo = r));
      const impatient = new B1Client({
        baseUrl: fx.config.b1.baseUrl,
        companyDb: fx.config.b1.companyDb,
        userName: fx.config.b1.userName,
        password: DEMO_SECRETS.b1Password,
        timeoutMs: 400,
      });
      const a = customerRunPost(seriesDeps(hooked(impatient, { beforeCreate: async () => (atCreate(), bDone) })), id, desired).then(
        () => 'answered',
        (e: Error) => e.name,
      );
      await aAtCreate;
      const moved = fx.deps.b1.reservations.staleAfterMs + 60_000;
      fx.b1Sim.state.clock.advance(moved); // A's reservation is stale on B1's clock
      try {
        // Writer B takes the stale reservation over and creates the partner.
        const [ob] = await customerRunPost(seriesDeps(), id, desired);
        assert.equal(ob?.outcome, 'created');
        const first = String(ob?.targetId);
        // Only now does A's POST go out, and commit: after its client gave up, or with its answer lost.
        if (slow) fx.b1Sim.faults.failNext({ kind: 'slow', slowMs: 1_200, match: /^POST \/b1s\/v1\/BusinessPartners/ });
        else fx.b1Sim.faults.failNext({ kind: '502', when: 'after', match: /^POST \/b1s\/v1\/BusinessPartners/ });
        letGo();
        assert.equal(await a, 'B1TransientError', 'A never learns its partner was created');
        for (let i = 0; partnersByShopifyId(fx, id).length < 2; i++) {
          assert.ok(i < 500, 'the late create commits');
          await new Promise((r) => setTimeout(r, 10));
        }
        const late = String(partnersByShopifyId(fx, id).find((p) => p.CardCode !== first)!.CardCode);
        let keep = first;
        let outcome: string | undefined;
        if (slow) {
          // Neither has documents: the oldest stays. Settled by the customer run's retry.
          const [o] = await customerRunPost(seriesDeps(), id, desired);
          outcome = o?.targetId;
        } else {
          // B1 already holds a document on the late partner: that one is in use and stays.
          await fx.deps.b1.createOrder({
            CardCode: late,
            DocDueDate: '2026-12-01',
            DocumentLines: [{ ItemCode: 'A00011', Quantity: 1 }],
          } as unknown as Parameters<B1Client['createOrder']>[0]);
          keep = late;
          // Settled by the next order run for this customer (its partner lookup).
          const r = await upsertBusinessPartner(seriesDeps(), desired);
          outcome = r.outcome === 'failed' ? r.reason : r.cardCode;
        }
        const other = keep === first ? late : first;
        assert.deepEqual(
          partnersByShopifyId(fx, id).map((p) => p.CardCode),
          [keep],
          'one partner carries the customer',
        );
        assert.equal(outcome, keep, 'the run uses it');
        const dup = partners(fx).find((p) => p.CardCode === other)!;
        assert.equal(dup.Frozen, 'tYES', 'the copy without documents is frozen');
        assert.match(String(dup.FreeText), new RegExp(`Duplicate of ${keep}`));
        assert.ok(fx.b1Sim.state.get('BusinessPartners', other), 'never deleted');
        // Every later run agrees: nothing to settle, the same partner.
        const again = await upsertBusinessPartner(seriesDeps(), desired);
        assert.equal(again.outcome !== 'failed' && again.cardCode, keep);
      } finally {
        fx.b1Sim.state.clock.advance(-moved);
      }
    });
  }

  async function bothRunsAtOnce(mapping: MappingConfig, name: string): Promise<void> {
    const loc = Object.values(fx.shopifySim.state.data.locations)[0]!;
    const c = fx.shopifySim.createCustomer({
      firstName: 'Noon',
      lastName: name,
      email: `noon.${name}@example.com`,
      addresses: [{ address1: '1 Noon St', city: 'Austin', zip: '73301', countryCode: 'US', provinceCode: 'TX' }],
    });
    const order = fx.shopifySim.createOrder({ customerId: c.id, lines: [{ sku: 'A00001', quantity: 1, locationId: loc.id }] });
    const meet = new Rendezvous(2);
    const b1 = hooked(fx.deps.b1, { beforeCreate: (bp) => (bp.U_ShopifyId === gid(c) ? meet.arrive() : Promise.resolve()) });
    const deps = { ...fx.deps, b1, mapping };
    // Each run's post leaves the rendezvous when it is done (whether it reached the create or not).
    const leaving = (p: Pipeline): Pipeline => ({ ...p, post: (d, i) => p.post(d, i).finally(() => meet.leave()) });
    const worker = await createHubWorker({
      connection: fx.env.nativeConnection,
      taskQueue: fx.taskQueue,
      activities: createSyncActivities({
        deps,
        pipelines: { ...PIPELINES, customer: leaving(PIPELINES.customer), order: leaving(PIPELINES.order) },
      }),
    });
    const running = worker.run();
    try {
      const [cr, or] = await Promise.all([
        fx.runSync('customer', { mode: 'ids', ids: [gid(c)] }),
        fx.runSync('order', { mode: 'ids', ids: [`gid://shopify/Order/${order.id}`] }),
      ]);
      const found = partnersByShopifyId(fx, gid(c));
      assert.equal(found.length, 1, 'one partner');
      assert.equal(cr.result.counts.failed, 0, JSON.stringify(cr.result.counts));
      if (or.result.counts.failed > 0) {
        // Series mode: the order run met the customer run's reservation while it created the
        // partner. Only that order waits (the rest of its page goes on); a later run posts it.
        const log = await runLog(fx, or.workflowId);
        assert.match(log.outcomes.find((o) => o.outcome === 'failed')?.reason ?? '', /being created by another writer/);
        const again = await fx.runSync('order', { mode: 'ids', ids: [`gid://shopify/Order/${order.id}`] });
        assert.equal(again.result.counts.failed, 0, JSON.stringify(again.result.counts));
      }
      const so = salesOrdersByShopifyId(fx, `gid://shopify/Order/${order.id}`);
      assert.equal(so.length, 1);
      assert.equal(so[0]!.CardCode, found[0]!.CardCode, 'the sales order is on that partner');
      assert.equal(gidNumber(String(found[0]!.U_ShopifyId)), c.id);
    } finally {
      worker.shutdown();
      await running;
    }
  }

  test('end to end, prefix mode: a customer run and an order run at once for a new customer with an order: one partner, the order on it', async () => {
    await bothRunsAtOnce(fx.deps.mapping, 'prefix');
  });

  test('end to end, series mode: the same, B1 numbering the partner', async () => {
    await bothRunsAtOnce(seriesMapping(), 'series');
  });
});
