import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/testing/temporal-servers';

// The runner's closing line is what CI reads to know that tests ran; these run it on fixture files.

interface RunResult {
  status: number | null;
  lastLine: string;
  stdout: string;
}

function runRunner(testRoot: string, args: string[] = []): RunResult {
  const res = spawnSync(process.execPath, [path.join(repoRoot(), 'scripts', 'run-tests.mjs'), ...args], {
    cwd: repoRoot(),
    env: { ...process.env, TEST_ROOT: testRoot, TEST_TIMEOUT_MS: '20000' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = res.stdout.trim().split('\n');
  return { status: res.status, lastLine: lines.at(-1) ?? '', stdout: res.stdout };
}

describe('scripts/run-tests.mjs', () => {
  let root: string;

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'run-tests-fixtures-'));
    mkdirSync(path.join(root, 'mixed', 'nested'), { recursive: true });
    mkdirSync(path.join(root, 'green'));
    mkdirSync(path.join(root, 'empty'));
    writeFileSync(
      path.join(root, 'mixed', 'nested', 'mixed.test.ts'),
      `import { test } from 'node:test';
import assert from 'node:assert/strict';
test('passes', () => { const n: number = 1; assert.equal(n, 1); });
test('fails', () => { assert.equal(1, 2); });
test('skipped', { skip: 'fixture' }, () => {});
`,
    );
    writeFileSync(path.join(root, 'mixed', 'crashes.test.ts'), `throw new Error('fixture crashes at import');\n`);
    writeFileSync(path.join(root, 'mixed', 'not-a-test.ts'), `throw new Error('must not be run');\n`);
    writeFileSync(
      path.join(root, 'green', 'green.test.ts'),
      `import { test } from 'node:test';
test('one', () => {});
test('two', async () => { await new Promise((r) => setTimeout(r, 5)); });
// A leaked handle must not hold the run until the timeout.
setInterval(() => {}, 1000);
`,
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('counts passes, failures (a crashing file included) and skips, recursively, and exits non-zero', () => {
    const res = runRunner(path.join(root, 'mixed'));
    assert.equal(res.lastLine, '1 passed, 2 failed, 1 skipped');
    assert.equal(res.status, 1);
    assert.doesNotMatch(res.stdout, /must not be run/);
  });

  test('an all-green run exits 0 without waiting for leaked handles', () => {
    const started = Date.now();
    const res = runRunner(path.join(root, 'green'));
    assert.equal(res.lastLine, '2 passed, 0 failed');
    assert.equal(res.status, 0);
    assert.ok(Date.now() - started < 20_000, 'the leaked interval must not keep the file alive until its timeout');
  });

  test('zero test files is a failure, not a green run', () => {
    const res = runRunner(path.join(root, 'empty'));
    assert.equal(res.lastLine, '0 passed, 0 failed');
    assert.equal(res.status, 1);
  });

  test('arguments filter files by path substring', () => {
    const res = runRunner(root, ['green']);
    assert.equal(res.lastLine, '2 passed, 0 failed');
    assert.equal(res.status, 0);
  });
});
