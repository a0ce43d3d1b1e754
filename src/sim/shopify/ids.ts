/** Shopify global IDs: gid://shopify/<Type>/<numeric id>. */
export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

export function parseGid(value: unknown, expectedType?: string): number | null {
  if (typeof value !== 'string') return null;
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?.*)?$/.exec(value);
  if (!m) return null;
  if (expectedType && m[1] !== expectedType) return null;
  return Number(m[2]);
}

export function gidType(value: string): string | null {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(value);
  return m ? (m[1] ?? null) : null;
}
