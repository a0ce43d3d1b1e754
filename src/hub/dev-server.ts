/**
 * The local Temporal dev server `b1hub up` runs: the provisioned Temporal CLI with its state
 * in a SQLite file under the data folder (workflows and schedules survive restarts) and the
 * hub's search attributes registered at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { HUB_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { repoRoot, resolveTemporalCliPath } from '../temporal/binaries';
import { ensureTemporalCli } from './provision';
import { alive } from './status-file';
import { CliError } from './errors';

export interface DevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  /** Loopback only: the dev server has no authentication. */
  ip?: string;
  /** The codec endpoint the embedded UI decodes payloads through (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** Progress lines (provisioning, a leftover server stopped); default stderr. */
  print?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  dbFile: string;
  logFile: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** True when something already accepts connections on host:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitForPort(port: number, host: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new CliError(`the Temporal dev server exited during start-up (code ${child.exitCode ?? child.signalCode})`, `see ${logFile}`);
    }
    if (await portInUse(port, host)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new CliError(`the Temporal dev server did not listen on ${host}:${port} within ${timeoutMs / 1000} s`, `see ${logFile}`);
}

/**
 * The pid of a dev server an earlier `b1hub up` on this data folder left running (its hub was
 * killed, and its watchdog too or it has not noticed yet), if it still runs.
 */
function leftoverServer(pidFile: string, dbFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  try {
    // Only our own dev server on this data folder, not an unrelated process that reused the pid.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes('start-dev') && cmdline.includes(dbFile) ? pid : undefined;
  } catch {
    return pid; // no /proc (macOS): the pid file is all we have
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Stops the dev server a killed `up` left on this data folder. Only called once this process owns
 * the data folder (startHub's claim): no live hub uses that server any more, so stopping it loses
 * nothing, and it frees the ports and the SQLite file for the server this start brings up.
 */
async function stopLeftoverServer(pidFile: string, dbFile: string, print: (line: string) => void): Promise<void> {
  const pid = leftoverServer(pidFile, dbFile);
  if (pid !== undefined) {
    print(`stopping the Temporal dev server (pid ${pid}) that an earlier \`b1hub up\` on this data folder left running…`);
    process.kill(pid, 'SIGTERM');
    if (!(await waitUntilGone(pid, 10_000))) {
      process.kill(pid, 'SIGKILL');
      await waitUntilGone(pid, 5_000);
    }
  }
  rmSync(pidFile, { force: true });
}

const WATCHDOG = path.join(repoRoot(), 'scripts', 'dev-server-watchdog.sh');

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const progress = opts.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cli = ensureTemporalCli(resolveTemporalCliPath, progress);
  mkdirSync(opts.dataDir, { recursive: true });
  const pidFile = path.join(opts.dataDir, 'temporal.pid');
  const dbFile = path.join(opts.dataDir, 'temporal.db');
  const logFile = path.join(opts.dataDir, 'temporal.log');
  await stopLeftoverServer(pidFile, dbFile, progress);
  for (const [what, port] of [
    ['Temporal', opts.port],
    ['Temporal UI', opts.uiPort],
  ] as const) {
    if (await portInUse(port, ip)) {
      throw new CliError(
        `port ${port} (${what}) is already in use: another Temporal server or \`b1hub up\` is running`,
        `stop it, or start on other ports with \`b1hub up --temporal-port <n> --ui-port <n>\`; to use an existing Temporal service, pass --config with temporal.address`,
      );
    }
  }
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--ip',
    ip,
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--log-level',
    'warn',
  ];
  if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  for (const key of HUB_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${key.type === 'INT' ? 'Int' : 'Keyword'}`);
  // The server writes its log straight to the file: it must not depend on a pipe through this process.
  const logFd = openSync(logFile, 'a');
  // Own process group (detached): a Ctrl-C in the terminal reaches only us, and we stop the worker
  // before the server. The watchdog (scripts/dev-server-watchdog.sh) ends the server when this
  // process is gone without having stopped it; its stdin is the pipe that tells it so.
  let child: ChildProcess;
  try {
    child = spawn('bash', [WATCHDOG, pidFile, cli, ...args], { stdio: ['pipe', logFd, logFd], detached: true });
  } finally {
    closeSync(logFd);
  }
  // Never written to; an error here only means the watchdog is gone (its exit is handled below).
  child.stdin!.on('error', () => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  try {
    await waitForPort(opts.port, ip, child, 60_000, logFile);
  } catch (err) {
    killGroup('SIGKILL');
    throw err;
  }
  return {
    address: `${ip}:${opts.port}`,
    uiUrl: `http://localhost:${opts.uiPort}`,
    dbFile,
    logFile,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // The watchdog stops the server (SIGTERM, 10 s grace, SIGKILL) and exits after it.
        child.kill('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      child.stdin?.destroy();
      rmSync(pidFile, { force: true });
    },
  };
}
