/**
 * A page's new sales orders in a few requests instead of six per order (README, "Exactly once",
 * batched creates). Per page:
 * 1. the partners of new customers, all at once (customer pipeline, `upsertPartnersOfPage`);
 * 2. the reservations of the page's orders, one batched read: an order that already has one
 *    (another writer, an earlier attempt, a takeover) takes the single path (post.ts), which
 *    looks it up and decides as ever;
 * 3. every other order in its own `$batch` changeset holding two operations, the insert of its
 *    first reservation and the POST of the order: B1 commits a changeset as one transaction, so
 *    the reservation stands exactly when the order does. Of two writers only one changeset can
 *    insert the row; the other is rolled back whole, creates nothing, and takes the single path.
 *    Changesets go out in four requests at once (the Service Layer runs a request's parts one
 *    after another);
 * 4. the reservations are settled with their DocEntry, batched, best effort (a lookup repairs a
 *    settle that was lost, as for single creates).
 * Anything this path cannot decide for sure (a request whose answer was lost, a part B1 answered
 * in a way that may hide a draft) goes to the single path, whose lookup comes first: a changeset
 * that committed is found there; one still committing cannot commit after the single path took
 * the reservation, since its own insert of that row then fails and rolls it back.
 */
import { created, failed, type RecordOutcome } from '../../mapping';
import type { B1BusinessPartnerCreate } from '../../mapping/types';
import type { BatchOperation } from '../../connectors/b1/batch';
import type { ChangesetResult } from '../../connectors/b1/batch-writes';
import { B1NotFoundError, B1TransientError } from '../../connectors/b1/errors';
import { ORDER_RESERVATIONS, ReservationSetupError, type Reservation } from '../../connectors/b1/reservations';
import type { PipelineDeps } from '../contract';
import { heartbeat, POST_CONCURRENCY } from '../kit/activity';
import { CREATE_ONCE_TIMING } from '../kit/create-once';
import { evenSlices } from '../kit/groups';
import { PipelineSetupError } from '../kit/errors';
import { isRecordRejection, upsertPartnersOfPage, type PageUpsertResult } from '../customer';
import { CARD_CODE_FROM_CUSTOMER } from './map';
import { orderState } from './state';
import type { OrderPayload } from './types';

export type CreatePayload = Extract<OrderPayload, { action: 'create' }>;
export type CreateRec = { id: string; label?: string; payload: CreatePayload };

/** What the page path decided for one new order. */
export type PageCreate =
  | { kind: 'done'; outcome: RecordOutcome }
  /**
   * Decide on the single path, with this payload (its partner already resolved); `held`: the
   * reservation this page's changeset committed with an approval draft (the single path settles it).
   */
  | { kind: 'single'; payload: CreatePayload; held?: Reservation };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads and idempotent writes of the page retried here on a transient failure, as a record's are. */
async function retryTransient<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof B1TransientError) || i >= CREATE_ONCE_TIMING.retryDelaysMs.length) throw e;
      heartbeat();
      await sleep(CREATE_ONCE_TIMING.retryDelaysMs[i]!);
    }
  }
}

/** The partners of the page's new customers; a record whose partner failed is decided here. */
async function resolvePartners(
  deps: PipelineDeps,
  runId: string,
  recs: readonly CreateRec[],
  out: Map<CreateRec, PageCreate>,
): Promise<void> {
  const desired = new Map<string, B1BusinessPartnerCreate>();
  for (const r of recs) if (r.payload.customer) desired.set(r.payload.customer.U_ShopifyId, r.payload.customer);
  if (!desired.size) return;
  const list = [...desired.values()];
  // Creates are keyed by their CardCode (prefix mode) or a reservation (series mode), and every
  // attempt looks up first: the whole step may run again after a transient failure.
  const results = await retryTransient(() => upsertPartnersOfPage(deps, list, runId));
  const byId = new Map<string, PageUpsertResult>(list.map((d, i) => [d.U_ShopifyId, results[i] as PageUpsertResult]));
  for (const r of recs) {
    const c = r.payload.customer;
    if (!c) continue;
    const res = byId.get(c.U_ShopifyId);
    const label = `order ${r.label ?? r.id}`;
    if (!res) throw new Error(`${label}: no partner result for customer ${c.U_ShopifyId}`);
    if (res.outcome === 'failed')
      out.set(r, {
        kind: 'done',
        outcome: failed(
          'order',
          r.id,
          `${label}: customer ${c.U_ShopifyId}: ${res.reason}`,
          res.field ? `customer.${res.field}` : 'customer',
        ),
      });
    else if (res.outcome === 'in-progress')
      out.set(r, { kind: 'done', outcome: failed('order', r.id, `${label}: ${res.reason}`, 'customer') });
    else {
      const { customer: _resolved, ...rest } = r.payload;
      out.set(r, { kind: 'single', payload: { ...rest, doc: { ...rest.doc, CardCode: res.cardCode } } });
    }
  }
}

/** A setup problem stops the run before anything is written: the guest partner must exist. */
async function guestChecked(deps: PipelineDeps, recs: readonly CreateRec[]): Promise<void> {
  const guest = deps.mapping.customer.guestCardCode;
  if (!recs.some((r) => !r.payload.customer && r.payload.doc.CardCode === guest) || orderState(deps).guestsSeen.has(guest)) return;
  const bp = await retryTransient(() => deps.b1.tryGet('BusinessPartners', guest, { select: ['CardCode'] }));
  if (!bp)
    throw new PipelineSetupError(
      `customer.guestCardCode: business partner '${guest}' does not exist in B1; create it or change the setting`,
    );
  orderState(deps).guestsSeen.add(guest);
}

