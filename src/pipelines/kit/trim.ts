/**
 * Projections shared by the Shopify → B1 pipelines: records keep only what the mapping reads,
 * since each enters the run's history (see customer/trim.ts and order/trim.ts).
 */
import type { ShopifyMailingAddress } from '../../mapping/types';

type Maybe<T> = T | null | undefined;

/** Copies the listed keys whose value is neither null nor undefined nor ''. */
export function pick<T extends object, K extends keyof T>(src: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) {
    const v = src[k];
    if (v !== null && v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

const ADDRESS_KEYS = ['id', 'company', 'address1', 'address2', 'city', 'zip', 'provinceCode', 'countryCodeV2', 'phone'] as const;

export function trimAddress(a: Maybe<ShopifyMailingAddress>): ShopifyMailingAddress | null {
  return a ? pick(a, ADDRESS_KEYS) : null;
}
