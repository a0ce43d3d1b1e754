/**
 * Posts a page of mapped orders to B1: creates new sales orders exactly once (reservation first,
 * see exactly-once.ts and the README), creating the customer's partner on the fly, and mirrors
 * cancellations and quantity edits onto open ones. A record B1 refuses fails alone with SAP's
 * text; a transient failure is retried for its record inside the attempt, every retry starting
 * with the lookup; only a failure that outlasts those retries throws, so Temporal retries the page.
 */
import { created, decideOrderUpdate, failed, unchanged, updated, type RecordOutcome } from '../../mapping';
import type { B1OrderState } from '../../mapping/types';
import type { PipelineDeps, PostPageInput } from '../contract';
import { PipelineSetupError } from '../kit/errors';
import { mapInGroups } from '../kit/groups';
import { heartbeat, POST_CONCURRENCY } from '../kit/activity';
import { CREATE_ONCE_TIMING } from '../kit/create-once';
import { isRecordRejection, PartnerInProgressError, upsertBusinessPartner } from '../customer';
import { B1TransientError } from '../../connectors/b1/errors';
import { ORDER_RESERVATIONS, ReservationSetupError, type Reservation, type ReserveResult } from '../../connectors/b1/reservations';
import { keeper, mayHaveApplied, ORDER_STATE_SELECT, ordersFor, serialised, settleDuplicates, toCopy } from './exactly-once';
import { CARD_CODE_FROM_CUSTOMER } from './map';
import { orderState } from './state';
import type { OrderPayload } from './types';
import { invoicedInB1, postMoney } from './money';
import { createOrdersOfPage, type CreateRec, type PageCreate } from './create-batch';

type Rec = { id: string; label?: string; payload: OrderPayload };

async function assertGuestExists(deps: PipelineDeps, cardCode: string): Promise<void> {
  const seen = orderState(deps).guestsSeen;
  if (seen.has(cardCode)) return;
  const bp = await deps.b1.tryGet('BusinessPartners', cardCode, { select: ['CardCode'] });
  if (!bp)
    throw new PipelineSetupError(
      `customer.guestCardCode: business partner '${cardCode}' does not exist in B1; create it or change the setting`,
    );
  seen.add(cardCode);
}

/** Per-record retries of transient failures and in-doubt rechecks: the kit's, shared by every created document. */
const { retryDelaysMs: RECORD_RETRY_DELAYS_MS, inDoubtRecheckMs: IN_DOUBT_RECHECK_MS } = CREATE_ONCE_TIMING;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What one record's create knows across its retries inside this attempt. */
interface CreateState {
  reservation?: Reservation;
  /** Our own POST may still commit: never post again in this attempt. */
  inDoubt?: boolean;
  /** B1 answered our POST: the reservation stands for a document (never given back). */
  created?: boolean;
  /** POSTs sent for this record in this attempt: more than one may both commit. */
  posts?: number;
}

/**
 * Creates one sales order exactly once, retrying transient B1 failures for this record alone
 * (each retry starts with the lookup, so a write that landed is found); only a failure that
 * outlasts the retries is thrown, failing the page (the connection is down, not this record).
 */
async function createOrder(deps: PipelineDeps, runId: string, r: CreateRec, held?: Reservation): Promise<RecordOutcome> {
  // Held: this page's changeset created an approval draft with it (create-batch.ts): found by the
  // lookup, never posted again.
  const st: CreateState = held ? { reservation: held, created: true, inDoubt: true, posts: 1 } : {};
  for (let i = 0; ; i++) {
    try {
      return await createOnce(deps, runId, r, st);
    } catch (e) {
      if (!(e instanceof B1TransientError) || i >= RECORD_RETRY_DELAYS_MS.length) {
        // Giving up with nothing sent (no POST may still commit): give the key back, so the
        // page's retry posts at once instead of waiting out the in-doubt window.
        if (st.reservation && !st.inDoubt && !st.created) await deps.b1.reservations.release(st.reservation).catch(() => undefined);
        // Another writer is still creating this order's partner: only this record waits (it
        // stays open in the failed-record ledger and a later run retries it); the page goes on.
        if (e instanceof PartnerInProgressError) return failed('order', r.id, `order ${r.label ?? r.id}: ${e.message}`, 'customer');
        throw e;
      }
      heartbeat();
      await sleep(RECORD_RETRY_DELAYS_MS[i]!);
    }
  }
}

