/**
 * The bench's worker processes (test/support/worker-main.ts, all on one task queue) and the
 * overlap check over the runs they served.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { SyncObject } from '../src/shared/sync-object';
import { workerProcessEnv } from '../src/hub/worker-env';

export interface BenchWorkers {
  readonly children: readonly ChildProcess[];
  /** Resets every worker's peak RSS (VmHWM) to its current RSS, so the next reading is this run's peak. */
  resetPeakRss(): void;
  /** The highest peak RSS of any one worker since the last reset (not their sum), in MB. */
  maxPeakRssMb(): number | null;
  /** SIGTERM (they drain in-flight activities), SIGKILL after 5 s: a stuck run must not keep one alive. */
  stop(): Promise<void>;
}

export async function startBenchWorkers(count: number, env: NodeJS.ProcessEnv): Promise<BenchWorkers> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'test', 'support', 'worker-main.ts')], {
      // As `b1hub` starts them (bin/hub-env): the figures are the ones an operator gets.
      env: workerProcessEnv({ ...process.env, ...env }),
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(
    children.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
          worker.stdout!.on('data', (b: Buffer) => {
            if (b.toString().includes('worker ready')) resolve();
          });
        }),
    ),
  );
  // Keep draining the workers' stdout so none blocks on a full pipe.
  for (const w of children) w.stdout!.resume();
  return {
    children,
    resetPeakRss() {
      for (const w of children) {
        try {
          if (w.pid) writeFileSync(`/proc/${w.pid}/clear_refs`, '5');
        } catch {
          // Not Linux, or not allowed: the peak then covers the worker's whole life.
        }
      }
    },
    maxPeakRssMb() {
      const peaks = children.flatMap((w) => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${w.pid}/status`, 'utf8'));
          return m ? [Math.round(Number(m[1]) / 1024)] : [];
        } catch {
          return [];
        }
      });
      return peaks.length ? Math.max(...peaks) : null;
    },
    async stop() {
      await Promise.all(
        children.map(async (w) => {
          const exited = new Promise<void>((r) => (w.exitCode !== null || w.signalCode !== null ? r() : w.once('exit', () => r())));
          w.kill('SIGTERM');
          const t = setTimeout(() => w.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(t);
        }),
      );
    },
  };
}

export interface RunSpan {
  workflowId: string;
  start: number;
  close?: number;
}

/**
 * The overlap rule (never two runs of one object at once) over the sync-run executions visibility
 * lists for the object (not its ledger): a run's span is its chain of continued-as-new
 * executions, from the first start to the last close. Returns the pairs that overlapped (none when the rule held).
 */
export async function overlappingRuns(client: Client, object: SyncObject): Promise<{ runs: number; overlaps: [RunSpan, RunSpan][] }> {
  const spans = new Map<string, RunSpan>();
  for await (const wf of client.workflow.list({ query: `SyncObject = "${object}" AND WorkflowType = "syncRunWorkflow"` })) {
    const s = spans.get(wf.workflowId);
    const close = wf.closeTime?.getTime();
    if (!s)
      spans.set(wf.workflowId, { workflowId: wf.workflowId, start: wf.startTime.getTime(), ...(close !== undefined ? { close } : {}) });
    else {
      s.start = Math.min(s.start, wf.startTime.getTime());
      // Any execution of the chain still open leaves the whole run open.
      s.close = close === undefined || s.close === undefined ? undefined : Math.max(s.close, close);
    }
  }
  const sorted = [...spans.values()].sort((a, b) => a.start - b.start);
  const overlaps: [RunSpan, RunSpan][] = [];
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (a.close === undefined || b.start < a.close) overlaps.push([a, b]);
    }
  return { runs: sorted.length, overlaps };
}
