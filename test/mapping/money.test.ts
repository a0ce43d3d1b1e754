import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMappingConfig, validateMappingConfig } from '../../src/mapping/config';
import { meansForGateway, moneyConfigProblems, MoneyConfigSchema } from '../../src/mapping/money-config';
import {
  mapIncomingPayment,
  notBookableReason,
  type MoneyMappingContext,
  type PaymentTarget,
  type ShopifyTransaction,
} from '../../src/mapping/payment';
import { mapCreditNote, mapRefundPayment, refundWaitReason, type CreditTarget, type ShopifyRefund } from '../../src/mapping/refund';
import { baseConfigInput } from './fixtures';

const money = MoneyConfigSchema.parse({
  documentMode: 'reserveInvoice',
  payments: {
    enabled: true,
    gateways: {
      shopify_payments: { type: 'creditCard', creditCard: 1 },
      gift_card: { type: 'creditCard', creditCard: 7 },
      'Bank Deposit': { type: 'transfer', account: '_SYS00000000018' },
      cash: { type: 'cash', account: '161000' },
    },
  },
  refunds: { enabled: true, adjustmentExpenseCode: 3, goodwillAccount: '410000' },
});
const ctx: MoneyMappingContext & { freightExpenseCode: number } = {
  money,
  timeZone: 'Europe/Berlin',
  currencyCodes: { EUR: 'EUR' },
  freightExpenseCode: 1,
};
const target: PaymentTarget = {
  cardCode: 'C100',
  docCurrency: 'EUR',
  orderGid: 'gid://shopify/Order/5',
  orderName: '#1001',
  invoice: { docEntry: 40, openBalance: 119 },
};

function txn(over: Partial<ShopifyTransaction> = {}): ShopifyTransaction {
  return {
    id: 'gid://shopify/OrderTransaction/900',
    kind: 'SALE',
    status: 'SUCCESS',
    gateway: 'shopify_payments',
    amount: '119.00',
    currencyCode: 'EUR',
    processedAt: '2026-11-30T23:30:00Z',
    createdAt: '2026-11-30T23:30:00Z',
    ...over,
  };
}

describe('money configuration', () => {
  test('is off by default and strict: a misspelt key or a bad account is named', () => {
    const c = parseMappingConfig(baseConfigInput());
    assert.equal(c.money.documentMode, 'salesOrder');
    assert.equal(c.money.payments.enabled, false);
    assert.deepEqual(moneyConfigProblems('payment', c.money), [
      'money.payments.enabled: payments are switched off; set it to true to book Shopify payments in B1',
    ]);
    const bad = validateMappingConfig({
      ...baseConfigInput(),
      money: { documentMode: 'reserve', payments: { gateways: { paypal: { type: 'creditCard', creditCard: 0 } } }, refund: {} },
    });
    assert.equal(bad.ok, false);
    const text = bad.ok ? '' : bad.errors.join('\n');
    assert.match(text, /money\.documentMode/);
    assert.match(text, /money\.payments\.gateways\.paypal\.creditCard/);
    assert.match(text, /refund/);
  });

  test('gateways match exactly, then case-insensitively; an enabled sync without gateways is a problem', () => {
    assert.deepEqual(meansForGateway(money, 'bank deposit'), { type: 'transfer', account: '_SYS00000000018' });
    assert.equal(meansForGateway(money, 'paypal'), undefined);
    assert.deepEqual(moneyConfigProblems('payment', MoneyConfigSchema.parse({ payments: { enabled: true } })), [
      'money.payments.gateways: map at least one Shopify gateway to a B1 means of payment',
    ]);
  });
});

