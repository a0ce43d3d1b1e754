import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { gid } from './ids';
import type { OrderRec, RefundRec, ShopState } from './state';
import { connection, lineItemView, locationView, moneyBag, orderView, shippingLineView, type ConnArgs, type ViewCtx } from './views';
import { EPS, capturableOf, fmt, gatewayOf, refundableOf, txs, type TransactionRec } from './money-ledger';
import {
  allocate,
  createRefund,
  notImplemented,
  orderMoney,
  planLines,
  planShipping,
  planValue,
  unitNet,
  type LinePlan,
  type RefundInputArg,
} from './money';
import {
  cancelWithMoney,
  capture,
  markAsPaid,
  markAsPaidBlocker,
  multiCapturable,
  type CancelArgs,
  type CaptureInputArg,
} from './money-payments';
import { idempotencyKey } from './exec';
import type { SimRuntime } from './runtime';
import type { UserErr } from './mutations';

type Obj = Record<string, unknown>;

export function transactionView(o: OrderRec, t: TransactionRec, ctx: ViewCtx): Obj {
  const cur = o.currencyCode;
  const gw = gatewayOf(ctx.state.data.paymentGateways, t.gateway);
  const parent = t.parentId != null ? txs(o).find((x) => x.id === t.parentId) : undefined;
  const capturable = capturableOf(o, t, ctx.state.now());
  return {
    __typename: 'OrderTransaction',
    id: gid('OrderTransaction', t.id),
    kind: t.kind,
    status: t.status,
    gateway: t.gateway,
    formattedGateway: gw.formattedName,
    manualPaymentGateway: gw.manual,
    amountSet: moneyBag(t.amount, cur),
    createdAt: t.createdAt,
    processedAt: t.processedAt,
    test: t.test,
    errorCode: t.errorCode,
    authorizationExpiresAt: t.authorizationExpiresAt,
    parentTransaction: () => (parent ? transactionView(o, parent, ctx) : null),
    order: () => orderView(o, ctx),
    manuallyCapturable: capturable > 0 && !gw.manual,
    multiCapturable: multiCapturable(t),
    totalUnsettledSet: moneyBag(capturable, cur),
    // Only SUGGESTED_REFUND transactions carry it (schema description).
    maximumRefundableV2: null,
    accountNumber: null,
    paymentId: String(t.id),
    paymentDetails: null,
    paymentIcon: null,
    receiptJson: '{}',
    fees: [],
    location: null,
    device: null,
    user: null,
    settlementCurrency: null,
    settlementCurrencyRate: null,
    amountRoundingSet: null,
    currencyExchangeAdjustment: null,
    shopifyPaymentsSet: null,
  };
}

function refundLineItemView(
  o: OrderRec,
  p: { lineItemId: number; quantity: number; restockType: string; locationId: number | null; subtotal: number; tax: number },
  ctx: ViewCtx,
  id: string | null,
): Obj {
  const cur = o.currencyCode;
  const l = o.lineItems.find((x) => x.id === p.lineItemId);
  const loc = p.locationId != null ? ctx.state.location(p.locationId) : undefined;
  return {
    __typename: 'RefundLineItem',
    id,
    quantity: p.quantity,
    restockType: p.restockType,
    restocked: p.restockType !== 'NO_RESTOCK',
    lineItem: () => (l ? lineItemView(o, l, ctx) : null),
    location: () => (loc ? locationView(loc, ctx) : null),
    priceSet: moneyBag(l ? unitNet(l) : 0, cur),
    subtotalSet: moneyBag(p.subtotal, cur),
    totalTaxSet: moneyBag(p.tax, cur),
  };
}

const pageOf = <T>(items: T[], args: ConnArgs, ctx: ViewCtx, idOf: (t: T) => number, view: (t: T) => Obj): Obj =>
  connection(items, args.first == null && args.last == null ? { ...args, first: 250 } : args, ctx, { idOf, view });

