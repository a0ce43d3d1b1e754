/**
 * Incoming payments (`IncomingPayments`), outgoing payments (`VendorPayments`, used with
 * `DocType: 'rCustomer'` to refund a customer's credit note) and the credit card definitions they
 * refer to (`CreditCards`) (order-to-cash reference §2).
 *
 * A payment applies amounts to invoices and credit notes (`PaymentInvoices`: DocEntry, SumApplied
 * ≥ 0, InvoiceType it_Invoice 13 / it_CredItnote 14) and is paid with means: cash (CashSum +
 * CashAccount), bank transfer (TransferSum + TransferAccount) and credit cards (PaymentCreditCards:
 * CreditCard code of `CreditCards`, CreditSum). In an incoming payment invoices count positive and
 * credit notes negative; in an outgoing one the other way round. The means must cover what is
 * applied; a surplus stays on the customer's account ("payment on account", as B1 does).
 * Each applied document's PaidToDate grows by SumApplied and it closes when fully paid; Cancel
 * undoes that.
 */
import { Errors } from './errors';
import type { Rec } from './model';
import type { B1SimState } from './state';
import { MoneyErrors, cents, openBalance, round, save } from './money-common';
import { applyPaid } from './money-documents';
import { localDate } from './clock';

const TARGETS: Record<string, string> = { it_Invoice: 'Invoices', it_CredItnote: 'CreditNotes' };
const UPDATABLE = new Set(['Remarks', 'JournalRemarks', 'Reference2', 'CounterReference']);
/** Means this simulator does not model: refused rather than ignored. */
const UNMODELLED = ['PaymentChecks', 'PaymentAccounts', 'BillOfExchange', 'WithholdingTaxCertificatesCollection', 'CashFlowAssignments'];

/** Demo company's credit card definitions (OCRC): the codes payments refer to. */
export const DEMO_CREDIT_CARDS: Rec[] = [
  { CreditCardCode: 1, CreditCardName: 'Visa', GLAccount: '_SYS00000000010', CountryCode: 'US' },
  { CreditCardCode: 2, CreditCardName: 'MasterCard', GLAccount: '_SYS00000000010', CountryCode: 'US' },
  { CreditCardCode: 3, CreditCardName: 'American Express', GLAccount: '_SYS00000000011', CountryCode: 'US' },
  { CreditCardCode: 4, CreditCardName: 'Shopify Payments', GLAccount: '_SYS00000000012', CountryCode: 'US' },
];

export function createCreditCard(s: B1SimState, input: Rec): { key: string; rec: Rec } {
  if (typeof input.CreditCardName !== 'string' || input.CreditCardName === '') throw Errors.business('Enter credit card name');
  for (const c of s.store('CreditCards').values())
    if (c.CreditCardName === input.CreditCardName) throw Errors.business(`Credit card name '${input.CreditCardName}' already exists`);
  let max = 0;
  for (const c of s.store('CreditCards').values()) max = Math.max(max, Number(c.CreditCardCode));
  const rec: Rec = { ...input, CreditCardCode: s.docOps.counter('auto:CreditCards', max + 1) };
  const key = String(rec.CreditCardCode);
  s.docOps.put('CreditCards', key, rec);
  return { key, rec };
}

