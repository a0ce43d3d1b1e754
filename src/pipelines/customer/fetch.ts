/**
 * Reads one page of Shopify customers: changed since the watermark (delta; the client subtracts
 * the overlap window and sorts by UPDATED_AT), all of them (full), or exactly the requested ids
 * (re-read fresh, for resync).
 */
import type { ShopifyCustomer } from '../../mapping/types';
import type { FetchPageInput, FetchPageResult, PipelineDeps, SourceRecord } from '../contract';
import { idsSlice, maxUpdatedAt } from './paging';
import { customerLabel, trimCustomer } from './trim';

export type CustomerRecord = SourceRecord<ShopifyCustomer>;

function toRecord(c: ShopifyCustomer, deps: PipelineDeps): CustomerRecord {
  const data = trimCustomer(c, deps.mapping.customer.maxAddresses);
  return { id: c.id, label: customerLabel(data), data };
}

/** Customers by id; ids Shopify does not return (deleted, wrong) are reported missing. */
async function byIds(deps: PipelineDeps, ids: string[]): Promise<{ records: CustomerRecord[]; missingIds: string[] }> {
  if (!ids.length) return { records: [], missingIds: [] };
  const found = await deps.shopify.customersByIds(ids);
  const seen = new Set(found.map((c) => c.id));
  return { records: found.map((c) => toRecord(c, deps)), missingIds: ids.filter((id) => !seen.has(id)) };
}

export async function fetchCustomers(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<ShopifyCustomer>> {
  const pageSize = deps.pageSizes.customer;
  if (input.mode === 'ids') {
    const { ids, nextCursor } = idsSlice(input, pageSize);
    const { records, missingIds } = await byIds(deps, ids);
    return { records, ...(nextCursor ? { nextCursor } : {}), ...(missingIds.length ? { missingIds } : {}) };
  }
  const page = await deps.shopify.customersPage({
    updatedSince: input.mode === 'delta' ? (input.since ?? null) : null,
    after: input.cursor ?? null,
    first: pageSize,
  });
  const records = page.items.map((c) => toRecord(c, deps));
  let missingIds: string[] = [];
  // Delta runs may name extra records (e.g. a webhook saw them change): read them with page 0.
  if (input.mode === 'delta' && input.pageIndex === 0 && input.ids?.length) {
    const have = new Set(records.map((r) => r.id));
    const extra = await byIds(deps, [...new Set(input.ids)].filter((id) => !have.has(id)));
    records.push(...extra.records);
    missingIds = extra.missingIds;
  }
  const watermark = maxUpdatedAt(page.items);
  return {
    records,
    ...(page.hasNextPage && page.endCursor ? { nextCursor: page.endCursor } : {}),
    ...(watermark ? { watermark } : {}),
    ...(missingIds.length ? { missingIds } : {}),
  };
}