async function reservationsOf(deps: PipelineDeps, ids: readonly string[]): Promise<Map<string, Reservation>> {
  try {
    return await retryTransient(() => deps.b1.reservations.findMany(ORDER_RESERVATIONS, ids));
  } catch (e) {
    if (e instanceof ReservationSetupError) throw new PipelineSetupError(e.sapMessage);
    throw e;
  }
}

/**
 * Decides the page's new orders: created (or refused) here, or handed to the single path with
 * the payload it should use. Transient failures of the page's reads throw (the page is retried);
 * a changeset request that fails hands its orders to the single path.
 */
export async function createOrdersOfPage(
  deps: PipelineDeps,
  runId: string,
  recs: readonly CreateRec[],
): Promise<Map<CreateRec, PageCreate>> {
  const out = new Map<CreateRec, PageCreate>();
  if (!recs.length) return out;
  // Independent reads and writes side by side: the partners, the reservations, the guest partner.
  const [, held] = await Promise.all([
    resolvePartners(deps, runId, recs, out),
    reservationsOf(
      deps,
      recs.map((r) => r.id),
    ),
    guestChecked(deps, recs),
  ]);
  const ready: Array<{ r: CreateRec; payload: CreatePayload }> = [];
  for (const r of recs) {
    const d = out.get(r);
    if (d?.kind === 'done') continue;
    const payload = d?.payload ?? r.payload;
    if (payload.doc.CardCode === CARD_CODE_FROM_CUSTOMER) throw new Error(`order ${r.label ?? r.id}: no partner resolved for its customer`);
    out.set(r, { kind: 'single', payload });
    ready.push({ r, payload });
  }
  // Reserved already: another writer, an earlier attempt or a takeover; the single path decides.
  const free = ready.filter((x) => !held.has(x.r.id));
  if (!free.length) return out;

  const plans = free.map((x) => {
    const { reservation, op } = deps.b1.reservations.insertOperation(ORDER_RESERVATIONS, x.r.id);
    const post = deps.b1.orderCreateOperation(x.payload.doc as unknown as Parameters<PipelineDeps['b1']['orderCreateOperation']>[0]);
    return { ...x, reservation, changeset: [op, post] as BatchOperation[] };
  });
  // Noted before sending: a POST whose answer is lost and that the single path then finds was
  // ours. Taken back when B1 answers that the changeset was rolled back, unless an earlier attempt
  // of this run had noted it (its POST may be the one that stands).
  const attempts = orderState(deps).createAttempts;
  const notedBefore = new Set(plans.filter((p) => attempts.attemptedInRun(runId, p.r.id)).map((p) => p.r.id));
  for (const p of plans) attempts.note(runId, p.r.id);
  await Promise.all(
    evenSlices(plans, POST_CONCURRENCY).map(async (lane) => {
      const settles: BatchOperation[] = [];
      let answers: ChangesetResult[];
      try {
        // Not idempotent: a request whose answer is lost is never sent again; the single path looks.
        answers = await deps.b1.batchEachChangeset(
          lane.map((p) => p.changeset),
          { chunkSize: lane.length },
        );
      } catch (e) {
        if (e instanceof ReservationSetupError) throw new PipelineSetupError(e.sapMessage);
        return; // every order of the lane stays on the single path
      }
      for (const [k, p] of lane.entries()) {
        const a = answers[k];
        const label = `order ${p.r.label ?? p.r.id}`;
        if (!a) continue;
        if (!a.ok) {
          if (!notedBefore.has(p.r.id)) attempts.forget(runId, p.r.id);
          // Rolled back whole. B1 refusing the order itself is the record's answer; the reservation
          // refused (held since the read), a transient part, or a -2028 that may stand for an
          // approval draft (reference §5) is left to the single path's lookup.
          if (a.index === 1 && isRecordRejection(a.error) && !(a.error instanceof B1NotFoundError))
            out.set(p.r, {
              kind: 'done',
              outcome: failed('order', p.r.id, `${label}: SAP B1 refused the sales order: ${a.error.sapMessage}`, a.error.context.field),
            });
          continue;
        }
        let made: ReturnType<PipelineDeps['b1']['orderCreatedPart']>;
        try {
          made = deps.b1.orderCreatedPart(a.parts[1]!);
        } catch {
          continue; // committed, but its answer is unreadable: the single path finds it
        }
        if (made.kind === 'draft') {
          // An approval procedure made a draft (its number is not always told): the single path
          // finds it, reports it waiting and settles the reservation with it.
          out.set(p.r, { kind: 'single', payload: p.payload, held: p.reservation });
          continue;
        }
        settles.push(deps.b1.reservations.settleOperation(p.reservation, String(made.docEntry)));
        out.set(p.r, { kind: 'done', outcome: created('order', p.r.id, String(made.docEntry)) });
      }
      heartbeat();
      // Right after its own changesets (the lanes do not wait for each other). Best effort, like
      // every settle: a lookup settles what it finds.
      if (settles.length) await deps.b1.batchEach(settles, { chunkSize: settles.length, idempotent: true }).catch(() => undefined);
    }),
  );
  return out;
}
