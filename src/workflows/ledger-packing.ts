/**
 * The ledger's compact column coding (ledger-state.ts carries 50,000 open errors through
 * continue-as-new with it): numbers as differences to the previous row, strings split into a
 * string-table prefix and a trailing number.
 */
/**
 * A string column as carried: each value split into a prefix (string-table index) and a trailing
 * number without leading zeros ("gid://shopify/Order/" + 5400012345, "#" + 1001), both stored as
 * differences to the previous row. Ids and labels mostly count up, so the differences are small
 * and repeat, and zlib stores them in a few bits each.
 */
export interface PackedStrings {
  prefix: number[];
  /** null: the value has no trailing number. */
  num: Array<number | null>;
}

export function delta(values: readonly number[]): number[] {
  let prev = 0;
  return values.map((v) => {
    const d = v - prev;
    prev = v;
    return d;
  });
}

export function undelta(deltas: readonly number[]): number[] {
  let prev = 0;
  return deltas.map((d) => (prev += d));
}

export function pack(values: readonly string[], intern: (v: string) => number): PackedStrings {
  const prefix: number[] = [];
  const nums: Array<number | null> = [];
  for (const v of values) {
    const m = /^(.*?)([1-9]\d{0,14})$/.exec(v);
    prefix.push(intern(m ? m[1]! : v));
    nums.push(m ? Number(m[2]) : null);
  }
  let prev = 0;
  const num = nums.map((n) => {
    if (n === null) return null;
    const d = n - prev;
    prev = n;
    return d;
  });
  return { prefix: delta(prefix), num };
}

export function unpack(p: PackedStrings, strings: readonly string[]): string[] {
  const prefixes = undelta(p.prefix);
  let prev = 0;
  return prefixes.map((i, row) => {
    const d = p.num[row];
    if (d === null || d === undefined) return strings[i] ?? '';
    prev += d;
    return `${strings[i] ?? ''}${prev}`;
  });
}
