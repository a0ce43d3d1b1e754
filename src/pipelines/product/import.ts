/**
 * Reads one page of the `shopify-product` object: variants of products made in Shopify (no
 * custom id) whose SKU has no B1 item. Its own cursor and watermark:
 *   scan:<end cursor>|@<shop from>   a delta (or small full) run: pages of the per-request scan
 *   export:<json>                    a full run: one bulk export of the product state (ExportStep)
 *   ids:<offset>                     a resync: the given variant/product GIDs or numeric ids
 * The watermark is Shopify's `updatedAt` (UTC) just before the scan read its first page
 * (`newestProductUpdatedAt`, read in the same request), or after an export its createdAt less a
 * margin: never the newest stamp read, because pages are in id order.
 *
 * No ordering with the B1 → Shopify object is needed: products the hub pushed carry its custom id
 * (b1hub.item_code) from their first write on (productSet by custom id sets it in the same
 * mutation), and a product with a custom id is never imported, whatever the scan or the export
 * finds and whenever it runs. Its SKU is also an ItemCode, checked in B1 before any POST.
 */
import type { B1Client } from '../../connectors/b1/client';
import { f } from '../../connectors/b1/odata-query';
import { DEFAULT_OVERLAP_MS, updatedSinceQuery } from '../../connectors/shopify/client';
import type { ShopifyProductVariant } from '../../connectors/shopify/types';
import { shopifyPartOfProductWatermark } from '../../shared/sync-object';
import type { FetchPageInput, FetchPageResult, PipelineDeps, SourceRecord } from '../contract';
import { eachRecordIsolated, fetchFailureOf } from '../kit/fetch-poison';
import type { ExportStep } from './cursor';
import { awaitProductSnapshot, startProductSnapshot, type SnapshotVariant } from './snapshot';
import { SHOPIFY_VARIANTS_PER_SCAN } from './state';
import { later } from './watermark';
import type { VariantRecord } from './types';

export type ImportCursor =
  { phase: 'scan'; after?: string; shopFrom?: string } | ({ phase: 'export' } & ExportStep) | { phase: 'ids'; offset: number };

export function encodeImportCursor(c: ImportCursor): string {
  if (c.phase === 'ids') return `ids:${c.offset}`;
  if (c.phase === 'export') {
    const { phase, ...rest } = c;
    return `${phase}:${JSON.stringify(rest)}`;
  }
  return `scan:${c.after ?? ''}|${c.shopFrom ? `@${c.shopFrom}` : ''}`;
}

export function decodeImportCursor(raw: string | undefined, mode: string): ImportCursor {
  if (raw === undefined)
    return mode === 'ids' ? { phase: 'ids', offset: 0 } : mode === 'full' ? { phase: 'export', step: 'start' } : { phase: 'scan' };
  const at = raw.indexOf(':');
  const phase = raw.slice(0, at);
  const rest = raw.slice(at + 1);
  if (phase === 'ids') return { phase, offset: Number(rest) || 0 };
  if (phase === 'export') return { phase, ...(JSON.parse(rest) as ExportStep) };
  if (phase === 'scan') {
    const bar = rest.lastIndexOf('|');
    const after = rest.slice(0, bar);
    const from = rest.slice(bar + 1);
    return { phase, ...(after ? { after } : {}), ...(from.startsWith('@') && from.length > 1 ? { shopFrom: from.slice(1) } : {}) };
  }
  throw new Error(`shopify-product cursor '${raw}' is not scan:, export: or ids:`);
}

/**
 * The Shopify stamp a run starts from. A watermark in the older combined form `<B1>~<Shopify>`
 * (a scheduler seeded by hand from the product scheduler's) is read for its Shopify part.
 */
export function importWatermark(since: string | undefined): string | undefined {
  if (!since) return undefined;
  return since.includes('~') ? shopifyPartOfProductWatermark(since) : since;
}

/** ItemCodes among `codes` that exist in B1 (one query per 40 codes: URL length). */
export async function existingItemCodes(b1: B1Client, codes: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const unique = [...new Set(codes)];
  for (let i = 0; i < unique.length; i += 40) {
    const chunk = unique.slice(i, i + 40);
    const rows = await b1.list('Items', { filter: f.anyOf('ItemCode', chunk), select: ['ItemCode'] });
    for (const r of rows) if (r.ItemCode !== undefined) out.add(r.ItemCode);
  }
  return out;
}

export function variantRecord(p: { id: string; title: string }, v: ShopifyProductVariant): SourceRecord<VariantRecord> {
  const sku = v.sku?.trim() ?? '';
  return {
    id: v.id,
    label: sku || `${p.title} (no SKU)`,
    data: {
      kind: 'variant',
      product: { id: p.id, title: p.title },
      variant: {
        id: v.id,
        title: v.title,
        sku: v.sku,
        barcode: v.barcode,
        price: v.price,
        taxable: v.taxable,
        inventoryItem: v.inventoryItem,
      },
    },
  };
}

