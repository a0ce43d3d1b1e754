/**
 * Shopify order → what to do in B1 (pure: decided from the order and the B1 facts fetch gathered).
 * Orders B1 already has become updates whatever their status, so a cancellation still reaches
 * B1; new orders must pass the configured filter, and map completely or not at all.
 */
import {
  failed,
  failedMapping,
  mapCustomerToBusinessPartner,
  mapOrderToSalesOrder,
  orderFilter,
  skipped,
  type RecordOutcome,
} from '../../mapping';
import type { MapPageInput, MappedRecord, PipelineDeps } from '../contract';
import type { OrderPayload, OrderSource } from './types';

/** Placeholder CardCode of an order whose customer's partner is created at post time. */
export const CARD_CODE_FROM_CUSTOMER = '';

function mapOne(
  deps: PipelineDeps,
  id: string,
  label: string,
  { order, context, money: read, moneySettled }: OrderSource,
): { payload: OrderPayload } | { outcome: RecordOutcome } {
  const config = deps.mapping;
  const money = read
    ? {
        money: {
          ...read,
          orderGid: order.id,
          orderName: order.name,
          cancelled: !!order.cancelledAt,
          currencyCode: order.currencyCode,
          ...(moneySettled ? { settled: moneySettled } : {}),
        },
      }
    : {};
  if (context.docEntry !== undefined) return { payload: { action: 'update', order, itemCodes: context.itemCodes, ...money } };

  const decision = orderFilter(order, config);
  if (!decision.pass) return { outcome: skipped('order', id, decision.rule) };

  let cardCode = config.customer.guestCardCode;
  let customer: Extract<OrderPayload, { action: 'create' }>['customer'];
  if (order.customer) {
    if (context.cardCode !== undefined) cardCode = context.cardCode;
    else if (context.customer) {
      const bp = mapCustomerToBusinessPartner(context.customer, config);
      if (!bp.ok) {
        const why = failedMapping('customer', context.customer.id, `customer ${context.customer.id}`, bp.errors);
        return {
          outcome: failed(
            'order',
            id,
            `order ${label}: its customer cannot be created in B1: ${why.reason ?? ''}`,
            `customer.${why.field ?? 'id'}`,
          ),
        };
      }
      customer = bp.value;
      cardCode = CARD_CODE_FROM_CUSTOMER;
    } else {
      return { outcome: failed('order', id, `order ${label}: customer ${order.customer.id} was not found in Shopify`, 'customer.id') };
    }
  }

  const itemCodeBySku = new Map(context.itemCodes.map((c) => [c, c]));
  const doc = mapOrderToSalesOrder(order, config, { cardCode, itemCodeBySku });
  if (!doc.ok) return { outcome: failedMapping('order', id, `order ${label}`, doc.errors) };
  return { payload: customer ? { action: 'create', doc: doc.value, customer, ...money } : { action: 'create', doc: doc.value, ...money } };
}

export function mapOrders(deps: PipelineDeps, input: MapPageInput<OrderSource>): MappedRecord<OrderPayload>[] {
  return input.records.map((r) => {
    const label = r.label ?? r.id;
    const m = mapOne(deps, r.id, label, r.data);
    return 'payload' in m
      ? { id: r.id, label, ok: true as const, payload: m.payload }
      : { id: r.id, label, ok: false as const, outcome: m.outcome };
  });
}
