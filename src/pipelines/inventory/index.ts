/**
 * The inventory pipeline, B1 → Shopify: per-warehouse stock of the items selected for the sync,
 * summed per mapped location by the configured formula, written to Shopify's `available` only
 * where it differs. One record is one item across all its locations.
 */
import type { Pipeline } from '../contract';
import { fetchInventoryPage } from './fetch';
import { mapInventoryPage } from './map';
import { postInventoryPage } from './post';
import type { InventoryPayload, InventorySource } from './types';

export const inventoryPipeline: Pipeline<InventorySource, InventoryPayload> = {
  object: 'inventory',
  fetch: fetchInventoryPage,
  map: async (deps, input) => mapInventoryPage(input.records, deps.mapping),
  post: postInventoryPage,
};

export type { InventoryPayload, InventorySource, ShopifyStockMatch, InventoryRow } from './types';
