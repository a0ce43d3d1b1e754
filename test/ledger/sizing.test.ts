/**
 * A bad day: 50,000 open errors in one object. The ledger's carried state (its continue-as-new
 * input) is measured as stored, through the hub's data converter (zlib codec), and a real ledger
 * workflow on the dev server continues as new with it, answers paged queries and stays bounded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createDevServerEnv, serverSkipReason } from '../../src/testing/temporal-servers';
import { HUB_SEARCH_ATTRIBUTES, OpenErrorsKey } from '../../src/shared/search-attributes';
import { encodeHubPayloads } from '../../src/temporal/data-converter';
import { createHubWorker } from '../../src/hub/worker';
import { ledgerWorkflow } from '../../src/workflows/ledger';
import { dueErrorsQuery, ledgerSummaryQuery, openErrorsQuery, recordOutcomesSignal } from '../../src/workflows/ledger-messages';
import { DEFAULT_BACKOFF, LEDGER_PAGE_MAX, LedgerState, type LedgerOutcome } from '../../src/workflows/ledger-state';

const OPEN = 50_000;
const HOUR = 3_600_000;
/** Temporal refuses payloads over 2 MB; "far from it" here means under a quarter. */
const BUDGET_BYTES = 512 * 1024;

/** Deterministic pseudo-random numbers: the same bad day every time. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 50,000 failed orders as real runs report them: a page of 25 per signal, over three days of runs. */
function badDay(): { state: LedgerState; now: number } {
  const rnd = rng(11);
  const state = new LedgerState();
  const start = Date.parse('2026-11-29T00:00:00Z');
  let n = 0;
  let run = 0;
  let at = start;
  while (n < OPEN) {
    run++;
    at += 15 * 60_000;
    const runId = `sync:order:${new Date(at).toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z')}-${run}`;
    for (let page = 0; page < 20 && n < OPEN; page++) {
      const outcomes: LedgerOutcome[] = [];
      for (let i = 0; i < 25 && n < OPEN; i++, n++) {
        const line = 1 + Math.floor(rnd() * 4);
        const sku = `SKU-${Math.floor(rnd() * 1e6)
          .toString(36)
          .toUpperCase()}`;
        const kind = rnd();
        outcomes.push({
          sourceId: `gid://shopify/Order/${5_400_000_000 + n * 17 + Math.floor(rnd() * 17)}`,
          outcome: 'failed',
          label: `#${100_000 + n}`,
          ...(kind < 0.7
            ? { reason: `order #${100_000 + n}: line ${line} SKU '${sku}' has no B1 item`, field: `lineItems[${line - 1}].sku` }
            : kind < 0.9
              ? {
                  reason: `order #${100_000 + n}: customer ${Math.floor(rnd() * 1e9)} cannot be created in B1: email 'x${n}@@example' must contain exactly one '@' with a local part`,
                  field: 'customer.defaultEmailAddress.emailAddress',
                }
              : {
                  reason:
                    `order #${100_000 + n}: Service Layer rejected the document: [OITM.ItemCode] Item '${sku}' is inactive (ODBC -10)`.repeat(
                      3,
                    ),
                  field: 'lineItems',
                }),
        });
      }
      state.record({ runId, pageIndex: page, outcomes }, at);
    }
  }
  // Some of them failed again in later runs (attempts > 1, lastSeen later).
  const again = state.due(at + 2 * HOUR, DEFAULT_BACKOFF, 5_000);
  for (let i = 0; i < again.length; i += 25) {
    state.record(
      {
        runId: `sync:order:retry-${i}`,
        pageIndex: -1,
        outcomes: again.slice(i, i + 25).map((sourceId) => ({ sourceId, outcome: 'failed' as const, reason: 'still failing' })),
      },
      at + 2 * HOUR,
    );
  }
  return { state, now: at + 2 * HOUR };
}

async function storedBytes(value: unknown): Promise<number> {
  const [p] = await encodeHubPayloads([defaultPayloadConverter.toPayload(value)]);
  return p!.data!.length + Object.values(p!.metadata ?? {}).reduce((n, v) => n + v.length, 0);
}

