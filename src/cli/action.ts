/** The wrapper every command runs in. */
import type { Command } from 'commander';
import { CliContext, type GlobalOptions } from './context';
import { describeError } from './errors';

export type Action<A extends unknown[]> = (ctx: CliContext, ...args: A) => Promise<number | void>;

/**
 * Wraps a command: builds the context from the global options, turns errors into one line
 * (a stack trace only with --verbose), and sets the exit code.
 */
export function action<A extends unknown[]>(fn: Action<A>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    const ctx = new CliContext(globals);
    let target: string | undefined;
    try {
      target = safeAddress(ctx);
      const code = await fn(ctx, ...(args.slice(0, -1) as A));
      process.exitCode = code ?? 0;
    } catch (err) {
      const { text, exitCode } = describeError(err, { temporalAddress: target });
      process.stderr.write(`b1hub: ${text}\n`);
      if (globals.verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = exitCode;
    } finally {
      await ctx.close();
    }
  };
}

function safeAddress(ctx: CliContext): string | undefined {
  try {
    return ctx.temporalTarget().address;
  } catch {
    return undefined;
  }
}
