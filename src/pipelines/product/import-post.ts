/**
 * Shopify → B1: creates the item of a variant of a product made in Shopify. The item is looked
 * up by ItemCode (= SKU) inside the same attempt before it is created, so a retry after an
 * unknown outcome, or a second run (or an older run still finishing its Shopify phase) creating
 * it meanwhile, finds that item: B1's ItemCode key is what makes this exactly-once.
 */
import type { B1Client } from '../../connectors/b1/client';
import { isRecordRejection } from '../../shared/error-policy';
import type { SyncObject } from '../../shared/sync-object';
import { created, failed, unchanged, type RecordOutcome } from '../../mapping/outcome';
import type { PipelineDeps } from '../contract';
import { hasHashFields } from './item-fields';
import type { CreateItemPayload } from './types';

const VARIANT_GID = /^gid:\/\/shopify\/ProductVariant\/\d+$/;

export async function createItem(deps: PipelineDeps, object: SyncObject, sourceId: string, p: CreateItemPayload): Promise<RecordOutcome> {
  const b1 = deps.b1;
  const exists = async () => (await b1.tryGet('Items', p.sku, { select: ['ItemCode'] })) !== undefined;
  if (await exists()) return unchanged(object, sourceId, p.sku);
  try {
    // The record id is the variant's GID: linked like a pushed item where the field exists.
    const item = VARIANT_GID.test(sourceId) && (await hasHashFields(deps)) ? { ...p.item, U_ShopifyVariantId: sourceId } : p.item;
    // B1ItemCreate is the mapping's typed subset of the Items entity (enum members as strings).
    await b1.createItem(item as unknown as Parameters<B1Client['createItem']>[0]);
    return created(object, sourceId, p.sku);
  } catch (e) {
    if (isRecordRejection(e)) {
      // Another run created it between the lookup and the POST.
      if (await exists()) return unchanged(object, sourceId, p.sku);
      return failed(object, sourceId, `SKU ${p.sku}: B1 refused the item: ${e.sapMessage}`, e.context.field ?? 'ItemCode');
    }
    throw e;
  }
}
