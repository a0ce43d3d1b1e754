/**
 * Payload compression end to end on the dev server: a real sync run (customers: Shopify → B1,
 * one page of 24 records, one failing) stores its large activity payloads zlib-compressed in history, while
 * the run log (`b1hub log`'s reader), the client and `temporal workflow show --codec-endpoint`
 * still read the records.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { runRecords } from '../../src/hub/run-log';
import { DEMO_SECRETS } from '../../src/config/hub-config';
import { startCodecServer, type RunningCodecServer } from '../../src/hub/codec-server';
import { Worker } from '@temporalio/worker';
import { decodedHistoryText } from '../support/history-text';
import { decodeHubPayloads, hubDataConverter } from '../../src/temporal/data-converter';
import { hubWorkflowBundle } from '../../src/hub/worker';
import { isZlibPayload } from '../../src/temporal/zlib-codec';
import { installQuietRuntime, resolveTemporalCliPath, serverSkipReason } from '../../src/testing/temporal-servers';
import { startHubFixture, type HubFixture, type RunningWorker } from '../support/hub-fixture';

const run = promisify(execFile);

/** Every payload in a history, with the activity it belongs to. */
function historyPayloads(events: temporal.api.history.v1.IHistoryEvent[]): Array<{ where: string; payload: Payload }> {
  const scheduled = new Map<string, string>();
  const out: Array<{ where: string; payload: Payload }> = [];
  for (const e of events) {
    const sch = e.activityTaskScheduledEventAttributes;
    if (sch) {
      scheduled.set(String(e.eventId), sch.activityType?.name ?? '?');
      for (const p of sch.input?.payloads ?? []) out.push({ where: `${sch.activityType?.name} input`, payload: p });
    }
    const done = e.activityTaskCompletedEventAttributes;
    if (done)
      for (const p of done.result?.payloads ?? [])
        out.push({ where: `${scheduled.get(String(done.scheduledEventId))} result`, payload: p });
    for (const p of e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []) out.push({ where: 'workflow input', payload: p });
    for (const p of e.workflowExecutionCompletedEventAttributes?.result?.payloads ?? []) out.push({ where: 'workflow result', payload: p });
  }
  return out;
}

