/**
 * Writes a mapped page.
 *
 * B1 → Shopify: one search reads the page's products by SKU (a single query for up to 40 SKUs);
 * a product that already equals the item is `unchanged` and is not written. Otherwise productSet
 * upserts by the custom id (metafield of type `id` holding the ItemCode), so a retried or
 * re-run push updates the product the first attempt created and never adds a second one. A
 * product made in Shopify with the item's SKU and no custom id is adopted (productSet by its id,
 * which also sets the custom id) instead of being duplicated. The product id is written back to
 * the item's U_ShopifyId only when it differs.
 *
 * Shopify → B1: the item is looked up by ItemCode (= SKU) inside the same attempt before it is
 * created, so a retry after an unknown outcome finds the first attempt's item.
 *
 * Transient failures (5xx, throttling past the executor's retries, network) are thrown and the
 * activity is retried; every write above is safe to repeat. Record-level refusals (userErrors,
 * B1 business rules) fail only that record, naming the field.
 */
import type { B1Client } from '../../connectors/b1/client';
import { B1Error } from '../../connectors/b1/errors';
import { searchValue, type ShopifyClient } from '../../connectors/shopify/client';
import { PRODUCT_SET } from '../../connectors/shopify/documents';
import type { ShopifyUserError } from '../../connectors/shopify/errors';
import type { ProductUpsertResult, ShopifyProduct, WriteResult } from '../../connectors/shopify/types';
import { created, failed, unchanged, updated, type RecordOutcome } from '../../mapping/outcome';
import { itemCrossReference } from '../../mapping/product';
import type { PipelineDeps, PostPageInput } from '../contract';
import { firstDifference } from './compare';
import { f } from '../../connectors/b1/odata-query';
import { ITEM_FIELDS, toItemRecords } from './fetch';
import { mapItem } from './map';
import type { BulkChunkPayload, CreateItemPayload, ProductPayload, PushPayload } from './types';

/** Records written at once: keeps the throttled bucket busy without bursting past it. */
export const POST_CONCURRENCY = 4;
const SKUS_PER_SEARCH = 40;

const definitions = new WeakMap<ShopifyClient, Promise<unknown>>();

/** productSet by custom id needs the `id` metafield definition; made once per worker. */
function ensureDefinitions(shopify: ShopifyClient): Promise<unknown> {
  let p = definitions.get(shopify);
  if (!p) {
    p = shopify.ensureCustomIdDefinitions();
    p.catch(() => definitions.delete(shopify));
    definitions.set(shopify, p);
  }
  return p;
}

/** Products holding any of the SKUs (Shopify-made ones included), by SKU. */
export async function productsBySku(shopify: ShopifyClient, skus: string[]): Promise<Map<string, ShopifyProduct[]>> {
  const out = new Map<string, ShopifyProduct[]>();
  const unique = [...new Set(skus)];
  for (let i = 0; i < unique.length; i += SKUS_PER_SEARCH) {
    const chunk = unique.slice(i, i + SKUS_PER_SEARCH);
    const query = chunk.map((s) => `sku:${searchValue(s)}`).join(' OR ');
    let after: string | null = null;
    // Usually one product per SKU: asking for no more keeps the requested cost (what the
    // throttle reserves) close to the actual one.
    let first = chunk.length + 2;
    for (;;) {
      const page = await shopify.productsPage({ query, after, first, variantsFirst: 2 });
      for (const p of page.items) {
        for (const v of p.variants) {
          if (v.sku == null) continue;
          const list = out.get(v.sku) ?? [];
          if (!list.some((x) => x.id === p.id)) list.push(p);
          out.set(v.sku, list);
        }
      }
      if (!page.hasNextPage || !page.endCursor) break;
      after = page.endCursor;
      first = page.pageSize;
    }
  }
  return out;
}

function userErrorOutcome(code: string, errors: ShopifyUserError[]): RecordOutcome {
  const first = errors[0];
  const field = first?.field?.filter((x) => x !== 'input').join('.') || 'product';
  const reason = errors.map((e) => `${e.field?.join('.') ?? 'product'}: ${e.message}${e.code ? ` (${e.code})` : ''}`).join('; ');
  return failed('product', code, `item ${code}: Shopify refused the product: ${reason}`, field);
}

