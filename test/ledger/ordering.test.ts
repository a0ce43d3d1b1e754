/**
 * The ledger keeps, per record, the outcome of the newest attempt, whatever order the pages'
 * signals arrive in (dev server, the real ledger workflow, the real log-step activity in a mock
 * activity context whose scheduled time is the attempt's server time).
 *
 * Each case sends two pages for one record: an older attempt (T1) and a newer one (T2 > T1),
 * once in order and once with the older page arriving last (its log step was retried after the
 * newer run had already reported). Only the newer outcome may stand.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createLedgerActivities } from '../../src/activities/ledger-activities';
import { createDevServerEnv, serverSkipReason } from '../../src/testing/temporal-servers';
import { HUB_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { createHubWorker } from '../../src/hub/worker';
import { ledgerSummaryQuery, ledgerWorkflowId, openErrorsQuery, recordOutcomesSignal } from '../../src/workflows/ledger-messages';
import { LedgerState, RECENT_OK_KEPT, type LedgerOutcome, type RecordOutcomesRequest } from '../../src/workflows/ledger-state';
import type { RecordOutcome } from '../../src/mapping/outcome';

const T0 = Date.parse('2026-12-01T08:00:00Z');
const T1 = T0 + 60_000;
const T2 = T0 + 120_000;

describe('ledger: the newest attempt wins (dev server)', { skip: serverSkipReason('dev-server') }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `ledger-order-${randomUUID()}`;

  before(async () => {
    env = await createDevServerEnv({ searchAttributes: HUB_SEARCH_ATTRIBUTES });
    worker = await createHubWorker({ connection: env.nativeConnection, taskQueue, activities: {} });
    running = worker.run();
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const handle = () => env.client.workflow.getHandle(ledgerWorkflowId('order'));

  /** One page's log step of run `run`, scheduled (server time) at `at`. */
  async function logPage(run: string, at: number, outcome: RecordOutcome): Promise<void> {
    const ledger = createLedgerActivities({ client: env.client, taskQueue });
    const ctx = new MockActivityEnvironment({
      scheduledTimestampMs: at,
      currentAttemptScheduledTimestampMs: at,
      taskQueue,
      workflowExecution: { workflowId: run, runId: randomUUID() },
    });
    await ctx.run(ledger.recordInLedger, { object: 'order' as const, syncId: run, pageIndex: 0, outcomes: [outcome] });
  }
  const failed = (id: string, reason: string): RecordOutcome => ({ object: 'order', sourceId: id, outcome: 'failed', reason });
  const created = (id: string): RecordOutcome => ({ object: 'order', sourceId: id, outcome: 'created' });

  /** The ledger's view once it has applied every signal sent so far (queries see applied signals). */
  async function openEntry(id: string) {
    return (await handle().query(openErrorsQuery, { limit: 1000 })).entries.find((e) => e.sourceId === id);
  }
  const newId = () => `gid://shopify/Order/${Math.floor(Math.random() * 1e12)}`;

  test('older failure, newer success, arriving in order: resolved', async () => {
    const x = newId();
    await logPage('sync:order:A', T1, failed(x, 'SKU missing'));
    assert.ok(await openEntry(x));
    await logPage('sync:order:B', T2, created(x));
    assert.equal(await openEntry(x), undefined);
  });

  test('older failure arriving after a newer success: stays resolved (never opened)', async () => {
    const x = newId();
    await logPage('sync:order:B', T2, created(x));
    await logPage('sync:order:A', T1, failed(x, 'SKU missing'));
    assert.equal(await openEntry(x), undefined, 'a stale failure reopened a record a newer attempt created');
  });

  test('older failure arriving after a newer success that resolved an open error: stays resolved', async () => {
    const x = newId();
    await logPage('sync:order:R0', T0, failed(x, 'first failure'));
    await logPage('sync:order:B', T2, created(x));
    await logPage('sync:order:A', T1, failed(x, 'SKU missing'));
    assert.equal(await openEntry(x), undefined);
    const summary = await handle().query(ledgerSummaryQuery, { resolved: 50 });
    assert.deepEqual(summary.recentlyResolved.find((r) => r.sourceId === x)?.resolution, {
      how: 'succeeded',
      run: 'sync:order:B',
      outcome: 'created',
    });
  });

  test('older success, newer failure, arriving in order: open with the newer reason', async () => {
    const x = newId();
    await logPage('sync:order:R0', T0, failed(x, 'first failure'));
    await logPage('sync:order:A', T1, created(x));
    await logPage('sync:order:B', T2, failed(x, 'price list missing'));
    const e = await openEntry(x);
    assert.equal(e?.reason, 'price list missing');
    assert.equal(e?.lastRun, 'sync:order:B');
  });

  test('older success arriving after a newer failure: stays open with the newer failure', async () => {
    const x = newId();
    await logPage('sync:order:R0', T0, failed(x, 'first failure'));
    await logPage('sync:order:B', T2, failed(x, 'price list missing'));
    await logPage('sync:order:A', T1, created(x));
    const e = await openEntry(x);
    assert.ok(e, 'a stale success resolved a record a newer attempt failed');
    assert.equal(e.reason, 'price list missing');
    assert.equal(e.lastRun, 'sync:order:B');
  });

  test('an older failure arriving after a newer failure does not replace its reason', async () => {
    const x = newId();
    await logPage('sync:order:B', T2, failed(x, 'newer reason'));
    await logPage('sync:order:A', T1, failed(x, 'older reason'));
    const e = await openEntry(x);
    assert.equal(e?.reason, 'newer reason');
    assert.equal(e?.lastRun, 'sync:order:B');
  });

  test('pages without an attempt time (recorded before it existed) apply in arrival order, as before', async () => {
    const x = newId();
    await handle().signal(recordOutcomesSignal, { runId: 'sync:order:B', pageIndex: 0, outcomes: [{ sourceId: x, outcome: 'created' }] });
    await handle().signal(recordOutcomesSignal, {
      runId: 'sync:order:A',
      pageIndex: 0,
      outcomes: [{ sourceId: x, outcome: 'failed', reason: 'late' }],
    });
    assert.equal((await openEntry(x))?.reason, 'late');
  });
});

