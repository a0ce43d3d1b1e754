/**
 * GraphQL side of fulfillment: FulfillmentOrder and Fulfillment objects, the Order fields that
 * lead to them, the `fulfillmentOrder`/`fulfillment` roots and the fulfillment mutations. Rules
 * live in fulfillment-state.ts. Arguments the simulator does not model answer NOT_IMPLEMENTED.
 */
import { GraphQLError } from 'graphql';
import { gid, parseGid } from './ids';
import { num, type OrderRec } from './state';
import { connection, lineItemView, locationView, moneyBag, orderView, variantView, type ConnArgs, type ViewCtx } from './views';
import {
  cancelFulfillment,
  createFulfillment,
  findFulfillment,
  findFulfillmentOrder,
  fulfillmentData,
  fulfillmentOrdersOf,
  fulfillmentsOf,
  updateTracking,
  type FulfillmentHoldReason,
  type FulfillmentInputArg,
  type FulfillmentOrderRec,
  type FulfillmentRec,
  type TrackingInputArg,
  type UserErr,
} from './fulfillment-state';
import { holdFulfillmentOrder, releaseHolds } from './fulfillment-holds';

type Obj = Record<string, unknown>;

const notImplemented = (what: string): GraphQLError =>
  new GraphQLError(`${what} is not implemented by the simulator.`, { extensions: { code: 'NOT_IMPLEMENTED' } });

/** Order.displayFulfillmentStatus / fulfillmentOrders / fulfillments / fulfillmentsCount (override views.ts). */
export function orderFulfillmentFields(o: OrderRec, ctx: ViewCtx): Obj {
  return {
    // Read after the fulfillment orders caught up with refunds (which may leave nothing to ship).
    displayFulfillmentStatus: () => {
      fulfillmentOrdersOf(ctx.state, o);
      return o.fulfillmentStatus;
    },
    fulfillmentOrders: (args: ConnArgs & { displayable?: boolean | null }) => {
      if (args.query) throw notImplemented('The query argument of Order.fulfillmentOrders');
      if (args.displayable) throw notImplemented('displayable: true on Order.fulfillmentOrders');
      return connection(fulfillmentOrdersOf(ctx.state, o), args, ctx, { idOf: (f) => f.id, view: (f) => fulfillmentOrderView(o, f, ctx) });
    },
    fulfillments: (args: { first?: number | null; query?: string | null }) => {
      if (args.query) throw notImplemented('The query argument of Order.fulfillments');
      const all = fulfillmentsOf(ctx.state, o);
      return (args.first != null ? all.slice(0, args.first) : all).map((f) => fulfillmentView(o, f, ctx));
    },
    fulfillmentsCount: () => ({ count: fulfillmentsOf(ctx.state, o).length, precision: 'EXACT' }),
  };
}

function assignedLocationView(f: FulfillmentOrderRec, ctx: ViewCtx): Obj {
  const loc = f.locationId != null ? ctx.state.location(f.locationId) : undefined;
  return {
    name: loc?.name ?? 'Unassigned',
    address1: loc?.address.address1 ?? null,
    address2: null,
    city: loc?.address.city ?? null,
    countryCode: loc?.address.countryCode ?? 'DE',
    province: loc?.address.provinceCode ?? null,
    zip: loc?.address.zip ?? null,
    phone: null,
    location: () => (loc ? locationView(loc, ctx) : null),
  };
}

function supportedActions(f: FulfillmentOrderRec): Obj[] {
  const a: string[] = [];
  if (f.status === 'ON_HOLD') a.push('RELEASE_HOLD');
  else if (f.status === 'OPEN' || f.status === 'IN_PROGRESS') {
    if (f.serviceId != null && f.requestStatus !== 'ACCEPTED') a.push('REQUEST_FULFILLMENT');
    else a.push('CREATE_FULFILLMENT');
    a.push('HOLD');
  }
  return a.map((action) => ({ action, externalUrl: null }));
}

