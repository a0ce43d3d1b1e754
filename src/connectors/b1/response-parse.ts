/**
 * Reading the Service Layer's answers: a JSON object body, and an entity checked against SAP's
 * schema (schemas.ts). A row that does not match is a B1ProtocolError naming the set, the key and
 * the first field that is wrong.
 */
import type { z } from 'zod';
import { B1ProtocolError, type B1ErrorContext } from './errors';
import type { B1Response, EntityKey } from './options';
import { ENTITY_SCHEMAS, type EntityOf, type EntitySetName } from './schemas';

export function parseJsonObject(res: B1Response, ctx: B1ErrorContext): Record<string, unknown> {
  try {
    const j = JSON.parse(res.body) as unknown;
    if (j && typeof j === 'object' && !Array.isArray(j)) return j as Record<string, unknown>;
  } catch {
    // handled below
  }
  throw new B1ProtocolError('response body is not a JSON object', { status: res.status, context: ctx });
}

/** The entity, or the error saying which field breaks SAP's schema. */
export function checkEntity<S extends EntitySetName>(
  set: S,
  raw: unknown,
  key?: EntityKey,
): { ok: true; entity: EntityOf<S> } | { ok: false; error: B1ProtocolError } {
  const schema = ENTITY_SCHEMAS[set] as unknown as z.ZodType<EntityOf<S>>;
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, entity: r.data };
  const issue = r.error.issues[0];
  const field = issue?.path.map(String).join('.');
  return {
    ok: false,
    error: new B1ProtocolError(`response does not match SAP's ${set} schema: ${issue?.message ?? 'invalid'}`, {
      context: { entity: set, ...(key !== undefined ? { key } : {}), ...(field ? { field } : {}) },
    }),
  };
}

/**
 * A row of a page read row by row: its entity, or (when it breaks SAP's schema) the raw row and
 * the error naming its key and field, so one malformed record need not fail its whole page.
 */
export type CheckedRow<T> = { ok: true; entity: T } | { ok: false; raw: Record<string, unknown>; error: B1ProtocolError };

export function validateEntity<S extends EntitySetName>(set: S, raw: unknown, key?: EntityKey): EntityOf<S> {
  const r = checkEntity(set, raw, key);
  if (!r.ok) throw r.error;
  return r.entity;
}
