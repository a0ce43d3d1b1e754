/**
 * Customers, Shopify → B1 business partners.
 *
 * Ownership: Shopify owns the contact data it collects (name, email, phones, the addresses it
 * holds); B1 owns everything commercial (group, currency, price list, payment terms, credit
 * limit) once the partner exists — those are set from configuration at creation only, so an
 * accountant's change in B1 is never overwritten by the next sync. Contact fields Shopify leaves
 * empty are not cleared in B1 (B1 users may have enriched them).
 */
import type { MappingConfig } from './config';
import { IssueCollector, fail, ok, type MappingResult } from './errors';
import type {
  B1AddressType,
  B1BPAddress,
  B1BusinessPartner,
  B1BusinessPartnerCreate,
  B1BusinessPartnerPatch,
  ShopifyCustomer,
  ShopifyMailingAddress,
} from './types';
import { clean, gidNumber, invalidCountry, invalidEmail, normalizeState, tooLong } from './validate';

/** Prefix of address names the hub creates; addresses with other names are B1's own. */
export const SHOPIFY_ADDRESS_PREFIX = 'SHOPIFY-';

export type CardCodeAssignment = { CardCode: string } | { Series: number };

/** CardCode (prefix rule) or numbering series for a new partner. */
export function cardCodeFor(customerGid: string, config: MappingConfig): MappingResult<CardCodeAssignment> {
  const rule = config.customer.cardCode;
  if (rule.mode === 'series') return ok({ Series: rule.series });
  const n = gidNumber(customerGid);
  if (n === undefined) return fail([{ field: 'id', reason: `'${customerGid}' is not a Shopify Customer GID` }]);
  const code = `${rule.prefix}${n}`;
  const long = tooLong('CardCode', code);
  if (long) return fail([{ field: 'id', reason: `${long} ('${code}'); shorten customer.cardCode.prefix or use mode 'series'` }]);
  return ok({ CardCode: code });
}

/** How the upsert finds an existing partner: by GID first, then (if configured) by email. */
export function customerLookup(customer: ShopifyCustomer, config: MappingConfig): { shopifyId: string; email?: string } {
  const email = clean(customer.defaultEmailAddress?.emailAddress);
  return config.customer.linkByEmail && email ? { shopifyId: customer.id, email } : { shopifyId: customer.id };
}

function addressName(addr: ShopifyMailingAddress, fallback: string): string {
  const n = addr.id ? gidNumber(addr.id) : undefined;
  return `${SHOPIFY_ADDRESS_PREFIX}${n ?? fallback}`;
}

/** Maps a Shopify MailingAddress to a BPAddress; problems are added under `field`. */
export function mapBPAddress(
  addr: ShopifyMailingAddress,
  type: B1AddressType,
  name: string,
  field: string,
  issues: IssueCollector,
): B1BPAddress {
  const out: B1BPAddress = { AddressName: name, AddressType: type };
  const country = clean(addr.countryCodeV2)?.toUpperCase();
  const set = (key: 'Street' | 'BuildingFloorRoom' | 'City' | 'ZipCode', src: string, value: string | null | undefined) => {
    const v = clean(value);
    if (v === undefined) return;
    const long = tooLong(key, v);
    if (long) issues.add(`${field}.${src}`, long);
    else out[key] = v;
  };
  set('Street', 'address1', addr.address1);
  set('BuildingFloorRoom', 'address2', addr.address2);
  set('City', 'city', addr.city);
  set('ZipCode', 'zip', addr.zip);
  if (country !== undefined) {
    const bad = invalidCountry(country);
    if (bad) issues.add(`${field}.countryCodeV2`, bad);
    else out.Country = country;
  }
  const province = clean(addr.provinceCode);
  if (province !== undefined) {
    const st = normalizeState(country, province);
    if (st.reason) issues.add(`${field}.provinceCode`, st.reason);
    else if (st.state !== undefined) out.State = st.state;
  }
  return out;
}

function cardName(c: ShopifyCustomer): string | undefined {
  const full = [clean(c.firstName), clean(c.lastName)].filter((s) => s !== undefined).join(' ');
  return clean(full) ?? clean(c.defaultAddress?.company) ?? clean(c.defaultEmailAddress?.emailAddress);
}

/**
 * Shopify customer → POST /BusinessPartners body. `assignment` overrides the configured CardCode
 * rule (used when linking: the partner's code is already known).
 */
