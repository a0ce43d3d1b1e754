/**
 * The chaos suite's verdict, read from the two systems themselves (Service Layer and Admin API),
 * never from the hub: duplicates, lost records, stock that differs from the documented formula or
 * sells what B1 no longer has, and whether every record that failed for a data reason is reported
 * by the hub's failed-record log.
 */
import type { MappingConfig } from '../../mapping/config';
import type { AdminProbe, ServiceLayerProbe } from './probes';
import { MONEY_RESERVATION_SETS, verifyMoney } from './money';
import { verifyGoods } from './goods';

// ───────────────────────── the documented stock formula ─────────────────────────

export interface WarehouseStock {
  InStock: number;
  Committed: number;
  Ordered: number;
}

export interface StockFacts {
  /** B1's rows of the warehouses that feed the location. */
  warehouses: WarehouseStock[];
  /**
   * Units of the SKU at the location that Shopify has sold and B1's InStock − Committed does not
   * account for: per Shopify order, max(0, unfulfilled − B1 open − max(0, B1 delivered − Shopify
   * fulfilled)), summed (README "Stock formula").
   */
  shopifyNotInB1: number;
}

/**
 * The formulas the README documents for Shopify `available`, by name. `b1-sellable` is today's
 * (main 1c11d40): Σ(InStock − Committed) over the location's warehouses, floored at 0.
 * `b1-sellable-minus-shopify-open` also holds back Shopify's sold units that B1 has no sales
 * order for yet (the no-oversell design of issue 12 §4). Switch with `--formula` / `ChaosOptions.formula`
 * when the inventory fix lands; this is the only place the suite encodes it.
 */
export const STOCK_FORMULAS = {
  'b1-sellable': (f: StockFacts): number => floorUnits(sum(f.warehouses.map((w) => w.InStock - w.Committed))),
  'b1-sellable-minus-shopify-open': (f: StockFacts): number =>
    floorUnits(sum(f.warehouses.map((w) => w.InStock - w.Committed)) - f.shopifyNotInB1),
} as const;
export type StockFormula = keyof typeof STOCK_FORMULAS;
export const DEFAULT_STOCK_FORMULA: StockFormula = 'b1-sellable-minus-shopify-open';

export function expectedAvailable(formula: StockFormula, facts: StockFacts): number {
  return STOCK_FORMULAS[formula](facts);
}

