/**
 * Writes a mapped page.
 *
 * B1 → Shopify: one search reads the page's products by SKU (a single query for up to 40 SKUs);
 * a product that already equals the item is `unchanged` and is not written. Otherwise productSet
 * upserts by the custom id (metafield of type `id` holding the ItemCode), so a retried or
 * re-run push updates the product the first attempt created and never adds a second one. A
 * product made in Shopify with the item's SKU and no custom id is adopted (productSet by its id,
 * which also sets the custom id) instead of being duplicated. The product and variant ids and the
 * sync hash (hash.ts) are written back to the item in one PATCH, only when one of them differs;
 * a page's PATCHes go to B1 together, through `$batch` (writeLinks).
 *
 * Transient failures (5xx, throttling past the executor's retries, network) are thrown and the
 * activity is retried; every write above is safe to repeat. Record-level refusals (userErrors,
 * B1 business rules) fail only that record, naming the field.
 */
import { isRecordRejection } from '../../shared/error-policy';
import type { ShopifyClient } from '../../connectors/shopify/client';
import type { ShopifyUserError } from '../../connectors/shopify/errors';
import type { ProductUpsertResult, WriteResult } from '../../connectors/shopify/types';
import { created, failed, unchanged, updated, type RecordOutcome } from '../../mapping/outcome';
import { itemCrossReference } from '../../mapping/product';
import type { PipelineDeps, PostPageInput } from '../contract';
import { firstDifference, type ComparedProduct } from './compare';
import { foundForLoad, foundInSnapshot, fromProduct, productsForPage, readySnapshot, type Found } from './lookup';
import { f, keySegment } from '../../connectors/b1/odata-query';
import { toItemRecords } from './fetch';
import { fetchFailureOf } from '../kit/fetch-poison';
import { evenSlices, mapInGroups } from '../kit/groups';
import { hasHashFields, itemSelect } from './item-fields';
import { mapItem } from './map';
import { productHash, pushTarget } from './hash';
import { createItem } from './import-post';
import type { BulkChunkPayload, ProductPayload, PushPayload } from './types';
// Records written at once, and the B1 slots of overlapping chunks (state.ts): one figure.
import { POST_CONCURRENCY } from '../kit/activity';
import { DEFAULT_PRODUCT_TUNING } from './state';

/** Default of `deps.product.tuning.linksPerBatch` (see state.ts). */
export const LINKS_PER_BATCH = DEFAULT_PRODUCT_TUNING.linksPerBatch;

// The SKU lookups moved to lookup.ts; what callers imported from here stays importable.
export { productsBySku, type Found } from './lookup';

/** productSet by custom id needs the `id` metafield definition; made once per deps. */
function ensureDefinitions(deps: PipelineDeps): Promise<unknown> {
  let p = deps.product.definitions;
  if (!p) {
    const made = deps.shopify.ensureCustomIdDefinitions();
    made.catch(() => {
      if (deps.product.definitions === made) deps.product.definitions = undefined;
    });
    deps.product.definitions = p = made;
  }
  return p;
}

function userErrorOutcome(code: string, errors: ShopifyUserError[]): RecordOutcome {
  const first = errors[0];
  const field = first?.field?.filter((x) => x !== 'input').join('.') || 'product';
  const reason = errors.map((e) => `${e.field?.join('.') ?? 'product'}: ${e.message}${e.code ? ` (${e.code})` : ''}`).join('; ');
  return failed('product', code, `item ${code}: Shopify refused the product: ${reason}`, field);
}

/** What to do with one item, given the products found with its SKU. */
type Plan =
  | { kind: 'unchanged'; productId: string; variantId: string | null }
  | { kind: 'fail'; outcome: RecordOutcome }
  /** `target` absent: no product found, upsert by custom id (the search may lag a fresh product). */
  | { kind: 'write'; target?: { productId: string; variantId: string | null; adopt: boolean } };

