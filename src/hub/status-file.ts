/**
 * data/hub-status.json: what `b1hub up` started and where, so `b1hub status` and scripts can
 * find the endpoints. Written when everything is ready, removed on a clean shutdown; a file
 * left by a killed process is recognised by its dead pid.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface HubStatusFile {
  pid: number;
  startedAt: string;
  readyAt?: string;
  dataDir: string;
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl?: string; codecUrl?: string; dbFile?: string };
  b1: { baseUrl: string; companyDb: string; userName: string; demoPassword?: string };
  shopify: { graphqlUrl: string; shop: string; endpoint: string; apiVersion: string; demoAccessToken?: string };
  initialization?: { state: 'running' | 'done' | 'failed'; detail?: string };
}

/** The checkout's root (this package's package.json), without loading the Temporal testing SDK. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'b1-shopify-hub') return dir;
    } catch {
      // No (or another) package.json here: keep walking up.
    }
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** The data folder: --data-dir, else $B1HUB_DATA_DIR, else <repo>/data (git-ignored). */
export function resolveDataDir(explicit?: string): string {
  const dir = explicit ?? process.env.B1HUB_DATA_DIR;
  return path.resolve(dir && dir !== '' ? dir : path.join(repoRoot(), 'data'));
}

export function statusFilePath(dataDir: string): string {
  return path.join(dataDir, 'hub-status.json');
}

export function writeHubStatus(dataDir: string, status: HubStatusFile): void {
  mkdirSync(dataDir, { recursive: true });
  const file = statusFilePath(dataDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(status, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeHubStatus(dataDir: string): void {
  rmSync(statusFilePath(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The status of a running `b1hub up`, or undefined when none runs on this data folder. */
export function readHubStatus(dataDir: string): HubStatusFile | undefined {
  const file = statusFilePath(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const status = JSON.parse(readFileSync(file, 'utf8')) as HubStatusFile;
    return alive(status.pid) ? status : undefined;
  } catch {
    return undefined;
  }
}
