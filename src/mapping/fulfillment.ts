/**
 * B1 delivery → Shopify fulfillments, pure: which fulfillment order line items a delivery's lines
 * fulfil, grouped per fulfillment order (one `fulfillmentCreate` each), with tracking from the
 * delivery's TrackingNumber and the configured carrier of its shipping type.
 *
 * Matching: a delivery line carries (through its base sales order line) the Shopify line item id
 * `U_ShopifyLineId`; lines of orders imported before the hub stored it fall back to the SKU
 * (ItemCode), which is ambiguous only when one order sells one SKU on several lines (then the
 * quantities are consumed line after line, which fulfils the same units either way). A line's
 * quantity is consumed across the open fulfillment orders in Shopify's order; fulfillment orders
 * on hold, closed or assigned to a third-party fulfillment service are skipped with a reason; a
 * line left with quantity nothing open can take fails the delivery, naming the line.
 */
import type { CarrierConfig, FulfillmentConfig } from './fulfillment-config';
import type { MappingIssue } from './errors';

/** Shopify accepts at most 250 line items per fulfillment order in one fulfillmentCreate. */
export const MAX_LINES_PER_CREATE = 250;

export interface DeliveryLine {
  lineNum: number;
  itemCode: string | null;
  quantity: number;
  /** Shopify line item GID of the base sales order line, when the hub stored it. */
  shopifyLineId?: string;
}

export interface DeliveryDoc {
  docEntry: number;
  docNum?: number;
  trackingNumber?: string;
  /** B1 shipping type (TransportationCode). */
  shippingType?: number;
  lines: DeliveryLine[];
}

export interface FoLine {
  id: string;
  lineItemId: string;
  sku: string | null;
  remainingQuantity: number;
}

export interface FoView {
  id: string;
  status: string;
  requestStatus: string;
  canCreateFulfillment: boolean;
  atFulfillmentService: boolean;
  holds: string[];
  lines: FoLine[];
  linesTruncated: boolean;
}

export interface FulfillmentGroup {
  fulfillmentOrderId: string;
  lines: { id: string; quantity: number }[];
}

export interface TrackingInput {
  number: string;
  company?: string;
  url?: string;
}

export type FulfillmentPlan =
  | {
      ok: true;
      groups: FulfillmentGroup[];
      /** Fulfillment orders not used, and why (on hold, closed, third-party service). */
      skipped: { fulfillmentOrderId: string; reason: string }[];
    }
  | { ok: false; issues: MappingIssue[] };

/** Why a fulfillment order cannot take a fulfillment from the hub, or undefined when it can. */
export function unusableReason(fo: FoView): string | undefined {
  if (fo.atFulfillmentService || fo.requestStatus !== 'UNSUBMITTED') return 'assigned to a third-party fulfillment service';
  if (fo.status === 'ON_HOLD' || fo.holds.length > 0) return `on hold (${fo.holds.join(', ') || 'hold'})`;
  if (fo.status !== 'OPEN' && fo.status !== 'IN_PROGRESS') return `status ${fo.status}`;
  if (!fo.canCreateFulfillment) return 'Shopify offers no CREATE_FULFILLMENT action on it';
  return undefined;
}

function lineLabel(d: DeliveryDoc, l: DeliveryLine): string {
  return `delivery ${d.docNum ?? d.docEntry} line ${l.lineNum + 1} (${l.itemCode ?? 'no item'} × ${l.quantity})`;
}

/**
 * The fulfillments a delivery needs. `covered` is what fulfillments already made for this
 * delivery hold per line item GID (an earlier, partly finished attempt): consumed first, so a
 * retry plans only what is still missing. `exclude` lists fulfillment orders this delivery
 * already has a fulfillment on (one create per delivery and fulfillment order).
 */