export function fulfillmentOrderView(o: OrderRec, f: FulfillmentOrderRec, ctx: ViewCtx): Obj {
  const s = ctx.state;
  return {
    __typename: 'FulfillmentOrder',
    id: gid('FulfillmentOrder', f.id),
    status: f.status,
    requestStatus: f.requestStatus,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
    orderId: gid('Order', o.id),
    orderName: o.name,
    orderProcessedAt: o.processedAt,
    fulfillAt: null,
    fulfillBy: null,
    deliveryMethod: null,
    destination: null,
    internationalDuties: null,
    remainingLineItemsWeight: null,
    supportedActions: supportedActions(f),
    fulfillmentHolds: f.holds.map((h) => ({
      __typename: 'FulfillmentHold',
      id: gid('FulfillmentHold', h.id),
      reason: h.reason,
      reasonNotes: h.reasonNotes,
      handle: h.handle,
      displayReason: h.reason.charAt(0) + h.reason.slice(1).toLowerCase().replace(/_/g, ' '),
      heldByRequestingApp: h.heldByApp,
      heldByApp: null,
    })),
    order: () => orderView(o, ctx),
    assignedLocation: assignedLocationView(f, ctx),
    fulfillments: (args: ConnArgs) =>
      connection(
        fulfillmentsOf(s, o).filter((x) => x.lines.some((l) => l.fulfillmentOrderId === f.id)),
        args,
        ctx,
        { idOf: (x) => x.id, view: (x) => fulfillmentView(o, x, ctx) },
      ),
    lineItems: (args: ConnArgs) =>
      connection(f.lines, args, ctx, {
        idOf: (x) => x.id,
        view: (x) => {
          const l = o.lineItems.find((li) => li.id === x.lineItemId)!;
          const v = l.variantId != null ? s.variant(l.variantId) : undefined;
          return {
            __typename: 'FulfillmentOrderLineItem',
            id: gid('FulfillmentOrderLineItem', x.id),
            sku: l.sku,
            productTitle: l.title,
            variantTitle: l.variantTitle,
            vendor: null,
            requiresShipping: l.requiresShipping,
            totalQuantity: x.totalQuantity,
            remainingQuantity: x.remainingQuantity,
            inventoryItemId: v ? gid('InventoryItem', v.inventoryItemId) : null,
            image: null,
            weight: null,
            warnings: [],
            lineItem: () => lineItemView(o, l, ctx),
            variant: () => (v ? variantView(v, ctx) : null),
          };
        },
      }),
  };
}

export function fulfillmentView(o: OrderRec, f: FulfillmentRec, ctx: ViewCtx): Obj {
  const s = ctx.state;
  const d = fulfillmentData(s);
  const cur = o.currencyCode;
  const loc = f.locationId != null ? s.location(f.locationId) : undefined;
  return {
    __typename: 'Fulfillment',
    id: gid('Fulfillment', f.id),
    legacyResourceId: String(f.id),
    name: f.name,
    status: f.status,
    displayStatus: f.status === 'CANCELLED' ? 'CANCELED' : 'FULFILLED',
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
    deliveredAt: null,
    inTransitAt: null,
    estimatedDeliveryAt: null,
    requiresShipping: true,
    originAddress: null,
    totalQuantity: f.lines.reduce((n, l) => n + l.quantity, 0),
    trackingInfo: (args: { first?: number | null }) =>
      (args.first != null ? f.tracking.slice(0, args.first) : f.tracking).map((t) => ({ __typename: 'FulfillmentTrackingInfo', ...t })),
    location: () => (loc ? locationView(loc, ctx) : null),
    order: () => orderView(o, ctx),
    service: () => {
      const svcId = f.lines.map((l) => d.fulfillmentOrders[l.fulfillmentOrderId]?.serviceId).find((x) => x != null);
      const svc = svcId != null ? d.services[svcId] : undefined;
      return svc
        ? {
            __typename: 'FulfillmentService',
            id: gid('FulfillmentService', svc.id),
            handle: svc.handle,
            serviceName: svc.name,
            type: 'THIRD_PARTY',
            inventoryManagement: false,
            trackingSupport: true,
            requiresShippingMethod: true,
            callbackUrl: null,
            fulfillmentOrdersOptIn: true,
            location: () => locationView(s.location(svc.locationId)!, ctx),
          }
        : {
            __typename: 'FulfillmentService',
            id: gid('FulfillmentService', 1),
            handle: 'manual',
            serviceName: 'Manual',
            type: 'MANUAL',
            inventoryManagement: false,
            trackingSupport: false,
            requiresShippingMethod: false,
            callbackUrl: null,
            fulfillmentOrdersOptIn: true,
            location: () => (loc ? locationView(loc, ctx) : null),
          };
    },
    events: (args: ConnArgs) => connection([] as { id: number }[], args, ctx, { idOf: (x) => x.id, view: () => ({}) }),
    fulfillmentOrders: (args: ConnArgs) =>
      connection(
        fulfillmentOrdersOf(s, o).filter((fo) => f.lines.some((l) => l.fulfillmentOrderId === fo.id)),
        args,
        ctx,
        { idOf: (fo) => fo.id, view: (fo) => fulfillmentOrderView(o, fo, ctx) },
      ),
    fulfillmentLineItems: (args: ConnArgs) =>
      connection(f.lines, args, ctx, {
        idOf: (x) => x.id,
        view: (x) => {
          const l = o.lineItems.find((li) => li.id === x.lineItemId)!;
          const unit = num(l.unitPrice);
          const discPerUnit = l.quantity ? num(l.discount) / l.quantity : 0;
          return {
            __typename: 'FulfillmentLineItem',
            id: gid('FulfillmentLineItem', x.id),
            quantity: x.quantity,
            lineItem: () => lineItemView(o, l, ctx),
            originalTotalSet: moneyBag(unit * x.quantity, cur),
            discountedTotalSet: moneyBag((unit - discPerUnit) * x.quantity, cur),
          };
        },
      }),
  };
}

