/** What travels between the order pipeline's steps (all of it lands in workflow history). */
import type { B1BusinessPartnerCreate, B1OrderCreate, ShopifyCustomer, ShopifyOrder } from '../../mapping/types';
import type { ShopifyOrderMoney } from '../../mapping/invoice';
import type { RecordOutcome } from '../../mapping/outcome';
import type { OrderMoneyPayload } from './money-kit';

/**
 * B1 facts the map step needs, gathered by fetch so that mapping stays pure. They are hints, not
 * decisions: post looks the sales order up again before it writes anything.
 */
export interface OrderContext {
  /** SKUs on the order that exist as B1 items (SKU = ItemCode). */
  itemCodes: string[];
  /** Partner cross-referenced to the order's customer (U_ShopifyId), when there is one. */
  cardCode?: string;
  /** The order's customer when no partner has it yet: post creates the partner first. */
  customer?: ShopifyCustomer;
  /** B1 sales order already carrying this order's GID (lowest DocEntry). */
  docEntry?: number;
}

export interface OrderSource {
  order: ShopifyOrder;
  context: OrderContext;
  /** Transactions and refunds, read only when the shop books money in B1 (money.ts). */
  money?: ShopifyOrderMoney;
  /** Every money document already in B1 (money-settled.ts): their outcomes, the stages skipped. */
  moneySettled?: RecordOutcome[];
}

export type OrderPayload =
  /** Not in B1 yet: create it (after creating its customer's partner when `customer` is set). */
  | { action: 'create'; doc: B1OrderCreate; customer?: B1BusinessPartnerCreate; money?: OrderMoneyPayload }
  /** Already in B1: mirror cancellation and quantity edits (decided at post time on B1's current state). */
  | { action: 'update'; order: ShopifyOrder; itemCodes: string[]; money?: OrderMoneyPayload };
