/** A Shopify mailing address → the ShipTo/BillTo fields of a B1 document's AddressExtension. */
import type { IssueCollector } from './errors';
import type { B1AddressExtension, ShopifyMailingAddress } from './types';
import { clean, invalidCountry, normalizeState, tooLong } from './validate';

export function mapAddress(
  addr: ShopifyMailingAddress,
  side: 'ShipTo' | 'BillTo',
  field: string,
  issues: IssueCollector,
): Partial<B1AddressExtension> {
  const out: Record<string, string> = {};
  const put = (suffix: 'Street' | 'Building' | 'City' | 'ZipCode', src: string, v: string | null | undefined) => {
    const value = clean(v);
    if (value === undefined) return;
    const long = tooLong(`ShipTo${suffix}`, value);
    if (long) issues.add(`${field}.${src}`, long.replace(/^ShipTo/, side));
    else out[`${side}${suffix}`] = value;
  };
  put('Street', 'address1', addr.address1);
  put('Building', 'address2', addr.address2);
  put('City', 'city', addr.city);
  put('ZipCode', 'zip', addr.zip);
  const country = clean(addr.countryCodeV2)?.toUpperCase();
  if (country) {
    const bad = invalidCountry(country);
    if (bad) issues.add(`${field}.countryCodeV2`, bad);
    else out[`${side}Country`] = country;
  }
  const province = clean(addr.provinceCode);
  if (province) {
    const st = normalizeState(country, province);
    if (st.reason) issues.add(`${field}.provinceCode`, st.reason);
    else if (st.state) out[`${side}State`] = st.state;
  }
  return out as Partial<B1AddressExtension>;
}
