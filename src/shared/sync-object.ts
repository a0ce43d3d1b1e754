import { z } from 'zod';

/**
 * The objects the hub keeps in sync; each has its own scheduler, sync runs and open-error ledger.
 * Products run as two objects, one per direction (as the Integration Hub schedules them):
 * `product` pushes B1 items to Shopify, `shopify-product` imports products made in Shopify as
 * B1 items. `delivery` turns B1 deliveries of synced orders into Shopify fulfillments.
 */
// `delivery` (B1 deliveries → Shopify fulfillments) comes last: the app/uninstalled hint pauses the
// schedulers in this order, so a hint in flight during an upgrade replays its recorded signals first.
export const SYNC_OBJECTS = ['customer', 'product', 'shopify-product', 'order', 'inventory', 'delivery'] as const;
export const SyncObjectSchema = z.enum(SYNC_OBJECTS);
export type SyncObject = z.infer<typeof SyncObjectSchema>;

/** Stable id of an object's scheduler workflow: one per object, so signals always find it. */
export function schedulerWorkflowId(object: SyncObject): string {
  return `schedule:${object}`;
}

export function isSyncObject(value: string): value is SyncObject {
  return (SYNC_OBJECTS as readonly string[]).includes(value);
}

/**
 * Objects split off another object's runs: when such an object's scheduler is first created on a
 * deployment where the other's scheduler already exists, its watermark starts from the part of
 * the other's watermark that covered it, so the upgrade neither re-imports everything nor skips
 * anything.
 */
export const SPLIT_FROM: Partial<Record<SyncObject, { object: SyncObject; watermark: (other: string) => string | undefined }>> = {
  'shopify-product': { object: 'product', watermark: shopifyPartOfProductWatermark },
};

/** The widest UTC offset: a B1 stamp (server-local, no zone) read as UTC is at most this far ahead. */
const MAX_ZONE_AHEAD_MS = 14 * 60 * 60_000;

/**
 * The Shopify → B1 watermark inside an older combined product watermark `<B1 stamp>~<Shopify
 * updatedAt>`. Without a Shopify part (its scan never finished), the B1 stamp is the only clue:
 * it is server-local without zone, so it is moved back by the widest offset (no product made
 * since is missed, whatever zone the B1 server runs in). Nothing usable: undefined.
 */
export function shopifyPartOfProductWatermark(w: string): string | undefined {
  const [b1, shopify] = w.split('~', 2) as [string, string | undefined];
  if (shopify) return shopify;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2}))?)?/.exec(b1);
  if (!m || m[1]!.startsWith('0000')) return undefined;
  const at = Date.parse(`${m[1]}T${m[2] ?? '00:00'}:${m[3] ?? '00'}Z`);
  return Number.isNaN(at) ? undefined : new Date(at - MAX_ZONE_AHEAD_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
