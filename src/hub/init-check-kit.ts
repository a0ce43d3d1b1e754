/**
 * What every `b1hub init` check shares: its result shape, and the wrapper that turns an exception
 * into a failed check with a fix hint (so one broken system never hides the other checks).
 */
export type CheckState = 'pass' | 'fail' | 'warn' | 'fixed' | 'skip';

export interface CheckResult {
  name: string;
  state: CheckState;
  detail: string;
  fix?: string;
}

/** The error and its causes on one short line: the summary is a table, not a stack trace. */
export function msg(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  while (cur instanceof Error && parts.length < 4) {
    if (cur.message && !parts.includes(cur.message)) parts.push(cur.message);
    cur = (cur as { cause?: unknown }).cause;
  }
  return (parts.join(': ') || String(err)).split('\n')[0]!.slice(0, 300);
}

/** Runs `fn`; an exception becomes a failed check with the error and the given hint. */
export async function check(name: string, fix: string, fn: () => Promise<Omit<CheckResult, 'name'>>): Promise<CheckResult> {
  try {
    return { name, ...(await fn()) };
  } catch (err) {
    return { name, state: 'fail', detail: msg(err), fix };
  }
}
