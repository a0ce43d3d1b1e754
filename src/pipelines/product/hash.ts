/**
 * The product push's sync hash (item UDF U_ShopifyHash): what the hub last made the item's
 * product hold in Shopify, so a delta run can tell "this item still maps to what was pushed"
 * without reading Shopify.
 *
 * It hashes the mapping's output (the productSet upsert), not the B1 fields: every mapping-config
 * part that changes what is sent (price list, currency aliases, weight units, inactive status,
 * the Valid/Frozen date) changes the hash by construction, and one that does not change it (a
 * price list switch to equal prices) rightly does not force a push. Added to it: the destination
 * (shop domain and the custom id metafield, so pointing the hub at another shop or id field
 * invalidates every hash), the product and variant ids written with it (so a hand-edited
 * U_ShopifyId/U_ShopifyVariantId invalidates it), and a format version to bump when the push
 * starts sending something the upsert does not show.
 */
import { createHash } from 'node:crypto';
import type { CustomIdSpec, ShopifyClient } from '../../connectors/shopify/client';
import type { ProductUpsert } from '../../connectors/shopify/types';
import { stableStringify } from '../../mapping/fingerprint';

/** Bump when the push's request changes in a way the upsert does not show. */
const HASH_VERSION = 1;
/** 32 hex digits (128 bits): only accidental equality of an item's old and new state matters. */
const HASH_HEX = 32;

/** Where the products go: part of every hash. */
export interface PushTarget {
  shop: string;
  idField: CustomIdSpec;
}

export function pushTarget(deps: { shopify: ShopifyClient }): PushTarget {
  return { shop: deps.shopify.config.shop, idField: deps.shopify.productIdField };
}

export interface ProductLink {
  productId: string;
  variantId: string;
}

/** `v1:` + 32 hex digits; fits the 64-character U_ShopifyHash with room for a longer format. */
export function productHash(target: PushTarget, upsert: ProductUpsert, link: ProductLink): string {
  const content = {
    v: HASH_VERSION,
    shop: target.shop,
    idField: target.idField,
    product: { ...upsert, barcode: upsert.barcode ?? null },
    link,
  };
  return `v${HASH_VERSION}:${createHash('sha256').update(stableStringify(content)).digest('hex').slice(0, HASH_HEX)}`;
}
