/**
 * Where a worker's memory is, for the bench (B1HUB_MEMORY_TRACE=<file>): every 500 ms one JSON
 * line with process.memoryUsage() (this thread's V8 heap, external, array buffers) and the kernel's
 * view of the process (RSS split into anonymous and file-backed pages), in MB. What RSS holds
 * beyond the main heap and external memory is the workflow thread's heap, native (Rust core,
 * malloc) and code.
 */
import { appendFileSync, readFileSync } from 'node:fs';

const mb = (n: number): number => Math.round(n / 1048576);

function procStatus(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of readFileSync('/proc/self/status', 'utf8').matchAll(/^(VmRSS|RssAnon|RssFile|VmHWM|Threads):\s+(\d+)/gm))
    out[m[1]!] = m[1] === 'Threads' ? Number(m[2]) : Math.round(Number(m[2]) / 1024);
  return out;
}

export function traceMemory(file: string): void {
  const t0 = Date.now();
  const timer = setInterval(() => {
    const u = process.memoryUsage();
    const row = {
      t: Math.round((Date.now() - t0) / 100) / 10,
      rss: mb(u.rss),
      heapTotal: mb(u.heapTotal),
      heapUsed: mb(u.heapUsed),
      external: mb(u.external),
      arrayBuffers: mb(u.arrayBuffers),
      ...procStatus(),
    };
    appendFileSync(file, `${JSON.stringify(row)}\n`);
  }, 500);
  timer.unref();
}
