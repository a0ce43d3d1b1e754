/**
 * The client's customer reads (delta pages, by id, by cross-reference code). Each call is sized
 * from the addresses asked for, so a page stays under the per-query cost limit.
 */
import type { ShopifyExecutor } from './executor';
import { CUSTOMERS_BY_IDS, CUSTOMERS_PAGE, CUSTOMER_BY_IDENTIFIER } from './documents';
import { isNodeOf, mapCustomer } from './mappers';
import { chunk } from './chunk';
import { updatedSinceQuery } from './search';
import type { CustomIdSpec } from './products';
import { addressesFirstOf, MAX_PAGE_SIZE, MAX_QUERY_COST, type CustomerReadOptions, type DeltaPageArgs } from './read-options';
import type { Page, ShopifyCustomer } from './types';

/** One page of customers updated since the watermark (minus overlap), oldest change first. */
export async function readCustomersPage(
  executor: ShopifyExecutor,
  args: DeltaPageArgs & CustomerReadOptions,
): Promise<Page<ShopifyCustomer>> {
  const query = [updatedSinceQuery(args.updatedSince, args.overlapMs), args.query].filter(Boolean).join(' AND ') || null;
  const addressesFirst = addressesFirstOf(args);
  // Per customer: itself, e-mail, phone, default address, and the addresses connection.
  const byCost = Math.max(1, Math.floor((MAX_QUERY_COST - 2) / (6 + addressesFirst)));
  const first = Math.min(args.first ?? 75, MAX_PAGE_SIZE, byCost);
  const res = await executor.call(CUSTOMERS_PAGE, { first, after: args.after ?? null, query, addressesFirst }, { shrink: ['first'] });
  return {
    items: res.data.customers.nodes.map(mapCustomer),
    hasNextPage: res.data.customers.pageInfo.hasNextPage,
    endCursor: res.data.customers.pageInfo.endCursor,
    pageSize: res.variables.first as number,
  };
}

export async function readCustomersByIds(executor: ShopifyExecutor, ids: string[], opts: CustomerReadOptions): Promise<ShopifyCustomer[]> {
  const addressesFirst = addressesFirstOf(opts);
  const batchSize = Math.max(1, Math.min(25, Math.floor(MAX_QUERY_COST / (6 + addressesFirst))));
  const out: ShopifyCustomer[] = [];
  for (const batch of chunk(ids, batchSize)) {
    const { data } = await executor.call(CUSTOMERS_BY_IDS, { ids: batch, addressesFirst });
    for (const n of data.nodes) if (isNodeOf(n)) out.push(mapCustomer(n));
  }
  return out;
}

/** Customer holding the given cross-reference code (B1 CardCode) in its `id` metafield. */
export async function readCustomerByCustomId(
  executor: ShopifyExecutor,
  idField: CustomIdSpec,
  value: string,
  opts: CustomerReadOptions,
): Promise<ShopifyCustomer | null> {
  const { data } = await executor.call(CUSTOMER_BY_IDENTIFIER, {
    identifier: { customId: { ...idField, value } },
    addressesFirst: addressesFirstOf(opts),
  });
  return data.customerByIdentifier ? mapCustomer(data.customerByIdentifier) : null;
}
