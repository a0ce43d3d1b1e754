/** Metafields and their definitions (the hub's cross-reference codes live in `id` metafields). */
import { METAFIELDS_SET, METAFIELD_DEFINITION_CREATE, METAFIELD_DEFINITION_LOOKUP } from './documents';
import { payloadOf, ShopifyUserErrors } from './errors';
import type { ShopifyExecutor } from './executor';
import type { MetafieldOwnerType } from './generated/operations';
import type { WriteResult } from './types';

export const MAX_METAFIELDS_PER_CALL = 25;

export interface MetafieldInput {
  ownerId: string;
  namespace: string;
  key: string;
  type?: string;
  value: string;
}

export interface MetafieldDefinitionSpec {
  ownerType: 'PRODUCT' | 'PRODUCTVARIANT' | 'CUSTOMER' | 'ORDER' | 'LOCATION';
  namespace: string;
  key: string;
  name: string;
  type: string;
  description?: string;
}

/** metafieldsSet (atomic, ≤25 per call). Setting a value is idempotent, so it is retried. */
export async function setMetafields(
  exec: ShopifyExecutor,
  list: MetafieldInput[],
): Promise<WriteResult<{ id: string; ownerId: string | null; namespace: string; key: string }[]>> {
  if (list.length > MAX_METAFIELDS_PER_CALL)
    throw new RangeError(`setMetafields: ${list.length} metafields exceed the limit of ${MAX_METAFIELDS_PER_CALL} per call`);
  const { data } = await exec.call(METAFIELDS_SET, { metafields: list }, { idempotent: true });
  const r = payloadOf('metafieldsSet', data.metafieldsSet);
  if (r.userErrors.length) return { ok: false, userErrors: r.userErrors };
  return {
    ok: true,
    value: (r.metafields ?? []).map((m) => ({ id: m.id, ownerId: m.owner?.id ?? null, namespace: m.namespace, key: m.key })),
  };
}

/** Whether a metafield definition exists (whatever its type). */
export async function hasMetafieldDefinition(
  exec: ShopifyExecutor,
  d: { ownerType: string; namespace: string; key: string },
): Promise<boolean> {
  // Any string is passed on: Shopify refuses an owner type it does not know (a GraphQL error).
  const { data } = await exec.call(METAFIELD_DEFINITION_LOOKUP, {
    ownerType: d.ownerType as MetafieldOwnerType,
    namespace: d.namespace,
    key: d.key,
  });
  return data.metafieldDefinitions.nodes.length > 0;
}

/** Looks up a metafield definition and creates it if missing; throws if it exists with another type. */
export async function ensureMetafieldDefinition(exec: ShopifyExecutor, def: MetafieldDefinitionSpec, raced = false): Promise<string> {
  const { data } = await exec.call(METAFIELD_DEFINITION_LOOKUP, { ownerType: def.ownerType, namespace: def.namespace, key: def.key });
  const found = data.metafieldDefinitions.nodes[0];
  if (found) {
    if (found.type.name !== def.type)
      throw new ShopifyUserErrors('metafieldDefinitionCreate', [
        {
          field: ['definition', 'type'],
          message: `${def.ownerType} ${def.namespace}.${def.key} exists with type ${found.type.name}, expected ${def.type}`,
          code: 'TYPE_MISMATCH',
        },
      ]);
    return found.id;
  }
  const created = await exec.call(METAFIELD_DEFINITION_CREATE, {
    definition: {
      ownerType: def.ownerType,
      namespace: def.namespace,
      key: def.key,
      name: def.name,
      type: def.type,
      description: def.description ?? null,
    },
  });
  const r = payloadOf('metafieldDefinitionCreate', created.data.metafieldDefinitionCreate);
  if (r.createdDefinition) return r.createdDefinition.id;
  // Lost a race with another worker: the definition exists now.
  if (!raced && r.userErrors.some((e) => e.code === 'TAKEN')) return ensureMetafieldDefinition(exec, def, true);
  throw new ShopifyUserErrors('metafieldDefinitionCreate', r.userErrors);
}
