/**
 * Shopify order transactions → B1 incoming payments (pure).
 *
 * Only money that actually came in is booked: a SALE or a CAPTURE with status SUCCESS, one B1
 * incoming payment per transaction id (OCA's connector and the Integration Hub do the same). An
 * AUTHORIZATION waits for its CAPTURE; a PENDING sale waits for its outcome; a manual gateway
 * (cash on delivery, bank deposit) has no SALE until the merchant marks the order paid.
 *
 * The transaction id travels on the payment (`U_ShopifyTxnId`), which is how every later run knows
 * the payment exists; the exactly-once mechanism around the POST lives in the pipeline.
 */
import { companyDate } from './order';
import { fail, issue, ok, type MappingIssue, type MappingResult } from './errors';
import { meansForGateway, type MoneyConfig, type PaymentMeans } from './money-config';

export type ShopifyTransactionKind =
  'AUTHORIZATION' | 'CAPTURE' | 'CHANGE' | 'EMV_AUTHORIZATION' | 'REFUND' | 'SALE' | 'SUGGESTED_REFUND' | 'VOID';
export type ShopifyTransactionStatus = 'AWAITING_RESPONSE' | 'ERROR' | 'FAILURE' | 'PENDING' | 'SUCCESS' | 'UNKNOWN';

/** `OrderTransaction`, amounts in shop money. */
export interface ShopifyTransaction {
  id: string;
  kind: ShopifyTransactionKind;
  status: ShopifyTransactionStatus;
  gateway: string;
  /** Decimal string in the shop currency (`amountSet.shopMoney.amount`). */
  amount: string;
  currencyCode: string;
  processedAt?: string | null;
  createdAt: string;
  parentTransactionId?: string | null;
  manualPaymentGateway?: boolean;
  test?: boolean;
}

/** Why a transaction is not (yet) a B1 payment; `undefined` = book it. */
export function notBookableReason(t: ShopifyTransaction): string | undefined {
  if (t.kind !== 'SALE' && t.kind !== 'CAPTURE') {
    if (t.kind === 'AUTHORIZATION' || t.kind === 'EMV_AUTHORIZATION') return 'an authorization: booked when it is captured';
    return `a ${t.kind} transaction moves no money in`;
  }
  if (t.status === 'PENDING' || t.status === 'AWAITING_RESPONSE') return `the ${t.kind.toLowerCase()} is still ${t.status.toLowerCase()}`;
  if (t.status !== 'SUCCESS') return `the ${t.kind.toLowerCase()} did not succeed (${t.status})`;
  return undefined;
}

/** Shopify money (decimal string) → number with cents; `undefined` for anything else. */
export function parseAmount(amount: string): number | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(amount.trim())) return undefined;
  return Math.round(Number(amount) * 100) / 100;
}

/** The digits of a GID (`gid://shopify/OrderTransaction/42` → `42`), for B1's short reference fields. */
export function gidNumber(gid: string): string {
  return gid.slice(gid.lastIndexOf('/') + 1);
}

/** What the payment is for, as the pipeline found it in B1. */
export interface PaymentTarget {
  cardCode: string;
  /** B1 currency code of the partner's documents (the invoice's DocCurrency). */
  docCurrency: string;
  orderGid: string;
  orderName: string;
  /** The A/R (reserve) invoice the payment is applied to, and its open balance; absent = on account. */
  invoice?: { docEntry: number; openBalance: number };
}

export interface B1PaymentInvoice {
  DocEntry: number;
  SumApplied: number;
  InvoiceType: 'it_Invoice' | 'it_CredItnote';
}

export interface B1PaymentCreditCard {
  CreditCard: number;
  CreditCardNumber: string;
  CardValidUntil: string;
  VoucherNum: string;
  CreditSum: number;
}

/** POST /IncomingPayments (and /VendorPayments for customer refunds) body. */
export interface B1PaymentCreate {
  DocType: 'rCustomer';
  CardCode: string;
  DocDate: string;
  DocCurrency: string;
  Remarks: string;
  JournalRemarks: string;
  CounterReference: string;
  U_ShopifyId: string;
  U_ShopifyTxnId?: string;
  U_ShopifyRefundId?: string;
  PaymentInvoices?: B1PaymentInvoice[];
  PaymentCreditCards?: B1PaymentCreditCard[];
  TransferAccount?: string;
  TransferSum?: number;
  TransferDate?: string;
  TransferReference?: string;
  CashAccount?: string;
  CashSum?: number;
}

/** Last day of the month of a `YYYY-MM-DD` date: the card validity B1 needs when Shopify has none. */
function endOfMonth(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const last = m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  return `${date.slice(0, 7)}-${String(last).padStart(2, '0')}`;
}

export interface MoneyMappingContext {
  money: MoneyConfig;
  timeZone: string;
  /** Shopify ISO currency → B1 currency code (order.currencyCodes). */
  currencyCodes: Record<string, string>;
}

/**
 * Fields shared by incoming and outgoing payments, from one or more transactions of one order (a
 * refund can be paid back partly to a gift card and partly to the card): date of the latest, one
 * means line per gateway. Every problem is named by the transaction and field.
 */
