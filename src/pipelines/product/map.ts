/**
 * Pure mapping of a page: B1 items → productSet upserts, Shopify variants → Items POST bodies.
 * Deterministic in the records (the date Valid/Frozen are judged on and the item's weight unit
 * were fixed at fetch) and the push target, so a resync re-maps identically.
 *
 * In a delta run an item whose stored sync hash equals the hash of its mapped product (and which
 * holds both Shopify ids) is `unchanged` here already: it never reaches the post step, so it
 * costs no Shopify call (hash.ts, README "the sync hash").
 */
import type { MappingConfig } from '../../mapping/config';
import type { SyncObject } from '../../shared/sync-object';
import { failed, failedMapping, skipped, unchanged } from '../../mapping/outcome';
import { mapItemToProductSet, mapVariantToItem } from '../../mapping/product';
import type { ProductUpsert } from '../../connectors/shopify/types';
import type { MappedRecord, SourceRecord } from '../contract';
import { productHash, type PushTarget } from './hash';
import type { ItemRecord, ProductPayload, ProductSource, VariantRecord } from './types';

/** Shopify's product title limit. */
export const SHOPIFY_TITLE_MAX = 255;

function withItemUnit(config: MappingConfig, rec: ItemRecord): MappingConfig {
  const u = rec.weightUnit;
  if (!u || config.product.weightUnits[u.code] !== undefined) return config;
  return { ...config, product: { ...config.product, weightUnits: { ...config.product.weightUnits, [u.code]: u.unit } } };
}

export function mapItem(config: MappingConfig, target: PushTarget, rec: SourceRecord<ItemRecord>): MappedRecord<ProductPayload> {
  const { item, asOf, hashFields, trustHash, snapshot } = rec.data;
  const base = { id: rec.id, ...(rec.label !== undefined ? { label: rec.label } : {}) };
  if (item.U_ShopifySync !== 'Y') {
    return { ...base, ok: false, outcome: skipped('product', rec.id, 'not-selected:U_ShopifySync') };
  }
  const r = mapItemToProductSet(item, withItemUnit(config, rec.data), asOf);
  if (!r.ok) return { ...base, ok: false, outcome: failedMapping('product', rec.id, `item ${rec.id}`, r.errors) };
  const input = r.value.input;
  if ([...input.title].length > SHOPIFY_TITLE_MAX) {
    return {
      ...base,
      ok: false,
      outcome: failed(
        'product',
        rec.id,
        `item ${rec.id}: ItemName has ${[...input.title].length} characters, Shopify titles allow ${SHOPIFY_TITLE_MAX}`,
        'ItemName',
      ),
    };
  }
  const v = input.variants[0];
  if (!v) return { ...base, ok: false, outcome: failed('product', rec.id, `item ${rec.id}: the mapping produced no variant`, 'ItemCode') };
  const upsert: ProductUpsert = {
    customId: r.value.identifier.customId.value,
    title: input.title,
    sku: v.sku,
    barcode: v.barcode,
    price: v.price,
    // Always sent, also as 0: a weight removed in B1 must be removed in Shopify too.
    weight: v.inventoryItem.measurement.weight,
    tracked: v.inventoryItem.tracked,
    taxable: v.taxable,
    status: input.status === 'UNLISTED' ? 'DRAFT' : input.status,
  };
  const productId = item.U_ShopifyId?.trim() || null;
  const variantId = item.U_ShopifyVariantId?.trim() || null;
  const hash = item.U_ShopifyHash?.trim() || null;
  if (trustHash && productId && variantId && hash === productHash(target, upsert, { productId, variantId })) {
    return { ...base, ok: false, outcome: unchanged('product', rec.id, productId) };
  }
  const knownLink = hashFields ? { knownLink: { variantId, hash } } : {};
  return {
    ...base,
    ok: true,
    payload: { kind: 'push', itemCode: rec.id, upsert, knownProductId: productId, ...knownLink, ...(snapshot ? { snapshot } : {}) },
  };
}

export function mapVariant(
  config: MappingConfig,
  rec: SourceRecord<VariantRecord>,
  object: SyncObject = 'product',
): MappedRecord<ProductPayload> {
  const { product, variant } = rec.data;
  const base = { id: rec.id, ...(rec.label !== undefined ? { label: rec.label } : {}) };
  if (rec.data.fromB1) return { ...base, ok: false, outcome: skipped(object, rec.id, 'pushed-from-b1:b1hub.item_code') };
  const r = mapVariantToItem({ id: product.id, title: product.title, variants: [variant] }, variant, config);
  if (!r.ok)
    return { ...base, ok: false, outcome: failedMapping(object, rec.id, `Shopify variant ${rec.id} of product ${product.id}`, r.errors) };
  return { ...base, ok: true, payload: { kind: 'createItem', sku: r.value.ItemCode, productId: product.id, item: r.value } };
}

export function mapProductPage(
  config: MappingConfig,
  target: PushTarget,
  records: SourceRecord<ProductSource>[],
): MappedRecord<ProductPayload>[] {
  return records.map((rec) => {
    const d = rec.data;
    // A bulk chunk is mapped item by item inside its post (its items never enter history).
    if (d.kind === 'bulkChunk')
      return { id: rec.id, ...(rec.label !== undefined ? { label: rec.label } : {}), ok: true, payload: { ...d, kind: 'bulkChunk' } };
    return d.kind === 'item'
      ? mapItem(config, target, rec as SourceRecord<ItemRecord>)
      : mapVariant(config, rec as SourceRecord<VariantRecord>);
  });
}