export function planFulfillment(
  d: DeliveryDoc,
  fos: readonly FoView[],
  covered: Readonly<Record<string, number>> = {},
  exclude: ReadonlySet<string> = new Set(),
): FulfillmentPlan {
  const skipped: { fulfillmentOrderId: string; reason: string }[] = [];
  const usable: FoView[] = [];
  for (const fo of fos) {
    const why = unusableReason(fo);
    if (why) skipped.push({ fulfillmentOrderId: fo.id, reason: why });
    else if (!exclude.has(fo.id)) usable.push(fo);
  }
  const left = new Map<string, number>();
  for (const fo of usable) for (const l of fo.lines) left.set(l.id, l.remainingQuantity);
  const cover = new Map(Object.entries(covered));
  const take = new Map<string, Map<string, number>>();
  const issues: MappingIssue[] = [];
  const matches = (l: DeliveryLine, x: { lineItemId: string; sku: string | null }): boolean =>
    l.shopifyLineId ? x.lineItemId === l.shopifyLineId : l.itemCode !== null && x.sku === l.itemCode;
  const allLines = fos.flatMap((fo) => fo.lines);

  [...d.lines]
    .sort((a, b) => a.lineNum - b.lineNum)
    .forEach((l) => {
      let need = l.quantity;
      // Units an earlier attempt already fulfilled for this delivery.
      for (const id of new Set(allLines.filter((x) => matches(l, x)).map((x) => x.lineItemId))) {
        const c = cover.get(id) ?? 0;
        const n = Math.min(c, need);
        if (n > 0) {
          cover.set(id, c - n);
          need -= n;
        }
      }
      if (l.shopifyLineId && !allLines.some((x) => x.lineItemId === l.shopifyLineId) && need > 0) {
        issues.push({
          field: `DocumentLines[${l.lineNum}]`,
          reason: `${lineLabel(d, l)}: Shopify line item ${l.shopifyLineId} is on none of the order's fulfillment orders`,
        });
        return;
      }
      for (const fo of usable) {
        for (const x of fo.lines) {
          if (need <= 0) break;
          if (!matches(l, x)) continue;
          const n = Math.min(left.get(x.id) ?? 0, need);
          if (n <= 0) continue;
          left.set(x.id, (left.get(x.id) ?? 0) - n);
          need -= n;
          const g = take.get(fo.id) ?? new Map<string, number>();
          g.set(x.id, (g.get(x.id) ?? 0) + n);
          take.set(fo.id, g);
        }
      }
      if (need > 0) {
        const blocked = skipped
          .filter((s) => fos.find((fo) => fo.id === s.fulfillmentOrderId)?.lines.some((x) => matches(l, x) && x.remainingQuantity > 0))
          .map((s) => `${s.fulfillmentOrderId} ${s.reason}`);
        issues.push({
          field: `DocumentLines[${l.lineNum}]`,
          reason: `${lineLabel(d, l)}: ${need} of ${l.quantity} match no open quantity in Shopify${blocked.length ? ` (skipped: ${blocked.join('; ')})` : ''}${l.shopifyLineId ? '' : ' (matched by SKU: the base order line has no U_ShopifyLineId)'}`,
        });
      }
    });
  if (issues.length) return { ok: false, issues };
  const groups: FulfillmentGroup[] = [];
  for (const fo of usable) {
    const g = take.get(fo.id);
    if (!g) continue;
    const lines = [...g].map(([id, quantity]) => ({ id, quantity }));
    if (lines.length > MAX_LINES_PER_CREATE) {
      return {
        ok: false,
        issues: [
          {
            field: 'DocumentLines',
            reason: `delivery ${d.docNum ?? d.docEntry}: ${lines.length} lines on fulfillment order ${fo.id}, more than the ${MAX_LINES_PER_CREATE} one fulfillmentCreate takes; split the delivery`,
          },
        ],
      };
    }
    groups.push({ fulfillmentOrderId: fo.id, lines });
  }
  const truncated = usable.find((fo) => fo.linesTruncated && take.has(fo.id));
  if (truncated) {
    return {
      ok: false,
      issues: [
        {
          field: 'DocumentLines',
          reason: `fulfillment order ${truncated.id} has more lines than one read returns; not planned on a partial view`,
        },
      ],
    };
  }
  return { ok: true, groups, skipped };
}

/** The carrier of a shipping type: its own mapping, else the default, else none. */
export function carrierFor(cfg: FulfillmentConfig, shippingType: number | undefined): CarrierConfig | undefined {
  return (shippingType !== undefined && shippingType >= 0 ? cfg.carriers[String(shippingType)] : undefined) ?? cfg.defaultCarrier;
}

/** The tracking info a delivery sends, or undefined without a tracking number. */
export function trackingFor(cfg: FulfillmentConfig, d: Pick<DeliveryDoc, 'trackingNumber' | 'shippingType'>): TrackingInput | undefined {
  const number = d.trackingNumber?.trim();
  if (!number) return undefined;
  const c = carrierFor(cfg, d.shippingType);
  return {
    number,
    ...(c ? { company: c.company } : {}),
    ...(c?.url ? { url: c.url.replace('{number}', encodeURIComponent(number)) } : {}),
  };
}

export interface FulfillmentSeen {
  id: string;
  status: string;
  trackingNumber: string | null;
  lines: Readonly<Record<string, number>>;
}

/**
 * Whether a fulfillment found on a fulfillment order can be the one an unanswered create of this
 * delivery made: standing, every line one of the delivery's (by line item GID, or SKU for lines
 * without one) at no more than the delivery's quantity, and the delivery's tracking number when
 * both have one. `claimed` fulfillments already stand for another delivery (their reservation).
 */
export function couldBeOurs(f: FulfillmentSeen, d: DeliveryDoc, foLines: readonly FoLine[], claimed: ReadonlySet<string>): boolean {
  if (f.status !== 'SUCCESS' || claimed.has(f.id)) return false;
  const cap = new Map<string, number>();
  for (const l of d.lines) {
    const ids = l.shopifyLineId
      ? [l.shopifyLineId]
      : foLines.filter((x) => l.itemCode !== null && x.sku === l.itemCode).map((x) => x.lineItemId);
    for (const id of new Set(ids)) cap.set(id, (cap.get(id) ?? 0) + l.quantity);
  }
  const entries = Object.entries(f.lines);
  if (entries.length === 0 || entries.some(([id, q]) => q > (cap.get(id) ?? 0))) return false;
  const number = d.trackingNumber?.trim();
  return !(number && f.trackingNumber && f.trackingNumber !== number);
}

/** The delivery's write-back value: `<fulfillment order id>=<fulfillment id>` pairs, numeric ids. */
export function formatFulfillmentIds(pairs: readonly { fulfillmentOrderId: string; fulfillmentId: string }[]): string {
  const tail = (g: string): string => g.replace(/^gid:\/\/shopify\/\w+\//, '');
  return [...pairs]
    .sort((a, b) => a.fulfillmentOrderId.localeCompare(b.fulfillmentOrderId))
    .map((p) => `${tail(p.fulfillmentOrderId)}=${tail(p.fulfillmentId)}`)
    .join(',');
}
