/**
 * Registers the hub's search attributes on a namespace. Runs at start-up (`b1hub up`, `init`)
 * and in tests; already-registered attributes are fine, so it is safe to repeat.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SearchAttributeType } from '@temporalio/common';
import { HUB_SEARCH_ATTRIBUTES } from '../shared/search-attributes';

const INDEXED_VALUE_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

const GRPC_UNIMPLEMENTED = 12;

export async function ensureHubSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  } catch (err) {
    // Java's time-skipping test server can add search attributes but not list them.
    if ((err as { code?: number }).code !== GRPC_UNIMPLEMENTED) throw err;
  }
  const missing = HUB_SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
  if (!missing.length) return;
  const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of missing) {
    const type = INDEXED_VALUE_TYPE[key.type];
    if (type === undefined) throw new Error(`search attribute ${key.name}: unsupported type ${key.type}`);
    searchAttributes[key.name] = type;
  }
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}