/** productSet by the product's own id: links a Shopify-made product (sets the custom id). */
async function adopt(shopify: ShopifyClient, p: PushPayload, existing: ShopifyProduct): Promise<WriteResult<ProductUpsertResult>> {
  const vars = shopify.productSetVariables(p.upsert, existing.variants[0]?.id ?? null);
  vars.identifier = { id: existing.id };
  type Payload = { productSet: { product: { id: string; handle: string; updatedAt: string; variants: { nodes: { id: string; inventoryItem: { id: string } }[] } } | null; userErrors: ShopifyUserError[] } };
  const { data } = await shopify.executor.call<Payload>(PRODUCT_SET, vars, { idempotent: true });
  const r = data.productSet;
  if (r.userErrors.length || !r.product) return { ok: false, userErrors: r.userErrors.length ? r.userErrors : [{ field: null, message: 'productSet returned no product', code: null }] };
  const v = r.product.variants.nodes[0];
  if (!v) return { ok: false, userErrors: [{ field: ['variants'], message: 'productSet returned a product without variants', code: null }] };
  return { ok: true, value: { productId: r.product.id, variantId: v.id, inventoryItemId: v.inventoryItem.id, handle: r.product.handle, updatedAt: r.product.updatedAt } };
}

async function writeBack(b1: B1Client, p: PushPayload, productId: string): Promise<RecordOutcome | undefined> {
  if (p.knownProductId === productId) return undefined;
  try {
    await b1.patchItem(p.itemCode, itemCrossReference(productId));
    return undefined;
  } catch (e) {
    if (e instanceof B1Error && (e.name === 'B1BusinessRuleError' || e.name === 'B1NotFoundError')) {
      return failed('product', p.itemCode, `item ${p.itemCode}: product ${productId} is in Shopify but U_ShopifyId could not be written: ${e.sapMessage}`, 'U_ShopifyId');
    }
    throw e;
  }
}

async function push(deps: PipelineDeps, p: PushPayload, found: ShopifyProduct[]): Promise<RecordOutcome> {
  const code = p.itemCode;
  const mine = found.find((x) => x.customId === code);
  if (mine && firstDifference(p.upsert, mine) === undefined) {
    return (await writeBack(deps.b1, p, mine.id)) ?? unchanged('product', code, mine.id);
  }
  let result: WriteResult<ProductUpsertResult>;
  let existed = mine !== undefined;
  if (!mine) {
    const shopMade = found.filter((x) => x.customId === null);
    if (shopMade.length > 1) {
      return failed('product', code, `item ${code}: SKU '${code}' is used by ${shopMade.length} Shopify products without a B1 link (${shopMade.map((x) => x.id).join(', ')}); merge them in Shopify first`, 'ItemCode');
    }
    const candidate = shopMade[0];
    if (candidate && (candidate.variants.length > 1 || candidate.moreVariants)) {
      return failed('product', code, `item ${code}: SKU '${code}' belongs to a variant of the multi-variant Shopify product ${candidate.id}; a single-variant push would replace its variants`, 'ItemCode');
    }
    result = candidate ? await adopt(deps.shopify, p, candidate) : await deps.shopify.upsertProduct(p.upsert);
    existed = candidate !== undefined;
  } else {
    result = await deps.shopify.upsertProduct(p.upsert);
  }
  if (!result.ok) return userErrorOutcome(code, result.userErrors);
  const id = result.value.productId;
  const fail = await writeBack(deps.b1, p, id);
  if (fail) return fail;
  // The search index may lag behind a product created moments ago: the item's own link decides then.
  return existed || p.knownProductId === id ? updated('product', code, id) : created('product', code, id);
}