export function refundView(o: OrderRec, r: RefundRec, ctx: ViewCtx): Obj {
  const cur = o.currencyCode;
  const own = txs(o).filter((t) => r.transactionIds?.includes(t.id));
  const total = own.filter((t) => t.status === 'SUCCESS' || t.status === 'PENDING').reduce((s, t) => s + Number(t.amount), 0);
  return {
    __typename: 'Refund',
    id: gid('Refund', r.id),
    legacyResourceId: String(r.id),
    createdAt: r.createdAt,
    updatedAt: r.createdAt,
    processedAt: r.processedAt ?? r.createdAt,
    note: r.note,
    totalRefundedSet: moneyBag(r.transactionIds ? total : r.amount, cur),
    order: () => orderView(o, ctx),
    return: null,
    staffMember: null,
    duties: [],
    refundLineItems: (args: ConnArgs) =>
      pageOf(
        r.lineItems,
        args,
        ctx,
        (x) => x.lineItemId,
        (x) => {
          const l = o.lineItems.find((li) => li.id === x.lineItemId);
          const subtotal = x.subtotal != null ? Number(x.subtotal) : l ? unitNet(l) * x.quantity : 0;
          const tax =
            x.tax != null ? Number(x.tax) : l ? (l.taxLines.reduce((s, t) => s + Number(t.amount), 0) / l.quantity) * x.quantity : 0;
          const restockType = x.restockType ?? (x.restock ? 'CANCEL' : 'NO_RESTOCK');
          return refundLineItemView(
            o,
            { ...x, restockType, locationId: x.locationId ?? (x.restock ? (l?.locationId ?? null) : null), subtotal, tax },
            ctx,
            gid('RefundLineItem', `${r.id}${x.lineItemId}`),
          );
        },
      ),
    refundShippingLines: (args: ConnArgs) =>
      pageOf(
        r.shipping ?? [],
        args,
        ctx,
        (s) => s.shippingLineId,
        (s) => {
          const line = o.shippingLines.find((x) => x.id === s.shippingLineId);
          return {
            __typename: 'RefundShippingLine',
            id: gid('RefundShippingLine', `${r.id}${s.shippingLineId}`),
            shippingLine: () => (line ? shippingLineView(o, line) : null),
            subtotalAmountSet: moneyBag(s.subtotal, cur),
            taxAmountSet: moneyBag(s.tax, cur),
          };
        },
      ),
    orderAdjustments: (args: ConnArgs) =>
      pageOf(
        r.adjustments ?? [],
        args,
        ctx,
        (a) => a.id,
        (a) => ({
          __typename: 'OrderAdjustment',
          id: gid('OrderAdjustment', a.id),
          amountSet: moneyBag(a.amount, cur),
          taxAmountSet: moneyBag(0, cur),
          reason: a.reason,
        }),
      ),
    transactions: (args: ConnArgs) =>
      pageOf(
        own,
        args,
        ctx,
        (t) => t.id,
        (t) => transactionView(o, t, ctx),
      ),
  };
}

interface SuggestArgs {
  refundLineItems?: RefundInputArg['refundLineItems'];
  refundShipping?: boolean | null;
  shippingAmount?: string | null;
  suggestFullRefund?: boolean | null;
  refundDuties?: unknown[] | null;
  refundMethodAllocation?: string | null;
}

