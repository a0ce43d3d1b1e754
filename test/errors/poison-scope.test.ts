/**
 * Which errors the activity layer keeps to one record and which still fail the step: a record's
 * error fails that record, while an outage, throttling or configuration error met on the way
 * (on the whole page, or while re-posting record by record) fails the activity as before, so
 * Temporal retries it or the run stops with its reason. Activity context from the SDK's mock
 * environment; the workflow-level behaviour is proven on the dev server in activity-policy.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSyncActivities } from '../../src/activities/sync-activities';
import { B1LoginRejectedError, B1TransientError } from '../../src/connectors/b1/errors';
import { ShopifyRetriesExhaustedError } from '../../src/connectors/shopify/errors';
import { created, type RecordOutcome } from '../../src/mapping/outcome';
import type { Pipeline, PipelineDeps, PostPageInput } from '../../src/pipelines/contract';
import { PIPELINES } from '../../src/pipelines/registry';

const records = ['A', 'B', 'C'].map((id) => ({ id, label: `#${id}`, payload: { id } }));
const input: PostPageInput = { object: 'order', syncId: 'run-1', pageIndex: 0, records };

/** An order pipeline whose post behaves per record as `fail` says (undefined = created). */
function pipelineWith(fail: (id: string) => Error | undefined, calls: string[][]): typeof PIPELINES {
  const order: Pipeline = {
    ...PIPELINES.order,
    map: async (_d, i) =>
      i.records.map((r) => {
        const e = fail(r.id);
        if (e) throw e;
        return { id: r.id, ok: true as const, payload: r.data };
      }),
    post: async (_d, i): Promise<RecordOutcome[]> => {
      calls.push(i.records.map((r) => r.id));
      return i.records.map((r) => {
        const e = fail(r.id);
        if (e) throw e;
        return created('order', r.id, `T${r.id}`);
      });
    },
  };
  return { ...PIPELINES, order };
}

const run = <T>(
  fail: (id: string) => Error | undefined,
  calls: string[][],
  step: (a: ReturnType<typeof createSyncActivities>) => Promise<T>,
) =>
  new MockActivityEnvironment().run(() =>
    step(createSyncActivities({ deps: {} as PipelineDeps, pipelines: pipelineWith(fail, calls) })),
  ) as Promise<T>;

test('a TypeError on one record fails that record; the page is re-posted record by record', async () => {
  const calls: string[][] = [];
  const out = await run(
    (id) => (id === 'B' ? new TypeError("Cannot read properties of null (reading 'sku')") : undefined),
    calls,
    (a) => a.postPage(input),
  );
  assert.deepEqual(calls, [['A', 'B', 'C'], ['A'], ['B'], ['C']]);
  assert.deepEqual(
    out.map((o) => o.outcome),
    ['created', 'failed', 'created'],
  );
  assert.equal(out[1]!.reason, "order #B: error while posting: TypeError: Cannot read properties of null (reading 'sku')");
});

test('an outage fails the step (retried by Temporal), on the page and during the record-by-record pass', async () => {
  const calls: string[][] = [];
  const outage = new B1TransientError('Service Unavailable', { status: 503 });
  await assert.rejects(
    run(
      () => outage,
      calls,
      (a) => a.postPage(input),
    ),
    (e) => e === outage,
  );
  assert.deepEqual(calls, [['A', 'B', 'C']], 'no record-by-record pass for an outage');

  // A record error first, then throttling past the executor's attempts on the next record.
  const calls2: string[][] = [];
  const throttled = new ShopifyRetriesExhaustedError('orderCreate', 8, 'THROTTLED');
  const fail = (id: string) => (id === 'A' ? new TypeError('bad') : id === 'B' && calls2.length > 1 ? throttled : undefined);
  await assert.rejects(
    run(fail, calls2, (a) => a.postPage(input)),
    (e) => e === throttled,
  );
  assert.deepEqual(calls2, [['A', 'B', 'C'], ['A'], ['B']], 'stopped at the throttled record');
});

test('configuration fails the step at once, non-retryable; in map as in post', async () => {
  const login = new B1LoginRejectedError('manager', 'SBODEMOUS', 'Fail to get DB Credentials from SLD');
  for (const step of ['map', 'post'] as const) {
    const calls: string[][] = [];
    await assert.rejects(
      run<unknown>(
        () => login,
        calls,
        (a) =>
          step === 'map'
            ? a.mapPage({ object: 'order', syncId: 'run-1', records: records.map((r) => ({ id: r.id, data: r.payload })) })
            : a.postPage(input),
      ),
      (e) =>
        e instanceof ApplicationFailure && e.nonRetryable && e.type === 'B1LoginRejectedError' && e.message.startsWith('configuration: '),
    );
  }
});

test('a mapping that throws on one record: that record fails, the others are mapped', async () => {
  const calls: string[][] = [];
  const out = await run(
    (id) => (id === 'C' ? new RangeError('Invalid time value') : undefined),
    calls,
    (a) => a.mapPage({ object: 'order', syncId: 'run-1', records: records.map((r) => ({ id: r.id, label: r.label, data: r.payload })) }),
  );
  assert.deepEqual(
    out.map((m) => m.ok),
    [true, true, false],
  );
  const failedOne = out[2]!;
  assert.ok(!failedOne.ok);
  assert.equal(failedOne.outcome.reason, 'order #C: error while mapping: RangeError: Invalid time value');
});
