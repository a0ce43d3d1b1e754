/**
 * Whether an order's money is already all in B1, from a page's batched lookups (fetch time), so a
 * run that reads an order again (every delta re-reads its overlap window; webhooks re-read paid and
 * refunded orders) does not pay the stages' per-document reads for nothing.
 *
 * Conservative by design: "settled" only when every document the stages would make exists exactly
 * once (one standing document per key). Anything else (a missing document, a copy, a pending
 * refund, a cancellation, an invoice in salesOrder mode, a partial read) leaves the decision to the
 * stages, which look every key up again before they write. A settled order still reports every
 * document as unchanged, so an open error of one of them (a payment that was in doubt and did
 * commit) is resolved exactly as the stages would resolve it.
 */
import { unchanged, type RecordOutcome } from '../../mapping';
import type { MoneyConfig } from '../../mapping/money-config';
import { notBookableReason } from '../../mapping/payment';
import { refundWaitReason, settledRefundTransactions } from '../../mapping/refund';
import type { ShopifyOrderMoney } from '../../mapping/invoice';
import { invoiceRecordId } from './money-kit';

/** Standing B1 documents by the Shopify key they carry, for one page of orders. */
export interface MoneyDocsByKey {
  invoices: ReadonlyMap<string, number[]>;
  payments: ReadonlyMap<string, number[]>;
  creditNotes: ReadonlyMap<string, number[]>;
  refundPayments: ReadonlyMap<string, number[]>;
}

/** The outcomes of an order whose money is all in B1, or undefined when the stages must run. */
export function settledMoney(
  cfg: MoneyConfig,
  order: { id: string; cancelled: boolean },
  money: ShopifyOrderMoney,
  docs: MoneyDocsByKey,
): RecordOutcome[] | undefined {
  if (money.truncated?.length || order.cancelled) return undefined;
  const one = (m: ReadonlyMap<string, number[]>, key: string): number | undefined => {
    const found = m.get(key);
    return found?.length === 1 ? found[0] : undefined;
  };
  const out: RecordOutcome[] = [];
  const invoice = one(docs.invoices, order.id);
  if ((docs.invoices.get(order.id)?.length ?? 0) > 1) return undefined;
  if (cfg.documentMode === 'salesOrder') {
    // An invoice B1 users made from the order changes what refunds credit: the stages decide.
    if (docs.invoices.has(order.id)) return undefined;
  } else if (invoice === undefined) {
    // Expected but missing, unless invoice mode still waits for Shopify's fulfillment.
    if (cfg.documentMode === 'reserveInvoice' || money.fulfillmentStatus === 'FULFILLED') return undefined;
  } else out.push(unchanged('order', invoiceRecordId(order.id), `Invoices(${invoice})`));

  if (cfg.payments.enabled)
    for (const t of money.transactions) {
      if (notBookableReason(t)) continue;
      const p = one(docs.payments, t.id);
      if (p === undefined) return undefined;
      out.push(unchanged('order', t.id, `IncomingPayments(${p})`));
    }
  if (cfg.refunds.enabled)
    for (const r of money.refunds) {
      if (refundWaitReason(r)) return undefined;
      const parts: string[] = [];
      // A refund of goods without an invoice credits nothing (salesOrder mode): only its money.
      if (invoice !== undefined || r.lines.length === 0) {
        const memo = one(docs.creditNotes, r.id);
        if (memo === undefined) return undefined;
        parts.push(`CreditNotes(${memo})`);
      }
      if (settledRefundTransactions(r).length) {
        const pay = one(docs.refundPayments, r.id);
        if (pay === undefined) return undefined;
        parts.push(`VendorPayments(${pay})`);
      }
      // Nothing to book: the stages would skip it (refund:nothing-to-book); let them say so.
      if (!parts.length) return undefined;
      out.push(unchanged('order', r.id, parts.join('+')));
    }
  return out;
}
