/**
 * Post: activates items at locations where they are not stocked yet, then writes the rows that
 * differ with `inventorySetQuantities` in batches of ≤250 under idempotency keys derived from
 * the run, the page, the batch and its rows. A retried activity recomputes the same batches
 * (its input is fixed in history), so Shopify replays a batch it already applied instead of
 * applying it twice. Batches run concurrently so a page never leaves the rate-limit bucket idle;
 * the executor's cost model keeps them within it.
 *
 * Every row is compare-and-set against the `available` it was computed from. When Shopify
 * answers that the value moved (a sale, a cancellation, an adjustment since the read), the item
 * is read again (B1 stock, Shopify levels, pending orders) and mapped again, and the new rows are
 * written under keys of their own; after a few such rounds the item fails alone and the next run
 * takes it up. A stale value never fails the page or the run.
 */
import type { ShopifyUserError } from '../../connectors/shopify/errors';
import type { MappingConfig } from '../../mapping/config';
import { chunk, inventoryIdempotencyKey, INVENTORY_BATCH_SIZE } from '../../mapping/inventory';
import { failed, updated, type RecordOutcome } from '../../mapping/outcome';
import { readInventoryItems } from './fetch';
import { mapInventoryRecord } from './map';
import type { PipelineDeps, PostPageInput } from '../contract';
import type { InventoryPayload } from './types';

/** Concurrent inventoryActivate calls (10 points each); enough to keep the bucket busy. */
const ACTIVATE_CONCURRENCY = 4;

/** Shopify asks idempotent callers to retry these later; the activity retry does that. */
const RETRY_LATER: ReadonlySet<string> = new Set(['IDEMPOTENCY_CONCURRENT_REQUEST']);
/** The compare-and-set found another value than the one the row was computed from. */
const STALE: ReadonlySet<string> = new Set(['CHANGE_FROM_QUANTITY_STALE', 'COMPARE_QUANTITY_STALE']);
/** Write rounds per item: the first, then re-read and rewrite while Shopify keeps moving. */
const WRITE_ROUNDS = 4;

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

type PostRecord = PostPageInput<InventoryPayload>['records'][number];

interface RoundResult {
  problems: Map<number, { reason: string; field: string }>;
  /** Records with a row whose compare-and-set failed: to be read again. */
  stale: Set<number>;
  /** Records with something applied (an activation or a row). */
  wrote: Set<number>;
}

/** One write round over records (indices into the page): activations, then the rows in batches. */
async function writeRound(
  deps: PipelineDeps,
  records: readonly PostRecord[],
  keyBase: string,
  uri: string,
  pageIndex: number,
): Promise<RoundResult> {
  const config = deps.mapping;
  const problems: RoundResult['problems'] = new Map();
  const stale = new Set<number>();
  const wrote = new Set<number>();
  const fail = (rec: number, reason: string, field: string): void => {
    if (!problems.has(rec)) problems.set(rec, { reason, field });
  };

  // 1. Stock the items where they are not stocked yet (a set on such a pair is refused).
  const activations = records.flatMap((r, rec) =>
    r.payload.activate.map((locationId) => ({ rec, locationId, inventoryItemId: r.payload.inventoryItemId })),
  );
  await inPool(activations, ACTIVATE_CONCURRENCY, async (a) => {
    const res = await deps.shopify.activateInventory(a.inventoryItemId, a.locationId);
    if (!res.ok) {
      const code = records[a.rec]?.id;
      fail(
        a.rec,
        `item ${code}: activating inventory item ${a.inventoryItemId} at location ${a.locationId} failed: ${res.userErrors.map(describe).join('; ')}`,
        locationField(config, a.locationId),
      );
    } else wrote.add(a.rec);
  });

  // 2. Set the rows that differ, ≤250 per call, all batches of the page at once.
  const rows: Row[] = records.flatMap((r, rec) =>
    problems.has(rec)
      ? []
      : r.payload.rows.map((row) => ({
          rec,
          inventoryItemId: r.payload.inventoryItemId,
          locationId: row.locationId,
          quantity: row.quantity,
          changeFromQuantity: row.changeFromQuantity,
        })),
  );
  await Promise.all(
    chunk(rows, INVENTORY_BATCH_SIZE).map(async (batch, batchIndex) => {
      let pending = batch;
      // A batch is atomic: a row Shopify refuses fails alone (or is read again when it was only
      // stale), the others are resent once without it.
      for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
        const quantities = pending.map((r) => ({
          inventoryItemId: r.inventoryItemId,
          locationId: r.locationId,
          quantity: r.quantity,
          changeFromQuantity: r.changeFromQuantity,
        }));
        const idempotencyKey = inventoryIdempotencyKey(keyBase, batchIndex, quantities);
        const res = await deps.shopify.setInventoryQuantities(quantities, {
          idempotencyKey,
          reason: config.inventory.reason,
          referenceDocumentUri: uri,
          activateMissing: true,
        });
        if (res.ok) {
          for (const r of pending) wrote.add(r.rec);
          return;
        }
        if (res.userErrors.some((e) => e.code && RETRY_LATER.has(e.code))) {
          throw new InventoryRetryLaterError(
            `inventorySetQuantities batch ${batchIndex} of page ${pageIndex}: ${res.userErrors.map(describe).join('; ')}`,
          );
        }
        const bad = new Set<number>();
        for (const e of res.userErrors) {
          const idx = e.field?.[0] === 'input' && e.field[1] === 'quantities' ? Number(e.field[2]) : NaN;
          const row = Number.isInteger(idx) ? pending[idx] : undefined;
          if (!row) continue;
          bad.add(idx);
          if (e.code && STALE.has(e.code)) {
            stale.add(row.rec);
            continue;
          }
          const code = records[row.rec]?.id;
          fail(
            row.rec,
            `item ${code} at location ${row.locationId}: Shopify refused available=${row.quantity}: ${describe(e)}`,
            locationField(config, row.locationId),
          );
        }
        if (bad.size === 0) {
          // Not attributable to a row: every item in the batch failed with Shopify's words.
          for (const row of pending)
            fail(
              row.rec,
              `item ${records[row.rec]?.id}: inventorySetQuantities refused the batch: ${res.userErrors.map(describe).join('; ')}`,
              'inventory',
            );
          return;
        }
        // An item is written whole or read again whole: its other rows wait for the re-read too.
        pending = pending.filter((r, i) => !bad.has(i) && !problems.has(r.rec) && !stale.has(r.rec));
      }
    }),
  );
  for (const rec of problems.keys()) stale.delete(rec);
  return { problems, stale, wrote };
}

