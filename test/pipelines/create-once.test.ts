/**
 * The shared exactly-once create (kit/create-once.ts) against the B1 simulator over HTTP, in the
 * interleavings that break a lookup alone: a POST that commits after its client gave up while
 * another attempt runs, a response lost after the write, many writers at once, a holder that died
 * between its reservation and its POST, a refusal, and copies left by an earlier race. Sales
 * orders carrying `U_ShopifyId` stand in for any document kind: the engine only sees find/post.
 * Time is driven by the simulator's fault hooks and its clock, never by luck.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { B1Client, type ReservationTable } from '../../src/connectors/b1';
import { ensureUserTables } from '../../src/connectors/b1';
import { createOnce, type CreateOnceSpec, type CreateOnceTiming } from '../../src/pipelines/kit/create-once';
import { PipelineSetupError } from '../../src/pipelines/kit/errors';
import type { B1Simulator } from '../../src/sim/b1';
import { clientFor, startSim } from '../b1/helpers';
import { received as receivedIn } from './support-shopify-to-b1';

const TABLE: ReservationTable = { name: 'B1H_TEST_DOC', description: 'create-once test' };
const FAST: CreateOnceTiming = { retryDelaysMs: [20, 50], inDoubtRecheckMs: [50, 100] };
type Doc = { DocEntry: number; Cancelled?: string };

describe('create once (reservation, lookup, in doubt, takeover, copies)', () => {
  let sim: B1Simulator;
  let n = 0;
  before(async () => {
    sim = await startSim({ seed: { items: 3, customers: 2 } });
    await ensureUserTables(clientFor(sim.url), [TABLE]);
  });
  after(() => {
    sim.faults.reset();
    return sim.close();
  });

  const key = () => `gid://shopify/OrderTransaction/${1000 + ++n}`;
  const docsFor = (k: string) => [...sim.state.store('Orders').values()].filter((o) => o.U_ShopifyId === k) as unknown as Doc[];

  /** A one-line sales order carrying the key, as a document of any kind would. */
  const orderBody = (k: string, CardCode = 'C00001') => ({
    CardCode,
    DocDueDate: '2026-12-31',
    DocumentLines: [{ ItemCode: 'A00001', Quantity: 1 }],
    U_ShopifyId: k,
  });

  function spec(c: B1Client, k: string, over: Partial<CreateOnceSpec<Doc>> = {}): CreateOnceSpec<Doc> {
    return {
      table: TABLE,
      key: k,
      label: `document for ${k}`,
      find: async () =>
        (await c.listRaw('Orders', { filter: `U_ShopifyId eq '${k}'`, select: ['DocEntry', 'Cancelled'] })) as unknown as Doc[],
      entryOf: (d) => Number(d.DocEntry),
      standing: (d) => d.Cancelled !== 'tYES',
      post: async () => Number((await c.createOrder(orderBody(k))).DocEntry),
      voidCopy: (d) => c.cancelOrder(d.DocEntry),
      ...over,
    };
  }
  const hub = (holder: string, o: { timeoutMs?: number } = {}) =>
    new B1Client({
      baseUrl: sim.url,
      companyDb: 'SBODEMOUS',
      userName: 'manager',
      password: '1234',
      retryBaseDelayMs: 5,
      reservations: { holder },
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });
  const received = (re: RegExp, from: number) => receivedIn(sim.faults.log, re, from);
  const POST_ORDERS = /^POST \/b1s\/v1\/Orders(\?|$)/;

  test('created once, then found by every later call', async () => {
    const c = hub('h1');
    const k = key();
    const first = await createOnce(c.reservations, spec(c, k), FAST);
    assert.equal(first.kind, 'created');
    const again = await createOnce(c.reservations, spec(c, k), FAST);
    assert.deepEqual(again, { kind: 'found', docEntry: (first as { docEntry: number }).docEntry });
    assert.equal(docsFor(k).length, 1);
  });

  test('slow commit: the POST outlives its client while a second writer tries: one document', async () => {
    const k = key();
    const from = sim.faults.log.length;
    sim.faults.failNext({ kind: 'slow', slowMs: 1_500, match: POST_ORDERS });
    const slowClient = hub('slow', { timeoutMs: 300 });
    const a = createOnce(slowClient.reservations, spec(slowClient, k), FAST);
    await received(POST_ORDERS, from);
    const other = hub('other');
    const b = await createOnce(other.reservations, spec(other, k), FAST);
    assert.equal(b.kind, 'in-doubt', 'the key is held and no document is there yet');
    assert.match((b as { message: string }).message, /may still be committing/);
    const ra = await a;
    assert.equal(ra.kind, 'in-doubt', 'the writer whose POST timed out does not post again');
    await new Promise((r) => setTimeout(r, 1_600));
    assert.equal((await createOnce(other.reservations, spec(other, k), FAST)).kind, 'found');
    assert.equal(docsFor(k).length, 1);
  });

  test('a response lost after the write: found on the recheck, reported created, not posted twice', async () => {
    const c = hub('lost');
    const k = key();
    sim.faults.failNext({ kind: 'reset', when: 'after', match: POST_ORDERS });
    const r = await createOnce(c.reservations, spec(c, k), FAST);
    assert.equal(r.kind, 'created');
    assert.equal(docsFor(k).length, 1);
  });

  test('five writers at once: one document, one of them created it', async () => {
    const k = key();
    const writers = [0, 1, 2, 3, 4].map((i) => hub(`w${i}`));
    const results = await Promise.all(writers.map((c) => createOnce(c.reservations, spec(c, k), FAST)));
    assert.equal(docsFor(k).length, 1);
    assert.equal(results.filter((r) => r.kind === 'created').length, 1, JSON.stringify(results));
    assert.ok(results.every((r) => r.kind === 'created' || r.kind === 'found' || r.kind === 'in-doubt'));
  });

  test('a holder that died before its POST: in doubt until stale on B1 clock, then taken over once', async () => {
    const k = key();
    const dead = hub('dead');
    const held = await dead.reservations.reserve(TABLE, k);
    assert.equal(held.mine, true);
    const c = hub('successor');
    assert.equal((await createOnce(c.reservations, spec(c, k), FAST)).kind, 'in-doubt');
    sim.state.clock.advance(c.reservations.staleAfterMs + 60_000);
    try {
      const [x, y] = await Promise.all([
        createOnce(c.reservations, spec(c, k), FAST),
        createOnce(hub('successor-2').reservations, spec(hub('successor-3'), k), FAST),
      ]);
      assert.equal(docsFor(k).length, 1, JSON.stringify([x, y]));
      assert.equal([x, y].filter((r) => r.kind === 'created').length, 1);
    } finally {
      sim.state.clock.advance(-(c.reservations.staleAfterMs + 60_000));
    }
  });

  test('refused by B1: SAP text, the key is given back, a corrected retry creates at once', async () => {
    const c = hub('refused');
    const k = key();
    const bad = await createOnce(
      c.reservations,
      spec(c, k, {
        post: async () => Number((await c.createOrder(orderBody(k, 'NOBODY'))).DocEntry),
      }),
      FAST,
    );
    assert.equal(bad.kind, 'refused');
    assert.match((bad as { message: string }).message, /SAP B1 refused it/);
    assert.equal(await c.reservations.find(TABLE, k), undefined, 'reservation released');
    assert.equal((await createOnce(c.reservations, spec(c, k), FAST)).kind, 'created');
  });

  test('copies left by an earlier race: the oldest stands, younger ones are voided; a refused void is reported', async () => {
    const c = hub('copies');
    const k = key();
    const mk = async () => Number((await c.createOrder(orderBody(k))).DocEntry);
    const [oldest, younger] = [await mk(), await mk()];
    const r = await createOnce(c.reservations, spec(c, k), FAST);
    assert.deepEqual(r, { kind: 'found', docEntry: oldest });
    assert.equal(docsFor(k).find((d) => d.DocEntry === younger)?.Cancelled, 'tYES');
    await mk();
    const refusing = await createOnce(c.reservations, spec(c, k, { voidCopy: () => c.cancelOrder(999_999) }), FAST);
    assert.equal(refusing.kind, 'duplicates');
    assert.match((refusing as { message: string }).message, /refused to cancel the younger ones/);
  });

  test('a missing reservation table stops the run with the fix named, before anything is posted', async () => {
    const c = hub('setup');
    const k = key();
    await assert.rejects(
      createOnce(c.reservations, spec(c, k, { table: { name: 'B1H_NO_SUCH', description: '' } }), FAST),
      (e: unknown) => e instanceof PipelineSetupError && /init --fix/.test(e.message),
    );
    assert.equal(docsFor(k).length, 0);
  });
});
