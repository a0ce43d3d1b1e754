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
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { hubDataConverter } from '../temporal/data-converter';
import { isCI, resolveTemporalCliPath, resolveTestServerPath } from '../temporal/binaries';

// Tests import the binary lookup from here with the test environments.
export { isCI, readProvisionedPaths, repoRoot, resolveTemporalCliPath, resolveTestServerPath } from '../temporal/binaries';

export type TemporalServerKind = 'dev-server' | 'time-skipping';

export interface DevServerEnvOptions {
  /** Registered on the dev server at start (`--search-attribute Name=Type`). */
  searchAttributes?: SearchAttributeKey<SearchAttributeType>[];
  /** Serve the Web UI on this port (off by default). */
  uiPort?: number;
  /** Persist to this SQLite file instead of memory. */
  dbFilename?: string;
}

/** Two attempts: one retry covers a start that lost the CPU to parallel test files. */
const START_ATTEMPTS = 2;

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
