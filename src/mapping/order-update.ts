/**
 * An order already in B1 (decideOrderUpdate): what of Shopify's later changes B1 can still take.
 * B1 owns the order once posted, so only a cancellation and quantity edits of an open order are
 * mirrored; whatever B1 has already acted on (closed, delivered, cancelled) is reported instead.
 */
import type { MappingConfig } from './config';
import { IssueCollector } from './errors';
import { mapLine, type LineContext, type OrderMappingContext } from './order-lines';
import { TaxCodes } from './order-tax';
import type { B1DocumentLineCreate, B1OrderState, ShopifyOrder } from './types';
import { clean } from './validate';

/** A PATCH row: quantity change or closing of an existing line, or a new line. */
export type B1DocumentLinePatch =
  { LineNum: number; Quantity: number } | { LineNum: number; LineStatus: 'bost_Close' } | B1DocumentLineCreate;

export type OrderUpdateDecision =
  | { action: 'nothing' }
  | { action: 'cancel'; docEntry: number }
  | { action: 'patch'; docEntry: number; patch: { DocumentLines: B1DocumentLinePatch[] } }
  /** Shopify changed something B1 can no longer take: reported (record outcome), nothing written. */
  | { action: 'report-not-applied'; reason: string; field: string };

/**
 * What to do with an order that already exists in B1, given its current Shopify state:
 * cancel an open order cancelled in Shopify; apply quantity edits while it is open; report what
 * B1 has already acted on (closed, delivered, cancelled). All-or-nothing: if any line cannot be
 * changed, nothing is patched and the whole decision is a report.
 */
export function decideOrderUpdate(
  existing: B1OrderState,
  order: ShopifyOrder,
  config: MappingConfig,
  ctx: Pick<OrderMappingContext, 'itemCodeBySku'>,
): OrderUpdateDecision {
  const docEntry = existing.DocEntry;
  const open = existing.DocumentStatus === 'bost_Open';
  const cancelledInB1 = existing.Cancelled === 'tYES';

  if (order.cancelledAt) {
    if (cancelledInB1) return { action: 'nothing' };
    if (open) return { action: 'cancel', docEntry };
    return {
      action: 'report-not-applied',
      field: 'cancelledAt',
      reason: `order ${order.name} was cancelled in Shopify but B1 order ${docEntry} is already closed; reverse it in B1 (return/credit memo)`,
    };
  }
  if (cancelledInB1) {
    return {
      action: 'report-not-applied',
      field: 'cancelledAt',
      reason: `B1 order ${docEntry} is cancelled but Shopify order ${order.name} is not`,
    };
  }

  // Desired quantity per ItemCode from Shopify's current quantities.
  const issues = new IssueCollector();
  const desired = new Map<string, { qty: number; firstIndex: number }>();
  order.lineItems.forEach((l, i) => {
    if (l.currentQuantity <= 0) return;
    const sku = clean(l.sku);
    const code = sku === undefined ? undefined : ctx.itemCodeBySku.get(sku);
    if (code === undefined) {
      issues.add(`lineItems[${i}].sku`, sku === undefined ? `line ${i + 1} has no SKU` : `line ${i + 1} SKU '${sku}' has no B1 item`);
      return;
    }
    const d = desired.get(code);
    desired.set(code, { qty: (d?.qty ?? 0) + l.currentQuantity, firstIndex: d?.firstIndex ?? i });
  });
  if (!issues.ok)
    return {
      action: 'report-not-applied',
      field: issues.issues[0]?.field ?? 'lineItems',
      reason: issues.issues.map((x) => x.reason).join('; '),
    };

  // Items Shopify ever had on the order (removed lines stay with currentQuantity 0). B1 lines
  // of other items were added in B1 and are B1's: never closed or changed here.
  const shopifyCodes = new Set<string>();
  for (const l of order.lineItems) {
    const sku = clean(l.sku);
    const code = sku === undefined ? undefined : ctx.itemCodeBySku.get(sku);
    if (code !== undefined) shopifyCodes.add(code);
  }
  const codes = new Set<string>([...desired.keys(), ...existing.DocumentLines.map((l) => l.ItemCode).filter((c) => shopifyCodes.has(c))]);
  const rows: B1DocumentLinePatch[] = [];
  const problems: string[] = [];
  const tax = new TaxCodes(order, config, issues);
  const lineCtx: LineContext = { order, config, itemCodeBySku: ctx.itemCodeBySku, issues, tax };

  for (const code of [...codes].sort()) {
    const want = desired.get(code)?.qty ?? 0;
    const lines = existing.DocumentLines.filter((l) => l.ItemCode === code);
    const openLines = lines.filter((l) => (l.LineStatus ?? 'bost_Open') === 'bost_Open');
    const delivered = (l: B1OrderState['DocumentLines'][number]) => l.Quantity - (l.RemainingOpenQuantity ?? l.Quantity);
    // Closed lines keep what was delivered on them; open lines their whole quantity.
    const have = lines.reduce((s, l) => s + ((l.LineStatus ?? 'bost_Open') === 'bost_Open' ? l.Quantity : delivered(l)), 0);
    if (!open) {
      // A closed order is compared with what it was ordered with, not what was delivered: closing by
      // hand keeps each line's open quantity (B1 does not deliver it), and only a quantity Shopify
      // changed is an edit that cannot be applied.
      const ordered = lines.reduce((s, l) => s + l.Quantity, 0);
      if (want !== ordered)
        problems.push(`item '${code}': quantity is ${want} in Shopify, ${ordered} in B1 order ${docEntry}, which is closed`);
      continue;
    }
    if (want === have) continue;
    if (openLines.length > 1) {
      problems.push(`item '${code}' is on ${openLines.length} open lines of B1 order ${docEntry}; change ${have} → ${want} manually`);
      continue;
    }
    const line = openLines[0];
    if (line === undefined) {
      if (want < have) {
        problems.push(`item '${code}': Shopify quantity ${want} is below the ${have} B1 has already delivered`);
        continue;
      }
      const index = desired.get(code)?.firstIndex ?? 0;
      const src = order.lineItems[index];
      const mapped = src ? mapLine(src, index, lineCtx) : undefined;
      if (mapped) rows.push({ ...mapped, Quantity: want - have });
      continue;
    }
    const newQty = line.Quantity + (want - have);
    const deliveredHere = delivered(line);
    if (newQty < deliveredHere) {
      problems.push(
        `item '${code}': Shopify quantity ${want} is below the ${deliveredHere} B1 has already delivered on line ${line.LineNum}`,
      );
    } else if (newQty === 0) {
      rows.push({ LineNum: line.LineNum, LineStatus: 'bost_Close' });
    } else {
      rows.push({ LineNum: line.LineNum, Quantity: newQty });
    }
  }
  if (!issues.ok)
    return {
      action: 'report-not-applied',
      field: issues.issues[0]?.field ?? 'lineItems',
      reason: issues.issues.map((x) => x.reason).join('; '),
    };
  if (problems.length > 0)
    return { action: 'report-not-applied', field: 'lineItems', reason: `quantity edits not applied: ${problems.join('; ')}` };
  if (rows.length === 0) return { action: 'nothing' };
  return { action: 'patch', docEntry, patch: { DocumentLines: rows } };
}