export function createPayment(s: B1SimState, set: 'IncomingPayments' | 'VendorPayments', input: Rec): { key: string; rec: Rec } {
  const incoming = set === 'IncomingPayments';
  for (const k of UNMODELLED) {
    const v = input[k];
    if (v != null && !(Array.isArray(v) && v.length === 0)) throw MoneyErrors.notImplemented(`${k} on ${set}`);
  }
  const docType = (input.DocType as string | undefined) ?? (incoming ? 'rCustomer' : 'rSupplier');
  if (docType === 'rAccount') throw MoneyErrors.notImplemented(`DocType rAccount on ${set}`);
  const cardCode = input.CardCode;
  if (typeof cardCode !== 'string' || cardCode === '') throw Errors.business('Enter BP code');
  const bp = s.get('BusinessPartners', cardCode);
  if (!bp) throw Errors.notFound();
  if ((docType === 'rCustomer') !== (bp.CardType !== 'cSupplier')) {
    throw Errors.business(`1470000341 - Business partner '${cardCode}' is not a ${docType === 'rCustomer' ? 'customer' : 'supplier'}`);
  }
  const currency =
    (input.DocCurrency as string | undefined) ?? (bp.Currency && bp.Currency !== '##' ? String(bp.Currency) : s.localCurrency);

  // Applied documents: each one open, the customer's, in the payment's currency, within its balance.
  const rows = ((input.PaymentInvoices as Rec[] | undefined) ?? []).map((r) => ({ ...r }));
  const taken = new Map<string, number>();
  let applied = 0;
  rows.forEach((r, i) => {
    r.InvoiceType ??= 'it_Invoice';
    const target = TARGETS[String(r.InvoiceType)];
    if (!target) throw MoneyErrors.notImplemented(`InvoiceType ${String(r.InvoiceType)}`);
    if (docType !== 'rCustomer') throw MoneyErrors.notImplemented(`PaymentInvoices of a supplier payment`);
    const doc = s.get(target, String(r.DocEntry));
    if (!doc) throw Errors.notFound();
    if (doc.CardCode !== cardCode) throw MoneyErrors.cardMismatch();
    if (doc.Cancelled === 'tYES') throw MoneyErrors.invoiceClosed();
    if (doc.DocCurrency != null && doc.DocCurrency !== currency)
      throw MoneyErrors.currency(`${target === 'Invoices' ? 'invoice' : 'credit note'} ${String(doc.DocEntry)}`);
    const k = `${target}|${String(doc.DocEntry)}`;
    const balance = round(openBalance(doc) - (taken.get(k) ?? 0), 2);
    if (cents(balance) <= 0) throw MoneyErrors.invoiceClosed();
    r.SumApplied ??= balance;
    const sum = Number(r.SumApplied);
    if (!(sum >= 0)) throw Errors.rule(`SumApplied cannot be negative [PaymentInvoices.SumApplied][line: ${i + 1}]`);
    if (cents(sum) > cents(balance)) throw MoneyErrors.overBalance(i + 1);
    taken.set(k, round((taken.get(k) ?? 0) + sum, 2));
    applied += (target === 'Invoices') === incoming ? sum : -sum;
    r.LineNum = i;
    r.DocLine ??= 0;
    r.AppliedSys = sum;
    r.DocRate ??= 0;
  });

  // Means of payment.
  const cards = ((input.PaymentCreditCards as Rec[] | undefined) ?? []).map((c) => ({ ...c }));
  let means = 0;
  cards.forEach((c, i) => {
    const card = s.get('CreditCards', String(c.CreditCard ?? -1));
    if (!card) throw Errors.notFound();
    if (c.CreditCur != null && c.CreditCur !== currency) throw MoneyErrors.currency(`credit card line ${i + 1}`);
    const sum = Number(c.CreditSum ?? 0);
    if (!(sum > 0)) throw Errors.rule(`Enter the amount to pay by credit card [PaymentCreditCards.CreditSum][line: ${i + 1}]`);
    c.LineNum = i;
    c.CreditAcct ??= card.GLAccount ?? null;
    c.CreditCur ??= currency;
    c.FirstPaymentSum ??= sum;
    means += sum;
  });
  const cash = Number(input.CashSum ?? 0);
  const transfer = Number(input.TransferSum ?? 0);
  if (cash < 0 || transfer < 0) throw Errors.rule('Payment amounts cannot be negative');
  if (cash > 0 && !input.CashAccount) throw Errors.rule('Enter cash account');
  if (transfer > 0 && !input.TransferAccount) throw Errors.rule('Enter transfer account');
  means += cash + transfer;
  if (cents(applied) < 0) throw MoneyErrors.meansBelowApplied();
  if (cents(means) === 0 && cents(applied) === 0) throw MoneyErrors.zeroPayment();
  if (cents(means) < cents(applied)) throw MoneyErrors.meansBelowApplied();

  const now = s.clock.now();
  const rec: Rec = {
    ...input,
    DocEntry: s.docOps.counter(`${set}.DocEntry`, 1),
    DocNum: s.docOps.counter(`${set}.DocNum`, 1),
    DocType: docType,
    DocObjectCode: incoming ? 'bopot_IncomingPayments' : 'bopot_OutgoingPayments',
    CardName: input.CardName ?? bp.CardName ?? null,
    DocCurrency: currency,
    DocRate: input.DocRate ?? 1,
    DocDate: input.DocDate ?? localDate(now),
    Series: input.Series ?? 1,
    Cancelled: 'tNO',
    PaymentInvoices: rows,
    PaymentCreditCards: cards,
  };
  rec.TaxDate ??= rec.DocDate;
  rec.DueDate ??= rec.DocDate;
  if (transfer > 0) rec.TransferDate ??= rec.DocDate;
  const key = String(rec.DocEntry);
  s.docOps.put(set, key, rec);
  for (const r of rows) applyPaid(s, TARGETS[String(r.InvoiceType)]!, Number(r.DocEntry), Number(r.SumApplied));
  return { key, rec };
}

/** IncomingPayments(n)/Cancel, VendorPayments(n)/Cancel: the applied documents get their balance back. */
export function paymentAction(s: B1SimState, set: string, key: string, action: string): void {
  const p = s.get(set, key);
  if (!p) throw Errors.notFound();
  if (action !== 'Cancel') throw Errors.notSupported();
  if (p.Cancelled === 'tYES') throw MoneyErrors.cancelled();
  for (const r of (p.PaymentInvoices as Rec[] | undefined) ?? [])
    applyPaid(s, TARGETS[String(r.InvoiceType)]!, Number(r.DocEntry), -Number(r.SumApplied));
  save(s, set, { ...p, Cancelled: 'tYES' }, 'Payment');
}

/** PATCH on a posted payment: remarks, references and UDFs only. */
export function checkPaymentPatch(input: Rec): void {
  for (const k of Object.keys(input)) if (!k.startsWith('U_') && !UPDATABLE.has(k)) throw MoneyErrors.notUpdatable(k);
}
