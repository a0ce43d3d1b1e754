/**
 * The local Temporal dev server `b1hub up` runs: the provisioned Temporal CLI with its state
 * in a SQLite file under the data folder (workflows and schedules survive restarts) and the
 * hub's search attributes registered at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { HUB_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { resolveTemporalCliPath } from '../testing/temporal-servers';
import { CliError } from '../cli/errors';

export interface DevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  /** Loopback only: the dev server has no authentication. */
  ip?: string;
  /** The codec endpoint the embedded UI decodes payloads through (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
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

/** The pid of a dev server a killed `b1hub up` left behind on this data folder, if it still runs. */
function leftoverServer(pidFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  try {
    // Only our own dev server, not an unrelated process that reused the pid.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev') ? pid : undefined;
  } catch {
    return pid;
  }
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const cli = resolveTemporalCliPath();
  if (!cli) throw new CliError('the Temporal CLI is not provisioned', 'run `npm run provision -- --cli-only` (npm start does this) and retry');
  const pidFile = path.join(opts.dataDir, 'temporal.pid');
  for (const [what, port] of [['Temporal', opts.port], ['Temporal UI', opts.uiPort]] as const) {
    if (await portInUse(port, ip)) {
      const orphan = leftoverServer(pidFile);
      if (orphan !== undefined) {
        throw new CliError(
          `port ${port} (${what}) is in use by a Temporal dev server an earlier \`b1hub up\` left running (pid ${orphan}, it was killed without Ctrl-C)`,
          `stop it with \`kill ${orphan}\` and start again`,
        );
      }
      throw new CliError(
        `port ${port} (${what}) is already in use: another Temporal server or \`b1hub up\` is running`,
        `stop it, or start on other ports with \`b1hub up --temporal-port <n> --ui-port <n>\`; to use an existing Temporal service, pass --config with temporal.address`,
      );
    }
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const dbFile = path.join(opts.dataDir, 'temporal.db');
  const logFile = path.join(opts.dataDir, 'temporal.log');
  const args = ['server', 'start-dev', '--db-filename', dbFile, '--ip', ip, '--port', String(opts.port), '--ui-port', String(opts.uiPort), '--log-level', 'warn'];
  if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  for (const key of HUB_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${key.type === 'INT' ? 'Int' : 'Keyword'}`);
  const log = createWriteStream(logFile, { flags: 'a' });
  // Own process group: a Ctrl-C in the terminal reaches us, and we stop the server in order.
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(opts.port, ip, child, 60_000, logFile);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address: `${ip}:${opts.port}`,
    uiUrl: `http://localhost:${opts.uiPort}`,
    dbFile,
    logFile,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(pidFile, { force: true });
      log.end();
    },
  };
}