async function createItem(b1: B1Client, sourceId: string, p: CreateItemPayload): Promise<RecordOutcome> {
  const exists = async () => (await b1.tryGet('Items', p.sku, { select: ['ItemCode'] })) !== undefined;
  if (await exists()) return unchanged('product', sourceId, p.sku);
  try {
    // B1ItemCreate is the mapping's typed subset of the Items entity (enum members as strings).
    await b1.createItem(p.item as unknown as Parameters<B1Client['createItem']>[0]);
    return created('product', sourceId, p.sku);
  } catch (e) {
    if (e instanceof B1Error && (e.name === 'B1BusinessRuleError' || e.name === 'B1NotFoundError')) {
      // Another run created it between the lookup and the POST.
      if (await exists()) return unchanged('product', sourceId, p.sku);
      return failed('product', sourceId, `SKU ${p.sku}: B1 refused the item: ${e.sapMessage}`, e.context.field ?? 'ItemCode');
    }
    throw e;
  }
}

/** Runs `fn` over `xs` with at most `n` in flight; the first thrown error is rethrown after all settle. */
async function pool<T, R>(xs: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  let error: unknown;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      try {
        out[i] = await fn(xs[i] as T);
      } catch (e) {
        error ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, xs.length) }, worker));
  if (error !== undefined) throw error;
  return out;
}

/**
 * One chunk of an initial load: the items are read and mapped here (only the key range is in
 * history). Items that already have a product in Shopify (adopted, or written by an earlier
 * attempt of this chunk) take the per-request path; the rest go into one bulk productSet import.
 * A retried chunk therefore finds the first attempt's products and does not import them again;
 * the import itself upserts by custom id, so even a repeated import cannot duplicate a product.
 */
async function postBulkChunk(deps: PipelineDeps, runId: string, c: BulkChunkPayload): Promise<RecordOutcome[]> {
  const rows = await deps.b1.list('Items', { filter: f.and(f.eq('U_ShopifySync', 'Y'), f.ge('ItemCode', c.first), f.le('ItemCode', c.last)), select: ITEM_FIELDS, orderby: 'ItemCode' });
  const records = await toItemRecords(deps, rows, c.asOf);
  const outcomes: RecordOutcome[] = [];
  const pushes: PushPayload[] = [];
  for (const r of records) {
    const m = mapItem(deps.mapping, r);
    if (!m.ok) outcomes.push(m.outcome);
    else if (m.payload.kind === 'push') pushes.push(m.payload);
  }
  if (!pushes.length) return outcomes;
  await ensureDefinitions(deps.shopify);
  const bySku = await productsBySku(deps.shopify, pushes.map((p) => p.upsert.sku));
  const known = pushes.filter((p) => (bySku.get(p.upsert.sku) ?? []).length > 0);
  const fresh = pushes.filter((p) => (bySku.get(p.upsert.sku) ?? []).length === 0);
  outcomes.push(...(await pool(known, POST_CONCURRENCY, (p) => push(deps, p, bySku.get(p.upsert.sku) ?? []))));
  if (fresh.length) {
    const { results } = await deps.shopify.bulkUpsertProducts(fresh.map((p) => p.upsert), { clientIdentifier: `b1hub:${runId}:${c.first}` });
    // Results come back in input order.
    const written = results.map((r, i) => ({ result: r.result, p: fresh[i] as PushPayload }));
    outcomes.push(
      ...(await pool(written, POST_CONCURRENCY * 2, async ({ result, p }) => {
        if (!result.ok) return userErrorOutcome(p.itemCode, result.userErrors);
        return (await writeBack(deps.b1, p, result.value.productId)) ?? created('product', p.itemCode, result.value.productId);
      })),
    );
  }
  return outcomes;
}

export async function postProductPage(deps: PipelineDeps, input: PostPageInput<ProductPayload>): Promise<RecordOutcome[]> {
  const pushes = input.records.filter((r) => r.payload.kind === 'push');
  let bySku = new Map<string, ShopifyProduct[]>();
  if (pushes.length) {
    await ensureDefinitions(deps.shopify);
    bySku = await productsBySku(deps.shopify, pushes.map((r) => (r.payload as PushPayload).upsert.sku));
  }
  const perRecord = await pool(input.records, POST_CONCURRENCY, async (r): Promise<RecordOutcome[]> => {
    const p = r.payload;
    if (p.kind === 'push') return [await push(deps, p, bySku.get(p.upsert.sku) ?? [])];
    if (p.kind === 'createItem') return [await createItem(deps.b1, r.id, p)];
    return postBulkChunk(deps, input.runId, p);
  });
  return perRecord.flat();
}
