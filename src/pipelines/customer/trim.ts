/**
 * The customer projected onto exactly the fields the mapping reads. The Shopify record enters
 * the run's history twice (the fetch result and the map input; the post input carries the
 * mapped partner instead), so anything the mapping ignores (tags, marketing state, display
 * names) is dropped here.
 */
import type { ShopifyCustomer, ShopifyMailingAddress } from '../../mapping/types';
import { pick, trimAddress } from '../kit/trim';

/** The customer as the mapping reads it (addresses beyond `maxAddresses` are never used). */
export function trimCustomer(c: ShopifyCustomer, maxAddresses: number): ShopifyCustomer {
  const out: ShopifyCustomer = { id: c.id, ...pick(c, ['firstName', 'lastName', 'updatedAt'] as const) };
  if (c.defaultEmailAddress?.emailAddress) out.defaultEmailAddress = { emailAddress: c.defaultEmailAddress.emailAddress };
  if (c.defaultPhoneNumber?.phoneNumber) out.defaultPhoneNumber = { phoneNumber: c.defaultPhoneNumber.phoneNumber };
  const def = trimAddress(c.defaultAddress);
  if (def) out.defaultAddress = def;
  // The default address is usually also in addressesV2; it is mapped once, by name.
  const others = (c.addressesV2 ?? []).slice(0, maxAddresses).filter((a) => !def?.id || a.id !== def.id);
  if (others.length) out.addressesV2 = others.map((a) => trimAddress(a) as ShopifyMailingAddress);
  return out;
}

/** What an operator searches for: the e-mail, else the name, else the GID. */
export function customerLabel(c: ShopifyCustomer): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ').trim();
  return c.defaultEmailAddress?.emailAddress || name || c.id;
}