export async function postInventoryPage(deps: PipelineDeps, input: PostPageInput<InventoryPayload>): Promise<RecordOutcome[]> {
  const keyBase = `${input.syncId}/page-${input.pageIndex}`;
  const uri = referenceDocumentUri(input.syncId);
  const outcomes = new Map<number, RecordOutcome>();
  const wrote = new Set<number>();

  // Round 0 writes the page as mapped; later rounds only the items whose value moved meanwhile.
  let current: { index: number; record: PostRecord }[] = input.records.map((record, index) => ({ index, record }));
  for (let round = 0; current.length > 0; round++) {
    const res = await writeRound(
      deps,
      current.map((c) => c.record),
      round === 0 ? keyBase : `${keyBase}/reread-${round}`,
      uri,
      input.pageIndex,
    );
    const stale: { index: number; record: PostRecord }[] = [];
    current.forEach((c, i) => {
      if (res.wrote.has(i)) wrote.add(c.index);
      const p = res.problems.get(i);
      if (p) outcomes.set(c.index, failed('inventory', c.record.id, p.reason, p.field));
      else if (res.stale.has(i)) stale.push(c);
      else outcomes.set(c.index, updated('inventory', c.record.id, c.record.payload.inventoryItemId));
    });
    if (stale.length === 0) break;
    if (round + 1 >= WRITE_ROUNDS) {
      for (const c of stale)
        outcomes.set(
          c.index,
          failed(
            'inventory',
            c.record.id,
            `item ${c.record.id}: Shopify's available kept changing while it was written (${WRITE_ROUNDS} compare-and-set attempts); the next run writes it`,
            'inventory',
          ),
        );
      break;
    }
    // Read the moved items again and map them again: the new rows compare against the new values.
    const { records } = await readInventoryItems(
      deps,
      stale.map((c) => c.record.id),
    );
    const byId = new Map(records.map((r) => [r.id, r]));
    current = [];
    for (const c of stale) {
      const source = byId.get(c.record.id);
      if (!source) {
        outcomes.set(c.index, failed('inventory', c.record.id, `item ${c.record.id} was not found in B1 when read again`, 'ItemCode'));
        continue;
      }
      const mapped = mapInventoryRecord(source, deps.mapping);
      if (mapped.ok)
        current.push({
          index: c.index,
          record: { id: c.record.id, ...(c.record.label !== undefined ? { label: c.record.label } : {}), payload: mapped.payload },
        });
      // Already right (the sale brought Shopify to the value), or now skipped/failed for a data reason.
      else
        outcomes.set(
          c.index,
          mapped.outcome.outcome === 'unchanged' && wrote.has(c.index)
            ? updated('inventory', c.record.id, c.record.payload.inventoryItemId)
            : mapped.outcome,
        );
    }
  }

  return input.records.map((r, i) => outcomes.get(i) ?? updated('inventory', r.id, r.payload.inventoryItemId));
}
