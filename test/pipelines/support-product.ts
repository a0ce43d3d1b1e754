/** Helpers for the product pipeline tests: Shopify-side facts read from the simulator's state. */
import assert from 'node:assert/strict';
import type { HubFixture } from '../support/hub-fixture';
import { PRODUCT_SET } from '../../src/connectors/shopify/documents';
import { decodeZlibPayload } from '../../src/temporal/zlib-codec';

/** Distinct product ids holding a variant with this SKU. */
export function productIdsBySku(fx: HubFixture, sku: string): string[] {
  return [...new Set(fx.shopifySim.state.variantsBySku(sku).map((v) => `gid://shopify/Product/${v.productId}`))];
}

/** updatedAt of every product, by id: equal snapshots mean no product was written. */
export function productStamps(fx: HubFixture): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of Object.values(fx.shopifySim.state.data.products)) {
    const variants = p.variantIds.map((v) => fx.shopifySim.state.variant(v)?.updatedAt ?? '').join(',');
    out.set(String(p.id), `${p.updatedAt}|${variants}`);
  }
  return out;
}

/**
 * Waits for the next second: Shopify's updatedAt has second precision, so a product written in
 * the same second as the snapshot would look unchanged to productStamps.
 */
export async function nextSecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
}

/** B1 requests that write (everything but GET and the session calls). */
export function b1Writes(fx: HubFixture, fromIndex: number): string[] {
  return fx.b1Sim.faults.log.slice(fromIndex).filter((l) => !l.startsWith('GET ') && !/\/(Login|Logout)\b/.test(l));
}

/** Creates a product in Shopify the way a merchant would (no hub custom id), over the Admin API. */
export async function createShopifyProduct(
  fx: HubFixture,
  p: { title: string; sku: string; price: string; tracked: boolean; weightKg?: number },
): Promise<string> {
  const vars = fx.deps.shopify.productSetVariables(
    {
      customId: 'unused',
      title: p.title,
      sku: p.sku,
      price: p.price,
      tracked: p.tracked,
      taxable: true,
      status: 'ACTIVE',
      weight: p.weightKg ? { unit: 'KILOGRAMS', value: p.weightKg } : null,
    },
    null,
  );
  delete vars.identifier;
  (vars.input as Record<string, unknown>).metafields = [];
  const { data } = await fx.deps.shopify.executor.call<{ productSet: { product: { id: string } | null; userErrors: unknown[] } }>(
    PRODUCT_SET,
    vars,
  );
  if (!data.productSet.product) throw new Error(`productSet failed: ${JSON.stringify(data.productSet.userErrors)}`);
  return data.productSet.product.id;
}

/**
 * Counts the Shopify requests of the B1 → Shopify phase (product reads and writes, metafield
 * definitions; not the Shopify → B1 variant scan) from now on, through a 0 ms latency rule of the
 * simulator (its `injected.latency` counter); `stop()` removes the rule.
 */
export function countPushPhaseCalls(fx: HubFixture): { count(): number; stop(): void } {
  const faults = fx.shopifySim.faults;
  const at = faults.injected.latency;
  faults.add({ kind: 'latency', ms: 0, times: Number.MAX_SAFE_INTEGER, match: /^(?![\s\S]*ProductVariants(Scan|ByIds)\b)/ });
  return { count: () => faults.injected.latency - at, stop: () => faults.clear() };
}

type B1ItemRow = {
  ItemName: string;
  SalesUnitWeight: number;
  ItemPrices: { PriceList: number; Price: number }[];
  U_ShopifyId?: string | null;
  U_ShopifyVariantId?: string | null;
  U_ShopifyHash?: string | null;
  InventoryItem?: string;
};

/** The item's link fields as B1 holds them. */
export function itemLink(fx: HubFixture, code: string): { id: string | null; variantId: string | null; hash: string | null } {
  const it = fx.b1Sim.state.get('Items', code) as unknown as B1ItemRow;
  return { id: it.U_ShopifyId ?? null, variantId: it.U_ShopifyVariantId ?? null, hash: it.U_ShopifyHash ?? null };
}

