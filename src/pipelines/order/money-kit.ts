/**
 * What the order-to-cash stages share: the facts they carry, the outcome of one B1 document made
 * exactly once (kit/create-once.ts), and the reads of the order's invoice and credit memos.
 *
 * Every document is its own record in the run's log and in the failed-record ledger, keyed by the
 * Shopify id it stands for: a payment by its transaction GID, a refund's credit memo and outgoing
 * payment by the refund GID, the invoice by `<order GID>#invoice`, the cancellation credit memo by
 * `<order GID>#cancel`. A failed one is retried by that id (fetch resolves it to its order).
 */
import { created, failed, unchanged, type RecordOutcome } from '../../mapping';
import type { OrderFacts, ShopifyOrderMoney } from '../../mapping/invoice';
import type { MoneyConfig } from '../../mapping/money-config';
import type { MoneyMappingContext } from '../../mapping/payment';
import type { MoneyDocument, MoneySet } from '../../connectors/b1/documents-money';
import type { ReservationTable } from '../../connectors/b1/reservations';
import { createOnce, type CreateOnceResult } from '../kit/create-once';
import type { PipelineDeps } from '../contract';

/** The money of one order as it travels from fetch to post (workflow history: no secrets). */
export interface OrderMoneyPayload extends ShopifyOrderMoney, OrderFacts {
  currencyCode: string;
  /** Every document already in B1 at fetch time: these outcomes stand for the stages. */
  settled?: RecordOutcome[];
}

/** Whether this shop books anything beyond the sales order. */
export function moneyActive(m: MoneyConfig): boolean {
  return m.documentMode !== 'salesOrder' || m.payments.enabled || m.refunds.enabled;
}

export function moneyContext(deps: PipelineDeps): MoneyMappingContext {
  return { money: deps.mapping.money, timeZone: deps.mapping.order.timeZone, currencyCodes: deps.mapping.order.currencyCodes };
}

/** The order GID a stage's record id stands for (`<gid>#invoice` → `<gid>`). */
export function orderGidOf(recordId: string): string {
  const hash = recordId.indexOf('#');
  return hash < 0 ? recordId : recordId.slice(0, hash);
}

export const invoiceRecordId = (orderGid: string): string => `${orderGid}#invoice`;

/** Creates one document exactly once under `key`; the result names the DocEntry or why not. */
export function createDocument(
  deps: PipelineDeps,
  table: ReservationTable,
  set: MoneySet,
  key: string,
  label: string,
  find: () => Promise<Array<{ DocEntry: number; Cancelled: boolean }>>,
  body: () => Record<string, unknown>,
): Promise<CreateOnceResult> {
  return createOnce(deps.b1.reservations, {
    table,
    key,
    label,
    find,
    entryOf: (d) => d.DocEntry,
    standing: (d) => !d.Cancelled,
    post: () => deps.b1.money.create(set, body()),
    // Copies are reported, never voided by the hub: a money document B1 may already have
    // reconciled is for the accounting team to reverse.
  });
}

/** One record's outcome for a create-once result. */
export function outcomeOf(sourceId: string, set: MoneySet, r: CreateOnceResult): RecordOutcome {
  switch (r.kind) {
    case 'created':
      return created('order', sourceId, `${set}(${r.docEntry})`);
    case 'found':
      return unchanged('order', sourceId, `${set}(${r.docEntry})`);
    case 'duplicates':
      return { ...failed('order', sourceId, r.message), targetId: `${set}(${r.docEntry})` };
    case 'refused':
    case 'in-doubt':
      return failed('order', sourceId, r.message, r.kind === 'refused' ? r.field : undefined);
  }
}

/** The standing (not cancelled) documents, oldest first. */
export const standing = <D extends { Cancelled: boolean; DocEntry: number }>(docs: D[]): D[] =>
  docs.filter((d) => !d.Cancelled).sort((a, b) => a.DocEntry - b.DocEntry);

/** Quantity of each line of `invoice` credited by the standing credit memos given. */
export function creditedByLine(invoice: MoneyDocument, memos: readonly MoneyDocument[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of standing([...memos]))
    for (const l of m.Lines)
      if (l.BaseType === 13 && l.BaseEntry === invoice.DocEntry && l.BaseLine !== undefined)
        out.set(l.BaseLine, (out.get(l.BaseLine) ?? 0) + l.Quantity);
  return out;
}

/** A money document the mapping refused: the record fails naming every reason, the first field. */
export function mappingFailed(sourceId: string, label: string, errors: ReadonlyArray<{ reason: string; field?: string }>): RecordOutcome {
  return failed('order', sourceId, `${label}: ${errors.map((e) => e.reason).join('; ')}`, errors[0]?.field);
}

/**
 * A create-once lookup whose first call answers with what the caller just read (its "already
 * there?" check), so a document created costs one lookup, not two; every later call (after the
 * reservation, after a lost answer) reads B1 again.
 */
export function readFirstFrom<D>(first: D[], find: () => Promise<D[]>): () => Promise<D[]> {
  let pending: D[] | undefined = first;
  return () => {
    const known = pending;
    pending = undefined;
    return known ? Promise.resolve(known) : find();
  };
}
