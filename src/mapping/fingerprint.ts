/**
 * Stable content hashes in plain JS (no node:crypto, so workflow code can use them too).
 *
 * Not cryptographic: they detect change (skip records whose mapped output is unchanged) and make
 * deterministic idempotency keys. Two independent 53-bit hashes give ~106 bits, far beyond any
 * catalog size for accidental collisions.
 */

/** JSON with object keys sorted at every level, so key order never changes the hash. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

/** cyrb53: a fast 53-bit string hash with good avalanche (public domain, bryc). */
function cyrb53(str: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** 32 lowercase hex characters (128 bits, top bits from two 53-bit hashes). */
export function hashHex128(input: string): string {
  const a = cyrb53(input, 0x9e3779b9).toString(16).padStart(14, '0');
  const b = cyrb53(input, 0x85ebca6b).toString(16).padStart(14, '0');
  const c = cyrb53(input, 0xc2b2ae35).toString(16).padStart(14, '0');
  return (a + b + c).slice(0, 32);
}

/** Fingerprint of any JSON-like value: `v1:` + 32 hex chars. */
export function fingerprint(value: unknown): string {
  return `v1:${hashHex128(stableStringify(value))}`;
}

/**
 * Deterministic RFC 9562 version-8 ("custom") UUID from a name, for APIs that want a UUID-shaped
 * idempotency key but must get the same key for the same operation on every retry.
 */
export function deterministicUuid(name: string): string {
  const h = hashHex128(name).split('');
  h[12] = '8'; // version 8
  h[16] = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16); // RFC variant 10xx
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}
