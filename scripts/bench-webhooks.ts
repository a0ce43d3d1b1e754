/**
 * Webhook path benchmark on the demo (not a test): `b1hub up` on a fresh data folder, then
 *
 *   latency  — orders created one at a time in the Shopify simulator (its control API, what
 *              `b1hub sim order` calls); for each, the time until its sales order is in the B1
 *              simulator (polled every 50 ms). p50/p95/max.
 *   burst    — N orders spread over one minute; then: every order exactly once in B1 (none lost,
 *              none twice), and the order sync runs that wrote them (count and sizes).
 *
 *   npx tsx scripts/bench-webhooks.ts [--latency 30] [--burst 1000] [--burst-seconds 60]
 *                                     [--stall 300] [--timeout 3600] [--poll-ms 2000] [--first 50]
 *
 * The drain is waited for as long as orders keep reaching B1 (twice the time projected from the
 * measured rate, at least --stall seconds), never longer than --timeout in all.
 *
 * No sync command is issued: the orders reach B1 through the webhooks only (the order schedule's
 * next slot is up to 15 minutes away; a run it starts is reported separately).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { B1Client } from '../src/connectors/b1/client';
import type { HubStatusFile } from '../src/hub/status-file';
import { hubDataConverter } from '../src/temporal/data-converter';
import type { RunSummary, SyncRunResult } from '../src/shared/sync-types';
import { statusQuery } from '../src/workflows/messages';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const LATENCY_N = opt('latency', 30);
const BURST_N = opt('burst', 1000);
const BURST_S = opt('burst-seconds', 60);
const TIMEOUT_S = opt('timeout', 3600);
const STALL_S = opt('stall', 300);
const POLL_MS = opt('poll-ms', 2000);
const FIRST_N = opt('first', 50);
const BIN = path.join(__dirname, '..', 'bin', 'b1hub');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((r) => {
          const s = net.createServer();
          s.listen(0, '127.0.0.1', () => r(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'b1hub-bench-wh-'));
  const [temporal, ui, b1Port, shopifyPort, webhookPort] = await freePorts(5);
  const up = spawn(
    BIN,
    [
      '--data-dir',
      dir,
      'up',
      '--temporal-port',
      String(temporal),
      '--ui-port',
      String(ui),
      '--b1-port',
      String(b1Port),
      '--shopify-port',
      String(shopifyPort),
      '--webhook-port',
      String(webhookPort),
      '--items',
      '30',
      '--customers',
      '5',
      '--orders',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  up.stdout.on('data', (b: Buffer) => (out += b.toString()));
  up.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const statusFile = path.join(dir, 'hub-status.json');
  const stop = async () => {
    if (up.exitCode === null) {
      up.kill('SIGINT');
      await new Promise((r) => up.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let status: HubStatusFile | undefined;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(250)) {
      if (up.exitCode !== null) throw new Error(`up exited:\n${out}`);
      if (!existsSync(statusFile)) continue;
      const s = JSON.parse(readFileSync(statusFile, 'utf8')) as HubStatusFile;
      if (s.initialization?.state !== 'running') {
        status = s;
        break;
      }
    }
    if (!status) throw new Error(`up not ready within 120 s:\n${out}`);
    console.log(`hub ready (initial load ${status.initialization?.state}); webhooks at ${status.webhooks?.url}`);
    const b1 = new B1Client({ baseUrl: status.b1.baseUrl, companyDb: 'SBODEMOUS', userName: 'manager', password: '1234' });
    const createOrder = async (i: number): Promise<string> => {
      const res = await fetch(`${status.shopify.endpoint}/_sim/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Shopify-Access-Token': status.shopify.demoAccessToken! },
        body: JSON.stringify({
          email: `bench.${i % 50}@example.com`,
          financialStatus: 'PAID',
          lines: [{ sku: `A0000${1 + (i % 5)}`, quantity: 1, unitPrice: '19.90' }],
          shippingAddress: {
            firstName: 'Bench',
            lastName: 'Buyer',
            address1: '1 Market St',
            city: 'San Francisco',
            provinceCode: 'CA',
            countryCode: 'US',
            zip: '94105',
          },
        }),
      });
      const body = (await res.json()) as { id?: string; error?: string };
      if (!res.ok || !body.id) throw new Error(`order refused: ${body.error ?? res.status}`);
      return body.id;
    };
    const connection = await Connection.connect({ address: status.temporal.address });
    const client = new Client({ connection, dataConverter: hubDataConverter });

    // ---- latency ----
    const lat: number[] = [];
    for (let i = 0; i < LATENCY_N; i++) {
      const t0 = Date.now();
      const gid = await createOrder(i);
      for (;;) {
        if ((await b1.findOrdersByShopifyId(gid, ['DocEntry'])).length) break;
        if (Date.now() - t0 > 60_000) throw new Error(`${gid} not in B1 after 60 s`);
        await sleep(50);
      }
      lat.push(Date.now() - t0);
    }
    const s = [...lat].sort((a, b) => a - b);
    console.log(
      `latency over ${LATENCY_N} orders (created one at a time): p50 ${pct(s, 50)} ms, p95 ${pct(s, 95)} ms, max ${s[s.length - 1]} ms, min ${s[0]} ms`,
    );

    // ---- burst ----
    const burstStart = new Date();
    const createdAt = new Map<string, number>();
    const order: string[] = [];
    const gap = (BURST_S * 1000) / BURST_N;
    const creating: Promise<void>[] = [];
    for (let i = 0; i < BURST_N; i++) {
      const due = burstStart.getTime() + i * gap;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const t = Date.now();
      creating.push(createOrder(1000 + i).then((g) => void (createdAt.set(g, t), (order[i] = g))));
    }
    await Promise.all(creating);
    const createdIn = (Date.now() - burstStart.getTime()) / 1000;
    console.log(`burst: ${BURST_N} orders created in ${createdIn.toFixed(1)} s`);

    // The drain, read through the Service Layer incrementally (DocEntry after the last one seen):
    // a full re-read of every order each poll would load the B1 simulator the hub is writing to.
    const seen = new Map<string, number>(); // U_ShopifyId → sales orders
    const firstSeen = new Map<string, number>();
    let lastEntry: number | undefined;
    const poll = async () => {
      for await (const page of b1.keyRange('Orders', {
        keyField: 'DocEntry',
        select: ['DocEntry', 'U_ShopifyId'],
        filter: 'U_ShopifyId ne null',
        ...(lastEntry !== undefined ? { after: lastEntry } : {}),
      })) {
        const now = Date.now();
        for (const r of page) {
          lastEntry = Math.max(lastEntry ?? 0, Number(r.DocEntry));
          const g = r.U_ShopifyId;
          if (typeof g !== 'string' || !createdAt.has(g)) continue;
          seen.set(g, (seen.get(g) ?? 0) + 1);
          if (!firstSeen.has(g)) firstSeen.set(g, now);
        }
      }
    };
    // Deadline from the measured rate: while orders keep arriving, wait twice the projected rest
    // (at least STALL_S); give up after STALL_S without progress, or at --timeout in all.
    const hardEnd = Date.now() + TIMEOUT_S * 1000;
    let deadline = Date.now() + STALL_S * 1000;
    let lastCount = -1;
    let doneAt = 0;
    while (Date.now() < Math.min(deadline, hardEnd)) {
      await poll();
      if (seen.size === createdAt.size) {
        doneAt = Date.now();
        break;
      }
      // Progress is an order reaching B1 or a delivery handed over (a loaded hub hands over first).
      const handed = await fetch(status.webhooks!.statsUrl)
        .then(async (r) =>
          Object.values(((await r.json()) as { topics: Record<string, { accepted: number }> }).topics).reduce((n, t) => n + t.accepted, 0),
        )
        .catch(() => 0);
      if (seen.size + handed > lastCount) {
        lastCount = seen.size + handed;
        const rate = seen.size / ((Date.now() - burstStart.getTime()) / 1000);
        const projectedMs = rate > 0 ? ((createdAt.size - seen.size) / rate) * 1000 : 0;
        deadline = Date.now() + Math.max(STALL_S * 1000, 2 * projectedMs);
        process.stdout.write(
          `  drained ${seen.size}/${createdAt.size} (${rate.toFixed(2)} orders/s, ~${Math.round(projectedMs / 1000)} s to go); deliveries handed over ${handed}\n`,
        );
      }
      await sleep(POLL_MS);
    }
    // The verdict: one full read of every sales order per U_ShopifyId (none lost, none twice).
    const counts = new Map<string, number>();
    for (const r of await b1.list('Orders', { filter: 'U_ShopifyId ne null', select: ['DocEntry', 'U_ShopifyId'] })) {
      if (typeof r.U_ShopifyId === 'string' && createdAt.has(r.U_ShopifyId))
        counts.set(r.U_ShopifyId, (counts.get(r.U_ShopifyId) ?? 0) + 1);
    }
    if (!doneAt) {
      // Why: the order scheduler's state as the server sees it, and the hub's last lines.
      const d = await client.workflowService
        .describeWorkflowExecution({ namespace: 'default', execution: { workflowId: 'schedule:order' } })
        .catch((e: unknown) => ({ error: String(e) }));
      const info =
        'workflowExecutionInfo' in d
          ? {
              historyLength: String(d.workflowExecutionInfo?.historyLength),
              historySizeBytes: String(d.workflowExecutionInfo?.historySizeBytes),
              pendingWorkflowTask: d.pendingWorkflowTask,
              pendingChildren: d.pendingChildren?.map((c) => c.workflowId),
            }
          : d;
      console.log(`schedule:order: ${JSON.stringify(info)}`);
      console.log(`hub output (last 40 lines):\n${out.split('\n').slice(-40).join('\n')}`);
    }
    const twice = [...counts.values()].filter((n) => n > 1).length;
    const lost = createdAt.size - counts.size;
    const drainS = ((doneAt || Date.now()) - burstStart.getTime()) / 1000;
    console.log(
      `burst: synced ${counts.size}/${createdAt.size}, lost ${lost}, twice ${twice}; ${doneAt ? `drained ${drainS.toFixed(1)} s after the first order (${(counts.size / drainS).toFixed(2)} orders/s)` : `NOT drained: gave up after ${drainS.toFixed(0)} s`}`,
    );
    const latencies = (gs: string[]) =>
      gs
        .filter((g) => firstSeen.has(g))
        .map((g) => firstSeen.get(g)! - createdAt.get(g)!)
        .sort((a, b) => a - b);
    const all = latencies(order);
    const head = latencies(order.slice(0, FIRST_N));
    if (all.length)
      console.log(
        `burst latency (created → in B1, ±${POLL_MS} ms polling): first ${FIRST_N}: p50 ${pct(head, 50)} ms, p95 ${pct(head, 95)} ms; all: p50 ${pct(all, 50)} ms, p95 ${pct(all, 95)} ms, max ${all[all.length - 1]} ms`,
      );
    await sleep(3000); // the last run's end is recorded
    const runs: Array<{
      id: string;
      trigger: string;
      mode: string;
      created: number;
      updated: number;
      unchanged: number;
      failed: number;
      start: number;
      end: number;
    }> = [];
    for await (const w of client.workflow.list({
      query: `WorkflowType = 'syncRunWorkflow' AND StartTime >= '${burstStart.toISOString()}'`,
    })) {
      if (!w.workflowId.startsWith('sync:order:')) continue;
      // Only finished runs: a run still going is counted but not waited for.
      if (w.status.name !== 'COMPLETED') {
        runs.push({
          id: w.workflowId,
          trigger: w.status.name,
          mode: '?',
          created: 0,
          updated: 0,
          unchanged: 0,
          failed: 0,
          start: w.startTime.getTime(),
          end: 0,
        });
        continue;
      }
      const r = (await client.workflow.getHandle(w.workflowId, w.runId).result()) as SyncRunResult;
      const desc = await client.workflow.getHandle(w.workflowId, w.runId).describe();
      const sa = desc.searchAttributes as Record<string, unknown[] | undefined>;
      runs.push({
        id: w.workflowId,
        trigger: String(sa.SyncTrigger?.[0] ?? '?'),
        mode: String(sa.SyncMode?.[0] ?? '?'),
        ...r.counts,
        start: w.startTime.getTime(),
        end: desc.closeTime?.getTime() ?? 0,
      });
    }
    runs.sort((a, b) => a.start - b.start);
    const sizes = runs.map((r) => r.created + r.updated + r.unchanged + r.failed);
    const sorted = [...sizes].sort((a, b) => a - b);
    console.log(
      `burst: ${runs.length} order sync runs (triggers ${[...new Set(runs.map((r) => r.trigger))].join(',')}; modes ${[...new Set(runs.map((r) => r.mode))].join(',')}); orders per run: min ${sorted[0]}, median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted[sorted.length - 1]}; created ${runs.reduce((n, r) => n + r.created, 0)}, unchanged ${runs.reduce((n, r) => n + r.unchanged, 0)}, failed ${runs.reduce((n, r) => n + r.failed, 0)}`,
    );
    // Where the time goes: inside runs (orders/s while a run writes) versus between runs.
    const busy = runs.reduce((n, r) => n + (r.end ? r.end - r.start : 0), 0);
    const gaps = runs.slice(1).map((r, i) => r.start - (runs[i]!.end || r.start));
    console.log(
      `burst: runs busy ${(busy / 1000).toFixed(1)} s (${(runs.reduce((n, r) => n + r.created, 0) / (busy / 1000 || 1)).toFixed(2)} created/s inside runs); gaps between runs: total ${(gaps.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s, max ${((gaps.length ? Math.max(...gaps) : 0) / 1000).toFixed(1)} s`,
    );
    console.log(
      `burst: runs (created/unchanged, seconds): ${runs.map((r) => `${r.created}/${r.unchanged} ${r.end ? ((r.end - r.start) / 1000).toFixed(0) : '…'}s`).join(', ')}`,
    );
    // The scheduler's own account (its last 20 runs): how many webhook hints each run served.
    const sched = await client.workflow
      .getHandle('schedule:order')
      .query(statusQuery, {})
      .catch(() => ({ recentRuns: [] as RunSummary[] }));
    const t0 = burstStart.getTime();
    const rel = (iso?: string) => (iso ? ((Date.parse(iso) - t0) / 1000).toFixed(1) : '…');
    console.log(
      `scheduler (last ${sched.recentRuns.length} runs, seconds from the first burst order): ${[...sched.recentRuns]
        .reverse()
        .map((r) => `[${rel(r.startedAt)}→${rel(r.endedAt)} ${r.mode} ${r.requestIds.length} hints, ${r.counts?.created ?? 0} created]`)
        .join(' ')}`,
    );
    const stats = (await (await fetch(status.webhooks!.statsUrl)).json()) as {
      topics: Record<string, { accepted: number; deduped: number; rejected: number; failed: number }>;
    };
    console.log(`receiver: ${JSON.stringify(stats.topics)}`);
    await connection.close();
    if (lost || twice) process.exitCode = 1;
  } finally {
    await stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
