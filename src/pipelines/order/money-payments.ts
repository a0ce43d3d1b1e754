/**
 * Payments and refunds of one order into B1 (stages 2 and 3 of money.ts).
 *
 * A payment is applied to the order's invoice up to its open balance, read just before it is
 * mapped (each payment lowers it); without an invoice (documentMode salesOrder) it stays on the
 * partner's account. A refund becomes a credit memo based on the invoice lines it refunds, then
 * one outgoing payment for its settled money applied to that memo. Without an invoice, a refund
 * of goods has nothing to credit (the open sales order's quantities follow Shopify's by the order
 * update) and its money goes out on account; after a cancellation memo, a later refund pays that
 * memo out instead of crediting the goods twice.
 */
import { created, skipped, unchanged, type RecordOutcome } from '../../mapping';
import type { B1SalesOrderState } from '../../mapping/invoice';
import { cancellationKey } from '../../mapping/invoice';
import { mapIncomingPayment, notBookableReason, type PaymentTarget } from '../../mapping/payment';
import { mapCreditNote, mapRefundPayment, refundWaitReason, settledRefundTransactions, type ShopifyRefund } from '../../mapping/refund';
import type { MoneyDocument } from '../../connectors/b1/documents-money';
import { CREDIT_RESERVATIONS, PAYMENT_RESERVATIONS, REFUND_PAYMENT_RESERVATIONS } from '../../connectors/b1/reservations';
import type { CreateOnceResult } from '../kit/create-once';
import type { PipelineDeps } from '../contract';
import { heartbeat } from '../kit/activity';
import {
  createDocument,
  creditedByLine,
  mappingFailed,
  moneyContext,
  readFirstFrom,
  outcomeOf,
  standing,
  type OrderMoneyPayload,
} from './money-kit';

const openBalance = (d: MoneyDocument): number => Math.round((d.DocTotal - d.PaidToDate) * 100) / 100;

function targetOf(money: OrderMoneyPayload, so: B1SalesOrderState): PaymentTarget {
  return { cardCode: so.CardCode, docCurrency: so.DocCurrency, orderGid: money.orderGid, orderName: money.orderName };
}

export async function postPayments(
  deps: PipelineDeps,
  money: OrderMoneyPayload,
  so: B1SalesOrderState,
  invoice: MoneyDocument | undefined,
): Promise<RecordOutcome[]> {
  const out: RecordOutcome[] = [];
  for (const t of money.transactions) {
    // Authorizations wait for their capture, pending sales for their outcome; other kinds move
    // no money in. None of them is a record: the transaction that books the money will be.
    if (notBookableReason(t)) continue;
    const label = `incoming payment for transaction ${t.id} of order ${money.orderName}`;
    const read = await deps.b1.money.incomingPaymentsForTransaction(t.id);
    const existing = standing(read);
    if (existing[0]) {
      out.push(unchanged('order', t.id, `IncomingPayments(${existing[0].DocEntry})`));
      continue;
    }
    const fresh = invoice ? await deps.b1.money.getInvoice(invoice.DocEntry) : undefined;
    const target: PaymentTarget = {
      ...targetOf(money, so),
      ...(fresh ? { invoice: { docEntry: fresh.DocEntry, openBalance: openBalance(fresh) } } : {}),
    };
    const mapped = mapIncomingPayment(t, target, moneyContext(deps));
    if (!mapped.ok) {
      out.push(mappingFailed(t.id, label, mapped.errors));
      continue;
    }
    const body = mapped.value as unknown as Record<string, unknown>;
    const r = await createDocument(
      deps,
      PAYMENT_RESERVATIONS,
      'IncomingPayments',
      t.id,
      label,
      readFirstFrom(read, () => deps.b1.money.incomingPaymentsForTransaction(t.id)),
      () => body,
    );
    out.push(outcomeOf(t.id, 'IncomingPayments', r));
    heartbeat();
  }
  return out;
}