/**
 * Records for variant GIDs, re-read from Shopify; `pushed` holds the products carrying the hub's
 * custom id. A variant this code cannot read fails alone (kit/fetch-poison.ts), as a record of
 * `object` (the `product` object still retries variant GIDs of its older runs).
 */
export async function variantsByIds(
  deps: PipelineDeps,
  gids: string[],
  object: 'product' | 'shopify-product' = 'shopify-product',
): Promise<{ records: SourceRecord<VariantRecord>[]; missing: string[]; pushed: Set<string> }> {
  const pushed = new Set<string>();
  if (!gids.length) return { records: [], missing: [], pushed };
  const nodes = await deps.shopify.variantsByIds(gids);
  const missing: string[] = [];
  const found = nodes.flatMap((n, i) => {
    if (!n) missing.push(gids[i] as string);
    return n ? [n] : [];
  });
  const records = eachRecordIsolated(
    object,
    found,
    (n) => ({ id: n.id }),
    (n) => {
      const r = variantRecord(n.product, n);
      if (n.product.customId) {
        pushed.add(n.product.id);
        r.data.fromB1 = true;
      }
      return r;
    },
  );
  return { records, missing, pushed };
}

const VARIANT_GID = /^gid:\/\/shopify\/ProductVariant\/(\d+)$/;
const PRODUCT_GID = /^gid:\/\/shopify\/Product\/(\d+)$/;

/** Every variant GID of a product (by its numeric id), through the variant search. */
async function variantsOfProduct(deps: PipelineDeps, productNumber: string): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await deps.shopify.scanVariants({
      first: SHOPIFY_VARIANTS_PER_SCAN,
      after,
      query: `product_id:${productNumber}`,
      withStart: false,
    });
    out.push(...page.variants.map((v) => v.id));
    if (!page.hasNextPage || !page.endCursor) return out;
    after = page.endCursor;
  }
}

/**
 * A resync: variant GIDs (the ids of this object's outcomes), product GIDs (every variant of the
 * product) or numeric ids (a variant id as the admin shows it, else a product id). Variants of
 * products the hub pushed are left out (never imported); ids Shopify does not know are `missingIds`.
 */
async function fetchIdsPage(deps: PipelineDeps, input: FetchPageInput, offset: number): Promise<FetchPageResult<VariantRecord>> {
  const size = deps.pageSizes['shopify-product'];
  const ids = [...new Set(input.ids ?? [])];
  const page = ids.slice(offset, offset + size);
  const missingIds: string[] = [];
  const byVariant = new Map<string, string>();
  const numbers: string[] = [];
  for (const id of page) {
    const t = id.trim();
    const product = PRODUCT_GID.exec(t);
    if (VARIANT_GID.test(t)) byVariant.set(t, id);
    else if (/^\d+$/.test(t)) numbers.push(t);
    else if (product) {
      const gids = await variantsOfProduct(deps, product[1] as string);
      if (!gids.length) missingIds.push(id);
      for (const g of gids) byVariant.set(g, id);
    } else missingIds.push(id);
  }
  const direct = await variantsByIds(deps, [...byVariant.keys(), ...numbers.map((n) => `gid://shopify/ProductVariant/${n}`)]);
  const records = [...direct.records];
  for (const gid of direct.missing) {
    const n = VARIANT_GID.exec(gid)?.[1] as string;
    if (!numbers.includes(n)) missingIds.push(byVariant.get(gid) ?? gid);
    else {
      // A numeric id that is no variant: a product's.
      const gids = await variantsOfProduct(deps, n);
      if (!gids.length) missingIds.push(n);
      else records.push(...(await variantsByIds(deps, gids)).records);
    }
  }
  // Variants of hub-pushed products stay in: the map reports them skipped (never imported).
  const own = records;
  const next = offset + size;
  return {
    records: own,
    ...(next < ids.length ? { nextCursor: encodeImportCursor({ phase: 'ids', offset: next }) } : {}),
    ...(missingIds.length ? { missingIds: [...new Set(missingIds)] } : {}),
  };
}

/** Candidates whose SKU has no B1 item: the records of a page (the post checks B1 again before creating). */
async function withoutItem(deps: PipelineDeps, candidates: SourceRecord<VariantRecord>[]): Promise<SourceRecord<VariantRecord>[]> {
  const skus = candidates.flatMap((r) => (fetchFailureOf(r) ? [] : [r.data.variant.sku?.trim() ?? ''])).filter((s) => s !== '');
  const inB1 = skus.length ? await existingItemCodes(deps.b1, skus) : new Set<string>();
  return candidates.filter((r) => fetchFailureOf(r) || !inB1.has(r.data.variant.sku?.trim() ?? ''));
}

