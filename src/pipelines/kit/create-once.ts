/**
 * Creates one B1 document exactly once per Shopify key, in every interleaving: the structural
 * guarantee of sales orders (README, "Exactly once"), made reusable for every document the hub
 * adds (reserve invoices, incoming payments, credit memos, outgoing payments, deliveries).
 *
 * The mechanism, in order:
 * 1. Look the document up by the key it carries (a UDF such as `U_ShopifyTxnId`). Found: done.
 * 2. Take the key's reservation, a row B1 itself keeps unique (reservations.ts). Held by another
 *    writer: its document may still be committing; report "in doubt" until the reservation is
 *    stale on B1's clock, then take it over (one taker wins) and look again.
 * 3. POST once. Refused by B1: give the key back, the record fails with SAP's text. No answer
 *    (timeout, lost response, 5xx from a gateway): the POST may still commit, so never POST again
 *    in this attempt; look a few times, then report in doubt (the next run finds it or, after the
 *    stale window, takes over).
 * 4. A create that was not the first generation's only POST looks for copies and voids the
 *    younger standing ones (or reports them when B1 refuses: it already acted on them).
 *
 * Transient failures before the POST are retried here for this record alone, each retry starting
 * with the lookup (step 1), so one fault costs one record's retry, not the page.
 */
import { B1TransientError } from '../../connectors/b1/errors';
import {
  ReservationSetupError,
  type Reservation,
  type ReservationTable,
  type ReserveResult,
  type Reservations,
} from '../../connectors/b1/reservations';
import { isRecordRejection } from '../../shared/error-policy';
import { heartbeat } from './activity';
import { PipelineSetupError } from './errors';

export interface CreateOnceSpec<D> {
  /** Reservation table of this kind of document (created by `init --fix`). */
  table: ReservationTable;
  /** The Shopify id the document carries, and the reservation key. */
  key: string;
  /** What is being created, for messages: `incoming payment for transaction 42 of #1001`. */
  label: string;
  /** The B1 documents carrying the key (any state). */
  find(): Promise<D[]>;
  entryOf(d: D): number;
  /** Not cancelled (a cancelled copy does not count as the document). */
  standing(d: D): boolean;
  /** POSTs the document once; returns its DocEntry. */
  post(): Promise<number>;
  /** Voids a younger copy; a record rejection means B1 already acted on it (then it is reported). */
  voidCopy?(d: D): Promise<void>;
}

export type CreateOnceResult =
  | { kind: 'created' | 'found'; docEntry: number }
  | { kind: 'refused'; message: string; field?: string }
  | { kind: 'in-doubt'; message: string }
  | { kind: 'duplicates'; docEntry: number; message: string };

export interface CreateOnceTiming {
  /** Pauses between this record's retries of transient failures. */
  retryDelaysMs: readonly number[];
  /** After a POST without an answer: look again after these pauses before reporting in doubt. */
  inDoubtRecheckMs: readonly number[];
}

export const CREATE_ONCE_TIMING: CreateOnceTiming = { retryDelaysMs: [250, 1_000, 3_000], inDoubtRecheckMs: [250, 1_000, 2_000] };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Whether a failed write may still have been applied (a lookup must decide before any repeat).
 * Only B1 refusing the record, or a transient failure known not to have been forwarded, says it
 * was not: a malformed answer (a 200 instead of 201, a body we cannot parse) came after the write.
 */
export function mayHaveApplied(e: unknown): boolean {
  if (e instanceof B1TransientError) return e.mayHaveBeenApplied;
  return !isRecordRejection(e);
}

interface AttemptState {
  reservation?: Reservation;
  /** Our own POST may still commit: never post again in this attempt. */
  inDoubt?: boolean;
  /** B1 answered our POST: the reservation stands for a document (never given back). */
  created?: boolean;
  posts: number;
}

export async function createOnce<D>(
  reservations: Reservations,
  spec: CreateOnceSpec<D>,
  timing: CreateOnceTiming = CREATE_ONCE_TIMING,
): Promise<CreateOnceResult> {
  const st: AttemptState = { posts: 0 };
  for (let i = 0; ; i++) {
    try {
      return await attempt(reservations, spec, st, timing);
    } catch (e) {
      if (e instanceof ReservationSetupError) throw new PipelineSetupError(e.sapMessage);
      if (!(e instanceof B1TransientError) || i >= timing.retryDelaysMs.length) {
        // Giving up with nothing sent: give the key back so the page's retry need not wait out the window.
        if (st.reservation && !st.inDoubt && !st.created) await reservations.release(st.reservation).catch(() => undefined);
        throw e;
      }
      heartbeat();
      await sleep(timing.retryDelaysMs[i]!);
    }
  }
}

