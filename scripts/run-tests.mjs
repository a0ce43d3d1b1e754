#!/usr/bin/env node
// The runner behind `npm test`: every test/**/*.test.ts through node's built-in test runner (via
// tsx), then one closing line `N passed, N failed, N skipped` that CI reads.
//
//   node scripts/run-tests.mjs                 all test files
//   node scripts/run-tests.mjs schedule b1/    only files whose path contains one of the arguments
//   node scripts/run-tests.mjs test/first-run/ the fresh-clone test (.ci/run's first step; not in the whole run)
//
// Environment: TEST_CONCURRENCY (files run at once, default 2 for the 2-core machines),
// TEST_TIMEOUT_MS (per test file and per test, default 300000; 1200000 for test/first-run alone), TEST_RUN_TIMEOUT_MS (whole run,
// default 2700000), TEST_ROOT (where to look for *.test.ts, default test/).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// TEST_ROOT exists for the runner's own tests (fixtures outside test/).
const testRoot = process.env.TEST_ROOT ? path.resolve(process.env.TEST_ROOT) : path.join(repo, 'test');

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`run-tests: ${name}=${raw} is not a positive integer`);
    process.exit(2);
  }
  return n;
}

const concurrency = intFromEnv('TEST_CONCURRENCY', 2);
const runTimeoutMs = intFromEnv('TEST_RUN_TIMEOUT_MS', 2_700_000);

// node 20's --test does not expand globs, so the file list is built here.
function findTestFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      out.push(...findTestFiles(full));
    } else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
      out.push(full);
    }
  }
  return out;
}

// Paths of the provisioned Temporal servers (scripts/provision.sh); explicit environment wins.
function loadProvisionedPaths() {
  const file = path.join(repo, '.cache', 'temporal-paths.env');
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    const key = trimmed.slice(0, eq);
    if (process.env[key] === undefined || process.env[key] === '') process.env[key] = trimmed.slice(eq + 1);
  }
}

// The spec reporter's closing `ℹ pass N` … lines are node's own totals: leaf tests only (suites are
// counted apart), a test file that crashed or timed out counted as a failed/cancelled test.
function parseTotals(output) {
  const totals = {};
  for (const key of ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo']) {
    const matches = [...output.matchAll(new RegExp(`^\\S* ?${key} (\\d+)$`, 'gm'))];
    const last = matches.at(-1);
    if (last === undefined) return undefined;
    totals[key] = Number(last[1]);
  }
  return totals;
}

const filters = process.argv.slice(2);
const relative = (f) => path.relative(repo, f);
// test/first-run/ clones the repository and installs it from scratch: .ci/run runs it as its own
// step before `npm test`, so it runs only when a filter names it (`first-run`).
const ownStep = (f) => relative(f).startsWith(`test${path.sep}first-run${path.sep}`);
const wanted = (f) => filters.some((needle) => relative(f).includes(needle) && (!ownStep(f) || needle.includes('first-run')));
const files = findTestFiles(testRoot)
  .filter((f) => (filters.length === 0 ? !ownStep(f) : wanted(f)))
  .sort();

if (files.length === 0) {
  console.error(`run-tests: no test files under ${relative(testRoot) || '.'}/${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  console.log('0 passed, 0 failed');
  process.exit(1);
}

// The fresh-clone test installs and builds from scratch: minutes before its first assertion.
const perFileTimeoutMs = intFromEnv('TEST_TIMEOUT_MS', files.every(ownStep) ? 1_200_000 : 300_000);

loadProvisionedPaths();

const args = [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  `--test-timeout=${perFileTimeoutMs}`,
  // A file whose tests are done but that leaks a handle (a socket, a timer) would otherwise sit until
  // its timeout. (It also cuts file reporters short, hence the totals are read from stdout.)
  '--test-force-exit',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  ...files.map(relative),
];

console.log(`run-tests: ${files.length} test file(s), concurrency ${concurrency}, timeout ${perFileTimeoutMs / 1000} s per file`);
const startedAt = Date.now();

// Its own process group, so that servers a killed test file left behind (they inherit our stdout)
// are ended with it instead of holding CI's output open.
// NODE_TEST_CONTEXT is set when this runner is itself started from a test: it would make the nested
// runner speak node's internal protocol instead of the spec reporter.
const childEnv = { ...process.env };
delete childEnv.NODE_TEST_CONTEXT;
const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: childEnv });

let outputTail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  outputTail = (outputTail + chunk.toString('utf8')).slice(-65_536);
});

function killGroup(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Group already gone.
  }
}

let timedOut = false;
const watchdog = setTimeout(() => {
  timedOut = true;
  console.error(`run-tests: whole run exceeded ${runTimeoutMs / 1000} s; stopping it`);
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), 5_000).unref();
}, runTimeoutMs);
watchdog.unref();

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killGroup(signal);
    setTimeout(() => killGroup('SIGKILL'), 5_000).unref();
  });
}

let exitStatus;
child.on('exit', (code, signal) => {
  exitStatus = { code, signal };
  clearTimeout(watchdog);
  // Servers left behind by a test file still hold the output pipe; end them so 'close' can come.
  killGroup('SIGKILL');
  setTimeout(finish, 5_000).unref();
});
child.on('close', () => finish());

let finished = false;
function finish() {
  if (finished || exitStatus === undefined) return;
  finished = true;
  const { code, signal } = exitStatus;
  const totals = parseTotals(outputTail);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);

  if (totals === undefined) {
    console.error(`run-tests: the test runner ended (${signal ?? `exit ${code}`}) without a summary`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const passed = totals.pass;
  const failed = totals.fail + totals.cancelled;
  const skipped = totals.skipped + totals.todo;
  let exitCode = 0;
  if (failed > 0) exitCode = 1;
  if (passed === 0) {
    console.error('run-tests: no test passed (zero tests ran?)');
    exitCode = 1;
  }
  if (timedOut || code !== 0 || signal !== null) {
    if (failed === 0) console.error(`run-tests: the test runner ended with ${signal ?? `exit code ${code}`}`);
    exitCode = 1;
  }
  console.log(`run-tests: ${files.length} file(s) in ${seconds} s`);
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exit(exitCode);
}
