/**
 * Post: activates items at locations where they are not stocked yet, then writes the rows that
 * differ with `inventorySetQuantities` in batches of ≤250 under idempotency keys derived from
 * the run, the page, the batch and its rows. A retried activity recomputes the same batches
 * (its input is fixed in history), so Shopify replays a batch it already applied instead of
 * applying it twice. Batches run concurrently so a page never leaves the rate-limit bucket idle;
 * the executor's cost model keeps them within it.
 */
import type { ShopifyUserError } from '../../connectors/shopify/errors';
import type { MappingConfig } from '../../mapping/config';
import { chunk, inventoryIdempotencyKey, INVENTORY_BATCH_SIZE } from '../../mapping/inventory';
import { failed, updated, type RecordOutcome } from '../../mapping/outcome';
import type { PipelineDeps, PostPageInput } from '../contract';
import type { InventoryPayload } from './types';

/** Concurrent inventoryActivate calls (10 points each); enough to keep the bucket busy. */
const ACTIVATE_CONCURRENCY = 4;

/** Shopify asks idempotent callers to retry these later; the activity retry does that. */
const RETRY_LATER = new Set(['IDEMPOTENCY_CONCURRENT_REQUEST']);

export class InventoryRetryLaterError extends Error {
  override name = 'InventoryRetryLaterError';
}

interface Row {
  rec: number;
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  changeFromQuantity: number | null;
}

async function inPool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** `gid://b1hub/SyncRun/<workflow id>`: shows in the merchant's inventory history which run wrote a value. */
export function referenceDocumentUri(runId: string): string {
  return `gid://b1hub/SyncRun/${encodeURIComponent(runId)}`;
}

function locationField(config: MappingConfig, locationId: string): string {
  const i = config.locations.findIndex((l) => l.locationId === locationId);
  return i >= 0 ? `locations[${i}].locationId` : 'locationId';
}

function describe(e: ShopifyUserError): string {
  return e.code ? `${e.message} (${e.code})` : e.message;
}

export async function postInventoryPage(deps: PipelineDeps, input: PostPageInput<InventoryPayload>): Promise<RecordOutcome[]> {
  const config = deps.mapping;
  const problems = new Map<number, { reason: string; field: string }>();
  const fail = (rec: number, reason: string, field: string): void => {
    if (!problems.has(rec)) problems.set(rec, { reason, field });
  };

  // 1. Stock the items where they are not stocked yet (a set on such a pair is refused).
  const activations = input.records.flatMap((r, rec) => r.payload.activate.map((locationId) => ({ rec, locationId, inventoryItemId: r.payload.inventoryItemId })));
  await inPool(activations, ACTIVATE_CONCURRENCY, async (a) => {
    const res = await deps.shopify.activateInventory(a.inventoryItemId, a.locationId);
    if (!res.ok) {
      const code = input.records[a.rec]?.id;
      fail(a.rec, `item ${code}: activating inventory item ${a.inventoryItemId} at location ${a.locationId} failed: ${res.userErrors.map(describe).join('; ')}`, locationField(config, a.locationId));
    }
  });

  // 2. Set the rows that differ, ≤250 per call, all batches of the page at once.
  const rows: Row[] = input.records.flatMap((r, rec) =>
    problems.has(rec) ? [] : r.payload.rows.map((row) => ({ rec, inventoryItemId: r.payload.inventoryItemId, locationId: row.locationId, quantity: row.quantity, changeFromQuantity: row.changeFromQuantity })),
  );
  const keyBase = `${input.runId}/page-${input.pageIndex}`;
  const uri = referenceDocumentUri(input.runId);
  await Promise.all(
    chunk(rows, INVENTORY_BATCH_SIZE).map(async (batch, batchIndex) => {
      let pending = batch;
      // A batch is atomic: a row Shopify refuses fails alone, the others are resent once without it.
      for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
        const quantities = pending.map((r) => ({ inventoryItemId: r.inventoryItemId, locationId: r.locationId, quantity: r.quantity, changeFromQuantity: r.changeFromQuantity }));
        const idempotencyKey = inventoryIdempotencyKey(keyBase, batchIndex, quantities);
        const res = await deps.shopify.setInventoryQuantities(quantities, { idempotencyKey, reason: config.inventory.reason, referenceDocumentUri: uri, activateMissing: true });
        if (res.ok) return;
        if (res.userErrors.some((e) => e.code && RETRY_LATER.has(e.code))) {
          throw new InventoryRetryLaterError(`inventorySetQuantities batch ${batchIndex} of page ${input.pageIndex}: ${res.userErrors.map(describe).join('; ')}`);
        }
        const bad = new Set<number>();
        for (const e of res.userErrors) {
          const idx = e.field?.[0] === 'input' && e.field[1] === 'quantities' ? Number(e.field[2]) : NaN;
          const row = Number.isInteger(idx) ? pending[idx] : undefined;
          if (!row) continue;
          bad.add(idx);
          const code = input.records[row.rec]?.id;
          fail(row.rec, `item ${code} at location ${row.locationId}: Shopify refused available=${row.quantity}: ${describe(e)}`, locationField(config, row.locationId));
        }
        if (bad.size === 0) {
          // Not attributable to a row: every item in the batch failed with Shopify's words.
          for (const row of pending) fail(row.rec, `item ${input.records[row.rec]?.id}: inventorySetQuantities refused the batch: ${res.userErrors.map(describe).join('; ')}`, 'inventory');
          return;
        }
        pending = pending.filter((_, i) => !bad.has(i) && !problems.has(pending[i]!.rec));
      }
    }),
  );

  return input.records.map((r, rec) => {
    const p = problems.get(rec);
    return p ? failed('inventory', r.id, p.reason, p.field) : updated('inventory', r.id, r.payload.inventoryItemId);
  });
}
