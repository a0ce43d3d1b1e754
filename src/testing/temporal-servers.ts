/**
 * The one place tests (and local tooling) get a Temporal server from.
 *
 * - Binaries come from scripts/provision.sh (run by `npm test` / `npm start`), which records their
 *   paths in .cache/temporal-paths.env. The SDK's own download is only a fallback for machines with
 *   internet access and without the toolchains; CI must never depend on it.
 * - sdk-core gives a freshly spawned server ~5 s to answer. The JVM test server is tuned to start in
 *   well under a second (see scripts/provision-test-server.sh), and a start that still times out
 *   (a machine saturated by parallel test files) is retried once before failing.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { hubDataConverter } from '../temporal/data-converter';

export type TemporalServerKind = 'dev-server' | 'time-skipping';

export interface DevServerEnvOptions {
  /** Registered on the dev server at start (`--search-attribute Name=Type`). */
  searchAttributes?: SearchAttributeKey<SearchAttributeType>[];
  /** Serve the Web UI on this port (off by default). */
  uiPort?: number;
  /** Persist to this SQLite file instead of memory. */
  dbFilename?: string;
}

const PATHS_ENV_FILE = ['.cache', 'temporal-paths.env'] as const;
const CACHED_CLI = ['.cache', 'temporal', 'bin', 'temporal'] as const;
const CACHED_TEST_SERVER = ['.cache', 'temporal-test-server', 'temporal-test-server'] as const;

/** Two attempts: one retry covers a start that lost the CPU to parallel test files. */
const START_ATTEMPTS = 2;

let repoRootCache: string | undefined;

/** The directory holding this project's package.json (works from src/ under tsx and from dist/). */
export function repoRoot(): string {
  if (repoRootCache !== undefined) return repoRootCache;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
        if (parsed.name === 'b1-shopify-hub') {
          repoRootCache = dir;
          return dir;
        }
      } catch {
        // An unreadable package.json belongs to something else; keep walking up.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the b1-shopify-hub package.json above ${__dirname}`);
    dir = parent;
  }
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Parses .cache/temporal-paths.env (KEY=VALUE lines, `#` comments); missing file → empty. */
export function readProvisionedPaths(): Record<string, string> {
  const file = path.join(repoRoot(), ...PATHS_ENV_FILE);
  const out: Record<string, string> = {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    out[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return out;
}

const warnedEnv = new Set<string>();

function resolveBinary(envVar: string, cached: readonly string[]): string | undefined {
  const fromEnv = process.env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isExecutableFile(fromEnv)) return path.resolve(fromEnv);
    if (!warnedEnv.has(envVar)) {
      warnedEnv.add(envVar);
      process.emitWarning(`${envVar}=${fromEnv} is not an executable file; looking for a provisioned binary instead`);
    }
  }
  const fromFile = readProvisionedPaths()[envVar];
  if (fromFile !== undefined && isExecutableFile(fromFile)) return fromFile;
  const inCache = path.join(repoRoot(), ...cached);
  if (isExecutableFile(inCache)) return inCache;
  return undefined;
}

/** Temporal CLI (dev server): $TEMPORAL_CLI_PATH, else .cache/temporal-paths.env, else .cache/temporal/bin. */
export function resolveTemporalCliPath(): string | undefined {
  return resolveBinary('TEMPORAL_CLI_PATH', CACHED_CLI);
}

/** Java time-skipping test server wrapper: $TEMPORAL_TEST_SERVER_PATH, else the env file, else the cache. */
export function resolveTestServerPath(): string | undefined {
  return resolveBinary('TEMPORAL_TEST_SERVER_PATH', CACHED_TEST_SERVER);
}

/** True when running under CI, where a missing server binary is a failure and never a skip. */
export function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * For `test(name, { skip: serverSkipReason('time-skipping') }, …)`: a message when the binary is not
 * provisioned and skipping is allowed (outside CI), else `false`. In CI it is always `false`, so the
 * test runs and fails loudly when the binary is missing.
 */
export function serverSkipReason(kind: TemporalServerKind): string | false {
  if (isCI()) return false;
  const resolved = kind === 'dev-server' ? resolveTemporalCliPath() : resolveTestServerPath();
  if (resolved !== undefined) return false;
  return `${kind === 'dev-server' ? 'Temporal CLI' : 'Java time-skipping test server'} not provisioned; run \`npm run provision\``;
}

let runtimeInstalled = false;

/**
 * Installs the SDK runtime with a WARN-level logger so test output is not flooded with worker INFO
 * lines. Once per process; if something else already created the runtime, that one stays.
 */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Runtime already installed or instantiated (e.g. a Worker created first): keep it.
  }
}

function missingBinaryError(kind: TemporalServerKind): Error {
  const what = kind === 'dev-server' ? 'Temporal CLI (TEMPORAL_CLI_PATH)' : 'Java test server (TEMPORAL_TEST_SERVER_PATH)';
  return new Error(`${what} is not provisioned; in CI the servers must come from scripts/provision.sh, not a download`);
}

function isStartupTimeout(err: unknown): boolean {
  return err instanceof Error && /did not start within/.test(err.message);
}

async function startWithRetry(kind: TemporalServerKind, start: () => Promise<TestWorkflowEnvironment>): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= START_ATTEMPTS || !isStartupTimeout(err)) throw err;
      process.emitWarning(`Temporal ${kind} did not answer within sdk-core's startup window; retrying once`);
    }
  }
}

/** The environments' clients read the hub workers' compressed payloads (src/temporal/zlib-codec.ts). */
const HUB_CLIENT_OPTIONS = { dataConverter: hubDataConverter };

/** A Java time-skipping test server environment (one per test file; time is global to it). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const executable = resolveTestServerPath();
  if (executable === undefined && isCI()) throw missingBinaryError('time-skipping');
  return startWithRetry('time-skipping', () =>
    TestWorkflowEnvironment.createTimeSkipping({
      ...(executable === undefined ? {} : { server: { executable: { type: 'existing-path', path: executable } } }),
      client: HUB_CLIENT_OPTIONS,
    }),
  );
}

/** A Temporal CLI dev server environment (real time, full server: visibility, schedules, UI). */
export async function createDevServerEnv(opts: DevServerEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const executable = resolveTemporalCliPath();
  if (executable === undefined && isCI()) throw missingBinaryError('dev-server');
  return startWithRetry('dev-server', () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        ...(executable === undefined ? {} : { executable: { type: 'existing-path' as const, path: executable } }),
        ...(opts.searchAttributes === undefined ? {} : { searchAttributes: opts.searchAttributes }),
        ...(opts.uiPort === undefined ? {} : { ui: true, uiPort: opts.uiPort }),
        ...(opts.dbFilename === undefined ? {} : { dbFilename: opts.dbFilename }),
      },
      client: HUB_CLIENT_OPTIONS,
    }),
  );
}
