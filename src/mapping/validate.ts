/**
 * Field-level checks shared by the mappers. Each returns a reason string (or undefined when the
 * value is fine) so the caller decides which source field to blame.
 */
import { B1_MAX, type B1LimitedField } from './b1-limits';

/**
 * ISO 3166-1 alpha-2 codes Shopify's `CountryCode` enum accepts (2026-07), without `ZZ`
 * ("unknown region"), which B1 has no country for.
 */
const COUNTRY_CODES = new Set(
  (
    'AC AD AE AF AG AI AL AM AN AO AR AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS ' +
    'BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE ' +
    'EG EH ER ES ET FI FJ FK FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GW GY HK HM HN HR ' +
    'HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK ' +
    'LR LS LT LU LV LY MA MC MD ME MF MG MK ML MM MN MO MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG ' +
    'NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PS PT PY QA RE RO RS RU RW SA SB SC SD SE SG ' +
    'SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
    'UA UG UM US UY UZ VA VC VE VG VN VU WF WS XK YE YT ZA ZM ZW'
  ).split(' '),
);

/** Length in Unicode code points: B1 columns are nvarchar, sized in characters, not bytes. */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

export function tooLong(field: B1LimitedField, value: string): string | undefined {
  const max = B1_MAX[field];
  const len = charLength(value);
  return len > max ? `${field} would be ${len} characters, B1 allows ${max}` : undefined;
}

/** Trims and turns empty strings into undefined, so "" and null compare equal everywhere. */
export function clean(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const t = value.trim();
  return t === '' ? undefined : t;
}

/**
 * Pragmatic address check (one @, no spaces, a dotted domain with a 2+ letter TLD). Shopify
 * already validates emails loosely; this catches what B1 users would otherwise find later as
 * undeliverable documents. Unicode local parts and IDN domains pass.
 */
export function invalidEmail(value: string): string | undefined {
  if (/\s/u.test(value)) return `email '${value}' contains whitespace`;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@')) return `email '${value}' must contain exactly one '@' with a local part`;
  const domain = value.slice(at + 1);
  if (!/^[^.@]+(\.[^.@]+)+$/u.test(domain)) return `email '${value}' has no valid domain`;
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  if (!/^[\p{L}]{2,}$/u.test(tld) && !/^xn--[a-z0-9-]+$/i.test(tld)) return `email '${value}' has no valid top-level domain`;
  return undefined;
}

export function invalidCountry(code: string): string | undefined {
  return COUNTRY_CODES.has(code) ? undefined : `country '${code}' is not an ISO 3166-1 alpha-2 code Shopify or B1 know`;
}

/**
 * Shopify province codes are usually the ISO 3166-2 subdivision without the country ("CA",
 * "NSW"), but some countries carry the prefix ("JP-13"). B1 State codes (OCST) are at most
 * 3 characters and never carry the country, so the prefix is dropped.
 */
export function normalizeState(country: string | undefined, provinceCode: string): { state?: string; reason?: string } {
  let code = provinceCode.trim().toUpperCase();
  if (country && code.startsWith(`${country}-`)) code = code.slice(country.length + 1);
  if (!/^[\p{L}\p{N}]{1,3}$/u.test(code)) {
    return { reason: `province code '${provinceCode}' does not fit B1's State (at most ${B1_MAX.State} letters/digits)` };
  }
  return { state: code };
}

/**
 * Parses a Shopify Decimal string ("12.50") exactly enough for B1's Double fields: rejects
 * anything that is not a plain decimal, so "NaN" or "" never reach a document.
 */
export function parseDecimal(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value);
}

/** Rounds to `digits` decimals without binary-float artefacts like 0.1 + 0.2. */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round((value + Number.EPSILON) * f) / f;
}

/** Numeric tail of a Shopify GID (`gid://shopify/Customer/123?x=y` → "123"). */
export function gidNumber(gid: string): string | undefined {
  const m = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(\?.*)?$/.exec(gid);
  return m?.[1];
}