function suggestedRefundView(o: OrderRec, a: SuggestArgs, ctx: ViewCtx): Obj {
  if (a.refundDuties?.length) throw notImplemented('suggestedRefund refundDuties (duties are not modelled)');
  if (a.refundMethodAllocation != null && a.refundMethodAllocation !== 'ORIGINAL_PAYMENT_METHODS')
    throw notImplemented(`suggestedRefund refundMethodAllocation ${a.refundMethodAllocation}`);
  const cur = o.currencyCode;
  const errors: UserErr[] = [];
  const input = a.suggestFullRefund
    ? o.lineItems
        .filter((l) => l.currentQuantity > 0)
        .map((l) => ({ lineItemId: gid('LineItem', l.id), quantity: l.currentQuantity, restockType: 'NO_RESTOCK' }))
    : a.refundLineItems;
  const lines: LinePlan[] = planLines(ctx.state, o, input, errors);
  if (errors.length) throw new GraphQLError(errors.map((e) => e.message).join(' '), { extensions: { code: 'BAD_REQUEST' } });
  const ship = planShipping(
    o,
    a.shippingAmount == null && !!(a.refundShipping || a.suggestFullRefund),
    a.shippingAmount != null ? Number(a.shippingAmount) : null,
    errors,
    ['shippingAmount'],
  );
  if (errors.length) throw new GraphQLError(errors.map((e) => e.message).join(' '), { extensions: { code: 'BAD_REQUEST' } });
  const fullShip = planShipping(o, true, null, [], []);
  const value = planValue(o, lines, ship);
  const maxRefundable = txs(o).reduce((s, t) => s + refundableOf(o, t), 0);
  const amount = Math.min(value.amount, maxRefundable);
  const parts = allocate(o, amount);
  const bag = (n: number) => moneyBag(n, cur);
  return {
    __typename: 'SuggestedRefund',
    amountSet: bag(amount),
    maximumRefundableSet: bag(maxRefundable),
    subtotalSet: bag(value.subtotal),
    discountedSubtotalSet: bag(value.subtotal),
    totalTaxSet: bag(value.tax + value.shippingTax),
    totalCartDiscountAmountSet: bag(0),
    totalDutiesSet: bag(0),
    refundDuties: [],
    suggestedRefundMethods: [],
    refundLineItems: lines.map((p) =>
      refundLineItemView(
        o,
        {
          lineItemId: p.line.id,
          quantity: p.quantity,
          restockType: p.restockType,
          locationId: p.locationId,
          subtotal: p.subtotal,
          tax: p.tax,
        },
        ctx,
        null,
      ),
    ),
    shipping: {
      __typename: 'ShippingRefund',
      amount: fmt(value.shipping),
      amountSet: bag(value.shipping),
      tax: fmt(value.shippingTax),
      taxSet: bag(value.shippingTax),
      maximumRefundable: fmt(fullShip.reduce((s, x) => s + x.subtotal, 0)),
      maximumRefundableSet: bag(fullShip.reduce((s, x) => s + x.subtotal, 0)),
    },
    suggestedTransactions: parts.map((p) => ({
      __typename: 'SuggestedOrderTransaction',
      kind: 'SUGGESTED_REFUND',
      gateway: p.parent.gateway,
      formattedGateway: gatewayOf(ctx.state.data.paymentGateways, p.parent.gateway).formattedName,
      amount: fmt(p.amount),
      amountSet: bag(p.amount),
      maximumRefundable: fmt(refundableOf(o, p.parent)),
      maximumRefundableSet: bag(refundableOf(o, p.parent)),
      parentTransaction: () => transactionView(o, p.parent, ctx),
      accountNumber: null,
      paymentDetails: null,
    })),
  };
}

/** The Order fields the ledger decides; spread over orderView so they override its older figures. */
export function moneyOrderFields(o: OrderRec, ctx: ViewCtx): Obj {
  const cur = o.currencyCode;
  const m = () => orderMoney(o, ctx.state.now());
  const gateways = () => [...new Set([...(o.paymentGateways ?? []), ...txs(o).map((t) => t.gateway)])];
  return {
    displayFinancialStatus: o.financialStatus,
    fullyPaid: m().received >= m().total - EPS,
    unpaid: m().received <= EPS,
    capturable: m().capturable > EPS,
    canMarkAsPaid: () => markAsPaidBlocker(ctx.state, o) == null,
    refundable: txs(o).some((t) => refundableOf(o, t) > 0),
    paymentGatewayNames: gateways(),
    currentTotalPriceSet: () => moneyBag(m().currentTotal, cur),
    currentShippingPriceSet: () => moneyBag(m().currentShipping, cur),
    totalReceivedSet: () => moneyBag(m().received, cur),
    totalRefundedSet: () => moneyBag(m().refunded, cur),
    totalRefundedShippingSet: () => moneyBag(m().refundedShipping, cur),
    netPaymentSet: () => moneyBag(m().net, cur),
    totalOutstandingSet: () => moneyBag(m().outstanding, cur),
    totalCapturableSet: () => moneyBag(m().capturable, cur),
    refundDiscrepancySet: () => moneyBag(m().adjustments, cur),
    totalTipReceivedSet: () => moneyBag(0, cur),
    transactions: (a: { first?: number | null; capturable?: boolean | null; manuallyResolvable?: boolean | null }) => {
      if (a.manuallyResolvable != null) throw notImplemented('Order.transactions(manuallyResolvable:)');
      const now = ctx.state.now();
      const all = txs(o).filter((t) => a.capturable == null || capturableOf(o, t, now) > 0 === a.capturable);
      return (a.first != null ? all.slice(0, a.first) : all).map((t) => transactionView(o, t, ctx));
    },
    transactionsCount: () => ({ count: txs(o).length, precision: 'EXACT' }),
    refunds: (a: { first?: number | null }) =>
      (a.first != null ? o.refunds.slice(0, a.first) : o.refunds).map((r) => refundView(o, r, ctx)),
    suggestedRefund: (a: SuggestArgs) => suggestedRefundView(o, a, ctx),
    totalCapturable: () => fmt(m().capturable),
    totalReceived: () => fmt(m().received),
    totalRefunded: () => fmt(m().refunded),
    netPayment: () => fmt(m().net),
  };
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as Obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Obj)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * `@idempotent(key:)` as Shopify documents it for refundCreate: mandatory from 2026-04; a retry
 * with the same key and arguments returns the first result (no second refund); the same key with
 * other arguments, or after a failed attempt, is refused.
 */
