/**
 * The customer pipeline, Shopify → SAP B1 business partners: fetch customers changed since the
 * watermark, map each to a partner (pure), upsert by U_ShopifyId (or link by e-mail), patching
 * only the fields that differ.
 */
import type { Pipeline } from '../contract';
import { fetchCustomers } from './fetch';
import { mapCustomers } from './map';
import { postCustomers } from './post';
import type { CustomerPayload, CustomerSource } from './types';

export const customerPipeline: Pipeline<CustomerSource, CustomerPayload> = {
  object: 'customer',
  fetch: fetchCustomers,
  map: async (deps, input) => mapCustomers(deps, input),
  post: postCustomers,
};

// What other pipelines may use of customers: the order pipeline creates an order's partner on
// the fly and trims the customer an order carries like a customer read on its own.
export { upsertPartnersOfPage, type PageUpsertResult } from './upsert-page';
export { upsertBusinessPartner, findPartnerByShopifyId, isRecordRejection, PartnerInProgressError, type BpUpsertResult } from './upsert';
export { trimCustomer } from './trim';
export type { CustomerPayload, CustomerRecord, CustomerSource } from './types';