/** Query roots and mutations for resolvers.ts. */
export function fulfillmentRoots(ctx: ViewCtx): { query: Obj; mutation: Obj } {
  const s = ctx.state;
  const foPayload = (r: { fo: FulfillmentOrderRec | null; userErrors: UserErr[] }): Obj => {
    const o = r.fo ? s.order(r.fo.orderId) : undefined;
    return { fulfillmentOrder: r.fo && o ? fulfillmentOrderView(o, r.fo, ctx) : null, userErrors: r.userErrors };
  };
  const fPayload = (r: { fulfillment: FulfillmentRec | null; userErrors: UserErr[] }): Obj => {
    const o = r.fulfillment ? s.order(r.fulfillment.orderId) : undefined;
    return { fulfillment: r.fulfillment && o ? fulfillmentView(o, r.fulfillment, ctx) : null, userErrors: r.userErrors };
  };
  return {
    query: {
      fulfillmentOrder: (a: { id: string }) => {
        const hit = findFulfillmentOrder(s, parseGid(a.id, 'FulfillmentOrder') ?? -1);
        return hit ? fulfillmentOrderView(hit.o, hit.fo, ctx) : null;
      },
      fulfillment: (a: { id: string }) => {
        const hit = findFulfillment(s, parseGid(a.id, 'Fulfillment') ?? -1);
        return hit ? fulfillmentView(hit.o, hit.f, ctx) : null;
      },
    },
    mutation: {
      fulfillmentCreate: (a: { fulfillment: FulfillmentInputArg; message?: string | null }) => {
        if (a.fulfillment.originAddress) throw notImplemented('FulfillmentInput.originAddress');
        if (
          a.fulfillment.lineItemsByFulfillmentOrder.length > 250 ||
          a.fulfillment.lineItemsByFulfillmentOrder.some((g) => (g.fulfillmentOrderLineItems?.length ?? 0) > 250)
        ) {
          return {
            fulfillment: null,
            userErrors: [
              {
                field: ['fulfillment', 'lineItemsByFulfillmentOrder'],
                message: 'The input array size of 251 is greater than the maximum allowed of 250.',
              },
            ],
          };
        }
        return fPayload(createFulfillment(s, a.fulfillment));
      },
      fulfillmentTrackingInfoUpdate: (a: { fulfillmentId: string; trackingInfoInput: TrackingInputArg; notifyCustomer?: boolean | null }) =>
        fPayload(updateTracking(s, a.fulfillmentId, a.trackingInfoInput, a.notifyCustomer)),
      fulfillmentCancel: (a: { id: string }) => fPayload(cancelFulfillment(s, a.id)),
      fulfillmentOrderHold: (a: {
        id: string;
        fulfillmentHold: {
          reason: FulfillmentHoldReason;
          reasonNotes?: string | null;
          handle?: string | null;
          fulfillmentOrderLineItems?: unknown[] | null;
          externalId?: string | null;
          notifyMerchant?: boolean | null;
        };
      }) => {
        if (a.fulfillmentHold.fulfillmentOrderLineItems?.length)
          throw notImplemented('Holding part of a fulfillment order (fulfillmentHold.fulfillmentOrderLineItems)');
        const r = holdFulfillmentOrder(s, parseGid(a.id, 'FulfillmentOrder') ?? -1, a.fulfillmentHold, true);
        const hold = r.fo?.holds[r.fo.holds.length - 1];
        return {
          ...foPayload(r),
          fulfillmentHold: hold
            ? {
                __typename: 'FulfillmentHold',
                id: gid('FulfillmentHold', hold.id),
                reason: hold.reason,
                reasonNotes: hold.reasonNotes,
                handle: hold.handle,
                heldByRequestingApp: true,
                heldByApp: null,
                displayReason: hold.reason,
              }
            : null,
          remainingFulfillmentOrder: null,
        };
      },
      fulfillmentOrderReleaseHold: (a: { id: string; holdIds?: string[] | null; externalId?: string | null }) =>
        foPayload(
          releaseHolds(
            s,
            parseGid(a.id, 'FulfillmentOrder') ?? -1,
            a.holdIds?.map((h) => parseGid(h, 'FulfillmentHold') ?? -1),
          ),
        ),
    },
  };
}
