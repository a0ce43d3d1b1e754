/**
 * What the operator sees when a command fails: an error translated into one line (unreachable
 * Temporal, missing scheduler, bad config) so an operator never has to read a stack trace unless
 * they ask with --verbose.
 */
import { HubConfigError } from '../config/hub-config';
import { CliError, EXIT_NOT_CONFIRMED } from '../hub/errors';

/** The exit codes, for the commands' help. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  done (with --wait: the run ended and no record failed)
  1  error: nothing was sent, the request was rejected, or the run failed
  2  the run ended, some records failed (see \`b1hub log --failed\`)
  ${EXIT_NOT_CONFIRMED}  delivered (accepted by Temporal) but not yet confirmed by the scheduler,
     e.g. while a worker that just stopped hands its tasks to the others, or while no worker
     runs: it takes effect when a worker picks it up; check \`b1hub status\`, do not resend`;

function causeChain(err: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = err;
  while (cur instanceof Error && out.length < 6) {
    if (cur.message && !out.includes(cur.message)) out.push(cur.message);
    cur = (cur as Error & { cause?: unknown }).cause;
  }
  if (!out.length) out.push(String(err));
  return out;
}

/** Turns any error into the one line (or few lines, for config problems) the operator sees. */
export function describeError(err: unknown, ctx: { temporalAddress?: string } = {}): { text: string; exitCode: number } {
  if (err instanceof CliError) return { text: err.hint ? `${err.message} — ${err.hint}` : err.message, exitCode: err.exitCode };
  if (err instanceof HubConfigError) {
    return {
      text: `${err.message}\n  fix the named keys in the config file (or set the named environment variables) and retry`,
      exitCode: 1,
    };
  }
  const chain = causeChain(err).join(': ');
  const name = err instanceof Error ? err.name : '';
  if (
    /TransportError|ServiceError/.test(name) ||
    /failed to connect|ECONNREFUSED|connection refused|tcp connect error|Failed to connect|UNAVAILABLE/i.test(chain)
  ) {
    const where = ctx.temporalAddress ? ` at ${ctx.temporalAddress}` : '';
    return {
      text: `cannot reach Temporal${where} (${chain.split('\n')[0]}) — start the hub with \`npm start\` (or \`b1hub up\`), or point --temporal-address / TEMPORAL_ADDRESS at your Temporal service`,
      exitCode: 1,
    };
  }
  if (name === 'WorkflowNotFoundError') {
    return {
      text: `${chain} — the scheduler workflows are created by \`b1hub up\` or \`b1hub worker\`; start one of them first`,
      exitCode: 1,
    };
  }
  return { text: chain, exitCode: 1 };
}
