/**
 * A fixed number of slots shared by everything one worker runs for a pipeline: work that would
 * otherwise multiply its Service Layer requests when two steps overlap (two initial-load chunks
 * writing their item links at once) takes a slot per request, so the worker never keeps more
 * than `size` of them in flight. First come, first served.
 */
export interface Slots {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function createSlots(size: number): Slots {
  let free = Math.max(1, size);
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (free > 0) free--;
      else await new Promise<void>((r) => waiting.push(r));
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