/** What B1 can still sell after the Shopify orders it does not have yet: `available` above it oversells. */
export function sellableCeiling(facts: StockFacts): number {
  return floorUnits(sum(facts.warehouses.map((w) => w.InStock - w.Committed)) - facts.shopifyNotInB1);
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
function floorUnits(n: number): number {
  return Math.max(0, Math.floor(n + 1e-9));
}

// ───────────────────────── the failed-record log ─────────────────────────

export interface ReportedFailure {
  object: string;
  sourceId: string;
  reason?: string;
  field?: string;
}

/**
 * Why a record is reported failed. Only `data` excuses a missing record: a passing condition
 * (network, 5xx, throttling, timeout) should have been retried, and a conflict with a concurrent
 * writer ("code already assigned", "already exists") is the hub's own race, to be resolved by it
 * ("that partner is ours, use it"), not the merchant's data to fix. Either counts as lost.
 */
export function classifyReason(reason: string | undefined): 'data' | 'transient' | 'conflict' | 'in-doubt' {
  const r = reason ?? '';
  // The hub does not know whether its POST committed (a slow commit, a lost answer): it holds the
  // reservation and posts again only after the window, and the ledger retries it until then.
  // Likewise while another writer holds the customer's partner reservation (series mode).
  if (/may still be committing|waiting for approval|being created by another writer|another writer took over/i.test(r)) return 'in-doubt';
  if (
    /ECONNRESET|ECONNREFUSED|socket|network|timeout|timed out|\b5\d\d\b|HTML|throttl|\b429\b|Too many requests|unavailable|hang up|aborted/i.test(
      r,
    )
  )
    return 'transient';
  if (/already (been )?(assigned|exists|in use)|concurrent|conflict|another user|locked/i.test(r)) return 'conflict';
  return 'data';
}

// ───────────────────────── the verdict ─────────────────────────

/** The hub's reservation tables (connectors/b1/reservations.ts), as any OData client sees them. */
const RESERVATION_SETS = ['U_B1H_ORDER_RES', 'U_B1H_BP_RES', ...MONEY_RESERVATION_SETS, 'U_B1H_FUL_RES'];

/** Keys (Shopify ids) holding a reservation row; a table not set up holds none. */
async function reservedKeys(sl: ServiceLayerProbe): Promise<Set<string>> {
  const out = new Set<string>();
  for (const set of RESERVATION_SETS) {
    const rows = await sl.list<{ U_ResKey?: string | null }>(set, { select: ['U_ResKey'] }).catch(() => []);
    for (const r of rows) if (r.U_ResKey) out.add(r.U_ResKey);
  }
  return out;
}

export interface Finding {
  kind: 'duplicate' | 'lost' | 'inventory';
  object: 'order' | 'customer' | 'product' | 'inventory' | 'delivery';
  id: string;
  detail: string;
}

export interface Verdict {
  duplicates: number;
  lost: number;
  inventoryMismatches: number;
  /** Missing records that the failed-record log reports with a data reason (not counted as lost). */
  reportedDataFailures: ReportedFailure[];
  /**
   * Missing records the hub holds as in doubt (its POST may still commit): open in the ledger and
   * posted once the reservation window has passed. Not lost, not yet there: reported apart.
   */
  inDoubt: ReportedFailure[];
  /**
   * Failed-log entries whose reason is transient or a conflict with a concurrent writer, whether
   * or not the record arrived later: a sign of the races the suite hunts (e.g. partners created
   * by a customer run and an order run at once), reported but not counted in the verdict.
   */
  nonDataFailures: (ReportedFailure & { why: 'transient' | 'conflict' | 'in-doubt' })[];
  findings: Finding[];
  counts: {
    shopifyOrders: number;
    eligibleOrders: number;
    b1OpenOrders: number;
    shopifyCustomers: number;
    partners: number;
    selectedItems: number;
    variants: number;
    stockRows: number;
    /** Invoiced orders whose payments and refunds were checked (0 when the money side is off). */
    invoicedOrders: number;
    /** B1 deliveries whose fulfillments were checked (0 when none were made). */
    deliveries: number;
  };
}

type B1Line = { ItemCode?: string; WarehouseCode?: string; Quantity?: number; RemainingOpenQuantity?: number; LineStatus?: string };
type B1Order = {
  DocEntry: number;
  U_ShopifyId?: string | null;
  DocumentStatus?: string;
  Cancelled?: string;
  CardCode?: string;
  DocumentLines?: B1Line[];
};
type B1Partner = { CardCode: string; U_ShopifyId?: string | null };
type B1Item = {
  ItemCode: string;
  U_ShopifySync?: string | null;
  InventoryItem?: string | null;
  ItemWarehouseInfoCollection?: { WarehouseCode: string; InStock?: number; Committed?: number; Ordered?: number }[];
};
type ShopOrder = {
  id: string;
  test: boolean;
  cancelledAt: string | null;
  displayFinancialStatus: string | null;
  customer: { id: string } | null;
  lineItems: { nodes: { sku: string | null; currentQuantity: number }[] };
  fulfillmentOrders: {
    nodes: {
      status: string;
      assignedLocation: { location: { id: string } | null };
      lineItems: { nodes: { inventoryItemId: string | null; remainingQuantity: number; totalQuantity: number }[] };
    }[];
  };
};
type ShopVariant = {
  sku: string | null;
  product: { id: string };
  inventoryItem: {
    id: string;
    inventoryLevels: { nodes: { location: { id: string }; quantities: { name: string; quantity: number }[] }[] };
  };
};

/** The order pipeline's documented filter (pipelines/order/README.md, `orderFilter`), restated. */
export function isEligibleOrder(o: ShopOrder, mapping: MappingConfig): boolean {
  if (o.test && !mapping.order.includeTestOrders) return false;
  if (o.cancelledAt) return false;
  if (!o.displayFinancialStatus || !mapping.order.financialStatuses.includes(o.displayFinancialStatus as never)) return false;
  return o.lineItems.nodes.some((l) => l.currentQuantity > 0);
}

export async function verify(o: {
  sl: ServiceLayerProbe;
  admin: AdminProbe;
  mapping: MappingConfig;
  formula: StockFormula;
  failures: ReportedFailure[];
  /**
   * Shopify customers whose bad data the merchant fixed during the run: they and their eligible
   * orders must arrive, whatever the failed log still says (a failure is retried once its cause is gone).
   */
  fixedCustomers?: string[];
  /** The money side is booked (mapping.money): check its documents too. */
  money?: boolean;
  /** Deliveries were made in B1: check their fulfillments. */
  goods?: boolean;
}): Promise<Verdict> {
  const findings: Finding[] = [];
  const [orders, partners, items, drafts, reservationKeys] = await Promise.all([
    o.sl.list<B1Order>('Orders', { select: ['DocEntry', 'U_ShopifyId', 'DocumentStatus', 'Cancelled', 'CardCode', 'DocumentLines'] }),
    o.sl.list<B1Partner>('BusinessPartners', { select: ['CardCode', 'U_ShopifyId'] }),
    o.sl.list<B1Item>('Items', { select: ['ItemCode', 'U_ShopifySync', 'InventoryItem', 'ItemWarehouseInfoCollection'] }),
    o.sl.list<{ U_ShopifyId?: string | null; AuthorizationStatus?: string; DocumentStatus?: string }>('Drafts', {
      select: ['U_ShopifyId', 'AuthorizationStatus', 'DocumentStatus'],
    }),
    reservedKeys(o.sl),
  ]);
  // Approval drafts still pending, by Shopify id: what "waiting for approval" must point at.
  const pendingDrafts = new Set(
    drafts
      .filter(
        (d) => d.AuthorizationStatus !== 'dasRejected' && d.AuthorizationStatus !== 'dasCancelled' && d.DocumentStatus !== 'bost_Close',
      )
      .flatMap((d) => (d.U_ShopifyId ? [d.U_ShopifyId] : [])),
  );
  const shopOrders = await o.admin.all<ShopOrder>(
    'orders',
    'id test cancelledAt displayFinancialStatus customer { id } lineItems(first: 10) { nodes { sku currentQuantity } } fulfillmentOrders(first: 2) { nodes { status assignedLocation { location { id } } lineItems(first: 10) { nodes { inventoryItemId remainingQuantity totalQuantity } } } }',
    10,
  );
  const customers = await o.admin.all<{ id: string }>('customers', 'id', 100);
  const variants = await o.admin.all<ShopVariant>(
    'productVariants',
    'sku product { id } inventoryItem { id inventoryLevels(first: 5) { nodes { location { id } quantities(names: ["available", "committed"]) { name quantity } } } }',
    25,
  );

  const failedBy = new Map(o.failures.map((f) => [`${f.object}\u0000${f.sourceId}`, f]));
  const reportedDataFailures: ReportedFailure[] = [];
  const inDoubt: ReportedFailure[] = [];
  let lost = 0;
  const fixed = new Set(o.fixedCustomers ?? []);
  /**
   * A record held in doubt is excused only while B1 holds what the hub says it waits for: a
   * reservation row for it (or, for an order waiting on its customer, the customer's), or a
   * pending approval draft. A reason alone excuses nothing.
   */
  const holdIsReal = (id: string, reason: string, alsoKeys: string[]): boolean =>
    /waiting for approval/i.test(reason) ? pendingDrafts.has(id) : [id, ...alsoKeys].some((k) => reservationKeys.has(k));
  const missing = (
    object: 'order' | 'customer' | 'product',
    id: string,
    what: string,
    dataFixed = false,
    alsoKeys: string[] = [],
  ): void => {
    const f = failedBy.get(`${object}\u0000${id}`);
    const why = f?.reason ? classifyReason(f.reason) : undefined;
    if (dataFixed) {
      lost++;
      findings.push({
        kind: 'lost',
        object,
        id,
        detail: `${what}; its customer's data was fixed during the run, so it should have been retried${f ? ` (the failed log still says: ${f.reason ?? ''})` : ''}`,
      });
      return;
    }
    if (f && why === 'data') {
      reportedDataFailures.push(f);
      return;
    }
    if (f && why === 'in-doubt' && holdIsReal(id, f.reason ?? '', alsoKeys)) {
      inDoubt.push(f);
      return;
    }
    lost++;
    findings.push({
      kind: 'lost',
      object,
      id,
      detail: f
        ? `${what}; the failed-record log has it with a ${why ?? 'missing'} reason: ${f.reason ?? ''}`
        : `${what}; not in the failed-record log`,
    });
  };

  // Duplicates: uncancelled sales orders (an open copy next to a delivered one ships twice) and
  // partners per U_ShopifyId, variants per SKU.
  let duplicates = 0;
  const openOrders = orders.filter((x) => x.DocumentStatus === 'bost_Open' && x.Cancelled !== 'tYES');
  const standingOrders = orders.filter((x) => x.Cancelled !== 'tYES');
  const group = <T>(xs: T[], key: (x: T) => string | null | undefined): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const x of xs) {
      const k = key(x);
      if (k) m.set(k, [...(m.get(k) ?? []), x]);
    }
    return m;
  };
  const standingById = group(standingOrders, (x) => x.U_ShopifyId);
  for (const [id, list] of standingById) {
    if (list.length < 2) continue;
    duplicates += list.length - 1;
    findings.push({
      kind: 'duplicate',
      object: 'order',
      id,
      detail: `${list.length} uncancelled sales orders: ${list.map((x) => `DocEntry ${x.DocEntry} (${x.DocumentStatus ?? '?'})`).join(', ')}`,
    });
  }
  const partnersById = group(partners, (x) => x.U_ShopifyId);
  for (const [id, list] of partnersById) {
    if (list.length < 2) continue;
    duplicates += list.length - 1;
    findings.push({
      kind: 'duplicate',
      object: 'customer',
      id,
      detail: `${list.length} partners: ${list.map((x) => x.CardCode).join(', ')}`,
    });
  }
  const variantsBySku = group(variants, (x) => x.sku);
  for (const [sku, list] of variantsBySku) {
    if (list.length < 2) continue;
    duplicates += list.length - 1;
    findings.push({
      kind: 'duplicate',
      object: 'product',
      id: sku,
      detail: `${list.length} variants with the SKU, products ${[...new Set(list.map((v) => v.product.id))].join(', ')}`,
    });
  }

  // Lost: eligible orders without an open sales order, customers without a partner, selected items without a variant.
  const eligible = shopOrders.filter((x) => isEligibleOrder(x, o.mapping));
  for (const x of eligible)
    if (!standingById.has(x.id))
      missing(
        'order',
        x.id,
        'eligible Shopify order without an uncancelled sales order',
        !!x.customer && fixed.has(x.customer.id),
        x.customer ? [x.customer.id] : [],
      );
  for (const c of customers) if (!partnersById.has(c.id)) missing('customer', c.id, 'Shopify customer without a partner', fixed.has(c.id));
  const selected = items.filter((i) => i.U_ShopifySync === 'Y');
  for (const i of selected) if (!variantsBySku.has(i.ItemCode)) missing('product', i.ItemCode, 'selected item without a Shopify variant');

  // Money (when booked): one standing document per Shopify id, and none missing.
  let invoicedOrders = 0;
  if (o.money) {
    const m = await verifyMoney({
      sl: o.sl,
      admin: o.admin,
      standingOrders: new Set(standingById.keys()),
      missing: (id, what) => missing('order', id, what, false, [id.replace(/#.*$/, '')]),
    });
    invoicedOrders = m.checked;
    for (const d of m.duplicates) {
      duplicates++;
      findings.push({ kind: 'duplicate', object: 'order', id: d.id, detail: d.detail });
    }
  }

  // Goods: units delivered in B1 against units fulfilled in Shopify, per order.
  let deliveries = 0;
  if (o.goods) {
    const g = await verifyGoods({
      sl: o.sl,
      admin: o.admin,
      missing: (entries, what, keys) => {
        const reported = entries.map((e) => failedBy.get(`delivery\u0000${e}`)).filter((f): f is ReportedFailure => !!f);
        const data = reported.find((f) => classifyReason(f.reason) === 'data');
        if (data) return void reportedDataFailures.push(data);
        const held = reported.find((f) => classifyReason(f.reason) === 'in-doubt');
        if (held && keys.length) return void inDoubt.push(held);
        lost++;
        findings.push({
          kind: 'lost',
          object: 'delivery',
          id: entries.join(','),
          detail: `${what}; ${reported.length ? `the failed-record log says: ${reported.map((f) => f.reason ?? '').join(' | ')}` : 'not in the failed-record log'}`,
        });
      },
    });
    deliveries = g.deliveries;
    for (const d of g.duplicates) {
      duplicates++;
      findings.push({ kind: 'duplicate', object: 'delivery', id: d.orderId, detail: d.detail });
    }
  }

  // Stock: per Shopify order, SKU and location, the units Shopify still has to ship that B1 neither
  // holds in Committed (open lines of open orders) nor has already shipped beyond what Shopify
  // fulfilled (delivered lines left InStock). Cancelled B1 orders count nothing.
  const b1ById = group(
    orders.filter((x) => x.Cancelled !== 'tYES'),
    (x) => x.U_ShopifyId,
  );
  // A line counts under its inventory item's SKU (what Shopify's committed counts), not the SKU
  // it was sold under: a renamed SKU must not hide sold units from the check.
  const skuOfItem = new Map(variants.filter((v) => v.sku).map((v) => [v.inventoryItem.id, v.sku!]));
  const locOfWarehouse = (wh: string | undefined, locId: string): boolean =>
    !!wh && !!o.mapping.locations.find((l) => l.locationId === locId)?.warehouses.includes(wh);
  const notInB1 = new Map<string, number>();
  // Which orders make up each key's units, named in a mismatch's detail: the first question asked of one.
  const notInB1Why = new Map<string, string[]>();
  for (const x of shopOrders) {
    if (x.cancelledAt) continue;
    const perKey = new Map<string, { sku: string; loc: string; unfulfilled: number; fulfilled: number }>();
    for (const fo of x.fulfillmentOrders.nodes) {
      const loc = fo.assignedLocation.location?.id;
      if (!loc) continue;
      const released = ['CANCELLED', 'CLOSED', 'INCOMPLETE'].includes(fo.status);
      for (const l of fo.lineItems.nodes) {
        const sku = l.inventoryItemId ? skuOfItem.get(l.inventoryItemId) : undefined;
        if (!sku) continue;
        const k = `${sku}\u0000${loc}`;
        const e = perKey.get(k) ?? { sku, loc, unfulfilled: 0, fulfilled: 0 };
        if (!released) e.unfulfilled += Math.max(0, l.remainingQuantity);
        e.fulfilled += Math.max(0, l.totalQuantity - l.remainingQuantity);
        perKey.set(k, e);
      }
    }
    for (const [k, e] of perKey) {
      if (e.unfulfilled <= 0) continue;
      let open = 0;
      let delivered = 0;
      for (const doc of b1ById.get(x.id) ?? []) {
        for (const l of doc.DocumentLines ?? []) {
          if (l.ItemCode !== e.sku || !locOfWarehouse(l.WarehouseCode, e.loc)) continue;
          const q = l.Quantity ?? 0;
          const remaining = Math.min(q, Math.max(0, l.RemainingOpenQuantity ?? q));
          delivered += q - remaining;
          if (doc.DocumentStatus === 'bost_Open' && l.LineStatus === 'bost_Open') open += remaining;
        }
      }
      const units = Math.max(0, e.unfulfilled - open - Math.max(0, delivered - e.fulfilled));
      if (units > 0) {
        notInB1.set(k, (notInB1.get(k) ?? 0) + units);
        const docs = (b1ById.get(x.id) ?? []).map((d) => `DocEntry ${String(d.DocEntry)} ${d.DocumentStatus ?? '?'}`).join(', ');
        notInB1Why.set(k, [
          ...(notInB1Why.get(k) ?? []),
          `${x.id}: ${e.unfulfilled} unfulfilled, ${e.fulfilled} fulfilled in Shopify; B1 open ${open}, delivered ${delivered} (${docs || 'no sales order'})`,
        ]);
      }
    }
  }
  let inventoryMismatches = 0;
  let stockRows = 0;
  for (const i of selected) {
    if (i.InventoryItem === 'tNO') continue;
    const vs = variantsBySku.get(i.ItemCode);
    if (!vs || vs.length !== 1) continue;
    const levels = new Map(vs[0]!.inventoryItem.inventoryLevels.nodes.map((l) => [l.location.id, l]));
    for (const loc of o.mapping.locations) {
      stockRows++;
      const rows = (i.ItemWarehouseInfoCollection ?? []).filter((w) => loc.warehouses.includes(w.WarehouseCode));
      const facts: StockFacts = {
        warehouses: rows.map((w) => ({ InStock: w.InStock ?? 0, Committed: w.Committed ?? 0, Ordered: w.Ordered ?? 0 })),
        shopifyNotInB1: notInB1.get(`${i.ItemCode}\u0000${loc.locationId}`) ?? 0,
      };
      const level = levels.get(loc.locationId);
      const available = level?.quantities.find((q) => q.name === 'available')?.quantity ?? 0;
      const want = expectedAvailable(o.formula, facts);
      const ceiling = sellableCeiling(facts);
      const problems: string[] = [];
      if (available !== want) problems.push(`available ${available} ≠ ${want} by formula ${o.formula}`);
      if (available > ceiling)
        problems.push(
          `oversells: available ${available} > ${ceiling} (B1 InStock−Committed ${sum(facts.warehouses.map((w) => w.InStock - w.Committed))} − ${facts.shopifyNotInB1} sold in Shopify, not in B1)`,
        );
      if (problems.length) {
        const committed = level?.quantities.find((q) => q.name === 'committed')?.quantity ?? 0;
        const why = notInB1Why.get(`${i.ItemCode}\u0000${loc.locationId}`);
        problems.push(`Shopify committed ${committed}; sold in Shopify, not in B1: ${why?.join('; ') ?? 'none'}`);
        inventoryMismatches++;
        findings.push({ kind: 'inventory', object: 'inventory', id: `${i.ItemCode}@${loc.locationId}`, detail: problems.join('; ') });
      }
    }
  }

  return {
    duplicates,
    lost,
    inventoryMismatches,
    reportedDataFailures,
    inDoubt,
    nonDataFailures: o.failures.flatMap((f) => {
      const why = classifyReason(f.reason);
      return why === 'data' ? [] : [{ ...f, why }];
    }),
    findings,
    counts: {
      shopifyOrders: shopOrders.length,
      eligibleOrders: eligible.length,
      b1OpenOrders: openOrders.length,
      shopifyCustomers: customers.length,
      partners: partners.filter((p) => p.U_ShopifyId).length,
      selectedItems: selected.length,
      variants: variants.length,
      stockRows,
      invoicedOrders,
      deliveries,
    },
  };
}
