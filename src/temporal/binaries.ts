/**
 * Where the provisioned Temporal binaries are: scripts/provision.sh records their paths in
 * .cache/temporal-paths.env. Runtime code (`b1hub up` starts the dev server from here) and the
 * test environments (src/testing/temporal-servers.ts) both resolve them through this module.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const PATHS_ENV_FILE = ['.cache', 'temporal-paths.env'] as const;
const CACHED_CLI = ['.cache', 'temporal', 'bin', 'temporal'] as const;
const CACHED_TEST_SERVER = ['.cache', 'temporal-test-server', 'temporal-test-server'] as const;

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