function plan(p: PushPayload, found: Found[]): Plan {
  const code = p.itemCode;
  const mine = found.find((x) => x.customId === code);
  if (mine) {
    if (mine.full && firstDifference(p.upsert, mine.full) === undefined)
      return { kind: 'unchanged', productId: mine.productId, variantId: mine.variantId };
    if (mine.variantCount > 1) {
      return {
        kind: 'fail',
        outcome: failed(
          'product',
          code,
          `item ${code}: product ${mine.productId} has more than one variant in Shopify; a single-variant push would delete the others`,
          'ItemCode',
        ),
      };
    }
    return { kind: 'write', target: { productId: mine.productId, variantId: mine.variantId, adopt: false } };
  }
  const shopMade = found.filter((x) => x.customId === null);
  if (shopMade.length > 1) {
    return {
      kind: 'fail',
      outcome: failed(
        'product',
        code,
        `item ${code}: SKU '${code}' is used by ${shopMade.length} Shopify products without a B1 link (${shopMade.map((x) => x.productId).join(', ')}); merge them in Shopify first`,
        'ItemCode',
      ),
    };
  }
  const candidate = shopMade[0];
  if (!candidate) return { kind: 'write' };
  if (candidate.variantCount > 1) {
    return {
      kind: 'fail',
      outcome: failed(
        'product',
        code,
        `item ${code}: SKU '${code}' belongs to a variant of the multi-variant Shopify product ${candidate.productId}; a single-variant push would replace its variants`,
        'ItemCode',
      ),
    };
  }
  // Adopt the Shopify-made product: productSet by its id also sets the custom id.
  return { kind: 'write', target: { productId: candidate.productId, variantId: candidate.variantId, adopt: true } };
}

/**
 * productSet variables for a planned write: by the product's own id when it is known (adopting,
 * or updating with its variant kept in place), else by custom id.
 */
function writeVariables(
  shopify: ShopifyClient,
  p: PushPayload,
  target: Extract<Plan, { kind: 'write' }>['target'],
): Record<string, unknown> {
  const vars = shopify.productSetVariables(p.upsert, target?.variantId ?? null);
  if (target) vars.identifier = { id: target.productId };
  return vars;
}

function writtenOutcome(p: PushPayload, target: Extract<Plan, { kind: 'write' }>['target'], productId: string): RecordOutcome {
  // The search may lag behind a product created moments ago: the item's own link decides then.
  return target || p.knownProductId === productId ? updated('product', p.itemCode, productId) : created('product', p.itemCode, productId);
}

/** A record's outcome, and the write-back that must land before it holds (see writeLinks). */
interface Pushed {
  outcome: RecordOutcome;
  link?: { p: PushPayload; productId: string; patch: Record<string, string> };
}

/**
 * Links the item to its product: U_ShopifyId, and where the item table has them the variant id
 * and the sync hash, in one PATCH (sent by writeLinks). Also after an `unchanged` compare of an
 * item without a (valid) hash, e.g. one pushed by an older version: the PATCH bumps its
 * UpdateDate, so the next delta reads it once more, but then finds the hash equal and asks
 * Shopify nothing; without it, every later delta that sees the item (any B1 edit, mapped field or
 * not) would read Shopify again. No PATCH when all three already hold these values.
 */
function linked(deps: PipelineDeps, p: PushPayload, productId: string, variantId: string | null, outcome: RecordOutcome): Pushed {
  // The hash binds the variant id: without one (productSet always returns it) neither is written.
  const withHash = p.knownLink !== undefined && variantId !== null;
  const patch: Record<string, string> = {
    ...itemCrossReference(productId),
    ...(withHash
      ? { U_ShopifyVariantId: variantId, U_ShopifyHash: productHash(pushTarget(deps), p.upsert, { productId, variantId }) }
      : {}),
  };
  const known: Record<string, string | null | undefined> = {
    U_ShopifyId: p.knownProductId,
    U_ShopifyVariantId: p.knownLink?.variantId,
    U_ShopifyHash: p.knownLink?.hash,
  };
  if (Object.entries(patch).every(([k, v]) => known[k] === v)) return { outcome };
  return { outcome, link: { p, productId, patch } };
}

/**
 * Sends the write-backs of a page through `$batch`, `tuning.linksPerBatch` per request (up to
 * POST_CONCURRENCY requests at once), each PATCH in
 * its own changeset: a refused one (business rule, item gone) fails its record alone, with SAP's
 * message, and the others land (the client re-sends those the Service Layer skipped after it).
 * A failed request, or a part failing for a transient reason, is thrown: the page is retried,
 * and writing the same links again is harmless.
 */