describe('payments', () => {
  test('only successful sales and captures are money in; the rest say why they wait', () => {
    assert.equal(notBookableReason(txn()), undefined);
    assert.equal(notBookableReason(txn({ kind: 'CAPTURE' })), undefined);
    assert.match(notBookableReason(txn({ kind: 'AUTHORIZATION' }))!, /booked when it is captured/);
    assert.match(notBookableReason(txn({ status: 'PENDING' }))!, /still pending/);
    assert.match(notBookableReason(txn({ status: 'FAILURE' }))!, /did not succeed/);
    assert.match(notBookableReason(txn({ kind: 'REFUND' }))!, /moves no money in/);
  });

  test('a card sale becomes an incoming payment applied to the invoice, dated in the company time zone', () => {
    const r = mapIncomingPayment(txn(), target, ctx);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.DocDate, '2026-12-01', '23:30 UTC is the next day in Berlin');
    assert.equal(r.value.U_ShopifyTxnId, 'gid://shopify/OrderTransaction/900');
    assert.deepEqual(r.value.PaymentInvoices, [{ DocEntry: 40, SumApplied: 119, InvoiceType: 'it_Invoice' }]);
    assert.deepEqual(r.value.PaymentCreditCards, [
      { CreditCard: 1, CreditCardNumber: '0000', CardValidUntil: '2026-12-31', VoucherNum: '900', CreditSum: 119 },
    ]);
    assert.equal(r.value.TransferSum, undefined);
  });

  test('an overpayment is applied up to the open balance, the rest stays on account; no invoice = on account', () => {
    const over = mapIncomingPayment(txn({ amount: '150.00' }), target, ctx);
    assert.ok(over.ok);
    assert.equal(over.value.PaymentInvoices![0]!.SumApplied, 119);
    assert.equal(over.value.PaymentCreditCards![0]!.CreditSum, 150);
    const onAccount = mapIncomingPayment(txn(), { ...target, invoice: undefined }, ctx);
    assert.ok(onAccount.ok);
    assert.equal(onAccount.value.PaymentInvoices, undefined);
  });

  test('transfer and cash gateways book to their accounts', () => {
    const t = mapIncomingPayment(txn({ gateway: 'Bank Deposit' }), target, ctx);
    assert.ok(t.ok);
    assert.equal(t.value.TransferAccount, '_SYS00000000018');
    assert.equal(t.value.TransferSum, 119);
    assert.equal(t.value.TransferDate, '2026-12-01');
    const c = mapIncomingPayment(txn({ gateway: 'cash' }), target, ctx);
    assert.ok(c.ok);
    assert.deepEqual([c.value.CashAccount, c.value.CashSum], ['161000', 119]);
  });

  test('an unmapped gateway, a bad amount and a currency mismatch are each named', () => {
    const r = mapIncomingPayment(txn({ gateway: 'paypal', amount: 'abc', currencyCode: 'USD' }), target, ctx);
    assert.equal(r.ok, false);
    const fields = r.ok ? [] : r.errors.map((e) => e.field);
    assert.deepEqual(fields.sort(), [
      'transaction.amountSet.shopMoney.amount',
      'transaction.amountSet.shopMoney.currencyCode',
      'transaction.gateway',
    ]);
    const why = r.ok ? '' : r.errors.map((e) => e.reason).join(' ');
    assert.match(why, /gateway 'paypal'.*money\.payments\.gateways/);
  });
});

