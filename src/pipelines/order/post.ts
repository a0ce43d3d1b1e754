/**
 * Posts a page of mapped orders to B1: creates new sales orders exactly once (creating the
 * customer's partner on the fly), and mirrors cancellations and quantity edits onto open ones.
 * A record B1 refuses fails alone with SAP's text; outages throw so Temporal retries the page,
 * which is safe because every write is preceded by a lookup of what is already there.
 */
import { created, decideOrderUpdate, failed, unchanged, updated, type RecordOutcome } from '../../mapping';
import type { B1OrderState } from '../../mapping/types';
import type { PipelineDeps, PostPageInput } from '../contract';
import { PipelineSetupError } from '../errors';
import { mapInGroups } from '../customer/groups';
import { heartbeat, POST_CONCURRENCY } from '../customer/post';
import { createAttemptedInRun, noteCreateAttempt } from '../customer/run-memory';
import { isRecordRejection, upsertBusinessPartner } from '../customer/upsert';
import { ORDER_STATE_SELECT, ordersFor, serialised, settleDuplicates } from './exactly-once';
import { CARD_CODE_FROM_CUSTOMER } from './map';
import type { OrderPayload } from './types';

type Rec = { id: string; label?: string; payload: OrderPayload };

/** Guest partners known to exist, per client (checked once per worker, not once per order). */
const guestsSeen = new WeakMap<object, Set<string>>();

async function assertGuestExists(deps: PipelineDeps, cardCode: string): Promise<void> {
  const seen = guestsSeen.get(deps.b1) ?? new Set<string>();
  guestsSeen.set(deps.b1, seen);
  if (seen.has(cardCode)) return;
  const bp = await deps.b1.tryGet('BusinessPartners', cardCode, { select: ['CardCode'] });
  if (!bp) throw new PipelineSetupError(`customer.guestCardCode: business partner '${cardCode}' does not exist in B1; create it or change the setting`);
  seen.add(cardCode);
}

async function createOrder(deps: PipelineDeps, runId: string, r: Rec & { payload: Extract<OrderPayload, { action: 'create' }> }): Promise<RecordOutcome> {
  const label = `order ${r.label ?? r.id}`;
  const existing = await ordersFor(deps, r.id);
  if (existing[0]) {
    const target = String(existing[0].DocEntry);
    return createAttemptedInRun(runId, r.id) ? created('order', r.id, target) : unchanged('order', r.id, target);
  }

  const doc = { ...r.payload.doc };
  if (r.payload.customer) {
    const bp = await upsertBusinessPartner(deps, r.payload.customer);
    if (bp.outcome === 'failed') return failed('order', r.id, `${label}: customer ${r.payload.customer.U_ShopifyId}: ${bp.reason}`, bp.field ? `customer.${bp.field}` : 'customer');
    doc.CardCode = bp.cardCode;
  } else if (doc.CardCode === deps.mapping.customer.guestCardCode) {
    await assertGuestExists(deps, doc.CardCode);
  }
  if (doc.CardCode === CARD_CODE_FROM_CUSTOMER) throw new Error(`${label}: no partner resolved for its customer`);

  let docEntry: number;
  noteCreateAttempt(runId, r.id);
  try {
    const so = await deps.b1.createOrder(doc as unknown as Parameters<PipelineDeps['b1']['createOrder']>[0]);
    docEntry = Number(so.DocEntry);
  } catch (e) {
    if (isRecordRejection(e)) return failed('order', r.id, `${label}: SAP B1 refused the sales order: ${e.sapMessage}`, e.context.field);
    throw e;
  }
  const kept = await settleDuplicates(deps, r.id, docEntry);
  return kept === docEntry ? created('order', r.id, String(docEntry)) : unchanged('order', r.id, String(kept));
}

async function updateOrder(deps: PipelineDeps, r: Rec & { payload: Extract<OrderPayload, { action: 'update' }> }): Promise<RecordOutcome> {
  const label = `order ${r.label ?? r.id}`;
  // One read gives both the cross-reference and the state the decision needs.
  const found = await deps.b1.findOrdersByShopifyId(r.id, ORDER_STATE_SELECT);
  const state = (found as unknown as B1OrderState[]).sort((a, b) => a.DocEntry - b.DocEntry)[0];
  if (!state) return failed('order', r.id, `${label}: its B1 sales order was not found by U_ShopifyId any more`, 'id');
  const decision = decideOrderUpdate(state, r.payload.order, deps.mapping, { itemCodeBySku: new Map(r.payload.itemCodes.map((c) => [c, c])) });
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
    if (isRecordRejection(e)) return { ...failed('order', r.id, `${label}: SAP B1 refused the change to order ${target}: ${e.sapMessage}`, e.context.field), targetId: target };
    throw e;
  }
}

export async function postOrders(deps: PipelineDeps, input: PostPageInput<OrderPayload>): Promise<RecordOutcome[]> {
  // Orders of one partner (a new customer's orders: by its e-mail, as the customer pipeline
  // groups) run one after the other, so the first creates the partner and the next ones find
  // it; orders of different partners run side by side.
  const keyOf = (r: Rec) => {
    const p = r.payload;
    if (p.action === 'update') return `order:${r.id}`;
    return p.customer ? `email:${p.customer.EmailAddress?.toLowerCase() ?? p.customer.U_ShopifyId}` : `card:${p.doc.CardCode}`;
  };
  return mapInGroups(input.records, keyOf, POST_CONCURRENCY, async (r) => {
    const p = r.payload;
    const outcome = await serialised(r.id, () => (p.action === 'create' ? createOrder(deps, input.runId, { ...r, payload: p }) : updateOrder(deps, { ...r, payload: p })));
    heartbeat();
    return outcome;
  });
}
