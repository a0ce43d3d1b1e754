/**
 * Fault injection for tests and chaos demos: what the Apache load balancer and the nodes behind it
 * do on a bad day (reference §3, §11).
 */
import { mulberry32 } from '../shared/prng';

export type FaultKind = '502' | '503' | '504' | 'reset' | 'slow';

export interface FaultOptions {
  /** Fixed delay added to every response, in ms. */
  latencyMs?: number;
  /** Fraction (0..1) of requests answered with Apache's 502 HTML page. */
  html502Rate?: number;
  /** Fraction (0..1) of requests whose connection is reset. */
  resetRate?: number;
  /** Fraction (0..1) of requests delayed by slowMs. */
  slowRate?: number;
  slowMs?: number;
  /** Seed of the PRNG behind the rates, so runs are repeatable. */
  seed?: number;
}

export interface ScheduledFault {
  kind: FaultKind;
  /** Only requests whose "METHOD /path?query" matches. */
  match?: RegExp;
  /**
   * 'before': the request is not processed. 'after': it is processed (and committed), then the
   * client still gets the failure, as when Apache times out on a node that finished the work.
   */
  when?: 'before' | 'after';
  slowMs?: number;
}

export class FaultController {
  private opts: Required<Omit<FaultOptions, 'seed'>>;
  private rng: () => number;
  private queue: ScheduledFault[] = [];
  /** Requests seen, by "METHOD /path", for assertions in tests. */
  readonly log: string[] = [];

  constructor(
    opts: FaultOptions = {},
    private readonly onExpire: () => void = () => {},
  ) {
    this.opts = { latencyMs: 0, html502Rate: 0, resetRate: 0, slowRate: 0, slowMs: 0 };
    this.rng = mulberry32(opts.seed ?? 1);
    this.set(opts);
  }

  set(opts: FaultOptions): void {
    const { seed, ...rest } = opts;
    if (seed !== undefined) this.rng = mulberry32(seed);
    this.opts = { ...this.opts, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
  }

  /** Makes the next `count` matching requests fail with `fault`. */
  failNext(fault: ScheduledFault, count = 1): void {
    for (let i = 0; i < count; i++) this.queue.push(fault);
  }

  /** Invalidates every session now, as an idle timeout or a Service Layer restart would. */
  expireSessions(): void {
    this.onExpire();
  }

  reset(): void {
    this.queue = [];
    this.opts = { latencyMs: 0, html502Rate: 0, resetRate: 0, slowRate: 0, slowMs: 0 };
  }

  /** Decides the fault for one request (consumes a scheduled fault if one matches). */
  pick(reqLine: string): { fault?: ScheduledFault; delayMs: number } {
    this.log.push(reqLine);
    let delayMs = this.opts.latencyMs;
    const i = this.queue.findIndex((f) => !f.match || f.match.test(reqLine));
    if (i >= 0) {
      const f = this.queue.splice(i, 1)[0]!;
      if (f.kind === 'slow') return { delayMs: delayMs + (f.slowMs ?? this.opts.slowMs) };
      return { fault: f, delayMs };
    }
    if (this.opts.slowRate > 0 && this.rng() < this.opts.slowRate) delayMs += this.opts.slowMs;
    if (this.opts.resetRate > 0 && this.rng() < this.opts.resetRate) return { fault: { kind: 'reset' }, delayMs };
    if (this.opts.html502Rate > 0 && this.rng() < this.opts.html502Rate) return { fault: { kind: '502' }, delayMs };
    return { delayMs };
  }
}
