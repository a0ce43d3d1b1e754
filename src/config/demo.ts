/**
 * The demo company ↔ demo shop wiring: the simulators' Shopify locations are named after the
 * B1 warehouses they stand for ("Warehouse 01" ↔ '01'), so the location mapping is derived
 * from the shop itself rather than from hard-coded GIDs.
 */
import type { MappingConfig } from '../mapping/config';
import { parseMappingConfig } from '../mapping/config';

export function demoLocationMapping(mapping: MappingConfig, locations: Array<{ id: string; name: string }>): MappingConfig {
  const mapped = locations.flatMap((loc) => {
    const m = /^Warehouse (\S+)$/.exec(loc.name);
    return m ? [{ locationId: loc.id, warehouses: [m[1]!], orderWarehouse: m[1]! }] : [];
  });
  if (!mapped.length) return mapping;
  return parseMappingConfig({ ...mapping, locations: mapped });
}
