/**
 * data/hub-status.json: what `b1hub up` started and where, so `b1hub status` and scripts can
 * find the endpoints. Written when everything is ready, removed on a clean shutdown; a file
 * left by a killed process is recognised by its dead pid.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WebhookEndpoint } from './webhooks';

export interface HubStatusFile {
  pid: number;
  startedAt: string;
  readyAt?: string;
  dataDir: string;
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl?: string; codecUrl?: string; dbFile?: string };
  b1: { baseUrl: string; companyDb: string; userName: string; demoPassword?: string };
  shopify: { graphqlUrl: string; shop: string; endpoint: string; apiVersion: string; demoAccessToken?: string };
  initialization?: { state: 'running' | 'done' | 'failed'; detail?: string };
  /** The webhook receiver beside the worker, when it runs. */
  webhooks?: WebhookEndpoint;
}

/** The checkout's root (this package's package.json), without loading the Temporal testing SDK. */
export function repoRoot(): string {
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

/** True while a process with this pid exists (EPERM: it exists but is not ours). */
export function alive(pid: number): boolean {
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

/**
 * data/hub.pid: the pid of the `b1hub up` that owns this data folder, written before it starts
 * anything and removed when it has stopped everything. hub-status.json appears only once the hub
 * is ready; this file also covers start-up and shutdown, so two `up`s on one folder never share
 * (or stop) each other's dev server. A file whose pid is dead (the hub was killed) is taken over.
 */
export function hubPidFile(dataDir: string): string {
  return path.join(dataDir, 'hub.pid');
}

/** The pid of another live `b1hub up` that owns this data folder, if any. */
export function dataDirOwner(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(hubPidFile(dataDir), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return undefined;
  try {
    // A reused pid of an unrelated process does not own the folder.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('cli/main') || cmdline.includes('b1hub') ? pid : undefined;
  } catch {
    return pid; // no /proc (macOS): trust the pid
  }
}

/** Claims the data folder for this process (see hubPidFile); undefined, or the pid of the live owner. */
export function claimDataDir(dataDir: string): number | undefined {
  mkdirSync(dataDir, { recursive: true });
  const file = hubPidFile(dataDir);
  // An exclusive create: of two `up`s starting in the same instant exactly one gets the folder.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = dataDirOwner(dataDir);
    if (owner !== undefined) return owner;
    // Left by a hub that died: remove it, but only while it still names that dead pid (another
    // `up` may have taken the folder meanwhile), then create ours exclusively.
    let stale: string | undefined;
    try {
      stale = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (stale.trim() === String(process.pid)) return undefined;
    try {
      if (readFileSync(file, 'utf8') === stale) rmSync(file, { force: true });
    } catch {
      // Gone already: the next attempt creates it.
    }
  }
  return dataDirOwner(dataDir) ?? -1;
}

export function releaseDataDir(dataDir: string): void {
  try {
    if (Number(readFileSync(hubPidFile(dataDir), 'utf8').trim()) === process.pid) rmSync(hubPidFile(dataDir), { force: true });
  } catch {
    // Already gone.
  }
}