/**
 * The end state of a clean push, checked for each item: exactly one product with its SKU, keyed
 * by its custom id, with B1's title, price (list 1), weight (kg), status and tracking, the product
 * id in the item's U_ShopifyId, the variant id in U_ShopifyVariantId and a sync hash.
 */
export async function assertPushed(fx: HubFixture, codes: readonly string[]): Promise<void> {
  for (const code of codes) {
    const ids = productIdsBySku(fx, code);
    assert.equal(ids.length, 1, `exactly one product has SKU ${code}: ${ids.join(', ')}`);
    const p = await fx.deps.shopify.productByCustomId(code, 2);
    assert.ok(p, `product with custom id ${code}`);
    assert.equal(p.id, ids[0]);
    const b1 = fx.b1Sim.state.get('Items', code) as unknown as B1ItemRow;
    assert.equal(p.title, b1.ItemName);
    assert.equal(p.status, 'ACTIVE');
    assert.equal(p.variants.length, 1);
    const v = p.variants[0]!;
    assert.equal(v.sku, code);
    assert.equal(v.price, b1.ItemPrices.find((x) => x.PriceList === 1)!.Price.toFixed(2));
    assert.deepEqual(v.inventoryItem.measurement.weight, { unit: 'KILOGRAMS', value: b1.SalesUnitWeight });
    assert.equal(v.inventoryItem.tracked, b1.InventoryItem !== 'tNO');
    assert.equal(b1.U_ShopifyId, p.id, `U_ShopifyId of ${code}`);
    assert.equal(b1.U_ShopifyVariantId, v.id, `U_ShopifyVariantId of ${code}`);
    assert.match(b1.U_ShopifyHash ?? '', /^v1:[0-9a-f]{32}$/, `U_ShopifyHash of ${code}`);
  }
}

/**
 * Counts the Shopify requests whose body matches `match` from now on (a 0 ms latency rule of the
 * simulator); `stop()` removes it. One counter at a time: the simulator takes the first rule that matches.
 */
export function countRequests(fx: HubFixture, match: RegExp): { count(): number; stop(): void } {
  const faults = fx.shopifySim.faults;
  const at = faults.injected.latency;
  faults.add({ kind: 'latency', ms: 0, times: Number.MAX_SAFE_INTEGER, match });
  return { count: () => faults.injected.latency - at, stop: () => faults.clear() };
}

/** Per-request reads of Shopify's products: the push's SKU lookups and the Shopify → B1 variant scan. */
export const PER_REQUEST_PRODUCT_READS = /query (ProductsPage|ProductVariantsBySkuLight|ProductVariantsScan|ProductVariantsByIds)\b/;

/** The simulator's bulk query operations of the product state export, oldest first. */
export function productExports(fx: HubFixture): { id: number; status: string; createdAt: string }[] {
  return Object.values(fx.shopifySim.state.data.bulkOperations)
    .filter((b) => b.type === 'QUERY' && b.query.includes('ProductStateExport'))
    .sort((a, b) => a.id - b.id)
    .map((b) => ({ id: b.id, status: b.status, createdAt: b.createdAt }));
}

/** The outcomes a run logged (logOutcomes activity inputs in its history). */
export async function loggedOutcomes(
  fx: HubFixture,
  workflowId: string,
): Promise<Array<{ object?: string; sourceId: string; outcome: string; field?: string; reason?: string }>> {
  const history = await fx.env.client.workflow.getHandle(workflowId).fetchHistory();
  const out: Array<{ object?: string; sourceId: string; outcome: string; field?: string; reason?: string }> = [];
  for (const e of history.events ?? []) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a?.activityType?.name !== 'logOutcomes') continue;
    for (const raw of a.input?.payloads ?? []) {
      // Large payloads may be zlib-compressed by the hub's payload codec.
      const p = await decodeZlibPayload(raw);
      const input = JSON.parse(Buffer.from(p.data as Uint8Array).toString('utf8')) as { outcomes: typeof out };
      out.push(...input.outcomes);
    }
  }
  return out;
}
