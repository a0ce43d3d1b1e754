import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  createDevServerEnv,
  createTimeSkippingEnv,
  isCI,
  repoRoot,
  resolveTemporalCliPath,
  resolveTestServerPath,
  serverSkipReason,
} from '../../src/testing/temporal-servers';

const HOUR_MS = 3_600_000;

describe('binary resolution', () => {
  let dir: string;
  const saved = { cli: process.env.TEMPORAL_CLI_PATH, server: process.env.TEMPORAL_TEST_SERVER_PATH };

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-servers-test-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const [key, value] of [
      ['TEMPORAL_CLI_PATH', saved.cli],
      ['TEMPORAL_TEST_SERVER_PATH', saved.server],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test('an executable named by the environment variable wins', () => {
    const fake = path.join(dir, 'my-temporal');
    writeFileSync(fake, '#!/bin/sh\nexit 0\n');
    chmodSync(fake, 0o755);
    process.env.TEMPORAL_CLI_PATH = fake;
    process.env.TEMPORAL_TEST_SERVER_PATH = fake;
    assert.equal(resolveTemporalCliPath(), fake);
    assert.equal(resolveTestServerPath(), fake);
  });

  test('a non-executable override is ignored in favour of the provisioned binary', () => {
    const notExecutable = path.join(dir, 'not-executable');
    writeFileSync(notExecutable, 'data');
    chmodSync(notExecutable, 0o644);
    process.env.TEMPORAL_CLI_PATH = notExecutable;
    process.env.TEMPORAL_TEST_SERVER_PATH = path.join(dir, 'does-not-exist');
    assert.notEqual(resolveTemporalCliPath(), notExecutable);
    assert.notEqual(resolveTestServerPath(), path.join(dir, 'does-not-exist'));
  });

  test('in CI both servers are provisioned and never skipped', { skip: !isCI() && 'only meaningful with CI=true' }, () => {
    delete process.env.TEMPORAL_CLI_PATH;
    delete process.env.TEMPORAL_TEST_SERVER_PATH;
    assert.ok(resolveTemporalCliPath(), 'Temporal CLI must be provisioned in CI');
    assert.ok(resolveTestServerPath(), 'Java test server must be provisioned in CI');
    assert.equal(serverSkipReason('dev-server'), false);
    assert.equal(serverSkipReason('time-skipping'), false);
  });
});

// A real workflow, bundled and run by a real Worker. It lives in a temp file (this folder holds only
// *.test.ts files); resolve.modules lets webpack find @temporalio/workflow from there.
const SLEEPER_SOURCE = `
import { sleep } from '@temporalio/workflow';
export async function sleeper(ms: number): Promise<number> {
  const startedAt = Date.now();
  await sleep(ms);
  return Date.now() - startedAt;
}
`;

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;
function sleeperBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundlePromise ??= (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sleeper-workflow-'));
    try {
      const file = path.join(dir, 'sleeper.ts');
      writeFileSync(file, SLEEPER_SOURCE);
      return await bundleWorkflowCode({
        workflowsPath: file,
        logger: new DefaultLogger('WARN'),
        webpackConfigHook: (config) => ({
          ...config,
          resolve: { ...config.resolve, modules: [...(config.resolve?.modules ?? []), path.join(repoRoot(), 'node_modules')] },
        }),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return bundlePromise;
}

async function runSleeper(
  env: TestWorkflowEnvironment,
  ms: number,
  extra: { workflowId: string; typedSearchAttributes?: TypedSearchAttributes },
): Promise<number> {
  const taskQueue = `tq-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await sleeperBundle() });
  return worker.runUntil(env.client.workflow.execute('sleeper', { taskQueue, args: [ms], ...extra }) as Promise<number>);
}

describe('Java time-skipping test server', { skip: serverSkipReason('time-skipping') }, () => {
  let env: TestWorkflowEnvironment;
  let startMs = 0;

  before(async () => {
    const started = Date.now();
    env = await createTimeSkippingEnv();
    startMs = Date.now() - started;
  });
  after(async () => {
    await env?.teardown();
  });

  test('env.sleep skips a day of server time in a few wall-clock seconds', async (t) => {
    t.diagnostic(`time-skipping environment started in ${startMs} ms`);
    assert.equal(env.supportsTimeSkipping, true);
    const wallStart = Date.now();
    const before = await env.currentTimeMs();
    await env.sleep('1 day');
    const after = await env.currentTimeMs();
    assert.ok(after - before >= 24 * HOUR_MS, `server time moved ${after - before} ms, expected at least a day`);
    assert.ok(Date.now() - wallStart < 30_000, 'a skipped day must not take real time');
  });

  test('a workflow timer of a week completes at once, with a week of workflow time elapsed', async () => {
    const week = 7 * 24 * HOUR_MS;
    const wallStart = Date.now();
    const elapsed = await runSleeper(env, week, { workflowId: `ts-sleeper-${randomUUID()}` });
    assert.ok(elapsed >= week, `workflow time moved ${elapsed} ms, expected a week`);
    assert.ok(Date.now() - wallStart < 60_000, 'a skipped week must not take real time');
  });
});

describe('Temporal CLI dev server', { skip: serverSkipReason('dev-server') }, () => {
  let env: TestWorkflowEnvironment;
  let startMs = 0;
  const objectKey = defineSearchAttributeKey('HubObjectType', SearchAttributeType.KEYWORD);

  before(async () => {
    const started = Date.now();
    env = await createDevServerEnv({ searchAttributes: [objectKey] });
    startMs = Date.now() - started;
  });
  after(async () => {
    await env?.teardown();
  });

  test('answers GetSystemInfo and runs in real time', async (t) => {
    t.diagnostic(`dev-server environment started in ${startMs} ms`);
    assert.equal(env.supportsTimeSkipping, false);
    const info = await env.connection.workflowService.getSystemInfo({});
    assert.match(info.serverVersion ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(info.capabilities?.upsertMemo, true);
  });

  test('registers the requested search attributes', async () => {
    const res = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace ?? 'default' });
    assert.equal(res.customAttributes?.HubObjectType, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  });

  test('runs a workflow on a worker and finds it through visibility by the custom search attribute', async () => {
    const workflowId = `dev-sleeper-${randomUUID()}`;
    const wallStart = Date.now();
    const elapsed = await runSleeper(env, 50, {
      workflowId,
      typedSearchAttributes: new TypedSearchAttributes([{ key: objectKey, value: workflowId }]),
    });
    assert.ok(elapsed >= 50 && Date.now() - wallStart >= 50, 'the dev server does not skip time');
    const query = `HubObjectType = "${workflowId}"`;
    let found: { id: string; status: string }[] = [];
    // Visibility is eventually consistent even on the dev server: bounded poll.
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = [];
      for await (const wf of env.client.workflow.list({ query })) found.push({ id: wf.workflowId, status: wf.status.name });
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(found, [{ id: workflowId, status: 'COMPLETED' }]);
  });
});
