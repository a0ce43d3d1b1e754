/**
 * Bounded concurrency that keeps related records in order: records sharing a key (an e-mail, a
 * customer) run one after the other, different keys run side by side. B1 round trips dominate a
 * page's post time, and the Service Layer serves parallel requests of one session well.
 */
export async function mapInGroups<T, R>(
  items: readonly T[],
  keyOf: (t: T) => string,
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const groups = new Map<string, number[]>();
  items.forEach((t, i) => {
    const k = keyOf(t);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  const queue = [...groups.values()];
  const out = new Array<R>(items.length);
  // After the first failure the page is going to be retried: the other lanes stop at their next
  // record instead of writing on behind the retry's back.
  let stop = false;
  const lane = async () => {
    for (let g = queue.shift(); g && !stop; g = queue.shift()) {
      for (const i of g) {
        if (stop) return;
        try {
          out[i] = await fn(items[i] as T);
        } catch (e) {
          stop = true;
          throw e;
        }
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, lane);
  const settled = await Promise.allSettled(lanes);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return out;
}

/**
 * `items` in at most `n` consecutive slices of even size, for `$batch` requests sent side by
 * side (the Service Layer runs one request's parts one after another).
 */
export function evenSlices<T>(items: readonly T[], n: number): T[][] {
  const size = Math.ceil(items.length / Math.max(1, n));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
