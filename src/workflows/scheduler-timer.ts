/**
 * The scheduler's movable timer (samples-typescript timer-examples' UpdatableTimer): wait for
 * the next slot, or for a message that may move it, whichever comes first. A message wakes the
 * waiter through a `condition`; the caller then cancels the timer and waits again with the
 * deadline the message left.
 *
 * Two details keep the commands exactly as the recorded scheduler histories have them (replay):
 * - Not `condition(fn, timeout)`: that form always cancels its timer when `fn` wins, while a
 *   timer whose deadline had passed when the message arrived (both in one activation) is left
 *   alone here: the slot fires.
 * - `cancel()` is the caller's, called right after `wait()` and followed without an `await` by
 *   the caller's next commands (start the queued run, the next timer): the cancel command then
 *   follows them, as recorded. Cancelling inside `wait()` would put it first.
 */
import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';

export class MovableTimer {
  /** The scope of a timer the last wait left running (woken before its deadline). */
  private pending: CancellationScope | undefined;

  /**
   * Waits until `deadline` (epoch ms; forever when undefined) or until `moved()` turns true.
   * Resolves true when the deadline was reached: the clock decides, not which promise won the race.
   */
  async wait(deadline: number | undefined, moved: () => boolean, summary?: string): Promise<boolean> {
    this.pending = undefined;
    const woke = condition(moved);
    if (deadline === undefined) {
      await woke;
      return false;
    }
    let fired = false;
    const scope = new CancellationScope();
    const timer = scope
      .run(() => sleep(Math.max(deadline - Date.now(), 1), summary !== undefined ? { summary } : undefined))
      .then(
        () => {
          fired = true;
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
    await Promise.race([woke, timer]);
    fired = fired || Date.now() >= deadline;
    if (!fired) this.pending = scope;
    return fired;
  }

  /** Cancels the timer the last `wait()` left running, if any. */
  cancel(): void {
    this.pending?.cancel();
    this.pending = undefined;
  }
}
