/**
 * Customers from one bulk export (bulkOperationRunQuery), for runs of many pages: reading them
 * per request costs ~6 query points a customer, which binds a large run to the plan's restore
 * rate (Standard: ~16 customers/s); an export costs its 10-point start and a status poll now and
 * then. The result file is pre-signed (no credentials, no rate-limit cost); each client keeps the
 * last two it read for a run's next pages, and a worker without one downloads it again from the
 * operation id.
 */
import {
  bulkQueryWithSearch,
  latestById,
  loadBulkExport,
  reassembleBulk,
  rememberBounded,
  rowOf,
  tryStartBulkQuery,
  type BulkNode,
  type EdgeNode,
} from './bulk';
import { CUSTOMER_CORE, MAILING_ADDRESS } from './documents';
import type { ShopifyExecutor } from './executor';
import { bulkQuery, gql, type GqlDocument, type ResultOf } from './gql';
import { mapCustomer } from './mappers';
import type { ShopifyCustomer } from './types';

/**
 * The fields of CustomersPage (the same fragments, so a bulk row and a page row map to the same
 * ShopifyCustomer), every address as its own JSONL line under its customer. The search filter is
 * added by bulkCustomersQuery (a bulk query has no variables).
 */
export const BULK_EXPORT_CUSTOMERS = bulkQuery(gql<'BulkExportCustomers'>`
  query BulkExportCustomers {
    customers(sortKey: UPDATED_AT) {
      edges {
        node {
          ...CustomerCore
          addressesV2 {
            edges {
              node {
                ...MailingAddressFields
              }
            }
          }
        }
      }
    }
  }
  ${CUSTOMER_CORE}
  ${MAILING_ADDRESS}
`);

/**
 * The newest customer change Shopify shows now: read just before a run's first page, its
 * updatedAt is the run's watermark (Shopify's own clock).
 */
export const NEWEST_CUSTOMER = gql<'NewestCustomer'>`
  query NewestCustomer {
    customers(first: 1, sortKey: UPDATED_AT, reverse: true) {
      nodes {
        updatedAt
      }
    }
  }
`;

/** BulkExportCustomers with a search filter. */
export function bulkCustomersQuery(search: string | null): GqlDocument<ResultOf<typeof BULK_EXPORT_CUSTOMERS>> {
  return bulkQueryWithSearch(BULK_EXPORT_CUSTOMERS, 'customers', search);
}

/**
 * A reassembled bulk customer → the ShopifyCustomer CustomersPage gives for `addressesFirst`
 * addresses (an export has no page sizes: it holds every address, in the same order).
 */
type BulkCustomer = EdgeNode<ResultOf<typeof BULK_EXPORT_CUSTOMERS>['customers']>;
type BulkAddress = EdgeNode<BulkCustomer['addressesV2']>;

export function customerFromBulk(n: BulkNode, addressesFirst: number): ShopifyCustomer {
  // The only nested connection is addressesV2 (its ids are MailingAddress GIDs).
  const addresses = Object.values(n.__children)
    .flat()
    .map((a) => rowOf<BulkAddress>(a));
  return mapCustomer({ ...rowOf<BulkCustomer>(n), addressesV2: { nodes: addresses.slice(0, addressesFirst) } });
}

export type CustomersExport<C = ShopifyCustomer> =
  { kind: 'ready'; customers: C[] } | { kind: 'pending' } | { kind: 'gone'; status: string };

function byUpdatedAtThenId(a: { id: string; updatedAt?: string | null }, b: { id: string; updatedAt?: string | null }): number {
  const ta = Date.parse(a.updatedAt ?? '');
  const tb = Date.parse(b.updatedAt ?? '');
  if (ta !== tb) return (Number.isNaN(ta) ? 0 : ta) - (Number.isNaN(tb) ? 0 : tb);
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** One client's customer exports: started, and read once each (the last two kept). */
export class CustomerExports {
  /** Ready exports by operation id and address count, prepared, in (updatedAt, id) order. */
  private readonly cache = new Map<string, readonly unknown[]>();
  private static readonly LIMIT = 2;

  constructor(private readonly exec: ShopifyExecutor) {}

  /** Starts the export; null when Shopify refuses one now (e.g. its bulk query limit is reached). */
  start(search: string | null): Promise<string | null> {
    return tryStartBulkQuery(this.exec, bulkCustomersQuery(search));
  }

  /**
   * The export's customers once it is complete. `prepare` (e.g. trimming to what a mapping reads)
   * is applied before they are kept: a large shop's export stays in memory for the run's pages.
   * A client serves one mapping, so one `prepare` per address count.
   */
  async load<C extends { id: string; updatedAt?: string | null }>(
    operationId: string,
    addressesFirst: number,
    prepare: (c: ShopifyCustomer) => C,
  ): Promise<CustomersExport<C>> {
    const key = `${operationId}|${addressesFirst}`;
    // Kept by this method only, from `prepare` of the same (only) caller.
    const hit = this.cache.get(key) as C[] | undefined;
    if (hit) return { kind: 'ready', customers: hit };
    const state = await loadBulkExport(this.exec, operationId, (lines) =>
      latestById(reassembleBulk(lines).map((n) => prepare(customerFromBulk(n, addressesFirst)))).sort(byUpdatedAtThenId),
    );
    if (state.kind !== 'ready') return state;
    rememberBounded(this.cache, key, state.result, CustomerExports.LIMIT);
    return { kind: 'ready', customers: state.result };
  }
}
