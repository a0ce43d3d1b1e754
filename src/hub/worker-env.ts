/**
 * The environment of a worker process a hub tool spawns (the bench's workers): the rule of
 * bin/hub-env (which `b1hub` and `npm start` run under), for spawns that do not go through it.
 * glibc reads its malloc settings once, at exec, so they go into the child's environment.
 */

/** glibc malloc arenas per process: see bin/hub-env for why 2 and what it measured. */
export const WORKER_MALLOC_ARENA_MAX = '2';

/** `env` with MALLOC_ARENA_MAX added, unless the operator set it (or arena_max in GLIBC_TUNABLES). */
export function workerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.MALLOC_ARENA_MAX !== undefined || /malloc\.arena_max/.test(env.GLIBC_TUNABLES ?? '')) return env;
  return { ...env, MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX };
}
