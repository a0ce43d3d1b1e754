/** Shopify customer → desired business partner (pure: the same record always maps the same way). */
import { failedMapping, mapCustomerToBusinessPartner } from '../../mapping';
import type { B1BusinessPartnerCreate, ShopifyCustomer } from '../../mapping/types';
import type { MapPageInput, MappedRecord, PipelineDeps } from '../contract';

export function mapCustomers(deps: PipelineDeps, input: MapPageInput<ShopifyCustomer>): MappedRecord<B1BusinessPartnerCreate>[] {
  return input.records.map((r) => {
    const m = mapCustomerToBusinessPartner(r.data, deps.mapping);
    const label = r.label ?? r.id;
    return m.ok
      ? { id: r.id, label, ok: true as const, payload: m.value }
      : { id: r.id, label, ok: false as const, outcome: failedMapping('customer', r.id, `customer ${label}`, m.errors) };
  });
}