async function writeLinks(deps: PipelineDeps, pushed: Pushed[], pageIndex: number): Promise<RecordOutcome[]> {
  const links = pushed.flatMap((x) => (x.link ? [x.link] : []));
  const ops = links.map((l) => ({ method: 'PATCH' as const, path: `Items${keySegment(l.p.itemCode)}`, body: l.patch }));
  // An initial-load chunk has hundreds of links: their requests go POST_CONCURRENCY at once, as
  // the pushes do (each PATCH is its own item's and safe to repeat, so their order is free).
  // More requests than that go in rounds, so they are made a whole number of rounds of even size
  // (500 links: 8 of 63, two rounds of ~13 s at 200 ms a PATCH, not 5 of 100 in two rounds of 20 s).
  const perBatch = deps.product.tuning.linksPerBatch;
  let requests = Math.ceil(ops.length / perBatch);
  if (requests > POST_CONCURRENCY) requests = Math.ceil(requests / POST_CONCURRENCY) * POST_CONCURRENCY;
  const results = (
    await mapInGroups(
      evenSlices(ops, requests),
      (slice) => slice[0]!.path,
      POST_CONCURRENCY,
      // Each request takes one of the worker's slots (another chunk's links may be on their way
      // too), the earlier page's first.
      (slice) => deps.product.b1Slots.run(() => deps.b1.batchEach(slice, { chunkSize: perBatch, idempotent: true }), pageIndex),
    )
  ).flat();
  let i = 0;
  return pushed.map((x) => {
    if (!x.link) return x.outcome;
    const r = results[i++];
    if (!r) throw new Error(`no $batch result for the write-back of item ${x.link.p.itemCode}`);
    if (r.ok) return x.outcome;
    const e = r.error;
    if (isRecordRejection(e)) {
      const { p, productId, patch } = x.link;
      const fields = Object.keys(patch).join(', ');
      return failed(
        'product',
        p.itemCode,
        `item ${p.itemCode}: product ${productId} is in Shopify but ${fields} could not be written: ${e.sapMessage}`,
        e.context.field ?? 'U_ShopifyId',
      );
    }
    throw e;
  });
}

async function push(deps: PipelineDeps, p: PushPayload, found: (ComparedProduct & { id: string })[]): Promise<Pushed> {
  const what = plan(p, found.map(fromProduct));
  if (what.kind === 'fail') return { outcome: what.outcome };
  if (what.kind === 'unchanged') return linked(deps, p, what.productId, what.variantId, unchanged('product', p.itemCode, what.productId));
  let result: WriteResult<ProductUpsertResult>;
  if (what.target) {
    result = await deps.shopify.setProduct(writeVariables(deps.shopify, p, what.target));
  } else {
    // Not found by SKU: the client re-reads by custom id first, in case the search lags.
    result = await deps.shopify.upsertProduct(p.upsert);
  }
  if (!result.ok) return { outcome: userErrorOutcome(p.itemCode, result.userErrors) };
  return linked(deps, p, result.value.productId, result.value.variantId, writtenOutcome(p, what.target, result.value.productId));
}

/**
 * One chunk of an initial load: the items are read and mapped here (only the key range is in
 * history), the chunk's products are looked up by SKU (foundForLoad), and every
 * write (create, adopt, update) goes into one bulk productSet import: by the product's id when
 * it was found, else by custom id. A retried chunk finds the first attempt's products (equal:
 * not written again), and an import by custom id cannot duplicate a product. A product the
 * search does not show yet (index lag) is imported by custom id without its variant id, which
 * replaces that variant: acceptable for an initial load, where such products are new.
 */
