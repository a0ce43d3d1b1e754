/**
 * Reads one page of Shopify customers: changed since the watermark (delta; the client subtracts
 * the overlap window and sorts by UPDATED_AT), all of them (full), or exactly the requested ids
 * (re-read fresh, for resync).
 *
 * A full or delta run of more than one page reads past its first page from one bulk export (see
 * the end of this file), so a large shop's run is not bound by the per-request rate limit.
 */
import { updatedSinceQuery } from '../../connectors/shopify/client';
import type { ShopifyCustomer } from '../../mapping/types';
import type { FetchPageInput, FetchPageResult, PipelineDeps } from '../contract';
import { loadCustomersExport, startCustomersExport } from './export';
import { exportCursor, idsSlice, parseExportCursor, pastPosition, positionAfter, type UpdatedAtPosition } from '../kit/paging';
import { eachRecordIsolated } from '../kit/fetch-poison';
import { customerLabel, trimCustomer } from './trim';
import type { CustomerRecord } from './types';

export type { CustomerRecord } from './types';

function toRecord(c: ShopifyCustomer, deps: PipelineDeps): CustomerRecord {
  const data = trimCustomer(c, deps.mapping.customer.maxAddresses);
  return { id: c.id, label: customerLabel(data), data };
}

/** A customer the code cannot read fails alone (kit/fetch-poison.ts), not the page. */
const toRecords = (cs: readonly ShopifyCustomer[], deps: PipelineDeps): CustomerRecord[] =>
  eachRecordIsolated(
    'customer',
    cs,
    (c) => ({ id: c.id }),
    (c) => toRecord(c, deps),
  );

/** Customers by id; ids Shopify does not return (deleted, wrong) are reported missing. */
async function byIds(deps: PipelineDeps, ids: string[]): Promise<{ records: CustomerRecord[]; missingIds: string[] }> {
  if (!ids.length) return { records: [], missingIds: [] };
  const found = await deps.shopify.customersByIds(ids, { addressesFirst: deps.mapping.customer.maxAddresses });
  const seen = new Set(found.map((c) => c.id));
  return { records: toRecords(found, deps), missingIds: ids.filter((id) => !seen.has(id)) };
}

export async function fetchCustomers(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<ShopifyCustomer>> {
  const pageSize = deps.pageSizes.customer;
  if (input.mode === 'ids') {
    const { ids, nextCursor } = idsSlice(input, pageSize);
    const { records, missingIds } = await byIds(deps, ids);
    return { records, ...(nextCursor ? { nextCursor } : {}), ...(missingIds.length ? { missingIds } : {}) };
  }
  const updatedSince = input.mode === 'delta' ? (input.since ?? null) : null;
  const bulk = input.cursor ? parseExportCursor<ExportCursor>(input.cursor) : null;
  if (bulk) return exportPage(deps, updatedSince, bulk, pageSize);

  // The run's claim is taken before its first read (see newestChange); later pages add none.
  const watermark = input.cursor ? undefined : await newestChange(deps);
  const page = await readPage(deps, updatedSince, input.cursor ?? null, pageSize);
  let nextCursor = page.hasNextPage && page.endCursor ? page.endCursor : undefined;
  // More pages follow: the rest of the run reads from one export of the customers changed at or
  // after the last one read (paging goes on while it runs, or if Shopify refuses or fails it).
  if (nextCursor && !input.cursor && page.items.length) {
    const position = positionAfter(page.items);
    const op = await startCustomersExport(deps.shopify, updatedSinceQuery(position.since, 0));
    if (op) nextCursor = exportCursor({ op, after: nextCursor, ...position });
  }
  const records = toRecords(page.items, deps);
  let missingIds: string[] = [];
  // Delta runs may name extra records (e.g. a webhook saw them change): read them with page 0.
  if (input.mode === 'delta' && input.pageIndex === 0 && input.ids?.length) {
    const have = new Set(records.map((r) => r.id));
    const extra = await byIds(
      deps,
      [...new Set(input.ids)].filter((id) => !have.has(id)),
    );
    records.push(...extra.records);
    missingIds = extra.missingIds;
  }
  return {
    records,
    ...(nextCursor ? { nextCursor } : {}),
    ...(watermark ? { watermark } : {}),
    ...(missingIds.length ? { missingIds } : {}),
  };
}

/**
 * The watermark a full or delta run may claim: the newest customer change Shopify shows just
 * before the first page is read, on Shopify's own clock (the hub's may disagree). A run reading in
 * updatedAt order delivers every change visible when it began (an edit during the run moves the
 * record ahead of the cursor, so the run meets it again), but not necessarily what it sees later:
 * the newest updatedAt it delivered, the old claim, could be an edit made ten minutes into a long
 * run, past a change stamped earlier that became visible only after its place was read (a slow
 * commit, the search index catching up), and the next delta (watermark less the 5-minute overlap)
 * skipped that change for good. Undefined for a shop without customers.
 */
async function newestChange(deps: PipelineDeps): Promise<string | undefined> {
  return deps.shopify.newestCustomerUpdatedAt();
}

function readPage(deps: PipelineDeps, updatedSince: string | null, after: string | null, first: number) {
  return deps.shopify.customersPage({ updatedSince, after, first, addressesFirst: deps.mapping.customer.maxAddresses });
}

// ───────────────────────────── bulk export for long runs ─────────────────────────────
//
// Position in the run = the last updatedAt delivered plus the ids delivered at exactly that
// instant; the export (filtered `updated_at:>=` that instant) is sorted by updatedAt, then id, and
// a page is the next `pageSize` customers past the position. The position is the same whether a
// page came from the export or from paging, so the two can alternate: while the export runs, a
// page is read per request from the Shopify cursor kept alongside (keeping the bucket busy), and
// customers it delivers past the position move it on. If the export is gone (failed, cancelled,
// expired), paging resumes from that cursor, skipping what the export already delivered. Every
// customer is delivered once (unless it changes during the run). The run's watermark comes from
// its first page alone (the newest change Shopify showed before it), whichever way it goes on.

interface ExportCursor extends UpdatedAtPosition {
  /** The bulk operation; absent once it is gone (the run pages to its end). */
  op?: string;
  /** Shopify page cursor to page on from while the export runs or once it is gone. */
  after: string;
}

async function exportPage(
  deps: PipelineDeps,
  updatedSince: string | null,
  c: ExportCursor,
  pageSize: number,
): Promise<FetchPageResult<ShopifyCustomer>> {
  const state = c.op ? await loadCustomersExport(deps.shopify, c.op, deps.mapping.customer.maxAddresses) : ({ kind: 'gone' } as const);
  let customers: ShopifyCustomer[];
  let next: ExportCursor | undefined;
  if (state.kind === 'ready') {
    const rest = pastPosition(state.customers, c);
    customers = rest.slice(0, pageSize);
    if (rest.length > pageSize) next = { ...c, ...positionAfter(customers, c) };
  } else {
    const page = await readPage(deps, updatedSince, c.after, pageSize);
    customers = pastPosition(page.items, c);
    const op = state.kind === 'pending' ? c.op : undefined;
    if (page.hasNextPage && page.endCursor) next = { ...(op ? { op } : {}), after: page.endCursor, ...positionAfter(customers, c) };
  }
  return {
    records: toRecords(customers, deps),
    ...(next ? { nextCursor: exportCursor(next) } : {}),
  };
}
