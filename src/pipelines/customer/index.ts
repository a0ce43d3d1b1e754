/**
 * The customer pipeline, Shopify → SAP B1 business partners: fetch customers changed since the
 * watermark, map each to a partner (pure), upsert by U_ShopifyId (or link by e-mail), patching
 * only the fields that differ.
 */
import type { B1BusinessPartnerCreate, ShopifyCustomer } from '../../mapping/types';
import type { Pipeline } from '../contract';
import { fetchCustomers } from './fetch';
import { mapCustomers } from './map';
import { postCustomers } from './post';

export const customerPipeline: Pipeline<ShopifyCustomer, B1BusinessPartnerCreate> = {
  object: 'customer',
  fetch: fetchCustomers,
  map: async (deps, input) => mapCustomers(deps, input),
  post: postCustomers,
};

export { upsertBusinessPartner, findPartnerByShopifyId, isRecordRejection, type BpUpsertResult } from './upsert';