function waitingForApproval(r: CreateRec, label: string, draft: number | undefined): RecordOutcome {
  const key = draft === undefined ? 'a draft' : `draft ${draft}`;
  return {
    ...failed(
      'order',
      r.id,
      `${label}: waiting for approval in SAP B1 (${key}); not posted again: the approved sales order is looked for on later runs`,
    ),
    ...(draft !== undefined ? { targetId: `draft:${draft}` } : {}),
  };
}

function inDoubt(r: CreateRec, label: string, res: Reservation, deps: PipelineDeps): RecordOutcome {
  const until = deps.b1.reservations.staleAt(res);
  return failed(
    'order',
    r.id,
    `${label}: a sales order for it may still be committing in SAP B1 (reserved by ${res.holder} at ${res.takenAt} SAP B1 time, no DocEntry yet); not posted again before ${until} SAP B1 time, when the reservation may be taken over if no order or draft carries the id`,
  );
}

/** The order or the approval draft B1 has for this id, settling the reservation to it. */
async function inB1(
  deps: PipelineDeps,
  runId: string,
  r: CreateRec,
  label: string,
  res: Reservation | undefined,
): Promise<RecordOutcome | undefined> {
  const copies = await ordersFor(deps, r.id);
  if (copies.length) {
    const open = copies.filter((c) => c.Cancelled !== 'tYES');
    const s = open.length > 1 ? await settleOrReport(deps, r.id) : undefined;
    if (s && 'error' in s)
      return {
        ...failed('order', r.id, `${label}: SAP B1 has several open sales orders for it and refused to cancel a copy: ${s.error}`),
        targetId: String(open[0]!.DocEntry),
      };
    const keep = s?.keep ?? open[0]?.DocEntry ?? copies[0]!.DocEntry;
    if (res && res.target !== String(keep)) await deps.b1.reservations.settle(res, String(keep)).catch(() => undefined);
    const target = String(keep);
    if (s?.reported.length) {
      return {
        ...failed(
          'order',
          r.id,
          `${label}: SAP B1 has several open sales orders for it (${[keep, ...s.reported].join(', ')}) that it already acted on (delivered or invoiced); the hub cancels only untouched copies: settle them in B1`,
        ),
        targetId: target,
      };
    }
    return orderState(deps).createAttempts.attemptedInRun(runId, r.id) ? created('order', r.id, target) : unchanged('order', r.id, target);
  }
  const drafts = await deps.b1.findOrderDraftsByShopifyId(r.id);
  const pending = drafts.find(
    (d) => d.AuthorizationStatus !== 'dasRejected' && d.AuthorizationStatus !== 'dasCancelled' && d.DocumentStatus !== 'bost_Close',
  );
  if (pending) {
    if (res && res.target !== `draft:${pending.DocEntry}`)
      await deps.b1.reservations.settle(res, `draft:${pending.DocEntry}`).catch(() => undefined);
    return waitingForApproval(r, label, pending.DocEntry);
  }
  const rejected = drafts.find((d) => d.AuthorizationStatus === 'dasRejected');
  if (rejected)
    return {
      ...failed(
        'order',
        r.id,
        `${label}: its sales order was rejected in the SAP B1 approval procedure (draft ${rejected.DocEntry}); not posted again`,
      ),
      targetId: `draft:${rejected.DocEntry}`,
    };
  return undefined;
}

/** settleDuplicates, with a refused Cancel (a business rule, not an outage) reported, not thrown. */
async function settleOrReport(
  deps: PipelineDeps,
  id: string,
  mine?: number,
): Promise<Awaited<ReturnType<typeof settleDuplicates>> | { error: string }> {
  try {
    return await settleDuplicates(deps, id, mine);
  } catch (e) {
    if (isRecordRejection(e)) return { error: e.sapMessage };
    throw e;
  }
}

