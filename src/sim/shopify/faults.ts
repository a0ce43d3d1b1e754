/**
 * Fault injection for the simulator's GraphQL endpoint. Rules apply to the next matching
 * requests (a `times` budget), so tests can script "two 503s, then success".
 */
export type FaultRule =
  | { kind: 'status'; status: number; retryAfter?: string; times?: number; match?: string | RegExp }
  /** `after`: the request is executed, then the connection is dropped: the effect is unknown to the client. */
  | { kind: 'reset'; when?: 'before' | 'after'; times?: number; match?: string | RegExp }
  | { kind: 'latency'; ms: number; times?: number; match?: string | RegExp };

export class FaultInjector {
  /** Added to every request. */
  latencyMs = 0;
  private rules: (FaultRule & { left: number })[] = [];
  /** How many faults were injected, per kind. */
  readonly injected = { status: 0, reset: 0, latency: 0 };

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
    return this;
  }

  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
  }

  /** Takes the first rule of a kind matching the request body, consuming one use. */
  take<K extends FaultRule['kind']>(kind: K, body: string, when?: 'before' | 'after'): Extract<FaultRule, { kind: K }> | null {
    const idx = this.rules.findIndex((r) => {
      if (r.kind !== kind || r.left <= 0) return false;
      if (r.kind === 'reset' && (r.when ?? 'before') !== (when ?? 'before')) return false;
      if (!r.match) return true;
      return typeof r.match === 'string' ? body.includes(r.match) : r.match.test(body);
    });
    if (idx < 0) return null;
    const rule = this.rules[idx] as FaultRule & { left: number };
    rule.left--;
    if (rule.left <= 0) this.rules.splice(idx, 1);
    this.injected[kind]++;
    return rule as unknown as Extract<FaultRule, { kind: K }>;
  }
}
