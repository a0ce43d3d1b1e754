/**
 * The money side of the simulated Service Layer, as the state and the service see it: per entity
 * set, how a POST creates, which PATCHes are allowed, which bound actions exist and which fields
 * of newer releases are served on top of the reference $metadata.
 */
import { Errors } from './errors';
import type { Rec } from './model';
import type { B1SimState } from './state';
import type { B1PropTuple } from '../../connectors/b1/metadata/generated';
import { PAID_TO_DATE_FIELDS } from './money-types';
import { checkDocumentPatch, createCreditNote, createInvoice, invoiceAction } from './money-documents';
import { checkPaymentPatch, createCreditCard, createPayment, paymentAction } from './money-payments';

export type { DocOps } from './money-common';

export interface MoneySet {
  /** POST: runs inside the state's transaction, so a thrown error undoes every write. */
  create(s: B1SimState, input: Rec): { key: string; rec: Rec };
  /** PATCH/PUT: throws for what SAP does not let you change on a posted document. */
  checkPatch(s: B1SimState, prev: Rec, input: Rec, put: boolean): void;
  /** Bound action (`POST /Invoices(1)/Cancel`); throws -5006 for unknown ones. */
  action?(s: B1SimState, key: string, action: string): void;
}

const postedDocument = (create: MoneySet['create']): MoneySet => ({
  create,
  checkPatch: (_s, _prev, input, put) => {
    if (put) throw Errors.notSupported();
    checkDocumentPatch(input);
  },
});
const payment = (set: 'IncomingPayments' | 'VendorPayments'): MoneySet => ({
  create: (s, input) => createPayment(s, set, input),
  checkPatch: (_s, _prev, input, put) => {
    if (put) throw Errors.notSupported();
    checkPaymentPatch(input);
  },
  action: (s, key, action) => paymentAction(s, set, key, action),
});

export const MONEY_SETS: Record<string, MoneySet> = {
  Invoices: { ...postedDocument(createInvoice), action: invoiceAction },
  CreditNotes: postedDocument(createCreditNote),
  IncomingPayments: payment('IncomingPayments'),
  VendorPayments: payment('VendorPayments'),
  CreditCards: { create: createCreditCard, checkPatch: () => undefined },
};

const PAID_PROPS: readonly B1PropTuple[] = PAID_TO_DATE_FIELDS.map((n) => [n, 'Edm.Double', 2, null] as unknown as B1PropTuple);

/** Properties served on a set beyond its $metadata type (read-only; rendered as 0 when unset). */
export function moneyExtraProps(set: string): readonly B1PropTuple[] {
  return set === 'Invoices' || set === 'CreditNotes' ? PAID_PROPS : [];
}

/** Runs a bound action of a money set atomically; false when the set has none of its own. */
export function runMoneyAction(s: B1SimState, set: string, key: string, action: string): boolean {
  const m = MONEY_SETS[set];
  if (!m) return false;
  if (!m.action) {
    if (!s.get(set, key)) throw Errors.notFound();
    throw Errors.notSupported();
  }
  s.transaction(() => m.action!(s, key, action));
  return true;
}
