/**
 * Mapping results and errors.
 *
 * Mapping never throws on bad data: one bad record must fail alone (a thrown error would fail the
 * page or the whole run, the complaint users have about peer connectors). Every problem names the
 * record, the field at fault and why, so the message log is actionable without reading payloads.
 */

/** One problem with one field of one record. `field` is a path in the *source* record. */
export interface MappingIssue {
  field: string;
  reason: string;
}

export type MappingResult<T> = { ok: true; value: T } | { ok: false; errors: MappingIssue[] };

export function ok<T>(value: T): MappingResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(errors: MappingIssue[]): MappingResult<T> {
  return { ok: false, errors };
}

export function issue(field: string, reason: string): MappingIssue {
  return { field, reason };
}

/**
 * Human label of a record for messages: `order #1001 (gid://shopify/Order/5)`,
 * `item 'A100'`, `customer gid://shopify/Customer/7`.
 */
export function recordLabel(object: string, id: string, name?: string | null): string {
  if (name) return `${object} ${name} (${id})`;
  return `${object} ${id}`;
}

/** `order #1001 (gid://shopify/Order/5): line 2 SKU 'X9' has no B1 item; …` */
export function formatIssues(label: string, errors: readonly MappingIssue[]): string {
  return `${label}: ${errors.map((e) => e.reason).join('; ')}`;
}

/**
 * For callers that do want to throw (e.g. an activity turning a mapping failure into a
 * non-retryable failure): carries the structured issues alongside the formatted message.
 */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  constructor(
    readonly record: string,
    readonly issues: readonly MappingIssue[],
  ) {
    super(formatIssues(record, issues));
  }

  /** The first field at fault, for the record outcome's `field`. */
  get field(): string | undefined {
    return this.issues[0]?.field;
  }
}

/** Collects issues while mapping so that all problems of a record are reported at once. */
export class IssueCollector {
  readonly issues: MappingIssue[] = [];

  add(field: string, reason: string): void {
    this.issues.push({ field, reason });
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }

  result<T>(build: () => T): MappingResult<T> {
    return this.ok ? ok(build()) : fail(this.issues);
  }
}
