/**
 * Determinism: histories recorded from real runs (test/histories, refreshed with
 * `RECORD_HISTORIES=1 npm test -- dev-server`) must replay against the current workflow code.
 * A workflow change that would break running schedulers or sync runs fails here first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { hubWorkflowBundle } from '../../src/hub/worker';
import { installQuietRuntime } from '../../src/testing/temporal-servers';
import { hubDataConverter } from '../../src/temporal/data-converter';

const dir = join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('recorded histories exist for the scheduler, sync run and initial load', () => {
  assert.ok(files.includes('scheduler-order.json'));
  assert.ok(files.includes('sync-run-order.json'));
  assert.ok(files.includes('initial-load.json'));
});

for (const file of files) {
  test(`replays ${file}`, async () => {
    installQuietRuntime();
    const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    // Recordings made since payload compression hold binary/zlib payloads; older ones plain JSON.
    await Worker.runReplayHistory({ workflowBundle: await hubWorkflowBundle(), dataConverter: hubDataConverter }, history, file);
  });
}

test('a history that no longer matches the code is caught (the check can fail)', async () => {
  installQuietRuntime();
  const json = JSON.parse(readFileSync(join(dir, 'sync-run-order.json'), 'utf8')) as { events: Array<Record<string, unknown>> };
  // Pretend the recorded run called a different first activity than the code now does.
  const scheduled = json.events.find((e) => e.activityTaskScheduledEventAttributes) as {
    activityTaskScheduledEventAttributes: { activityType: { name: string } };
  };
  scheduled.activityTaskScheduledEventAttributes.activityType.name = 'fetchSomethingElse';
  await assert.rejects(
    Worker.runReplayHistory(
      { workflowBundle: await hubWorkflowBundle(), dataConverter: hubDataConverter },
      historyFromJSON(json),
      'tampered',
    ),
    (err: unknown) => err instanceof DeterminismViolationError,
  );
});