export function mapCustomerToBusinessPartner(
  customer: ShopifyCustomer,
  config: MappingConfig,
  assignment?: CardCodeAssignment,
): MappingResult<B1BusinessPartnerCreate> {
  const issues = new IssueCollector();
  let codeAssignment = assignment;
  if (!codeAssignment) {
    const r = cardCodeFor(customer.id, config);
    if (r.ok) codeAssignment = r.value;
    else issues.issues.push(...r.errors);
  }

  const name = cardName(customer);
  if (name === undefined) issues.add('firstName', 'customer has no first or last name, company or email to use as CardName');
  else {
    const long = tooLong('CardName', name);
    if (long) issues.add(clean(customer.firstName) || clean(customer.lastName) ? 'firstName/lastName' : 'defaultAddress.company', long);
  }

  const email = clean(customer.defaultEmailAddress?.emailAddress);
  if (email !== undefined) {
    const bad = invalidEmail(email) ?? tooLong('EmailAddress', email);
    if (bad) issues.add('defaultEmailAddress.emailAddress', bad);
  }

  // The customer's phone (E.164, used for SMS) is the mobile number; an address phone that
  // differs is the landline.
  const mobile = clean(customer.defaultPhoneNumber?.phoneNumber);
  if (mobile !== undefined) {
    const long = tooLong('Cellular', mobile);
    if (long) issues.add('defaultPhoneNumber.phoneNumber', long);
  }
  const addrPhone = clean(customer.defaultAddress?.phone);
  const phone1 = addrPhone !== undefined && addrPhone !== mobile ? addrPhone : undefined;
  if (phone1 !== undefined) {
    const long = tooLong('Phone1', phone1);
    if (long) issues.add('defaultAddress.phone', long);
  }

  const long = tooLong('U_ShopifyId', customer.id);
  if (long) issues.add('id', long);

  // Default address → bill-to and ship-to; every other address → an extra ship-to.
  const addresses: B1BPAddress[] = [];
  let defaultName: string | undefined;
  const def = customer.defaultAddress ?? undefined;
  if (def) {
    defaultName = addressName(def, 'DEFAULT');
    const billTo = mapBPAddress(def, 'bo_BillTo', defaultName, 'defaultAddress', issues);
    addresses.push(billTo, { ...billTo, AddressType: 'bo_ShipTo' });
  }
  const seen = new Set<string>(defaultName ? [defaultName] : []);
  (customer.addressesV2 ?? []).slice(0, config.customer.maxAddresses).forEach((a, i) => {
    const n = addressName(a, String(i + 1));
    if (seen.has(n)) return;
    seen.add(n);
    addresses.push(mapBPAddress(a, 'bo_ShipTo', n, `addressesV2[${i}]`, issues));
  });

  if (!issues.ok || codeAssignment === undefined || name === undefined) return fail(issues.issues);
  const bp: B1BusinessPartnerCreate = {
    ...codeAssignment,
    CardName: name,
    CardType: 'cCustomer',
    GroupCode: config.customer.groupCode,
    Currency: config.customer.currency,
    U_ShopifyId: customer.id,
    BPAddresses: addresses,
  };
  if (email !== undefined) bp.EmailAddress = email;
  if (phone1 !== undefined) bp.Phone1 = phone1;
  if (mobile !== undefined) bp.Cellular = mobile;
  if (defaultName !== undefined) {
    bp.BilltoDefault = defaultName;
    bp.ShipToDefault = defaultName;
  }
  return ok(bp);
}

const OWNED_SCALARS = ['CardName', 'EmailAddress', 'Phone1', 'Cellular', 'BilltoDefault', 'ShipToDefault', 'U_ShopifyId'] as const;
const ADDRESS_FIELDS = ['Street', 'BuildingFloorRoom', 'City', 'ZipCode', 'State', 'Country'] as const;

/**
 * PATCH body with only what differs between the partner in B1 and the mapped Shopify customer,
 * or null when nothing does (the record is "unchanged" and nothing is written).
 *
 * Addresses are merged by AddressName + AddressType: new ones are added, changed ones are sent
 * with their RowNum (the Service Layer's row key for BPAddresses), and addresses missing from
 * Shopify are kept (B1 refuses to delete addresses used on documents, and B1-made ones are B1's).
 */
export function diffBusinessPartner(existing: B1BusinessPartner, desired: B1BusinessPartnerCreate): B1BusinessPartnerPatch | null {
  const patch: B1BusinessPartnerPatch = {};
  for (const key of OWNED_SCALARS) {
    const want = clean(desired[key]);
    if (want !== undefined && want !== clean(existing[key])) patch[key] = want;
  }

  const changed: B1BPAddress[] = [];
  const byKey = new Map((existing.BPAddresses ?? []).map((a) => [`${a.AddressType}\u0000${a.AddressName}`, a]));
  for (const want of desired.BPAddresses) {
    const have = byKey.get(`${want.AddressType}\u0000${want.AddressName}`);
    if (!have) {
      changed.push(want);
      continue;
    }
    const diff = ADDRESS_FIELDS.some((f) => clean(want[f]) !== clean(have[f]));
    if (!diff) continue;
    // The address is Shopify's (it carries a Shopify name), so fields Shopify emptied are emptied.
    const row: B1BPAddress = { AddressName: want.AddressName, AddressType: want.AddressType };
    if (have.RowNum !== undefined) row.RowNum = have.RowNum;
    for (const f of ADDRESS_FIELDS) row[f] = clean(want[f]) ?? '';
    changed.push(row);
  }
  if (changed.length > 0) patch.BPAddresses = changed;
  return Object.keys(patch).length === 0 ? null : patch;
}
