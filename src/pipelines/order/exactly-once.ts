/**
 * At most one open sales order per Shopify order, in every interleaving. The Service Layer has no
 * idempotency key, so the hub uses one B1 keeps unique: a reservation row per Shopify order
 * (connectors/b1/reservations.ts), taken before the POST and settled with the DocEntry after.
 * Only the holder posts; a holder that died leaves a reservation without a DocEntry, which is
 * taken over (itself a unique insert) only once it is older than the stale window and no order
 * or draft carries the id (its age is judged on SAP B1's clock, reservations.ts). A duplicate
 * sweep in every run cancels what slipped through anyway (a POST that committed after its
 * holder's stale window): the oldest copy B1 acted on, else the oldest, stands; the other copies
 * B1 has not acted on are cancelled, copies that were delivered/invoiced are reported.
 * See the README, "Exactly once".
 */
import { Context } from '@temporalio/activity';
import { B1Error, B1TransientError } from '../../connectors/b1/errors';
import { ORDER_RESERVATIONS } from '../../connectors/b1/reservations';
import type { PipelineDeps } from '../contract';

export const ORDER_STATE_SELECT = ['DocEntry', 'DocumentStatus', 'Cancelled', 'DocumentLines'] as const;

/**
 * Runs `fn` while no other call for the same key runs in `inFlight` (the worker's calls in
 * flight, order/state.ts: one per worker; another worker or hub has its own).
 */
export async function serialised<T>(inFlight: Map<string, Promise<unknown>>, key: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    const busy = inFlight.get(key);
    if (!busy) break;
    await busy.catch(() => undefined);
  }
  const p = fn();
  inFlight.set(key, p);
  try {
    return await p;
  } finally {
    if (inFlight.get(key) === p) inFlight.delete(key);
  }
}

export interface OrderCopy {
  DocEntry: number;
  Cancelled?: string;
  DocumentStatus?: string;
  /** B1 has acted on it (delivered, invoiced, closed): never cancelled by the hub. */
  actedOn: boolean;
}

type Row = Record<string, unknown>;

export function toCopy(r: Row): OrderCopy {
  const lines = (r.DocumentLines as Row[] | undefined) ?? [];
  const cancelled = r.Cancelled === 'tYES';
  const open = r.DocumentStatus === undefined || r.DocumentStatus === 'bost_Open';
  const lineTouched = lines.some(
    (l) =>
      (l.LineStatus !== undefined && l.LineStatus !== 'bost_Open') ||
      (typeof l.RemainingOpenQuantity === 'number' && typeof l.Quantity === 'number' && l.RemainingOpenQuantity < l.Quantity),
  );
  return {
    DocEntry: Number(r.DocEntry),
    ...(typeof r.Cancelled === 'string' ? { Cancelled: r.Cancelled } : {}),
    ...(typeof r.DocumentStatus === 'string' ? { DocumentStatus: r.DocumentStatus } : {}),
    actedOn: !cancelled && (!open || lineTouched),
  };
}

/** Sales orders carrying this Shopify GID, oldest (lowest DocEntry) first, with what B1 did to them. */
export async function ordersFor(deps: PipelineDeps, shopifyId: string): Promise<OrderCopy[]> {
  const rows = await deps.b1.findOrdersByShopifyId(shopifyId, ['DocEntry', 'Cancelled', 'DocumentStatus', 'DocumentLines']);
  return (rows as unknown as Row[]).map(toCopy).sort((a, b) => a.DocEntry - b.DocEntry);
}

export interface SettleResult {
  /** The sales order that stands. */
  keep: number;
  cancelled: number[];
  /** Open copies the hub did not cancel because B1 already acted on them. */
  reported: number[];
}

/**
 * Which of several copies stands: the oldest one B1 acted on, else the oldest. Decided from B1's
 * state alone, so every writer that settles (the creator after its POST, a sweep, a lookup) picks
 * the same copy: a choice by anything a writer holds itself (its own DocEntry, a reservation
 * target it read earlier) let two writers cancel each other's copy and leave none open.
 */
export function keeper(open: OrderCopy[]): OrderCopy | undefined {
  return open.find((o) => o.actedOn) ?? open[0];
}

/**
 * When several open sales orders carry one Shopify GID, every copy but the keeper is cancelled
 * (B1 documents cannot be deleted), unless B1 already acted on it (reported instead). A failed
 * Cancel is decided by SAP's code and a re-read of the document, never by the message text
 * (every message names the path `…/Cancel`): the copy counts as cancelled only when the re-read
 * says so; otherwise the error is thrown (transient: retry; business: the caller reports it).
 */