function idempotent(
  rt: SimRuntime,
  ctx: ViewCtx,
  info: GraphQLResolveInfo,
  args: unknown,
  run: () => { payload: Obj; failed: boolean },
  failure: (message: string) => Obj,
): Obj {
  const key = idempotencyKey(info);
  if (key == null) {
    if (rt.options.requireIdempotency && ctx.version >= '2026-04' && !ctx.bulk) {
      throw new GraphQLError(
        `The @idempotent directive is required for the ${info.fieldName} mutation. Provide a unique key (for example a UUID) and reuse it only to retry the same operation.`,
        { extensions: { code: 'BAD_REQUEST' } },
      );
    }
    return run().payload;
  }
  if (!key.trim())
    throw new GraphQLError('The idempotency key cannot be an empty string or whitespace only.', { extensions: { code: 'BAD_REQUEST' } });
  const store = rt.idempotencyStore(ctx.appId);
  const fingerprint = `${info.fieldName}:${stableJson(args)}`;
  const hit = store.get(key);
  if (hit) {
    if (hit.fingerprint !== fingerprint) return failure('The same idempotency key cannot be used with different operation parameters.');
    const prior = hit.result as { payload: Obj; failed: boolean };
    return prior.failed ? failure('A previous request with this idempotency key failed. Retry with a new idempotency key.') : prior.payload;
  }
  const result = run();
  store.set(key, { fingerprint, result });
  return result.payload;
}

export function moneyRoots(rt: SimRuntime, ctx: ViewCtx): { query: Obj; mutation: Obj } {
  const s: ShopState = rt.state;
  const view = (o: OrderRec | null) => (o ? orderView(o, ctx) : null);
  return {
    // orderCancel runs at once; its job is already done when the payload comes back.
    query: { job: (a: { id: string }) => ({ __typename: 'Job', id: a.id, done: true, query: null }) },
    mutation: {
      refundCreate: (a: { input: RefundInputArg }, _c: unknown, info: GraphQLResolveInfo) =>
        idempotent(
          rt,
          ctx,
          info,
          a,
          () => {
            const r = createRefund(s, a.input);
            return {
              payload: {
                refund: r.refund && r.order ? refundView(r.order, r.refund, ctx) : null,
                order: view(r.order),
                userErrors: r.userErrors,
              },
              failed: r.userErrors.length > 0,
            };
          },
          (message) => ({ refund: null, order: null, userErrors: [{ field: null, message }] }),
        ),
      orderMarkAsPaid: (a: { input: { id: string } }) => {
        const r = markAsPaid(s, a.input.id);
        return { order: view(r.order), userErrors: r.userErrors };
      },
      orderCapture: (a: { input: CaptureInputArg }) => {
        const r = capture(s, a.input);
        return { transaction: r.transaction && r.order ? transactionView(r.order, r.transaction, ctx) : null, userErrors: r.userErrors };
      },
      orderCancel: (a: CancelArgs) => {
        const r = cancelWithMoney(s, a);
        return {
          job: r.order ? { __typename: 'Job', id: gid('Job', s.newId()), done: true, query: null } : null,
          orderCancelUserErrors: r.errors,
          userErrors: r.errors.map((e) => ({ field: e.field, message: e.message })),
        };
      },
    },
  };
}

/**
 * `node(id:)`/`nodes(ids:)` for the money objects that implement Node (OrderTransaction, Refund):
 * they live inside their order, so the order holding the id is looked up. Undefined for other types.
 */
export function moneyNodeView(value: string, ctx: ViewCtx): Obj | null | undefined {
  const m = /^gid:\/\/shopify\/(OrderTransaction|Refund)\/(\d+)$/.exec(value);
  if (!m) return undefined;
  const id = Number(m[2]);
  for (const o of Object.values(ctx.state.data.orders)) {
    if (m[1] === 'OrderTransaction') {
      const t = txs(o).find((x) => x.id === id);
      if (t) return transactionView(o, t, ctx);
    } else {
      const r = o.refunds.find((x) => x.id === id);
      if (r) return refundView(o, r, ctx);
    }
  }
  return null;
}
