/**
 * Shopify renders DateTime with second precision ("2026-01-02T03:04:05Z"). Writes in the same
 * second therefore share a timestamp, which is exactly why sync clients need an overlap window.
 */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export interface SimClock {
  nowMs(): number;
  nowIso(): string;
}

export function systemClock(offsetMs = 0): SimClock {
  return {
    nowMs: () => Date.now() + offsetMs,
    nowIso: () => isoSeconds(Date.now() + offsetMs),
  };
}