async function postBulkChunk(deps: PipelineDeps, runId: string, pageIndex: number, c: BulkChunkPayload): Promise<Pushed[]> {
  const hashFields = await hasHashFields(deps);
  // Ahead of any chunk's links: this short read is all that stands before the chunk's import.
  const rows = await deps.product.b1Slots.run(
    () =>
      deps.b1.listChecked('Items', {
        filter: f.and(f.eq('U_ShopifySync', 'Y'), f.ge('ItemCode', c.first), f.le('ItemCode', c.last)),
        select: itemSelect(hashFields),
        orderby: 'ItemCode',
      }),
    Number.NEGATIVE_INFINITY,
  );
  const records = await toItemRecords(deps, rows, c.asOf, { hashFields });
  const pushTo = pushTarget(deps);
  const outcomes: Pushed[] = [];
  const pushes: PushPayload[] = [];
  for (const r of records) {
    // An item the read could not take fails alone (kit/fetch-poison.ts), like in a page.
    const unread = fetchFailureOf(r);
    if (unread) {
      outcomes.push({ outcome: unread });
      continue;
    }
    const m = mapItem(deps.mapping, pushTo, r);
    if (!m.ok) outcomes.push({ outcome: m.outcome });
    else if (m.payload.kind === 'push') pushes.push(m.payload);
  }
  if (!pushes.length) return outcomes;
  await ensureDefinitions(deps);
  const skus = pushes.map((p) => p.upsert.sku);
  const snapshot = c.snapshot ? await readySnapshot(deps, c.snapshot, skus.length) : undefined;
  // From the run's export, a SKU it does not hold has no product (see foundInSnapshot).
  const bySku = snapshot ? foundInSnapshot(snapshot, skus) : await foundForLoad(deps.shopify, skus);
  const writes: { p: PushPayload; target: Extract<Plan, { kind: 'write' }>['target'] }[] = [];
  const unchangedOnes: { p: PushPayload; productId: string; variantId: string | null }[] = [];
  for (const p of pushes) {
    const what = plan(p, bySku.get(p.upsert.sku) ?? []);
    if (what.kind === 'fail') outcomes.push({ outcome: what.outcome });
    else if (what.kind === 'unchanged') unchangedOnes.push({ p, productId: what.productId, variantId: what.variantId });
    else writes.push({ p, target: what.target });
  }
  outcomes.push(
    ...unchangedOnes.map(({ p, productId, variantId }) =>
      linked(deps, p, productId, variantId, unchanged('product', p.itemCode, productId)),
    ),
  );
  if (writes.length) {
    // One import for creates, adoptions and updates alike; results come back in input order.
    const vars = writes.map(({ p, target }) => writeVariables(deps.shopify, p, target));
    const { results } = await deps.shopify.bulkSetProducts(vars, { clientIdentifier: `b1hub:${runId}:${c.first}` });
    outcomes.push(
      ...writes.map(({ p, target }, i): Pushed => {
        const result = results[i] ?? { ok: false, userErrors: [{ field: null, message: 'no productSet result', code: null }] };
        if (!result.ok) return { outcome: userErrorOutcome(p.itemCode, result.userErrors) };
        return linked(deps, p, result.value.productId, result.value.variantId, writtenOutcome(p, target, result.value.productId));
      }),
    );
  }
  return outcomes;
}

export async function postProductPage(deps: PipelineDeps, input: PostPageInput<ProductPayload>): Promise<RecordOutcome[]> {
  const pushes = input.records.flatMap((r) => (r.payload.kind === 'push' ? [r.payload] : []));
  let bySku = new Map<string, (ComparedProduct & { id: string })[]>();
  if (pushes.length) {
    await ensureDefinitions(deps);
    bySku = await productsForPage(
      deps,
      pushes.map((p) => p.upsert.sku),
      pushes.find((p) => p.snapshot)?.snapshot,
    );
  }
  const perRecord = await mapInGroups(
    input.records,
    (r) => r.id,
    POST_CONCURRENCY,
    async (r): Promise<Pushed[]> => {
      const p = r.payload;
      if (p.kind === 'push') return [await push(deps, p, bySku.get(p.upsert.sku) ?? [])];
      // A page a run read before products split into two objects (its Shopify → B1 phase).
      if (p.kind === 'createItem') return [{ outcome: await createItem(deps, 'product', r.id, p) }];
      return postBulkChunk(deps, input.syncId, input.pageIndex, p);
    },
  );
  // The page's write-backs together, once its products are written.
  return writeLinks(deps, perRecord.flat(), input.pageIndex);
}