describe('open-error ledger sized for a bad day', () => {
  const { state, now } = badDay();

  test(`the carried state of ${OPEN.toLocaleString('en')} open errors stays far below the 2 MB payload limit`, async () => {
    assert.equal(state.openCount, OPEN);
    const carried = state.carry();
    const raw = Buffer.byteLength(JSON.stringify(carried));
    const stored = await storedBytes({ object: 'order', state: carried });
    console.log(
      `ledger: ${OPEN} open errors carried as ${raw} B JSON, ${stored} B stored (${(stored / OPEN).toFixed(1)} B per open error)`,
    );
    assert.ok(stored < BUDGET_BYTES, `stored ${stored} B`);

    // Nothing lost on the way through continue-as-new.
    const back = LedgerState.from(JSON.parse(JSON.stringify(carried)));
    assert.equal(back.openCount, OPEN);
    assert.deepEqual(back.page(12_345, 50), state.page(12_345, 50));
    assert.deepEqual(back.due(now, DEFAULT_BACKOFF, 500), state.due(now, DEFAULT_BACKOFF, 500));
  });

  test('queries are paged and retries bounded per run', async () => {
    const page = state.page(0, 1_000_000);
    assert.equal(page.entries.length, LEDGER_PAGE_MAX);
    assert.equal(page.total, OPEN);
    assert.ok((await storedBytes(page)) < 256 * 1024, 'one page of open errors stays under the payload warning');
    const due = state.due(now, DEFAULT_BACKOFF, DEFAULT_BACKOFF.maxPerRun);
    assert.equal(due.length, DEFAULT_BACKOFF.maxPerRun);
    // Least recently tried first: the retried ones (tried two hours later) come last.
    const lastSeen = new Map(state.page(0, LEDGER_PAGE_MAX).entries.map((e) => [e.sourceId, e.lastSeen]));
    assert.ok(due.slice(0, 10).every((id) => !lastSeen.has(id) || Date.parse(lastSeen.get(id)!) < now));
  });
});

describe('a ledger workflow with 50,000 open errors (dev server)', { skip: serverSkipReason('dev-server') }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `ledger-${randomUUID()}`;

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

  test('continues as new with its state, answers paged queries, counts in the OpenErrors search attribute', async () => {
    const { state } = badDay();
    const handle = await env.client.workflow.start(ledgerWorkflow, {
      taskQueue,
      workflowId: `ledger:test-${randomUUID()}`,
      args: [{ object: 'order', state: state.carry(), continueAsNewAfterEvents: 10 }],
    });
    const firstRun = (await handle.describe()).runId;
    // A few pages from a run: one resolves an open error, the others add new ones; enough events to continue as new.
    const someOpen = state.page(0, 1).entries[0]!.sourceId;
    await handle.signal(recordOutcomesSignal, {
      runId: 'sync:order:now',
      pageIndex: 0,
      outcomes: [{ sourceId: someOpen, outcome: 'created' }],
    });
    for (let p = 1; p <= 4; p++) {
      await handle.signal(recordOutcomesSignal, {
        runId: 'sync:order:now',
        pageIndex: p,
        outcomes: [{ sourceId: `gid://shopify/Order/new-${p}`, outcome: 'failed', reason: 'SKU missing' }],
      });
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const d = await handle.describe();
      if (d.runId !== firstRun && d.historyLength > 2) break;
      if (Date.now() > deadline) throw new Error('the ledger did not continue as new');
      await new Promise((r) => setTimeout(r, 200));
    }
    const summary = await handle.query(ledgerSummaryQuery, {});
    assert.equal(summary.open, OPEN - 1 + 4);
    assert.equal(summary.recentlyResolved[0]!.sourceId, someOpen);
    const tail = await handle.query(openErrorsQuery, { offset: OPEN - 10, limit: 5_000 });
    assert.equal(tail.total, OPEN + 3);
    assert.equal(tail.entries.length, 13);
    const due = await handle.query(dueErrorsQuery, { nowMs: Date.now(), limit: 500 });
    assert.equal(due.length, 500);
    for (let i = 0; ; i++) {
      const d = await handle.describe();
      if (d.typedSearchAttributes.get(OpenErrorsKey) === OPEN + 3) break;
      if (i > 100) throw new Error(`OpenErrors = ${d.typedSearchAttributes.get(OpenErrorsKey)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The continue-as-new input as stored in history: the whole carried state in one payload.
    const history = await env.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const bytes = started.input!.payloads!.reduce((n, p) => n + (p.data?.length ?? 0), 0);
    console.log(`ledger continue-as-new input with ${OPEN + 3} open errors: ${bytes} B in history`);
    assert.ok(bytes < BUDGET_BYTES);
    await handle.terminate('test done');
  });
});