/** Credit memo of one refund (undefined: the refund credits nothing, its money goes on account). */
async function refundMemo(
  deps: PipelineDeps,
  money: OrderMoneyPayload,
  so: B1SalesOrderState,
  invoice: MoneyDocument | undefined,
  memos: MoneyDocument[],
  r: ShopifyRefund,
): Promise<{ result?: CreateOnceResult; refused?: RecordOutcome; memo?: number }> {
  const label = `credit memo for refund ${r.id} of order ${money.orderName}`;
  const own = standing(memos.filter((m) => m.ShopifyRefundId === r.id))[0];
  if (own) return { result: { kind: 'found', docEntry: own.DocEntry }, memo: own.DocEntry };
  // The cancellation already reversed the invoice: this refund pays that memo out.
  const cancelMemo = standing(memos.filter((m) => m.ShopifyRefundId === cancellationKey(money.orderGid)))[0];
  if (cancelMemo) return { memo: cancelMemo.DocEntry };
  // Goods refunded with no invoice to credit: the open order follows Shopify's quantities.
  if (!invoice && r.lines.length > 0) return {};
  const credited = invoice ? creditedByLine(invoice, memos) : new Map<number, number>();
  const mapped = mapCreditNote(
    r,
    {
      cardCode: so.CardCode,
      docCurrency: so.DocCurrency,
      orderGid: money.orderGid,
      orderName: money.orderName,
      ...(invoice
        ? {
            invoice: {
              docEntry: invoice.DocEntry,
              // A reserve invoice's lines are credited up to what was invoiced (B1 releases the
              // undelivered part's commitment and returns stock only for what was delivered).
              stockMoved: true,
              lines: invoice.Lines.map((l) => ({
                lineNum: l.LineNum,
                itemCode: l.ItemCode,
                openQuantity: invoice.ReserveInvoice
                  ? Math.max(0, l.Quantity - (credited.get(l.LineNum) ?? 0))
                  : l.LineOpen
                    ? l.RemainingOpenQuantity
                    : 0,
                ...(l.ShopifyLineId ? { shopifyLineId: l.ShopifyLineId } : {}),
              })),
            },
          }
        : {}),
    },
    { ...moneyContext(deps), freightExpenseCode: deps.mapping.order.freightExpenseCode },
  );
  if (!mapped.ok) return { refused: mappingFailed(r.id, label, mapped.errors) };
  const body = mapped.value as unknown as Record<string, unknown>;
  const result = await createDocument(
    deps,
    CREDIT_RESERVATIONS,
    'CreditNotes',
    r.id,
    label,
    () => deps.b1.money.creditNotesForRefund(r.id),
    () => body,
  );
  return result.kind === 'created' || result.kind === 'found' || result.kind === 'duplicates'
    ? { result, memo: result.docEntry }
    : { result };
}

async function refundPayment(
  deps: PipelineDeps,
  money: OrderMoneyPayload,
  so: B1SalesOrderState,
  r: ShopifyRefund,
  memo: number | undefined,
): Promise<{ result?: CreateOnceResult; refused?: RecordOutcome }> {
  if (settledRefundTransactions(r).length === 0) return {};
  const label = `outgoing payment for refund ${r.id} of order ${money.orderName}`;
  const read = await deps.b1.money.refundPaymentsForRefund(r.id);
  const existing = standing(read)[0];
  if (existing) return { result: { kind: 'found', docEntry: existing.DocEntry } };
  const doc = memo !== undefined ? await deps.b1.money.getDocument('CreditNotes', memo) : undefined;
  const mapped = mapRefundPayment(
    r,
    { ...targetOf(money, so), ...(doc ? { creditNote: { docEntry: doc.DocEntry, openBalance: openBalance(doc) } } : {}) },
    moneyContext(deps),
  );
  if (!mapped.ok) return { refused: mappingFailed(r.id, label, mapped.errors) };
  const body = mapped.value as unknown as Record<string, unknown>;
  const result = await createDocument(
    deps,
    REFUND_PAYMENT_RESERVATIONS,
    'VendorPayments',
    r.id,
    label,
    readFirstFrom(read, () => deps.b1.money.refundPaymentsForRefund(r.id)),
    () => body,
  );
  return { result };
}

/** One outcome per refund: its credit memo and its outgoing payment together. */
function refundOutcome(id: string, memo: { result?: CreateOnceResult }, pay: { result?: CreateOnceResult }): RecordOutcome {
  const parts = [
    ['CreditNotes', memo.result],
    ['VendorPayments', pay.result],
  ] as const;
  const bad = parts.find(([, x]) => x && x.kind !== 'created' && x.kind !== 'found');
  if (bad) return outcomeOf(id, bad[0], bad[1]!);
  const made = parts.filter(([, x]) => x).map(([set, x]) => `${set}(${(x as { docEntry: number }).docEntry})`);
  if (made.length === 0) return skipped('order', id, 'refund:nothing-to-book');
  const target = made.join('+');
  return parts.some(([, x]) => x?.kind === 'created') ? created('order', id, target) : unchanged('order', id, target);
}

export async function postRefunds(
  deps: PipelineDeps,
  money: OrderMoneyPayload,
  so: B1SalesOrderState,
  invoice: MoneyDocument | undefined,
  refunds: readonly ShopifyRefund[] = money.refunds,
): Promise<RecordOutcome[]> {
  const out: RecordOutcome[] = [];
  const sorted = [...refunds].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  for (const r of sorted) {
    // Its money is not settled yet: booking the memo first would leave B1 owing what Shopify may not pay.
    if (refundWaitReason(r)) {
      out.push(skipped('order', r.id, 'refund:transaction-pending'));
      continue;
    }
    // Read per refund: the previous refund's memo changed what is left to credit.
    const memos = await deps.b1.money.creditNotesForOrder(money.orderGid);
    const fresh = invoice ? await deps.b1.money.getInvoice(invoice.DocEntry) : undefined;
    const memo = await refundMemo(deps, money, so, fresh, memos, r);
    if (memo.refused) {
      out.push(memo.refused);
      continue;
    }
    if (memo.result && memo.result.kind !== 'created' && memo.result.kind !== 'found') {
      out.push(refundOutcome(r.id, memo, {}));
      continue;
    }
    const pay = await refundPayment(deps, money, so, r, memo.memo);
    out.push(pay.refused ?? refundOutcome(r.id, memo, pay));
    heartbeat();
  }
  return out;
}
