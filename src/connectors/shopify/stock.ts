/**
 * Reads, for a page of SKUs, the Shopify inventory items carrying them and their current
 * `available`, `committed` and `reserved` at the mapped locations (one read, so the three agree),
 * in one or two cost-bounded calls per page.
 *
 * `inventoryItems(query: "sku:… OR sku:…")` finds the items; each mapped location is read with
 * an aliased `inventoryLevel(locationId:)`, which costs 2 points per location (level + its
 * quantities) against 3 + a connection's overhead for `inventoryLevels`, and answers null when
 * the item is not stocked there. The document depends on the number of mapped locations, so it
 * is built here (and checked against Shopify's schema by the inventory tests).
 */
import type { ShopifyExecutor } from './executor';
import type { GqlDocument } from './gql';
import { searchValue } from './search';

/** An inventory item carrying a SKU, with its quantities at the mapped locations. */
export interface StockMatch {
  inventoryItemId: string;
  tracked: boolean;
  /** `available` per location id; null = not stocked there (needs inventoryActivate). */
  available: Record<string, number | null>;
  committed: Record<string, number>;
  reserved: Record<string, number>;
}

/** Shopify's single-query limit is 1000 points; stay a little below for safety. */
const COST_BUDGET = 990;
const MAX_FIRST = 250;

/** The query for `locations` mapped locations (variables $first, $after, $query, $loc0…). */
export function stockQueryDocument(locations: number): GqlDocument {
  const vars = Array.from({ length: locations }, (_, i) => `$loc${i}: ID!`).join(', ');
  const levels = Array.from(
    { length: locations },
    (_, i) =>
      `        l${i}: inventoryLevel(locationId: $loc${i}) {\n          quantities(names: ["available", "committed", "reserved"]) {\n            name\n            quantity\n          }\n        }`,
  ).join('\n');
  const text = `query InventoryStockBySku($first: Int!, $after: String, $query: String!${vars ? `, ${vars}` : ''}) {
  inventoryItems(first: $first, after: $after, query: $query) {
    nodes {
      id
      sku
      tracked
${levels}
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}`;
  return { name: 'InventoryStockBySku', text, kind: 'query', fragments: [] };
}

/** Requested cost of one call: the connection (2) plus, per item, itself and 2 per location. */
export function stockQueryCost(first: number, locations: number): number {
  return 2 + first * (1 + 2 * locations);
}

/** Most SKUs one call may ask for within the cost budget. */
export function skusPerCall(locations: number): number {
  return Math.max(1, Math.min(MAX_FIRST, Math.floor((COST_BUDGET - 2) / (1 + 2 * locations))));
}

type RawLevel = { quantities: { name: string; quantity: number }[] } | null;
type RawItem = { id: string; sku: string | null; tracked: boolean } & Record<string, unknown>;
type RawPage = { inventoryItems: { nodes: RawItem[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

/**
 * SKU → the inventory items carrying it (exact SKU match), with `available` per location id.
 * The page's SKUs are split evenly over the fewest calls the cost limit allows, and the calls
 * run concurrently (the executor's bucket model keeps them within the rate limit).
 */
export async function readStockBySku(
  exec: ShopifyExecutor,
  skus: readonly string[],
  locationIds: readonly string[],
): Promise<Map<string, StockMatch[]>> {
  const out = new Map<string, StockMatch[]>();
  const unique = [...new Set(skus)];
  for (const s of unique) out.set(s, []);
  if (unique.length === 0) return out;
  const per = skusPerCall(locationIds.length);
  const calls = Math.ceil(unique.length / per);
  const size = Math.ceil(unique.length / calls);
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += size) batches.push(unique.slice(i, i + size));
  const doc = stockQueryDocument(locationIds.length);
  const locVars = Object.fromEntries(locationIds.map((id, i) => [`loc${i}`, id]));
  await Promise.all(
    batches.map(async (batch) => {
      const query = batch.map((s) => `sku:${searchValue(s)}`).join(' OR ');
      let after: string | null = null;
      for (;;) {
        const res: { data: RawPage } = await exec.call<RawPage>(
          doc,
          { first: batch.length, after, query, ...locVars },
          { estimatedCost: stockQueryCost(batch.length, locationIds.length) },
        );
        for (const node of res.data.inventoryItems.nodes) {
          // The search may match more loosely than equality (prefixes, case); only exact SKUs count.
          if (node.sku == null || !out.has(node.sku)) continue;
          const available: Record<string, number | null> = {};
          const committed: Record<string, number> = {};
          const reserved: Record<string, number> = {};
          locationIds.forEach((loc, i) => {
            const level = node[`l${i}`] as RawLevel | undefined;
            const q = (name: string): number => level?.quantities.find((x) => x.name === name)?.quantity ?? 0;
            available[loc] = level ? q('available') : null;
            committed[loc] = q('committed');
            reserved[loc] = q('reserved');
          });
          out.get(node.sku)?.push({ inventoryItemId: node.id, tracked: node.tracked, available, committed, reserved });
        }
        if (!res.data.inventoryItems.pageInfo.hasNextPage) break;
        after = res.data.inventoryItems.pageInfo.endCursor;
      }
    }),
  );
  return out;
}
