/**
 * The chaos suite's goods side: the warehouse ships in B1 during the run (deliveries based on the
 * imported orders or their reserve invoices, posted through the Service Layer), the `delivery`
 * object turns them into Shopify fulfillments under the same faults and kills, and the verdict
 * compares, per Shopify order, the units B1 delivered with the units Shopify shows fulfilled:
 * more fulfilled than delivered is a duplicate (nothing else fulfills during the run), fewer is
 * lost unless the delivery is reported failed with a data reason or held in doubt under its
 * reservation rows.
 */
import type { B1SimState } from '../b1/state';
import type { AdminProbe, ServiceLayerProbe } from './probes';

type Rec = Record<string, unknown>;
type Line = {
  LineNum: number;
  ItemCode: string;
  Quantity: number;
  RemainingOpenQuantity: number;
  LineStatus?: string;
  U_ShopifyLineId?: string;
};

/** The reservation table of fulfillments (pipelines/delivery/post.ts): keys `DLN<DocEntry>-FO<id>`. */
export const FULFILLMENT_RESERVATION_SET = 'U_B1H_FUL_RES';

/**
 * The warehouse ships one unit of an open line of an imported order: based on its reserve invoice
 * when the order was invoiced (BaseType 13), else on the sales order (BaseType 17). Returns the
 * delivery's DocEntry, or undefined when nothing is open to ship.
 */
export async function shipSomething(
  sl: ServiceLayerProbe,
  b1: B1SimState,
  pick: () => number,
  tracking: string,
): Promise<number | undefined> {
  const open = (d: Rec) =>
    typeof d.U_ShopifyId === 'string' &&
    d.Cancelled !== 'tYES' &&
    ((d.DocumentLines as Line[] | undefined) ?? []).some((l) => l.LineStatus === 'bost_Open' && l.RemainingOpenQuantity >= 1);
  const invoices = [...b1.store('Invoices').values()].filter((d) => d.ReserveInvoice === 'tYES' && open(d));
  const orders = [...b1.store('Orders').values()].filter((d) => d.DocumentStatus === 'bost_Open' && open(d));
  const candidates: [number, Rec][] = [...invoices.map((d) => [13, d] as [number, Rec]), ...orders.map((d) => [17, d] as [number, Rec])];
  if (!candidates.length) return undefined;
  const [baseType, base] = candidates[Math.floor(pick() * candidates.length)]!;
  const lines = ((base.DocumentLines as Line[]) ?? []).filter((l) => l.LineStatus === 'bost_Open' && l.RemainingOpenQuantity >= 1);
  const line = lines[Math.floor(pick() * lines.length)]!;
  const made = await sl.post<{ DocEntry?: number }>('DeliveryNotes', {
    CardCode: base.CardCode,
    TrackingNumber: tracking,
    DocumentLines: [{ BaseType: baseType, BaseEntry: base.DocEntry, BaseLine: line.LineNum, Quantity: 1 }],
  });
  return made.DocEntry;
}

export interface GoodsFinding {
  kind: 'duplicate' | 'missing';
  orderId: string;
  deliveries: number[];
  detail: string;
}

/**
 * Units delivered in B1 against units fulfilled in Shopify, per Shopify order. `missing` decides
 * whether a delivery short of its fulfillments is excused (reported, or held in doubt).
 */
export async function verifyGoods(o: {
  sl: ServiceLayerProbe;
  admin: AdminProbe;
  /** An order short of fulfillments: its deliveries, what is short, the reservation rows they hold. */
  missing: (deliveryEntries: number[], what: string, reservationKeys: string[]) => void;
}): Promise<{ duplicates: GoodsFinding[]; deliveries: number; fulfilledUnits: number }> {
  type Doc = {
    DocEntry: number;
    Cancelled?: string;
    U_ShopifyId?: string | null;
    DocumentLines?: (Line & { BaseType?: number; BaseEntry?: number })[];
  };
  const [deliveries, orders, invoices, reservations] = await Promise.all([
    o.sl.list<Doc>('DeliveryNotes', { select: ['DocEntry', 'Cancelled', 'DocumentLines'] }),
    o.sl.list<Doc>('Orders', { select: ['DocEntry', 'U_ShopifyId'] }),
    o.sl.list<Doc>('Invoices', { select: ['DocEntry', 'U_ShopifyId'] }),
    o.sl.list<{ U_ResKey?: string | null }>(FULFILLMENT_RESERVATION_SET, { select: ['U_ResKey'] }).catch(() => []),
  ]);
  const orderOf = new Map<string, string>();
  for (const d of orders) if (d.U_ShopifyId) orderOf.set(`17:${d.DocEntry}`, d.U_ShopifyId);
  for (const d of invoices) if (d.U_ShopifyId) orderOf.set(`13:${d.DocEntry}`, d.U_ShopifyId);
  const delivered = new Map<string, { units: number; entries: number[] }>();
  for (const d of deliveries) {
    if (d.Cancelled === 'tYES') continue;
    for (const l of d.DocumentLines ?? []) {
      const gid = orderOf.get(`${l.BaseType}:${l.BaseEntry}`);
      if (!gid) continue;
      const e = delivered.get(gid) ?? { units: 0, entries: [] };
      e.units += Number(l.Quantity ?? 0);
      if (!e.entries.includes(d.DocEntry)) e.entries.push(d.DocEntry);
      delivered.set(gid, e);
    }
  }
  const shop = await o.admin.all<{
    id: string;
    fulfillmentOrders: { nodes: { lineItems: { nodes: { totalQuantity: number; remainingQuantity: number }[] } }[] };
  }>('orders', 'id fulfillmentOrders(first: 5) { nodes { lineItems(first: 10) { nodes { totalQuantity remainingQuantity } } } }', 10);
  const keys = reservations.flatMap((r) => (r.U_ResKey ? [r.U_ResKey] : []));
  const duplicates: GoodsFinding[] = [];
  let fulfilledUnits = 0;
  for (const x of shop) {
    const fulfilled = x.fulfillmentOrders.nodes.reduce(
      (s, fo) => s + fo.lineItems.nodes.reduce((a, l) => a + Math.max(0, l.totalQuantity - l.remainingQuantity), 0),
      0,
    );
    fulfilledUnits += fulfilled;
    const b1 = delivered.get(x.id) ?? { units: 0, entries: [] };
    if (fulfilled > b1.units + 1e-9)
      duplicates.push({
        kind: 'duplicate',
        orderId: x.id,
        deliveries: b1.entries,
        detail: `${fulfilled} units fulfilled in Shopify, ${b1.units} delivered in B1 (deliveries ${b1.entries.join(', ') || 'none'})`,
      });
    else if (fulfilled < b1.units - 1e-9)
      o.missing(
        b1.entries,
        `order ${x.id}: ${b1.units} units delivered in B1 (deliveries ${b1.entries.join(', ')}), ${fulfilled} fulfilled in Shopify`,
        keys.filter((k) => b1.entries.some((entry) => k.startsWith(`DLN${entry}-`))),
      );
  }
  return { duplicates, deliveries: deliveries.filter((d) => d.Cancelled !== 'tYES').length, fulfilledUnits };
}
