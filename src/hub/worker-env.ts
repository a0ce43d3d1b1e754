/**
 * The environment of a worker process a hub tool spawns (the bench's workers): the rule of
 * bin/hub-env (which `b1hub` and `npm start` run under), for spawns that do not go through it.
 * Both settings are read when the process starts, so they go into the child's environment.
 */

/**
 * V8's semi-space (MB), half of each heap's young generation; Node 20's grows to 16, so the main
 * thread's heap and the workflow thread's each kept 32 MB of new space, filled by every page's
 * short-lived records, JSON and protobufs. Measured on 100,000 inventory items (zero latency,
 * A/B twice): peak RSS 390 / 370 MB → 328 / 324 MB, records/s 1,138 / 1,093 → 1,111 / 1,280
 * (the machine's noise). bin/hub-env sets it for the whole process (NODE_OPTIONS, before node
 * starts: a running heap keeps the size it started with); a process started otherwise gets it
 * by createHubWorker for its workflow threads, whose heaps start after. An operator's own setting wins.
 */
export const MAX_SEMI_SPACE_MB = 8;

/** Whether the process was started with a semi-space size (its flags or NODE_OPTIONS). */
export function semiSpaceSizeGiven(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => /^--max[-_]semi[-_]space[-_]size\b/.test(a));
}

/** glibc malloc arenas per process: see bin/hub-env for why 2 and what it measured. */
export const WORKER_MALLOC_ARENA_MAX = '2';

/**
 * `env` with MALLOC_ARENA_MAX (unless the operator set it, or arena_max in GLIBC_TUNABLES) and
 * V8's semi-space size in NODE_OPTIONS (unless NODE_OPTIONS has one).
 */
export function workerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  if (env.MALLOC_ARENA_MAX === undefined && !/malloc\.arena_max/.test(env.GLIBC_TUNABLES ?? ''))
    out.MALLOC_ARENA_MAX = WORKER_MALLOC_ARENA_MAX;
  if (!semiSpaceSizeGiven([], env.NODE_OPTIONS))
    out.NODE_OPTIONS = [env.NODE_OPTIONS, `--max-semi-space-size=${MAX_SEMI_SPACE_MB}`].filter(Boolean).join(' ');
  return out;
}
