/**
 * Shopify fulfillment → B1 delivery, pure (the Shopify → B1 direction of deliveries, off by
 * default: `mapping.fulfillment.direction`). Each fulfilled line item becomes delivery lines based
 * on the sales order lines that carry its id (`U_ShopifyLineId`), or, for orders imported before
 * the hub stored it, on lines of the same SKU; quantities are taken from the lines' open
 * quantities in LineNum order. Warehouses are the order lines' own (the sales order was already
 * placed in the location's warehouse). A fulfilled unit no open line can take fails the
 * fulfillment, naming the line item.
 */
import type { MappingIssue } from './errors';

export interface FulfillmentIn {
  id: string;
  trackingNumber: string | null;
  /** Quantity per order line item GID. */
  lines: Readonly<Record<string, number>>;
}

export interface SalesOrderIn {
  DocEntry: number;
  CardCode: string;
  lines: { LineNum: number; ItemCode: string | null; open: number; shopifyLineId?: string }[];
}

export interface DeliveryBody {
  CardCode: string;
  TrackingNumber?: string;
  U_ShopifyFulfillId: string;
  DocumentLines: { BaseType: 17; BaseEntry: number; BaseLine: number; Quantity: number }[];
}

export function deliveryFromFulfillment(
  f: FulfillmentIn,
  so: SalesOrderIn,
  skuOf: (lineItemId: string) => string | null,
): { ok: true; body: DeliveryBody } | { ok: false; issues: MappingIssue[] } {
  const open = new Map(so.lines.map((l) => [l.LineNum, l.open]));
  const out = new Map<number, number>();
  const issues: MappingIssue[] = [];
  for (const [lineItemId, qty] of Object.entries(f.lines)) {
    const byId = so.lines.filter((l) => l.shopifyLineId === lineItemId);
    const sku = skuOf(lineItemId);
    const candidates = byId.length ? byId : so.lines.filter((l) => !l.shopifyLineId && sku !== null && l.ItemCode === sku);
    let need = qty;
    for (const l of [...candidates].sort((a, b) => a.LineNum - b.LineNum)) {
      const n = Math.min(open.get(l.LineNum) ?? 0, need);
      if (n <= 0) continue;
      open.set(l.LineNum, (open.get(l.LineNum) ?? 0) - n);
      out.set(l.LineNum, (out.get(l.LineNum) ?? 0) + n);
      need -= n;
    }
    if (need > 0) {
      issues.push({
        field: `fulfillmentLineItems[${lineItemId}]`,
        reason: `${need} of ${qty} fulfilled unit(s) of line item ${lineItemId}${sku ? ` (${sku})` : ''} match no open line of sales order ${so.DocEntry}`,
      });
    }
  }
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    body: {
      CardCode: so.CardCode,
      ...(f.trackingNumber ? { TrackingNumber: f.trackingNumber } : {}),
      U_ShopifyFulfillId: f.id,
      DocumentLines: [...out]
        .sort((a, b) => a[0] - b[0])
        .map(([BaseLine, Quantity]) => ({ BaseType: 17 as const, BaseEntry: so.DocEntry, BaseLine, Quantity })),
    },
  };
}
