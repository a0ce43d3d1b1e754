/**
 * What travels between the customer pipeline's steps (all of it lands in workflow history): the
 * Shopify customer trimmed to what the mapping reads (trim.ts), and the B1 business partner the
 * mapping makes of it.
 */
import type { B1BusinessPartnerCreate, ShopifyCustomer } from '../../mapping/types';
import type { SourceRecord } from '../contract';

export type CustomerSource = ShopifyCustomer;
export type CustomerPayload = B1BusinessPartnerCreate;
export type CustomerRecord = SourceRecord<CustomerSource>;