async function fetchScanPage(
  deps: PipelineDeps,
  input: FetchPageInput,
  c: Extract<ImportCursor, { phase: 'scan' }>,
): Promise<FetchPageResult<VariantRecord>> {
  const since = importWatermark(input.since);
  const query = input.mode === 'delta' && since ? updatedSinceQuery(since) : null;
  // The first page also reads the scan's start (newestProductUpdatedAt); later pages carry it.
  const first = c.after === undefined;
  const scan = await deps.shopify.scanVariants({
    first: Math.min(deps.pageSizes['shopify-product'], SHOPIFY_VARIANTS_PER_SCAN),
    after: c.after ?? null,
    query,
    withStart: first,
  });
  const skus = scan.variants.map((v) => v.sku?.trim() ?? '').filter((s) => s !== '');
  const inB1 = skus.length ? await existingItemCodes(deps.b1, skus) : new Set<string>();
  const candidates = scan.variants.filter((v) => !inB1.has(v.sku?.trim() ?? ''));
  const full = await variantsByIds(
    deps,
    candidates.map((v) => v.id),
  );
  // Products carrying the hub's custom id came from B1: an item deleted there is not re-created.
  const records = full.records.filter((r) => fetchFailureOf(r) || !full.pushed.has(r.data.product.id));
  const shopFrom = first ? scan.newestProductUpdatedAt : c.shopFrom;
  const watermark = later(since, shopFrom);
  const next =
    scan.hasNextPage && scan.endCursor
      ? encodeImportCursor({ phase: 'scan', after: scan.endCursor, ...(shopFrom ? { shopFrom } : {}) })
      : undefined;
  return { records, ...(next ? { nextCursor: next } : {}), ...(watermark ? { watermark } : {}) };
}

/**
 * A full run from one bulk export of the product state (ExportStep in cursor.ts): `start` starts
 * it (refused → the per-request scan), `read` waits for it (up to scanExport.waitPerPageMs per
 * page, then an empty page, up to giveUpMs in all) and reads it from `offset`: only variants of
 * products made in Shopify (no custom id) are looked up in B1, at most candidatesPerPage per
 * page. Failed, expired or hanging → the per-request scan from the start (records already read
 * are found in B1 then: unchanged).
 *
 * Watermark: the export sees every variant written before Shopify created it, so the next delta
 * only needs variants updated since then; the Shopify stamp is set so that the delta's window
 * (the stamp less the client's 5-minute search-lag overlap) opens `marginMs` before the export's
 * createdAt (Shopify's clock), which covers a write committed just before the export could see it.
 */
async function fetchExportPage(
  deps: PipelineDeps,
  input: FetchPageInput,
  c: Extract<ImportCursor, { phase: 'export' }>,
): Promise<FetchPageResult<VariantRecord>> {
  const tune = deps.product.tuning.scanExport;
  const perRequest = () => fetchScanPage(deps, input, { phase: 'scan' });
  // An `after-push` step exists only in cursors of the combined run; it starts the export here.
  let read: Extract<ExportStep, { step: 'read' }>;
  if (c.step !== 'read') {
    const op = await startProductSnapshot(deps.shopify);
    if (!op) return perRequest();
    read = { step: 'read', op, offset: 0, startedAt: Date.now() };
  } else read = c;
  const giveUpAt = read.startedAt + tune.giveUpMs;
  const state = await awaitProductSnapshot(deps.shopify, read.op, Math.max(0, Math.min(tune.waitPerPageMs, giveUpAt - Date.now())));
  if (state.kind === 'pending' && Date.now() < giveUpAt)
    return { records: [], nextCursor: encodeImportCursor({ phase: 'export', ...read }) };
  if (state.kind !== 'ready') return perRequest();
  const { variants, createdAt } = state.snapshot;
  const candidates: SourceRecord<VariantRecord>[] = [];
  let i = read.offset;
  for (; i < variants.length && candidates.length < tune.candidatesPerPage; i++) {
    const v = variants[i] as SnapshotVariant;
    // Products carrying the hub's custom id came from B1: never imported back.
    if (v.product.customId === null) candidates.push(variantRecord(v.product, v.variant));
  }
  const records = await withoutItem(deps, candidates);
  const from = new Date(Date.parse(createdAt) - tune.marginMs + DEFAULT_OVERLAP_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const watermark = later(importWatermark(input.since), from);
  const next = i < variants.length ? encodeImportCursor({ phase: 'export', ...read, offset: i }) : undefined;
  return { records, ...(next ? { nextCursor: next } : {}), ...(watermark ? { watermark } : {}) };
}

export async function fetchImportPage(deps: PipelineDeps, input: FetchPageInput): Promise<FetchPageResult<VariantRecord>> {
  const c = decodeImportCursor(input.cursor, input.mode);
  if (c.phase === 'ids') return fetchIdsPage(deps, input, c.offset);
  if (c.phase === 'export') return fetchExportPage(deps, input, c);
  return fetchScanPage(deps, input, c);
}
