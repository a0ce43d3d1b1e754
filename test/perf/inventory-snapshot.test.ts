/**
 * The inventory snapshot is read from the export one line at a time (never the whole file held
 * parsed), and pages asking for it at once share one download: what it yields must equal what
 * Shopify answers per request, and a malformed file must still fail the read rather than yield a
 * partial snapshot.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clientFor, startSim } from '../shopify/helpers';
import type { ShopifySimulator } from '../../src/sim/shopify';
import type { ShopifyClient } from '../../src/connectors/shopify';
import { awaitBulkExport } from '../../src/connectors/shopify/bulk';
import { snapshotFromLines } from '../../src/connectors/shopify/inventory-bulk';

const SKUS = Array.from({ length: 120 }, (_, i) => `SN-${String(i).padStart(4, '0')}`);

describe('inventory snapshot, read line by line', () => {
  let sim: ShopifySimulator;
  let client: ShopifyClient;
  let locationIds: string[];
  before(async () => {
    sim = await startSim({ seed: { customers: 1, orders: 6, skus: SKUS }, plan: { restoreRate: 1000, bucketSize: 20000 } });
    client = clientFor(sim);
    locationIds = (await client.locations()).map((l) => l.id);
    assert.equal(locationIds.length, 2);
  });
  after(async () => sim.close());

  test('equals the per-request read, and concurrent loads download the file once', async () => {
    // Committed units at a location, so the snapshot's committed figures are exercised too.
    const id = await client.bulkExports.inventory.start();
    assert.ok(id);
    // A second client (another worker) loads it: nothing cached, so each load would download.
    const other = clientFor(sim);
    await awaitBulkExport(() => client.bulkExports.inventory.load(id, locationIds), 30_000);
    const downloads: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.includes('graphql')) downloads.push(url);
      return realFetch(input, init);
    }) as typeof fetch;
    let states;
    try {
      states = await Promise.all([1, 2, 3].map(() => other.bulkExports.inventory.load(id, locationIds)));
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.equal(downloads.length, 1, `one download for three concurrent loads, got ${downloads.length}`);
    const [first] = states;
    assert.ok(first?.kind === 'ready');
    for (const s of states) assert.equal(s, first, 'the same snapshot');
    const fresh = await client.stockBySku(SKUS, locationIds);
    assert.equal(first.snapshot.size, SKUS.length);
    for (const sku of SKUS) assert.deepEqual(first.snapshot.get(sku), fresh.get(sku), sku);
    assert.ok(
      [...fresh.values()].some((m) => Object.values(m[0]?.committed ?? {}).some((q) => q > 0)),
      'some item has committed units (the seeded orders)',
    );
  });

  test('a level before its item fails the read; an item without SKU and its levels are skipped', () => {
    const item = { id: 'gid://shopify/InventoryItem/1', sku: 'A', tracked: true };
    const level = (parent: string, loc: string, available: number) => ({
      id: `gid://shopify/InventoryLevel/${parent.slice(-1)}-${loc}`,
      location: { id: loc },
      quantities: [{ name: 'available', quantity: available }],
      __parentId: parent,
    });
    assert.throws(() => snapshotFromLines([level(item.id, 'L1', 3), item], ['L1']), /precedes or lacks its parent/);
    const snap = snapshotFromLines(
      [item, level(item.id, 'L1', 3), { id: 'gid://shopify/InventoryItem/2', sku: null }, level('gid://shopify/InventoryItem/2', 'L1', 9)],
      ['L1', 'L2'],
    );
    assert.deepEqual([...snap.keys()], ['A']);
    assert.deepEqual(snap.get('A'), [
      { inventoryItemId: item.id, tracked: true, available: { L1: 3, L2: null }, committed: { L1: 0, L2: 0 }, reserved: { L1: 0, L2: 0 } },
    ]);
  });
});
