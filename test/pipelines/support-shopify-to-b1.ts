/** Helpers for the Shopify → B1 pipeline tests (customers, orders). */
import { temporal } from '@temporalio/proto';
import type { Payload } from '@temporalio/common';
import { payloadValue } from '../../src/temporal/data-converter';
import type { HubFixture } from '../support/hub-fixture';
import { B1Client } from '../../src/connectors/b1';
import { orderPipeline } from '../../src/pipelines/order';
import type { PipelineDeps } from '../../src/pipelines/contract';
import { PipelineState } from '../../src/pipelines/kit/state';
import type { RecordOutcome } from '../../src/mapping/outcome';

type Rec = Record<string, unknown>;

/** Write requests (anything but GET and the session calls) in a slice of the B1 simulator's request log. */
export function b1Writes(log: readonly string[]): string[] {
  return log.filter((l) => !l.startsWith('GET ') && !/^POST \/b1s\/v[12]\/(Login|Logout)\b/.test(l));
}

export function gidNumber(gid: string): number {
  return Number(gid.split('/').pop());
}

export function partners(fx: HubFixture): Rec[] {
  return [...fx.b1Sim.state.store('BusinessPartners').values()];
}

export function partnersByShopifyId(fx: HubFixture, gid: string): Rec[] {
  return partners(fx).filter((p) => p.U_ShopifyId === gid);
}

export function salesOrders(fx: HubFixture): Rec[] {
  return [...fx.b1Sim.state.store('Orders').values()];
}

export function salesOrdersByShopifyId(fx: HubFixture, gid: string): Rec[] {
  return salesOrders(fx).filter((o) => o.U_ShopifyId === gid);
}

/** Sum of Committed over every item and warehouse of the B1 simulator. */
export function committedTotal(fx: HubFixture): number {
  let sum = 0;
  for (const it of fx.b1Sim.state.store('Items').values()) {
    for (const w of (it.ItemWarehouseInfoCollection as Rec[] | undefined) ?? []) sum += Number(w.Committed ?? 0);
  }
  return sum;
}

/** The guest partner orders without a Shopify customer go to (set up once per company). */
export async function ensureGuestPartner(fx: HubFixture): Promise<void> {
  const code = fx.deps.mapping.customer.guestCardCode;
  if (fx.b1Sim.state.get('BusinessPartners', code)) return;
  await fx.deps.b1.createBusinessPartner({ CardCode: code, CardName: 'Shopify guest checkouts', CardType: 'cCustomer' });
}

/**
 * Every record outcome a run logged, read back from its history (the logOutcomes inputs), plus
 * the size of the history: the message log is what operators read, so tests read it too.
 */
export async function runLog(
  fx: HubFixture,
  workflowId: string,
): Promise<{
  outcomes: Array<Rec & { sourceId: string; outcome: string; reason?: string; field?: string; targetId?: string }>;
  historyBytes: number;
  events: number;
}> {
  const history = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const outcomes: Array<Rec & { sourceId: string; outcome: string }> = [];
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a?.activityType?.name !== 'logOutcomes') continue;
    for (const p of a.input?.payloads ?? []) {
      // Large pages are stored compressed (zlib codec): decode the way the run log does.
      const input = await payloadValue<{ outcomes: Array<Rec & { sourceId: string; outcome: string }> }>(p as Payload);
      outcomes.push(...input.outcomes);
    }
  }
  const historyBytes = temporal.api.history.v1.History.encode(history).finish().length;
  return { outcomes, historyBytes, events: events.length };
}

/** Service Layer requests in a slice of the B1 simulator's log, without the session calls. */
export function b1Requests(log: readonly string[]): string[] {
  return log.filter((l) => !/^POST \/b1s\/v[12]\/(Login|Logout)\b/.test(l));
}

/**
 * Counts the Shopify simulator's GraphQL requests whose body contains `match` from now on: a
 * zero-millisecond latency fault is the probe (the simulator counts the faults it injects).
 * Assumes no other latency rule is active; `shopifySim.faults.clear()` removes it.
 */
export function probeShopifyRequests(fx: HubFixture, match: string): () => number {
  const faults = fx.shopifySim.faults;
  faults.add({ kind: 'latency', ms: 0, match, times: Number.MAX_SAFE_INTEGER });
  const before = faults.injected.latency;
  return () => faults.injected.latency - before;
}

/** One page attempt of the order pipeline for these ids (fetch, map, post), as the activities run it. */
export async function postOrderPage(deps: PipelineDeps, ids: string[], runId = 'run', pageIndex = 1): Promise<RecordOutcome[]> {
  const page = await orderPipeline.fetch(deps, { object: 'order', syncId: runId, mode: 'ids', ids, pageIndex: 0 });
  const mapped = await orderPipeline.map(deps, { object: 'order', syncId: runId, records: page.records });
  const records = mapped.flatMap((m) => (m.ok ? [{ id: m.id, ...(m.label ? { label: m.label } : {}), payload: m.payload }] : []));
  return orderPipeline.post(deps, { object: 'order', syncId: runId, pageIndex, records });
}

/**
 * Another hub deployment (or worker process) on the fixture's simulators: its own B1 client,
 * session, clock (`skewMs` ahead) and reservation holder, and none of this worker's memory.
 */
export function otherHub(fx: HubFixture, o: { timeoutMs?: number; holder?: string; skewMs?: number } = {}): PipelineDeps {
  return {
    ...fx.deps,
    b1: new B1Client({
      baseUrl: fx.b1Sim.url,
      companyDb: 'SBODEMOUS',
      userName: 'manager',
      password: '1234',
      retryBaseDelayMs: 5,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.skewMs ? { localClock: () => Date.now() + o.skewMs! } : {}),
      reservations: { holder: o.holder ?? 'other-hub' },
    }),
    state: new PipelineState(),
  };
}

/** Resolves once a simulator's request log has a line matching `re` after `from` (the request may still be held). */
export async function received(log: readonly string[], re: RegExp, from: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (log.slice(from).some((l) => re.test(l))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no request ${re} reached the simulator`);
}
