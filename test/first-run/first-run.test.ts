/**
 * The README's first command, the way a newcomer runs it: a fresh `git clone` of the committed HEAD
 * in a temporary folder (no node_modules, no .cache, no data), `npm start` through npm with its
 * output piped into tee, the banner, `npx b1hub sync order --wait` from a second "terminal", then
 * the terminal's signals to the whole foreground process group. After each stop no process of the
 * tree (npm, sh, tsx, the hub, tee, the dev server's watchdog and the dev server) may be left and
 * every port must be free.
 *
 * It shares only what a developer's machine shares between clones: the npm cache and the Go build
 * cache (so `npm ci` and the Temporal CLI's `go install` are quick). Nothing `npm test` provisions
 * is visible to the clone: .ci/run runs this file on its own, before `npm test`, so a provisioning
 * step missing from `prestart` fails CI. `npm test` leaves this folder out (scripts/run-tests.mjs);
 * run it with `node scripts/run-tests.mjs test/first-run/`.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { portInUse } from '../../src/hub/dev-server';
import { isCI } from '../../src/testing/temporal-servers';
import { freePorts, until } from '../cli/cli-helpers';

const REPO = path.resolve(__dirname, '..', '..');

function onPath(cmd: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
// In CI nothing is skipped: a machine that cannot build the Temporal CLI fails here.
const skip = !isCI() && !onPath('go') && !onPath('temporal') && 'needs Go (or temporal on PATH) to provision the Temporal CLI in the clone';

/** The environment of a newcomer's shell: nothing this test runner or an outer npm run set. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|TEMPORAL_|B1HUB_)/i.test(k) || ['NODE_TEST_CONTEXT', 'NODE_OPTIONS', 'INIT_CWD'].includes(k)) continue;
    env[k] = v;
  }
  return env;
}

/** A process as /proc knows it: the start time tells a reused pid apart. */
interface Proc {
  pid: number;
  start: string;
  cmd: string;
}

function procStat(pid: number): { ppid: number; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces and parentheses).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), start: rest[19]! };
  } catch {
    return undefined;
  }
}

/** The process and all its descendants, now. */
function processTree(root: number): Proc[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = procStat(pid);
    if (!st) continue;
    children.set(st.ppid, [...(children.get(st.ppid) ?? []), pid]);
  }
  const out: Proc[] = [];
  const walk = (pid: number) => {
    const st = procStat(pid);
    if (!st) return;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 160);
    } catch {
      // Gone meanwhile.
    }
    out.push({ pid, start: st.start, cmd });
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

function stillRunning(procs: Proc[]): Proc[] {
  return procs.filter((p) => procStat(p.pid)?.start === p.start);
}

interface Terminal {
  /** The shell running the pipeline: its pid is the process group the terminal signals. */
  shell: ChildProcess;
  log: string;
  output: () => string;
  exited: Promise<void>;
}

