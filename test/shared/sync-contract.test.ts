/**
 * The sync id in step inputs. Sync runs recorded before the rename name their sync `runId`;
 * their activities (in-flight runs, retries of their pages) must reach the pipelines with the
 * same `syncId`, or the keys built on it (idempotency keys, a run's memory of its own creates)
 * would change under a page that is retried across the deploy. New runs write both names, so a
 * worker of the previous release still finds its `runId`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { Payload } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSyncActivities } from '../../src/activities/sync-activities';
import { created } from '../../src/mapping/outcome';
import type { FetchPageInput, Pipeline, PipelineDeps, PostPageInput } from '../../src/pipelines/contract';
import { PIPELINES } from '../../src/pipelines/registry';
import { stepOf, withSyncId } from '../../src/shared/sync-contract';
import { decodeHubPayloads } from '../../src/temporal/data-converter';

const STEPS = new Set(['fetchPage', 'mapPage', 'postPage', 'logOutcomes']);

/** The first argument of every step activity scheduled in the recorded sync-run histories. */
async function recordedStepInputs(): Promise<Array<Record<string, unknown>>> {
  const dir = join(__dirname, '..', 'histories');
  const out: Array<Record<string, unknown>> = [];
  for (const file of readdirSync(dir).filter((f) => f.startsWith('sync-run-') && f.endsWith('.json'))) {
    const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    for (const e of history.events ?? []) {
      const a = e.activityTaskScheduledEventAttributes;
      if (!a || !STEPS.has(a.activityType?.name ?? '')) continue;
      const [first] = await decodeHubPayloads((a.input?.payloads ?? []) as Payload[]);
      out.push(JSON.parse(Buffer.from(first!.data!).toString('utf8')) as Record<string, unknown>);
    }
  }
  return out;
}

test('step inputs recorded under the old name read as the same syncId', async () => {
  const inputs = await recordedStepInputs();
  assert.ok(inputs.length > 10, `recorded step inputs found: ${inputs.length}`);
  for (const recorded of inputs) {
    assert.equal(recorded.syncId, undefined, 'these recordings predate the rename');
    const read = withSyncId(recorded as unknown as FetchPageInput);
    assert.equal(read.syncId, recorded.runId);
    assert.match(read.syncId, /^sync:order:/);
  }
});

test('a new step input carries the sync id under both names; the new name wins when both are read', () => {
  const step = stepOf('order', 'sync:order:abc');
  assert.deepEqual(step, { object: 'order', syncId: 'sync:order:abc', runId: 'sync:order:abc' });
  assert.equal(withSyncId({ ...step, runId: 'something-else', mode: 'full', pageIndex: 0 }).syncId, 'sync:order:abc');
  assert.throws(() => withSyncId({ object: 'order', mode: 'full', pageIndex: 0 } as unknown as FetchPageInput), /without syncId/);
});

test('the post step hands a pipeline the syncId of a page scheduled under the old name', async () => {
  const seen: string[] = [];
  const order: Pipeline = {
    ...PIPELINES.order,
    post: async (_d, i) => {
      seen.push(i.syncId);
      return i.records.map((r) => created('order', r.id, `T${r.id}`));
    },
  };
  const activities = createSyncActivities({ deps: {} as PipelineDeps, pipelines: { ...PIPELINES, order } });
  const recorded = {
    object: 'order',
    runId: 'sync:order:cli-1',
    pageIndex: 0,
    records: [{ id: 'A', payload: {} }],
  } as unknown as PostPageInput;
  const outcomes = (await new MockActivityEnvironment().run(() => activities.postPage(recorded))) as unknown[];
  assert.deepEqual(seen, ['sync:order:cli-1']);
  assert.equal(outcomes.length, 1);
});
