/**
 * Operator-facing errors: one line naming what is wrong and how to fix it (src/cli/errors.ts
 * prints them, and translates anything else that escapes a command).
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** How to fix it, shown after the message. */
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit code of a command whose run finished but had failed records (distinct from errors). */
export const EXIT_RECORDS_FAILED = 2;

/**
 * Exit code of a command whose request was sent and accepted by Temporal but not yet confirmed
 * by the scheduler within the wait: a Sync Now, pause or resume signal is delivered (it is in
 * the scheduler's history and is acted on as soon as a worker runs it); a schedule change was
 * sent and may still be applied. Not a failure: do not simply send it again, check
 * `b1hub status` (or use `sync --wait`, which waits until the run starts and ends).
 */
export const EXIT_NOT_CONFIRMED = 3;