async function createOnce(deps: PipelineDeps, runId: string, r: CreateRec, st: CreateState): Promise<RecordOutcome> {
  const label = `order ${r.label ?? r.id}`;
  const res = deps.b1.reservations;
  const known = await inB1(deps, runId, r, label, st.reservation);
  if (known) return known;
  if (st.inDoubt && st.reservation) return inDoubt(r, label, st.reservation, deps);
  // A setup problem stops the run before anything is written (the reservation is a write).
  if (!r.payload.customer && r.payload.doc.CardCode === deps.mapping.customer.guestCardCode)
    await assertGuestExists(deps, r.payload.doc.CardCode);

  // The partner first: it has its own exactly-once key, and resolving it may wait for another
  // writer (series mode), so the order's reservation is only held around the POST itself.
  const doc = { ...r.payload.doc };
  if (r.payload.customer) {
    const bp = await upsertBusinessPartner(deps, r.payload.customer);
    if (bp.outcome === 'failed') {
      if (st.reservation) await res.release(st.reservation);
      st.reservation = undefined;
      return failed(
        'order',
        r.id,
        `${label}: customer ${r.payload.customer.U_ShopifyId}: ${bp.reason}`,
        bp.field ? `customer.${bp.field}` : 'customer',
      );
    }
    doc.CardCode = bp.cardCode;
  }
  if (doc.CardCode === CARD_CODE_FROM_CUSTOMER) throw new Error(`${label}: no partner resolved for its customer`);

  if (!st.reservation) {
    let got: ReserveResult;
    try {
      got = await res.reserve(ORDER_RESERVATIONS, r.id);
      if (!got.mine) {
        const h = got.holder;
        // Looked up above: no order and no draft carries the id.
        if (h.target)
          return failed(
            'order',
            r.id,
            `${label}: reserved for ${h.target} in SAP B1, which no longer carries the Shopify id; not posted again (check the document, then delete row ${h.code} of @${h.table})`,
            'id',
          );
        if (!res.isStale(h)) return inDoubt(r, label, h, deps);
        // The holder died (or its POST never landed) long enough ago: one taker wins.
        got = await res.takeOver(h);
        if (!got.mine) return inDoubt(r, label, got.holder, deps);
        // Its POST may have committed while we took over: look once more.
        const late = await inB1(deps, runId, r, label, got.reservation);
        if (late) return late;
      }
    } catch (e) {
      if (e instanceof ReservationSetupError) throw new PipelineSetupError(e.sapMessage);
      throw e;
    }
    st.reservation = got.reservation;
  }
  const mine = st.reservation;

  orderState(deps).createAttempts.note(runId, r.id);
  st.posts = (st.posts ?? 0) + 1;
  let made: Awaited<ReturnType<PipelineDeps['b1']['createOrderOrDraft']>>;
  try {
    made = await deps.b1.createOrderOrDraft(doc as unknown as Parameters<PipelineDeps['b1']['createOrderOrDraft']>[0]);
    st.created = true;
  } catch (e) {
    if (isRecordRejection(e)) {
      // -2028 is also how a draft answers when the preference for no content is ignored.
      const draft = await inB1(deps, runId, r, label, mine);
      if (draft) return draft;
      // Refused: nothing was created, so the key is given back at once.
      await res.release(mine);
      st.reservation = undefined;
      return failed('order', r.id, `${label}: SAP B1 refused the sales order: ${e.sapMessage}`, e.context.field);
    }
    if (!mayHaveApplied(e)) throw e; // not sent: the retry looks up, then posts again
    st.inDoubt = true;
    // The POST may have landed (lost answer) or may still commit (slow): look, a few times.
    for (const ms of IN_DOUBT_RECHECK_MS) {
      await sleep(ms);
      heartbeat();
      const found = await inB1(deps, runId, r, label, mine).catch(() => undefined);
      if (found) return found;
    }
    return inDoubt(r, label, mine, deps);
  }
  if (made.kind === 'draft') {
    const draft = made.draftEntry ?? (await deps.b1.findOrderDraftsByShopifyId(r.id))[0]?.DocEntry;
    if (draft !== undefined) await res.settle(mine, `draft:${draft}`).catch(() => undefined);
    return waitingForApproval(r, label, draft);
  }
  // A settle lost to a fault is repaired by the next lookup (it settles what it finds).
  await res.settle(mine, String(made.docEntry)).catch(() => undefined);
  // The first generation, taken by this record and followed by its one POST: no other holder ever
  // posted this order (every hub POST is made by a holder), so there is no copy to look for. After
  // a takeover the previous holder's POST may still commit, and so may an earlier POST of ours if
  // one was ever sent again (a failure wrongly judged "not applied"): look, and settle.
  if (mine.generation === 1 && st.posts === 1) return created('order', r.id, String(made.docEntry));
  const s = await settleOrReport(deps, r.id, made.docEntry);
  if ('error' in s)
    return {
      ...failed(
        'order',
        r.id,
        `${label}: created sales order ${made.docEntry}, but SAP B1 refused to cancel a copy made by another writer: ${s.error}`,
      ),
      targetId: String(made.docEntry),
    };
  return s.keep === made.docEntry ? created('order', r.id, String(made.docEntry)) : unchanged('order', r.id, String(s.keep));
}

