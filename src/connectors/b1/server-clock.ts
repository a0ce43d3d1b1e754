/**
 * B1's clock as the hub sees it: the `Date` header of the Service Layer's latest answer, carried
 * forward by the local time elapsed since. Every hub deployment judges time-based rules on one
 * company (reservations) by this one clock, so hub clocks that disagree do not matter.
 */
export class ServerClock {
  /** The Service Layer's `Date` in its latest answer, and the local clock when it came. */
  private last: { serverMs: number; localMs: number } | undefined;

  /** `localClock`: monotonic by default, so a wall-clock step on the hub does not move B1's time. */
  constructor(private readonly localClock: () => number = () => performance.timeOrigin + performance.now()) {}

  /** Notes an answer's `Date` header (ignored when absent or unreadable). */
  note(header: unknown): void {
    const ms = typeof header === 'string' ? Date.parse(header) : NaN;
    if (Number.isFinite(ms)) this.last = { serverMs: ms, localMs: this.localClock() };
  }

  /** B1's time now (ms since epoch, 1 s resolution), or undefined before any answer with a `Date`. */
  now(): number | undefined {
    const d = this.last;
    return d ? d.serverMs + Math.max(0, this.localClock() - d.localMs) : undefined;
  }
}
