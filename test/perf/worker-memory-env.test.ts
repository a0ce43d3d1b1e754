/**
 * The hub's processes start with glibc's malloc arenas capped (MALLOC_ARENA_MAX=2) and V8's
 * semi-space bounded (--max-semi-space-size=8 in NODE_OPTIONS): `b1hub …` and `npm start` through
 * bin/hub-env, the bench's workers through workerProcessEnv. An operator's own MALLOC_ARENA_MAX
 * (or arena_max in GLIBC_TUNABLES), and a semi-space size of theirs, are kept as they are.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { semiSpaceSizeGiven, workerProcessEnv } from '../../src/hub/worker-env';

const repo = join(__dirname, '..', '..');
const SEMI = '--max-semi-space-size=8';

/** The environment without the malloc and node settings of the machine running the test, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MALLOC_ARENA_MAX;
  delete env.GLIBC_TUNABLES;
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

/** MALLOC_ARENA_MAX and NODE_OPTIONS as a node process run by `bin/hub-env` sees them ('unset' when absent). */
function underHubEnv(env: NodeJS.ProcessEnv): { arenaMax: string; nodeOptions: string } {
  const script = 'process.stdout.write(JSON.stringify([process.env.MALLOC_ARENA_MAX ?? "unset", process.env.NODE_OPTIONS ?? "unset"]))';
  const r = spawnSync('bash', [join(repo, 'bin', 'hub-env'), process.execPath, '-e', script], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [arenaMax, nodeOptions] = JSON.parse(r.stdout) as [string, string];
  return { arenaMax, nodeOptions };
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

describe('memory settings of the hub processes', () => {
  test('bin/hub-env caps the arenas unless the operator set MALLOC_ARENA_MAX or an arena_max tunable', () => {
    assert.equal(underHubEnv(envWith({})).arenaMax, '2');
    assert.equal(underHubEnv(envWith({ MALLOC_ARENA_MAX: '8' })).arenaMax, '8');
    assert.equal(underHubEnv(envWith({ MALLOC_ARENA_MAX: '' })).arenaMax, '');
    assert.equal(underHubEnv(envWith({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' })).arenaMax, 'unset');
    // Another tunable alone is no arena setting of the operator's.
    assert.equal(underHubEnv(envWith({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=131072' })).arenaMax, '2');
  });

  test('bin/hub-env adds the semi-space size to NODE_OPTIONS, keeping the operator’s options and size', () => {
    assert.equal(underHubEnv(envWith({})).nodeOptions, SEMI);
    assert.equal(underHubEnv(envWith({ NODE_OPTIONS: '--max-old-space-size=2048' })).nodeOptions, `--max-old-space-size=2048 ${SEMI}`);
    assert.equal(underHubEnv(envWith({ NODE_OPTIONS: '--max-semi-space-size=32' })).nodeOptions, '--max-semi-space-size=32');
  });

  test('the node process `b1hub` runs has both settings, or the operator’s own', async () => {
    const plain = await b1hubEnvironment(envWith({}));
    assert.equal(plain.get('MALLOC_ARENA_MAX'), '2');
    assert.equal(plain.get('NODE_OPTIONS'), SEMI);
    const own = await b1hubEnvironment(envWith({ MALLOC_ARENA_MAX: '6', NODE_OPTIONS: '--max_semi_space_size=4' }));
    assert.equal(own.get('MALLOC_ARENA_MAX'), '6');
    assert.equal(own.get('NODE_OPTIONS'), '--max_semi_space_size=4');
    const tuned = await b1hubEnvironment(envWith({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=3' }));
    assert.equal(tuned.get('MALLOC_ARENA_MAX'), undefined);
    assert.equal(tuned.get('GLIBC_TUNABLES'), 'glibc.malloc.arena_max=3');
  });

  test('npm start runs the hub under bin/hub-env', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.start ?? '', /^bash bin\/hub-env tsx src\/cli\/main\.ts up$/);
  });

  test('a worker process spawned by the bench gets the same rule (workerProcessEnv)', () => {
    const plain = workerProcessEnv(envWith({}));
    assert.equal(plain.MALLOC_ARENA_MAX, '2');
    assert.equal(plain.NODE_OPTIONS, SEMI);
    const own = workerProcessEnv(envWith({ MALLOC_ARENA_MAX: '8', NODE_OPTIONS: '--max-semi-space-size=16 --enable-source-maps' }));
    assert.equal(own.MALLOC_ARENA_MAX, '8');
    assert.equal(own.NODE_OPTIONS, '--max-semi-space-size=16 --enable-source-maps');
    assert.equal(workerProcessEnv(envWith({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' })).MALLOC_ARENA_MAX, undefined);
    assert.equal(workerProcessEnv(envWith({ NODE_OPTIONS: '--inspect' })).NODE_OPTIONS, `--inspect ${SEMI}`);
  });

  test('a worker started without a size of its own bounds its workflow threads (createHubWorker’s check)', () => {
    assert.equal(semiSpaceSizeGiven([], undefined), false);
    assert.equal(semiSpaceSizeGiven(['--import', 'tsx'], '--enable-source-maps'), false);
    assert.equal(semiSpaceSizeGiven(['--max-semi-space-size=16'], undefined), true);
    assert.equal(semiSpaceSizeGiven([], `--enable-source-maps ${SEMI}`), true);
  });
});