export async function settleDuplicates(deps: PipelineDeps, shopifyId: string, mine?: number): Promise<SettleResult> {
  const all = await ordersFor(deps, shopifyId);
  const open = all.filter((o) => o.Cancelled !== 'tYES');
  const keep = keeper(open) ?? all[0];
  const out: SettleResult = { keep: keep?.DocEntry ?? mine ?? 0, cancelled: [], reported: [] };
  for (const o of open) {
    if (o.DocEntry === keep?.DocEntry) continue;
    if (o.actedOn) {
      out.reported.push(o.DocEntry);
      continue;
    }
    try {
      await deps.b1.cancelOrder(o.DocEntry);
    } catch (e) {
      if (!(e instanceof B1Error)) throw e;
      // The other writer may have cancelled it first: only B1's own state says so.
      const now = await deps.b1.tryGet('Orders', o.DocEntry, { select: ['DocEntry', 'Cancelled'] });
      if (now?.Cancelled !== 'tYES') throw e;
    }
    out.cancelled.push(o.DocEntry);
  }
  return out;
}

/**
 * The sweep of one run: open sales orders created in B1 since `sinceDate` (YYYY-MM-DD) grouped by
 * U_ShopifyId; every GID with more than one is settled. Returns what it did per GID.
 */
export async function sweepDuplicates(deps: PipelineDeps, sinceDate: string): Promise<Map<string, SettleResult | { error: string }>> {
  // Every uncancelled copy counts, closed ones too: a copy delivered (closed) before a late copy
  // committed still makes the late one a duplicate, which would otherwise ship a second time.
  const rows = await deps.b1.list('Orders', {
    filter: `CreationDate ge '${sinceDate}' and U_ShopifyId ne null and Cancelled eq 'tNO'`,
    select: ['DocEntry', 'U_ShopifyId'],
  });
  const count = new Map<string, number>();
  for (const r of rows)
    if (typeof r.U_ShopifyId === 'string' && r.U_ShopifyId) count.set(r.U_ShopifyId, (count.get(r.U_ShopifyId) ?? 0) + 1);
  const out = new Map<string, SettleResult | { error: string }>();
  for (const [id, n] of count) {
    if (n < 2) continue;
    try {
      const settled = await settleDuplicates(deps, id);
      out.set(id, settled);
      // The reservation follows the copy that stands (best effort: the next lookup repairs it).
      const reservation = await deps.b1.reservations.find(ORDER_RESERVATIONS, id).catch(() => undefined);
      if (reservation && reservation.target !== String(settled.keep))
        await deps.b1.reservations.settle(reservation, String(settled.keep)).catch(() => undefined);
    } catch (e) {
      // One copy B1 refuses to cancel must not stop the sweep (nor the run): it is reported.
      if (e instanceof B1TransientError || !(e instanceof B1Error)) throw e;
      out.set(id, { error: e.message });
    }
  }
  return out;
}

/** How far back (days, by B1 CreationDate) each run's duplicate sweep looks. */
export const SWEEP_DAYS = 3;

/**
 * The sweep every order run makes once (its first fetch): settles recent copies and logs what it
 * did. Cheap when there is nothing to do: one read of two fields of the recent open orders.
 */
export async function sweepRecentDuplicates(deps: PipelineDeps): Promise<void> {
  // B1's time when known (its CreationDate is what is compared), the hub's before its first answer.
  const since = new Date((deps.b1.serverNow() ?? Date.now()) - SWEEP_DAYS * 86_400_000).toISOString().slice(0, 10);
  const done = await sweepDuplicates(deps, since);
  for (const [id, r] of done) {
    const what =
      'error' in r
        ? `could not settle: ${r.error}`
        : `kept ${r.keep}, cancelled ${r.cancelled.join(', ') || 'none'}${r.reported.length ? `, already acted on in B1 (not cancelled): ${r.reported.join(', ')}` : ''}`;
    activityLog(`order ${id}: several open SAP B1 sales orders carry it; ${what}`);
  }
}

function activityLog(message: string): void {
  try {
    Context.current().log.warn(message);
  } catch {
    // Not inside an activity (the pipeline called directly).
  }
}

/** Shared with every document the hub creates exactly once (kit/create-once.ts). */
export { mayHaveApplied } from '../kit/create-once';
