/**
 * A fixed number of slots shared by everything one worker runs for a pipeline: work that would
 * otherwise multiply its Service Layer requests when two steps overlap (two initial-load chunks
 * writing their item links at once) takes a slot per request, so the worker never keeps more
 * than `size` of them in flight.
 *
 * A free slot goes to the waiting request of lowest `priority` (first come among equals). Two
 * overlapping chunks pass their page index: the earlier chunk's links all go first, so it ends
 * as soon as it can and the chunk after the next one starts its import while the other's links
 * fill the slots; served in arrival order, both chunks would end late and leave the slots idle
 * while the next import runs.
 */
export interface Slots {
  run<T>(fn: () => Promise<T>, priority?: number): Promise<T>;
}

interface Waiter {
  priority: number;
  seq: number;
  go: () => void;
}

export function createSlots(size: number): Slots {
  let free = Math.max(1, size);
  let seq = 0;
  const waiting: Waiter[] = [];
  const release = (): void => {
    if (!waiting.length) {
      free++;
      return;
    }
    let best = 0;
    for (let i = 1; i < waiting.length; i++) {
      const w = waiting[i]!;
      const b = waiting[best]!;
      if (w.priority < b.priority || (w.priority === b.priority && w.seq < b.seq)) best = i;
    }
    const [next] = waiting.splice(best, 1);
    next!.go();
  };
  return {
    async run<T>(fn: () => Promise<T>, priority = 0): Promise<T> {
      if (free > 0) free--;
      else await new Promise<void>((go) => waiting.push({ priority, seq: seq++, go }));
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