describe('refunds', () => {
  const invoiceTarget: CreditTarget = {
    cardCode: 'C100',
    docCurrency: 'EUR',
    orderGid: 'gid://shopify/Order/5',
    orderName: '#1001',
    invoice: {
      docEntry: 40,
      stockMoved: true,
      lines: [
        { lineNum: 0, itemCode: 'A100', openQuantity: 2, shopifyLineId: 'gid://shopify/LineItem/1' },
        { lineNum: 1, itemCode: 'B200', openQuantity: 1 },
      ],
    },
  };
  function refund(over: Partial<ShopifyRefund> = {}): ShopifyRefund {
    return {
      id: 'gid://shopify/Refund/77',
      createdAt: '2026-12-02T10:00:00Z',
      lines: [{ lineItemId: 'gid://shopify/LineItem/1', sku: 'A100', quantity: 1, restockType: 'RETURN', subtotal: '50.00' }],
      shipping: ['4.90'],
      adjustments: [],
      transactions: [txn({ id: 'gid://shopify/OrderTransaction/901', kind: 'REFUND', amount: '64.40' })],
      ...over,
    };
  }

  test('a returned line becomes a credit memo line based on the invoice line, stock returned; shipping as freight', () => {
    const r = mapCreditNote(refund(), invoiceTarget, ctx);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.U_ShopifyRefundId, 'gid://shopify/Refund/77');
    assert.equal(r.value.DocType, 'dDocument_Items');
    assert.deepEqual(r.value.DocumentLines, [{ BaseType: 13, BaseEntry: 40, BaseLine: 0, Quantity: 1, WithoutInventoryMovement: 'tNO' }]);
    assert.deepEqual(r.value.DocumentAdditionalExpenses, [{ ExpenseCode: 1, LineTotal: 4.9, Remarks: 'Refunded shipping' }]);
  });

  test('no restock, or a reserve invoice whose goods never left, returns no stock', () => {
    const noRestock = mapCreditNote(
      refund({ lines: [{ lineItemId: 'gid://shopify/LineItem/1', quantity: 1, restockType: 'NO_RESTOCK', subtotal: '50' }] }),
      invoiceTarget,
      ctx,
    );
    assert.ok(noRestock.ok);
    assert.equal(noRestock.value.DocumentLines[0]!.WithoutInventoryMovement, 'tYES');
    const reserve = mapCreditNote(refund(), { ...invoiceTarget, invoice: { ...invoiceTarget.invoice!, stockMoved: false } }, ctx);
    assert.ok(reserve.ok);
    assert.equal(reserve.value.DocumentLines[0]!.WithoutInventoryMovement, 'tYES');
  });

  test('lines from before the line id was stored match by SKU; more than is open to credit is named', () => {
    const legacy = mapCreditNote(
      refund({ lines: [{ lineItemId: 'gid://shopify/LineItem/2', sku: 'B200', quantity: 1, restockType: 'RETURN', subtotal: '9' }] }),
      invoiceTarget,
      ctx,
    );
    assert.ok(legacy.ok);
    assert.equal(legacy.value.DocumentLines[0]!.BaseLine, 1);
    const twice = mapCreditNote(
      refund({
        lines: [
          { lineItemId: 'gid://shopify/LineItem/1', quantity: 2, restockType: 'RETURN', subtotal: '100' },
          { lineItemId: 'gid://shopify/LineItem/1', quantity: 1, restockType: 'NO_RESTOCK', subtotal: '50' },
        ],
      }),
      invoiceTarget,
      ctx,
    );
    assert.equal(twice.ok, false);
    assert.match(twice.ok ? '' : twice.errors[0]!.reason, /credits 1 of invoice line 0 \(A100\), which has 0 left to credit/);
    assert.equal(twice.ok ? '' : twice.errors[0]!.field, 'refund.refundLineItems[1].quantity');
    const unknown = mapCreditNote(
      refund({ lines: [{ lineItemId: 'gid://shopify/LineItem/9', sku: 'Z9', quantity: 1, restockType: 'RETURN', subtotal: '1' }] }),
      invoiceTarget,
      ctx,
    );
    assert.match(
      unknown.ok ? '' : unknown.errors[0]!.reason,
      /line item gid:\/\/shopify\/LineItem\/9 \(SKU 'Z9'\) is on no line of the invoice/,
    );
  });

  test('a goodwill amount is a service credit memo to the configured account; without one it is named', () => {
    const r = mapCreditNote(refund({ lines: [], shipping: [] }), invoiceTarget, ctx);
    assert.ok(r.ok);
    assert.equal(r.value.DocType, 'dDocument_Service');
    assert.deepEqual(r.value.DocumentLines, [{ AccountCode: '410000', LineTotal: 64.4, ItemDescription: 'Shopify refund 77' }]);
    const noAccount = mapCreditNote(refund({ lines: [] }), invoiceTarget, {
      ...ctx,
      money: MoneyConfigSchema.parse({ refunds: { enabled: true } }),
    });
    assert.match(noAccount.ok ? '' : noAccount.errors[0]!.reason, /money\.refunds\.goodwillAccount/);
  });

  test('order adjustments need their expense code; goods refunded without an invoice are named', () => {
    const r = mapCreditNote(refund({ adjustments: ['-5.00'] }), invoiceTarget, {
      ...ctx,
      money: MoneyConfigSchema.parse({ refunds: { enabled: true } }),
    });
    assert.match(r.ok ? '' : r.errors[0]!.reason, /money\.refunds\.adjustmentExpenseCode/);
    const noInvoice = mapCreditNote(refund(), { ...invoiceTarget, invoice: undefined }, ctx);
    assert.match(noInvoice.ok ? '' : noInvoice.errors[0]!.reason, /has no B1 invoice to credit/);
  });

  test('a pending refund waits; its settled money becomes one outgoing payment applied to the credit memo', () => {
    assert.match(refundWaitReason(refund({ transactions: [txn({ kind: 'REFUND', status: 'PENDING' })] }))!, /still pending/);
    assert.equal(refundWaitReason(refund()), undefined);
    const split = refund({
      transactions: [
        txn({ id: 'gid://shopify/OrderTransaction/901', kind: 'REFUND', amount: '50.00' }),
        txn({ id: 'gid://shopify/OrderTransaction/902', kind: 'REFUND', amount: '14.40', gateway: 'gift_card' }),
      ],
    });
    const p = mapRefundPayment(split, { ...target, creditNote: { docEntry: 8, openBalance: 64.4 } }, ctx);
    assert.ok(p.ok, JSON.stringify(p));
    assert.equal(p.value.U_ShopifyRefundId, 'gid://shopify/Refund/77');
    assert.deepEqual(p.value.PaymentInvoices, [{ DocEntry: 8, SumApplied: 64.4, InvoiceType: 'it_CredItnote' }]);
    assert.deepEqual(
      p.value.PaymentCreditCards!.map((c) => [c.CreditCard, c.CreditSum]),
      [
        [1, 50],
        [7, 14.4],
      ],
    );
    const none = mapRefundPayment(refund({ transactions: [] }), target, ctx);
    assert.match(none.ok ? '' : none.errors[0]!.reason, /no successful refund transaction/);
  });
});