async function updateOrder(deps: PipelineDeps, r: Rec & { payload: Extract<OrderPayload, { action: 'update' }> }): Promise<RecordOutcome> {
  const label = `order ${r.label ?? r.id}`;
  // Invoiced in B1: its sales order was closed by the copy, and what Shopify changes from now on
  // (a cancellation, refunds) is booked by credit memos (money.ts), not mirrored on the order.
  if (await invoicedInB1(deps, r.payload.money)) {
    const copies = await ordersFor(deps, r.id);
    const so = copies.find((c) => c.Cancelled !== 'tYES') ?? copies[0];
    if (so) return unchanged('order', r.id, String(so.DocEntry));
  }
  // One read gives both the cross-reference and the state the decision needs.
  const found = (await deps.b1.findOrdersByShopifyId(r.id, ORDER_STATE_SELECT)) as unknown as B1OrderState[];
  // The copy that stands, by the sweep's rule (the oldest B1 acted on, else the oldest uncancelled):
  // after a sweep the lowest DocEntry may be a cancelled copy while a younger one ships. Only when
  // every copy is cancelled does the oldest speak for them.
  const copies = found.map((o) => toCopy(o as unknown as Record<string, unknown>)).sort((a, b) => a.DocEntry - b.DocEntry);
  const stands = keeper(copies.filter((c) => c.Cancelled !== 'tYES')) ?? copies[0];
  const state = found.find((o) => Number(o.DocEntry) === stands?.DocEntry);
  if (!state) return failed('order', r.id, `${label}: its B1 sales order was not found by U_ShopifyId any more`, 'id');
  const decision = decideOrderUpdate(state, r.payload.order, deps.mapping, {
    itemCodeBySku: new Map(r.payload.itemCodes.map((c) => [c, c])),
  });
  const target = String(state.DocEntry);
  try {
    switch (decision.action) {
      case 'nothing':
        return unchanged('order', r.id, target);
      case 'cancel':
        await deps.b1.cancelOrder(decision.docEntry);
        return updated('order', r.id, target);
      case 'patch':
        await deps.b1.patch('Orders', decision.docEntry, decision.patch as unknown as Record<string, unknown>);
        return updated('order', r.id, target);
      case 'report-not-applied':
        return { ...failed('order', r.id, `${label}: ${decision.reason}`, decision.field), targetId: target };
    }
  } catch (e) {
    if (isRecordRejection(e))
      return {
        ...failed('order', r.id, `${label}: SAP B1 refused the change to order ${target}: ${e.sapMessage}`, e.context.field),
        targetId: target,
      };
    throw e;
  }
}

export async function postOrders(deps: PipelineDeps, input: PostPageInput<OrderPayload>): Promise<RecordOutcome[]> {
  // The page's new orders first, in a few requests (create-batch.ts); what that cannot decide
  // goes on one by one below, with its partner already resolved.
  const creates = input.records.filter((r): r is CreateRec => r.payload.action === 'create');
  const decided = deps.tuning.order.batchCreates ? await createOrdersOfPage(deps, input.syncId, creates) : new Map<CreateRec, PageCreate>();
  // Orders of one partner (a new customer's orders: by its e-mail, as the customer pipeline
  // groups) run one after the other, so the first creates the partner and the next ones find
  // it; orders of different partners run side by side.
  const keyOf = (r: Rec) => {
    const p = r.payload;
    if (p.action === 'update') return `order:${r.id}`;
    return p.customer ? `email:${p.customer.EmailAddress?.toLowerCase() ?? p.customer.U_ShopifyId}` : `card:${p.doc.CardCode}`;
  };
  const perRecord = await mapInGroups(input.records, keyOf, POST_CONCURRENCY, async (r) => {
    const p = r.payload;
    const outcomes = await serialised(orderState(deps).inFlight, r.id, async () => {
      const d = p.action === 'create' ? decided.get(r as CreateRec) : undefined;
      const order =
        d?.kind === 'done'
          ? d.outcome
          : p.action === 'create'
            ? await createOrder(deps, input.syncId, { ...r, payload: d?.payload ?? p }, d?.held)
            : await updateOrder(deps, { ...r, payload: p });
      // The money stages follow a sales order that stands (not a draft waiting for approval).
      const soEntry = Number(order.targetId);
      if (!p.money || order.outcome === 'failed' || !Number.isInteger(soEntry)) return [order];
      // All of it was in B1 when the page was read (money-settled.ts): nothing to look up again.
      if (p.money.settled && p.action === 'update') return [order, ...p.money.settled];
      return [order, ...(await postMoney(deps, p.money, soEntry))];
    });
    heartbeat();
    return outcomes;
  });
  return perRecord.flat();
}
