/**
 * Order to cash, money side, as stages of the order object: after the sales order is created or
 * found, the same record goes on to (per `money` in the mapping config)
 *   1. the invoice: an A/R reserve invoice based on the sales order (documentMode reserveInvoice),
 *      or an A/R invoice once Shopify reports the order fulfilled (documentMode invoice);
 *   2. one incoming payment per successful SALE/CAPTURE transaction (payments.enabled);
 *   3. per refund, one credit memo based on the invoice lines it refunds and one outgoing payment
 *      for its settled money (refunds.enabled);
 *   4. when the order is cancelled after it was invoiced, one credit memo for what is left.
 * Running them as stages of the order (not objects of their own) keeps one watermark, one webhook
 * path and the order's sequence: an invoice exists before the payment applied to it, and a
 * refund's credit memo before the payment that pays it out. Each document is created exactly once
 * (kit/create-once.ts) under the Shopify id it carries, and each is its own outcome (money-kit.ts).
 */
import { failed, skipped, unchanged, type RecordOutcome } from '../../mapping';
import { mapCancellationCreditNote, mapInvoiceFromOrder, totalDifference, cancellationKey } from '../../mapping/invoice';
import type { B1SalesOrderState } from '../../mapping/invoice';
import type { B1AdditionalExpense } from '../../mapping/types';
import type { MoneyDocument } from '../../connectors/b1/documents-money';
import { CREDIT_RESERVATIONS, INVOICE_RESERVATIONS } from '../../connectors/b1/reservations';
import type { PipelineDeps } from '../contract';
import { heartbeat } from '../kit/activity';
import {
  createDocument,
  creditedByLine,
  invoiceRecordId,
  mappingFailed,
  moneyActive,
  outcomeOf,
  standing,
  type OrderMoneyPayload,
} from './money-kit';
import { postPayments, postRefunds } from './money-payments';

export { moneyActive, orderGidOf, type OrderMoneyPayload } from './money-kit';

/** The order's standing invoice (the hub's, or one B1 users made from the order), or undefined. */
async function invoiceOf(deps: PipelineDeps, orderGid: string): Promise<MoneyDocument | undefined> {
  return standing(await deps.b1.money.invoicesForOrder(orderGid))[0];
}

/**
 * Whether the order already has a standing invoice: then its sales order is closed by the copy and
 * later Shopify changes (cancellation, refunds) are the credit memos' business, not the order's.
 */
export async function invoicedInB1(deps: PipelineDeps, money: OrderMoneyPayload | undefined): Promise<boolean> {
  if (!money || deps.mapping.money.documentMode === 'salesOrder') return false;
  // Read with the page (money-settled.ts): its invoice, if any, is among the outcomes.
  if (money.settled) return money.settled.some((o) => o.sourceId === invoiceRecordId(money.orderGid));
  return (await invoiceOf(deps, money.orderGid)) !== undefined;
}

async function invoiceStage(
  deps: PipelineDeps,
  money: OrderMoneyPayload,
  so: B1SalesOrderState,
): Promise<{ outcome?: RecordOutcome; invoice?: MoneyDocument }> {
  const mode = deps.mapping.money.documentMode;
  const id = invoiceRecordId(money.orderGid);
  const label = `invoice of order ${money.orderName}`;
  // Nothing to invoice: the order was cancelled before it was invoiced (its sales order is cancelled).
  if (money.cancelled || so.Cancelled) return {};
  // documentMode invoice: an A/R invoice moves the goods, so it waits for Shopify's fulfillment.
  if (mode === 'invoice' && money.fulfillmentStatus !== 'FULFILLED') return {};
  if (!so.Open || !so.Lines.some((l) => l.Open && l.RemainingOpenQuantity > 0))
    return {
      outcome: {
        ...failed(
          'order',
          id,
          `${label}: sales order ${so.DocEntry} is already closed in SAP B1 (delivered, invoiced or closed there); the hub invoices open orders only: invoice it in B1`,
          'documentMode',
        ),
        targetId: String(so.DocEntry),
      },
    };
  const total = totalDifference(label, so.DocTotal, money.currentTotal, deps.mapping.money.totalTolerance);
  if (!total.ok) return { outcome: failed('order', id, `${total.problem}; not invoiced`, 'currentTotalPriceSet') };
  const rounding = deps.mapping.money.rounding === 'document' ? total.difference : 0;
  const mapped = mapInvoiceFromOrder(so, money, mode === 'reserveInvoice', rounding);
  if (!mapped.ok) return { outcome: mappingFailed(id, label, mapped.errors) };
  const body = mapped.value as unknown as Record<string, unknown>;
  const r = await createDocument(
    deps,
    INVOICE_RESERVATIONS,
    'Invoices',
    money.orderGid,
    label,
    () => deps.b1.money.invoicesForOrder(money.orderGid),
    () => body,
  );
  const outcome = outcomeOf(id, 'Invoices', r);
  if (r.kind !== 'created' && r.kind !== 'found' && r.kind !== 'duplicates') return { outcome };
  const invoice = await deps.b1.money.getInvoice(r.docEntry);
  // Cancelled in B1 by its users: the hub never invoices the order again (that was their call);
  // payments go on the partner's account.
  return invoice.Cancelled ? { outcome } : { outcome, invoice };
}