describe('compressed history on the dev server', { skip: serverSkipReason('dev-server') }, () => {
  let fx: HubFixture;
  let worker: RunningWorker;
  let codec: RunningCodecServer;
  let workflowId: string;
  let events: temporal.api.history.v1.IHistoryEvent[];
  let customerIds: string[];

  before(async () => {
    fx = await startHubFixture({ shopifyCustomers: 22, shopifyOrders: 0, badCustomers: 2, b1Customers: 3, plan: 'plus' });
    worker = await fx.startWorker();
    codec = await startCodecServer({ port: 0, corsOrigins: [] });
    customerIds = Object.values(fx.shopifySim.state.data.customers).map((c) => `gid://shopify/Customer/${(c as { id: number }).id}`);
    const r = await fx.runSync('customer', { mode: 'delta' });
    workflowId = r.workflowId;
    assert.equal(r.result.counts.failed, 1, `the one bad customer fails: ${JSON.stringify(r.result.counts)}`);
    // Raw history, as the server stores it (no data converter on this path).
    const res = await fx.env.client.workflowService.getWorkflowExecutionHistory({
      namespace: fx.env.namespace ?? 'default',
      execution: { workflowId },
    });
    events = res.history?.events ?? [];
  });

  after(async () => {
    await codec?.close();
    await worker?.stop();
    await fx?.close();
  });

  test('record pages are stored binary/zlib, small payloads stay plain JSON', async (t) => {
    const all = historyPayloads(events);
    const compressed = all.filter((x) => isZlibPayload(x.payload));
    const where = new Set(compressed.map((x) => x.where));
    for (const w of ['fetchPage result', 'postPage input'])
      assert.ok(where.has(w), `${w} compressed (compressed: ${[...where].join(', ')})`);
    for (const x of all.filter((y) => !isZlibPayload(y.payload))) {
      assert.match(Buffer.from(x.payload.metadata!.encoding!).toString(), /^(json\/plain|binary\/null)$/, x.where);
      assert.ok(temporal.api.common.v1.Payload.encode(x.payload).finish().length < 1024, `${x.where} is small enough to stay plain`);
    }
    let stored = 0;
    let original = 0;
    for (const x of compressed) {
      const [decoded] = await decodeHubPayloads([x.payload]);
      stored += temporal.api.common.v1.Payload.encode(x.payload).finish().length;
      original += temporal.api.common.v1.Payload.encode(decoded!).finish().length;
    }
    // Secrets checks must look at the decoded history: compression would hide a leak from a text search.
    // Every payload, local-activity markers included (the mapped pages live there).
    const decodedText = await decodedHistoryText({ events });
    assert.ok(decodedText.includes(customerIds[0]!), 'the decoded history holds the records (the check below can fail)');
    assert.ok(!decodedText.includes(DEMO_SECRETS.shopifyAccessToken!), 'no Shopify token in history');
    assert.ok(!decodedText.includes(`"${DEMO_SECRETS.b1Password}"`), 'no B1 password in history');
    t.diagnostic(
      `${compressed.length} of ${all.length} payloads compressed: ${original} B → ${stored} B (${(original / stored).toFixed(1)}×)`,
    );
    assert.ok(original / stored >= 3, `pages compress at least 3× (${original} → ${stored} B)`);
  });

  test('the run log reads the records and their source payloads through the codec', async () => {
    const records = await waitFor(() => runRecords(fx.env.client, workflowId));
    assert.deepEqual(new Set(records.outcomes.map((o) => o.sourceId)), new Set(customerIds));
    const failed = records.outcomes.filter((o) => o.outcome === 'failed');
    assert.equal(failed.length, 1);
    assert.ok(failed[0]!.reason, 'the failure reason is read from the logOutcomes input');
    for (const id of customerIds) assert.ok(records.sources.get(id), `source payload of ${id} read from the compressed fetchPage result`);
    assert.ok(
      records.outcomes.every((o) => o.label),
      'labels come from the decoded source records',
    );
  });

  test('temporal workflow show --codec-endpoint prints the decoded records', async () => {
    const cli = resolveTemporalCliPath();
    assert.ok(cli, 'Temporal CLI provisioned');
    const args = [
      'workflow',
      'show',
      '--address',
      fx.env.address,
      '--namespace',
      fx.env.namespace ?? 'default',
      '-w',
      workflowId,
      '-o',
      'json',
    ];
    const show = async (extra: string[]) => {
      const { stdout } = await run(cli, [...args, ...extra], { maxBuffer: 64 * 1024 * 1024 });
      // -o json prints payloads as proto3 JSON: metadata values and data in base64.
      const found: Array<{ encoding: string; data: string }> = [];
      JSON.stringify(JSON.parse(stdout), (_k, v: unknown) => {
        const p = v as { metadata?: { encoding?: string }; data?: string };
        if (p && typeof p === 'object' && p.metadata?.encoding)
          found.push({
            encoding: Buffer.from(p.metadata.encoding, 'base64').toString(),
            data: Buffer.from(p.data ?? '', 'base64').toString('latin1'),
          });
        return v;
      });
      return found;
    };
    const firstId = customerIds[0]!;
    const raw = await show([]);
    assert.ok(
      raw.some((p) => p.encoding === 'binary/zlib'),
      'without the codec endpoint the CLI sees compressed payloads',
    );
    assert.ok(!raw.some((p) => p.data.includes(firstId)), 'and cannot read the customer ids');
    const decoded = await show(['--codec-endpoint', codec.url]);
    assert.deepEqual(
      [...new Set(decoded.map((p) => p.encoding))].filter((e) => e !== 'json/plain' && e !== 'binary/null'),
      [],
      'every payload decoded',
    );
    assert.ok(
      decoded.some((p) => p.data.includes(firstId)),
      'with the codec endpoint the CLI shows the customer ids',
    );
  });

  test('a compressed history replays with the hub data converter (and not without it)', async () => {
    installQuietRuntime();
    const history = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
    const workflowBundle = await hubWorkflowBundle();
    await Worker.runReplayHistory({ workflowBundle, dataConverter: hubDataConverter }, history, workflowId);
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle }, history, workflowId),
      (err: Error & { cause?: Error }) => /binary\/zlib/.test(`${err.message} ${err.cause?.message ?? ''}`),
      'the plain converter cannot read binary/zlib pages',
    );
  });
});

async function waitFor<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      // Visibility lags a moment behind the run's close.
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