describe('ledger: attempt times survive continue-as-new', () => {
  const page = (runId: string, at: number | undefined, outcomes: LedgerOutcome[]): RecordOutcomesRequest => ({
    runId,
    pageIndex: 0,
    ...(at ? { attemptAtMs: at } : {}),
    outcomes,
  });

  test('an open error keeps its attempt time and a success its memory through carry()', () => {
    const s = new LedgerState();
    s.record(
      page('B', T2, [
        { sourceId: 'open-1', outcome: 'failed', reason: 'newer' },
        { sourceId: 'ok-1', outcome: 'created' },
      ]),
      T2,
    );
    const back = LedgerState.from(JSON.parse(JSON.stringify(s.carry())));
    back.record(
      page('A', T1, [
        { sourceId: 'open-1', outcome: 'created' },
        { sourceId: 'ok-1', outcome: 'failed', reason: 'older' },
      ]),
      T2 + 1,
    );
    assert.equal(back.has('open-1'), true, 'stale success after continue-as-new');
    assert.equal(back.has('ok-1'), false, 'stale failure after continue-as-new');
  });

  test('a state carried before attempt times existed applies in arrival order', () => {
    const s = new LedgerState();
    s.record(page('B', undefined, [{ sourceId: 'x', outcome: 'failed', reason: 'r' }]), T2);
    const carried = s.carry();
    assert.equal(carried.attemptAt, undefined);
    assert.equal(carried.okIds, undefined);
    const back = LedgerState.from(carried);
    back.record(page('A', T1, [{ sourceId: 'x', outcome: 'created' }]), T2 + 1);
    assert.equal(back.has('x'), false);
  });

  test(`successes beyond ${RECENT_OK_KEPT} are forgotten oldest first: a late failure then opens (one more retry, nothing lost)`, () => {
    const s = new LedgerState();
    s.record(
      page(
        'B',
        T2,
        Array.from({ length: RECENT_OK_KEPT + 1 }, (_, i) => ({ sourceId: `r${i}`, outcome: 'created' as const })),
      ),
      T2,
    );
    s.record(
      page('A', T1, [
        { sourceId: 'r0', outcome: 'failed', reason: 'old' },
        { sourceId: 'r1', outcome: 'failed', reason: 'old' },
      ]),
      T2,
    );
    assert.equal(s.has('r0'), true, 'forgotten: opened');
    assert.equal(s.has('r1'), false, 'remembered: stale failure ignored');
  });
});