/** Freight of the invoice not credited yet, per freight code. */
function freightLeft(invoice: MoneyDocument, memos: readonly MoneyDocument[]): B1AdditionalExpense[] {
  const credited = new Map<number, number>();
  for (const m of standing([...memos]))
    for (const e of m.Expenses) credited.set(e.ExpenseCode, (credited.get(e.ExpenseCode) ?? 0) + e.LineTotal);
  return invoice.Expenses.map((e) => {
    const left = Math.round((e.LineTotal - (credited.get(e.ExpenseCode) ?? 0)) * 100) / 100;
    credited.set(e.ExpenseCode, Math.max(0, (credited.get(e.ExpenseCode) ?? 0) - e.LineTotal));
    return { ...e, LineTotal: left };
  }).filter((e) => e.LineTotal > 0);
}

async function cancellationStage(deps: PipelineDeps, money: OrderMoneyPayload, invoice: MoneyDocument): Promise<RecordOutcome | undefined> {
  const key = cancellationKey(money.orderGid);
  const label = `cancellation credit memo of order ${money.orderName}`;
  const memos = await deps.b1.money.creditNotesForOrder(money.orderGid);
  const mine = standing(memos.filter((m) => m.ShopifyRefundId === key));
  if (mine[0]) return outcomeOf(key, 'CreditNotes', { kind: 'found', docEntry: mine[0].DocEntry });
  const credited = creditedByLine(invoice, memos);
  const mapped = mapCancellationCreditNote(
    {
      DocEntry: invoice.DocEntry,
      CardCode: invoice.CardCode,
      DocCurrency: invoice.DocCurrency,
      Lines: invoice.Lines.map((l) => ({ LineNum: l.LineNum, Quantity: l.Quantity, Credited: credited.get(l.LineNum) ?? 0 })),
      freightLeft: freightLeft(invoice, memos),
      roundingDiff: invoice.RoundingDiff,
    },
    money,
  );
  if (!mapped.ok) return mappingFailed(key, label, mapped.errors);
  // Every line was credited already (the cancellation refunded them): nothing is left to reverse.
  if (mapped.value === null) return undefined;
  const body = mapped.value;
  const r = await createDocument(
    deps,
    CREDIT_RESERVATIONS,
    'CreditNotes',
    key,
    label,
    () => deps.b1.money.creditNotesForRefund(key),
    () => body,
  );
  return outcomeOf(key, 'CreditNotes', r);
}

/**
 * The money stages of one order whose sales order is `soEntry`: the outcomes of every document
 * this run created, found, or could not create (each under its own record id).
 */
export async function postMoney(deps: PipelineDeps, money: OrderMoneyPayload, soEntry: number): Promise<RecordOutcome[]> {
  const cfg = deps.mapping.money;
  if (!moneyActive(cfg)) return [];
  const label = `order ${money.orderName}`;
  if (money.truncated?.length)
    return [
      failed(
        'order',
        invoiceRecordId(money.orderGid),
        `${label}: its money is longer than the hub reads (${money.truncated.join('; ')}); nothing of it is booked: book it in B1`,
        'transactions',
      ),
    ];
  const so = await deps.b1.money.salesOrder(soEntry);
  if (!so) return [failed('order', invoiceRecordId(money.orderGid), `${label}: sales order ${soEntry} was not found in SAP B1`, 'id')];
  const out: RecordOutcome[] = [];
  let invoice = await invoiceOf(deps, money.orderGid);
  // Reported every run like the payments: an invoice whose create was in doubt and did commit
  // resolves its open error here.
  if (invoice && cfg.documentMode !== 'salesOrder')
    out.push(unchanged('order', invoiceRecordId(money.orderGid), `Invoices(${invoice.DocEntry})`));
  if (!invoice && cfg.documentMode !== 'salesOrder') {
    const stage = await invoiceStage(deps, money, so);
    if (stage.outcome) out.push(stage.outcome);
    invoice = stage.invoice;
    // The invoice could not be made now: payments wait for it rather than landing on account.
    if (stage.outcome?.outcome === 'failed') return out;
  }
  heartbeat();
  if (cfg.payments.enabled) out.push(...(await postPayments(deps, money, so, invoice)));
  // A cancelled order that was invoiced: refunds of goods credit their lines first, the
  // cancellation memo reverses what is left, and refunds without lines (orderCancel refunds the
  // payments that way) pay that memo out instead of crediting the same money a second time.
  const cancelledInvoiced = money.cancelled && invoice !== undefined && cfg.documentMode !== 'salesOrder';
  const first = cancelledInvoiced ? money.refunds.filter((r) => r.lines.length > 0) : money.refunds;
  let refundsSettled = true;
  if (cfg.refunds.enabled) {
    const refunds = await postRefunds(deps, money, so, invoice, first);
    out.push(...refunds);
    refundsSettled = refunds.every((o) => o.outcome !== 'failed' && o.rule !== 'refund:transaction-pending');
  }
  if (cancelledInvoiced && invoice) {
    const rest = money.refunds.filter((r) => !first.includes(r));
    if (!refundsSettled) {
      // A pending refund of goods would be credited twice: the cancellation waits for it.
      out.push(skipped('order', cancellationKey(money.orderGid), 'cancellation:waiting-for-refunds'));
      if (cfg.refunds.enabled) for (const r of rest) out.push(skipped('order', r.id, 'refund:waiting-for-cancellation'));
    } else {
      const o = await cancellationStage(deps, money, await deps.b1.money.getInvoice(invoice.DocEntry));
      if (o) out.push(o);
      if (cfg.refunds.enabled && rest.length && o?.outcome !== 'failed') out.push(...(await postRefunds(deps, money, so, invoice, rest)));
    }
  }
  return out;
}