export function paymentBody(
  transactions: readonly ShopifyTransaction[],
  target: PaymentTarget,
  ctx: MoneyMappingContext,
  field: string,
): MappingResult<{ body: B1PaymentCreate; amount: number }> {
  const problems: MappingIssue[] = [];
  if (transactions.length === 0) return fail([issue(field, `no transaction of ${target.orderName} to book`)]);
  const latest = [...transactions].sort((a, b) => (a.processedAt ?? a.createdAt).localeCompare(b.processedAt ?? b.createdAt)).at(-1)!;
  const date = companyDate(latest.processedAt ?? latest.createdAt, ctx.timeZone);
  if (!date)
    problems.push(
      issue(
        `${field}.processedAt`,
        `transaction ${latest.id} has no valid processedAt/createdAt ('${latest.processedAt ?? latest.createdAt}')`,
      ),
    );
  const lines: { t: ShopifyTransaction; amount: number; means: PaymentMeans }[] = [];
  transactions.forEach((t, i) => {
    const at = transactions.length > 1 ? `${field}[${i}]` : field;
    const amount = parseAmount(t.amount);
    if (amount === undefined || amount <= 0)
      problems.push(issue(`${at}.amountSet.shopMoney.amount`, `transaction ${t.id} has amount '${t.amount}', not a positive decimal`));
    const currency = ctx.currencyCodes[t.currencyCode] ?? t.currencyCode;
    if (currency !== target.docCurrency) {
      problems.push(
        issue(
          `${at}.amountSet.shopMoney.currencyCode`,
          `transaction ${t.id} is in ${t.currencyCode} (B1 '${currency}') but the B1 documents of ${target.orderName} are in '${target.docCurrency}'`,
        ),
      );
    }
    const means = meansForGateway(ctx.money, t.gateway);
    if (!means)
      problems.push(
        issue(
          `${at}.gateway`,
          `gateway '${t.gateway}' of transaction ${t.id} has no B1 means of payment: add it to money.payments.gateways`,
        ),
      );
    if (amount !== undefined && amount > 0 && means) lines.push({ t, amount, means });
  });
  if (problems.length || !date) return fail(problems);
  const refs = transactions.map((t) => gidNumber(t.id));
  const gateways = [...new Set(transactions.map((t) => t.gateway))].join(', ');
  const body: B1PaymentCreate = {
    DocType: 'rCustomer',
    CardCode: target.cardCode,
    DocDate: date,
    DocCurrency: target.docCurrency,
    // ORCT/OVPM Comments is 254 characters, JrnlMemo 50, CounterRef 100: a gateway name is free text.
    Remarks: `Shopify ${target.orderName} ${refs.join(', ')} (${gateways})`.slice(0, 254),
    JournalRemarks: `Shopify ${target.orderName} ${gateways}`.slice(0, 50),
    CounterReference: refs.join(',').slice(0, 100),
    U_ShopifyId: target.orderGid,
  };
  let total = 0;
  for (const { t, amount, means } of lines) {
    total += amount;
    const ref = gidNumber(t.id);
    if (means.type === 'creditCard') {
      (body.PaymentCreditCards ??= []).push({
        CreditCard: means.creditCard,
        CreditCardNumber: '0000',
        CardValidUntil: endOfMonth(date),
        VoucherNum: ref.slice(0, 20),
        CreditSum: amount,
      });
    } else if (means.type === 'transfer') {
      if (body.TransferAccount !== undefined && body.TransferAccount !== means.account) {
        return fail([
          issue(`${field}.gateway`, `gateways ${gateways} map to two transfer accounts; one B1 payment has one transfer account`),
        ]);
      }
      body.TransferAccount = means.account;
      body.TransferSum = cents((body.TransferSum ?? 0) + amount);
      body.TransferDate = date;
      body.TransferReference = ref.slice(0, 27);
    } else {
      if (body.CashAccount !== undefined && body.CashAccount !== means.account) {
        return fail([issue(`${field}.gateway`, `gateways ${gateways} map to two cash accounts; one B1 payment has one cash account`)]);
      }
      body.CashAccount = means.account;
      body.CashSum = cents((body.CashSum ?? 0) + amount);
    }
  }
  return ok({ body, amount: cents(total) });
}

function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * One bookable transaction → the B1 incoming payment. Applied to the invoice up to its open
 * balance; the rest (an overpayment, or the whole amount when there is no invoice) stays on the
 * partner's account, where the accounting team sees it, rather than failing money that came in.
 */
export function mapIncomingPayment(
  t: ShopifyTransaction,
  target: PaymentTarget,
  ctx: MoneyMappingContext,
  field = 'transaction',
): MappingResult<B1PaymentCreate> {
  const why = notBookableReason(t);
  if (why) return fail([issue(`${field}.kind`, `transaction ${t.id} is not a payment: ${why}`)]);
  const mapped = paymentBody([t], target, ctx, field);
  if (!mapped.ok) return mapped;
  const { body, amount } = mapped.value;
  body.U_ShopifyTxnId = t.id;
  if (target.invoice && target.invoice.openBalance > 0) {
    body.PaymentInvoices = [
      { DocEntry: target.invoice.docEntry, SumApplied: Math.min(amount, target.invoice.openBalance), InvoiceType: 'it_Invoice' },
    ];
  }
  return ok(body);
}