function inDoubt(reservations: Reservations, spec: CreateOnceSpec<unknown>, res: Reservation): CreateOnceResult {
  return {
    kind: 'in-doubt',
    message: `${spec.label}: it may still be committing in SAP B1 (reserved by ${res.holder} at ${res.takenAt} SAP B1 time, no DocEntry yet); not posted again before ${reservations.staleAt(res)} SAP B1 time, when the reservation may be taken over if no document carries the id`,
  };
}

/** The standing document carrying the key (younger copies voided), or undefined. */
async function lookUp<D>(
  reservations: Reservations,
  spec: CreateOnceSpec<D>,
  res: Reservation | undefined,
  mine?: number,
): Promise<CreateOnceResult | undefined> {
  const docs = (await spec.find()).sort((a, b) => spec.entryOf(a) - spec.entryOf(b));
  if (docs.length === 0) return undefined;
  const standing = docs.filter((d) => spec.standing(d));
  const keep = standing[0] ?? docs[0]!;
  const reported: number[] = [];
  for (const copy of standing.slice(1)) {
    if (!spec.voidCopy) {
      reported.push(spec.entryOf(copy));
      continue;
    }
    try {
      await spec.voidCopy(copy);
    } catch (e) {
      if (!isRecordRejection(e)) throw e;
      reported.push(spec.entryOf(copy));
    }
  }
  const docEntry = spec.entryOf(keep);
  if (res && res.target !== String(docEntry)) await reservations.settle(res, String(docEntry)).catch(() => undefined);
  if (reported.length) {
    return {
      kind: 'duplicates',
      docEntry,
      message: `${spec.label}: SAP B1 has several documents for it (${[docEntry, ...reported].join(', ')}) and refused to cancel the younger ones: settle them in B1`,
    };
  }
  return { kind: mine === docEntry ? 'created' : 'found', docEntry };
}

async function attempt<D>(
  reservations: Reservations,
  spec: CreateOnceSpec<D>,
  st: AttemptState,
  timing: CreateOnceTiming,
): Promise<CreateOnceResult> {
  const known = await lookUp(reservations, spec, st.reservation);
  if (known) return st.posts > 0 && known.kind === 'found' ? { ...known, kind: 'created' } : known;
  if (st.inDoubt && st.reservation) return inDoubt(reservations, spec, st.reservation);

  if (!st.reservation) {
    let got: ReserveResult = await reservations.reserve(spec.table, spec.key);
    if (!got.mine) {
      const h = got.holder;
      if (h.target) {
        return {
          kind: 'refused',
          message: `${spec.label}: reserved for ${h.target} in SAP B1, which no longer carries the Shopify id; not posted again (check the document, then delete row ${h.code} of @${h.table})`,
          field: 'id',
        };
      }
      if (!reservations.isStale(h)) return inDoubt(reservations, spec, h);
      got = await reservations.takeOver(h);
      if (!got.mine) return inDoubt(reservations, spec, got.holder);
      // The previous holder's POST may have committed while we took over.
      const late = await lookUp(reservations, spec, got.reservation);
      if (late) return late;
    }
    st.reservation = got.reservation;
  }
  const mine = st.reservation;

  st.posts += 1;
  let docEntry: number;
  try {
    docEntry = await spec.post();
    st.created = true;
  } catch (e) {
    if (isRecordRejection(e)) {
      await reservations.release(mine);
      st.reservation = undefined;
      return {
        kind: 'refused',
        message: `${spec.label}: SAP B1 refused it: ${e.sapMessage}`,
        ...(e.context.field ? { field: e.context.field } : {}),
      };
    }
    if (!mayHaveApplied(e)) throw e; // not sent: the retry looks up, then posts again
    st.inDoubt = true;
    for (const ms of timing.inDoubtRecheckMs) {
      await sleep(ms);
      heartbeat();
      const found = await lookUp(reservations, spec, mine).catch(() => undefined);
      if (found) return found.kind === 'found' ? { ...found, kind: 'created' } : found;
    }
    return inDoubt(reservations, spec, mine);
  }
  await reservations.settle(mine, String(docEntry)).catch(() => undefined);
  // The first generation's only POST: every hub POST is made by a holder, so no copy exists.
  if (mine.generation === 1 && st.posts === 1) return { kind: 'created', docEntry };
  return (await lookUp(reservations, spec, mine, docEntry)) ?? { kind: 'created', docEntry };
}
