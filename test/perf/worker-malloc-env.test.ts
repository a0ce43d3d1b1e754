/**
 * The hub's processes start with glibc's malloc arenas capped (MALLOC_ARENA_MAX=2, bin/hub-env):
 * `b1hub …` and `npm start` through bin/hub-env, the bench's workers through workerProcessEnv.
 * An operator's own MALLOC_ARENA_MAX, or an arena_max in GLIBC_TUNABLES, is kept as it is.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workerProcessEnv } from '../../src/hub/worker-env';

const repo = join(__dirname, '..', '..');

/** The environment without any malloc setting of the machine running the test, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MALLOC_ARENA_MAX;
  delete env.GLIBC_TUNABLES;
  return { ...env, ...extra };
}

/** MALLOC_ARENA_MAX as a process started with `env` sees it ('unset' when absent). */
function arenaMaxUnderHubEnv(env: NodeJS.ProcessEnv): string {
  const r = spawnSync(
    'bash',
    [join(repo, 'bin', 'hub-env'), process.execPath, '-e', 'process.stdout.write(process.env.MALLOC_ARENA_MAX ?? "unset")'],
    {
      env,
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Starts `b1hub sim b1` (a long-running command), reads its process's environment once it serves, stops it. */
async function b1hubEnvironment(env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const child = spawn(join(repo, 'bin', 'b1hub'), ['sim', 'b1', '--port', '0', '--items', '1', '--customers', '1'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`b1hub sim b1 exited with ${code} before serving:\n${err}`)));
    });
    // bin/b1hub execs node, so the pid spawned is the hub's node process itself.
    const raw = readFileSync(`/proc/${child.pid}/environ`, 'utf8');
    return new Map(
      raw
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]),
    );
  } finally {
    const exited = new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    child.kill('SIGTERM');
    await exited;
  }
}

describe('malloc arenas of the hub processes', () => {
  test('bin/hub-env sets MALLOC_ARENA_MAX=2 unless the operator set it or an arena_max tunable', () => {
    assert.equal(arenaMaxUnderHubEnv(envWith({})), '2');
    assert.equal(arenaMaxUnderHubEnv(envWith({ MALLOC_ARENA_MAX: '8' })), '8');
    assert.equal(arenaMaxUnderHubEnv(envWith({ MALLOC_ARENA_MAX: '' })), '');
    assert.equal(arenaMaxUnderHubEnv(envWith({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' })), 'unset');
    // Another tunable alone is no arena setting of the operator's.
    assert.equal(arenaMaxUnderHubEnv(envWith({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=131072' })), '2');
  });

  test('the node process `b1hub` runs has the cap, or the operator’s own value', async () => {
    assert.equal((await b1hubEnvironment(envWith({}))).get('MALLOC_ARENA_MAX'), '2');
    assert.equal((await b1hubEnvironment(envWith({ MALLOC_ARENA_MAX: '6' }))).get('MALLOC_ARENA_MAX'), '6');
    const tuned = await b1hubEnvironment(envWith({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=3' }));
    assert.equal(tuned.get('MALLOC_ARENA_MAX'), undefined);
    assert.equal(tuned.get('GLIBC_TUNABLES'), 'glibc.malloc.arena_max=3');
  });

  test('npm start runs the hub under bin/hub-env', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.start ?? '', /^bash bin\/hub-env tsx src\/cli\/main\.ts up$/);
  });

  test('a worker process spawned by the bench gets the same rule (workerProcessEnv)', () => {
    assert.equal(workerProcessEnv(envWith({})).MALLOC_ARENA_MAX, '2');
    assert.equal(workerProcessEnv(envWith({ MALLOC_ARENA_MAX: '8' })).MALLOC_ARENA_MAX, '8');
    assert.equal(workerProcessEnv(envWith({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' })).MALLOC_ARENA_MAX, undefined);
  });
});