describe('first run from a fresh clone: npm start, the walkthrough, every way to stop it', { skip }, () => {
  let tmp: string;
  let clone: string;
  let ports: { temporal: number; ui: number; codec: number; b1: number; shopify: number };
  const seen: Proc[] = [];
  const terminals: Terminal[] = [];
  const sentinels: ChildProcess[] = [];
  const env = userEnv();

  /** `npm start -- <free ports> 2>&1 | tee <log>` in its own session, as a terminal runs a foreground job. */
  function npmStart(name: string): Terminal {
    const log = path.join(tmp, `${name}.log`);
    const args = [
      '--temporal-port',
      ports.temporal,
      '--ui-port',
      ports.ui,
      '--codec-port',
      ports.codec,
      '--b1-port',
      ports.b1,
      '--shopify-port',
      ports.shopify,
    ].join(' ');
    const shell = spawn('bash', ['-c', `npm start -- ${args} 2>&1 | tee '${log}'`], {
      cwd: clone,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    // tee's copy: read so that tee never blocks; the test reads the log file tee writes.
    shell.stdout!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
    shell.stderr!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
    const exited = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
    // The pipeline runs in its own session, out of reach of the runner that ends a timed-out test
    // file. This sentinel reads a pipe from us and kills the pipeline's group when we are gone
    // (after() closes the pipe too); the dev server's watchdog then ends the server.
    const sentinel = spawn('bash', ['-c', `read -r _; kill -KILL -- -${shell.pid} 2>/dev/null; true`], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    sentinel.unref();
    (sentinel.stdin as unknown as { unref?: () => void }).unref?.();
    sentinels.push(sentinel);
    const t = { shell, log, output: () => (existsSync(log) ? readFileSync(log, 'utf8') : out), exited };
    terminals.push(t);
    return t;
  }

  async function banner(t: Terminal, timeoutMs: number): Promise<void> {
    await until(
      'the banner of npm start',
      () => {
        const text = t.output();
        if (text.includes('Ctrl-C stops everything.')) return true;
        if (t.shell.exitCode !== null) throw new Error(`npm start ended before its banner:\n${text}`);
        return undefined;
      },
      timeoutMs,
      500,
    );
  }

  /** A command typed in a second terminal of the clone. */
  function inClone(cmd: string, args: string[], timeoutMs = 120_000): { code: number | null; out: string } {
    const r = spawnSync(cmd, args, { cwd: clone, env, encoding: 'utf8', timeout: timeoutMs });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  function snapshot(t: Terminal): Proc[] {
    const tree = processTree(t.shell.pid!);
    seen.push(...tree);
    return tree;
  }

  async function assertAllGone(tree: Proc[], t: Terminal, what: string): Promise<void> {
    try {
      await until(`${what}: every process of the tree gone`, () => (stillRunning(tree).length === 0 ? true : undefined), 45_000, 250);
    } catch {
      assert.fail(
        `${what}: still running:\n${stillRunning(tree)
          .map((p) => `  ${p.pid} ${p.cmd}`)
          .join('\n')}\n--- output ---\n${t.output()}`,
      );
    }
    for (const [name, port] of Object.entries(ports)) assert.equal(await portInUse(port), false, `${what}: port ${port} (${name}) is free`);
  }

  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'b1hub-first-run-'));
    clone = path.join(tmp, 'b1-shopify-hub');
    const head = execFileSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    execFileSync('git', ['clone', '--quiet', '--no-checkout', REPO, clone]);
    execFileSync('git', ['-C', clone, 'checkout', '--quiet', '--detach', head]);
    assert.equal(existsSync(path.join(clone, 'node_modules')), false);
    assert.equal(existsSync(path.join(clone, '.cache')), false);
  });

  before(async () => {
    const [temporal, ui, codec, b1, shopify] = await freePorts(5);
    ports = { temporal: temporal!, ui: ui!, codec: codec!, b1: b1!, shopify: shopify! };
  });

  after(async () => {
    for (const s of sentinels) s.stdin?.end();
    for (const t of terminals) {
      try {
        process.kill(-t.shell.pid!, 'SIGKILL');
      } catch {
        // Group gone.
      }
    }
    for (const p of stillRunning(seen)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test(
    'npm start on the fresh clone provisions, comes up, syncs an order; Ctrl-C with the output piped stops everything',
    { timeout: 900_000 },
    async () => {
      const t = npmStart('1-sigint-piped');
      // npm ci, the Temporal CLI build and the Shopify schema: minutes on a machine without caches.
      await banner(t, 840_000);
      const sync = inClone('npx', ['b1hub', 'sync', 'order', '--wait']);
      assert.equal(sync.code, 0, `npx b1hub sync order --wait:\n${sync.out}\n--- npm start ---\n${t.output()}`);
      assert.match(sync.out, /order: done/);

      const tree = snapshot(t);
      assert.ok(
        tree.some((p) => p.cmd.includes('start-dev')),
        `the dev server is part of the tree:\n${tree.map((p) => p.cmd).join('\n')}`,
      );
      process.kill(-t.shell.pid!, 'SIGINT');
      await assertAllGone(tree, t, 'SIGINT, output piped');
      assert.equal(existsSync(path.join(clone, 'data', 'hub-status.json')), false, 'the hub ran its own shutdown (status file removed)');
    },
  );

  test('SIGHUP (the terminal closed) stops everything', { timeout: 180_000 }, async () => {
    const t = npmStart('2-sighup');
    await banner(t, 120_000);
    assert.match(t.output(), /Data reused from the previous start/);
    const tree = snapshot(t);
    process.kill(-t.shell.pid!, 'SIGHUP');
    await assertAllGone(tree, t, 'SIGHUP');
    assert.equal(existsSync(path.join(clone, 'data', 'hub-status.json')), false, 'the hub ran its own shutdown (status file removed)');
  });

  test(
    'the hub SIGKILLed: its dev server does not outlive it; with its watchdog killed too, the next npm start stops the leftover server; each next start comes up',
    { timeout: 400_000 },
    async () => {
      const hubAndServer = () => ({
        hub: (JSON.parse(readFileSync(path.join(clone, 'data', 'hub-status.json'), 'utf8')) as { pid: number }).pid,
        server: Number(readFileSync(path.join(clone, 'data', 'temporal.pid'), 'utf8').trim()),
      });
      const t = npmStart('3-sigkill-hub');
      await banner(t, 120_000);
      const first = hubAndServer();
      const tree = snapshot(t);
      assert.ok(
        tree.some((p) => p.pid === first.hub),
        'the hub is in the tree',
      );
      process.kill(first.hub, 'SIGKILL');
      // Nobody stops anything: npm, tsx and tee end as their child or input goes; the watchdog ends the dev server.
      await assertAllGone(tree, t, 'SIGKILL of the hub');

      const second = npmStart('4-after-sigkill');
      await banner(second, 120_000);
      const { hub, server } = hubAndServer();
      const tree2 = snapshot(second);
      const watchdog = tree2.find((p) => p.cmd.includes('dev-server-watchdog.sh'));
      assert.ok(watchdog, `the watchdog is in the tree:\n${tree2.map((p) => p.cmd).join('\n')}`);
      process.kill(watchdog.pid, 'SIGKILL');
      process.kill(hub, 'SIGKILL');
      await second.exited;
      assert.ok(
        stillRunning(tree2).some((p) => p.pid === server),
        'the dev server is left running (nothing could stop it)',
      );

      const third = npmStart('5-after-leftover');
      await banner(third, 120_000);
      assert.match(
        third.output(),
        new RegExp(`stopping the Temporal dev server \\(pid ${server}\\) that an earlier \`b1hub up\` on this data folder left running`),
      );
      const tree3 = snapshot(third);
      process.kill(-third.shell.pid!, 'SIGINT');
      await assertAllGone([...tree2, ...tree3], third, 'SIGINT after the restart');
    },
  );
});
