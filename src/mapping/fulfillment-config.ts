/**
 * Mapping configuration of the goods side of order to cash: how a B1 delivery becomes a Shopify
 * fulfillment (`mapping.fulfillment`). Kept apart from config.ts like the money section; strict
 * objects, so a misspelt key is an error rather than a setting silently ignored.
 */
import { z } from 'zod';

/** One B1 shipping type (OSHP, the delivery's `TransportationCode`) as a Shopify tracking company. */
const CarrierSchema = z.strictObject({
  /** Shopify's carrier name (e.g. "DHL Express", "UPS"): a known name gets a working tracking link. */
  company: z.string().min(1, 'must not be empty').max(255),
  /**
   * Tracking URL with `{number}` for the tracking number, for carriers Shopify does not know.
   * Optional: for known carriers Shopify builds the link itself.
   */
  url: z
    .string()
    .regex(/^https:\/\/[^\s]+$/, 'must be an https URL')
    .refine((u) => u.includes('{number}'), 'must contain {number} where the tracking number goes')
    .optional(),
});

export const FulfillmentConfigSchema = z.strictObject({
  /**
   * Which way deliveries go for this shop, never both: `b1ToShopify` (B1 deliveries become
   * fulfillments) or `shopifyToB1` (fulfillments made in Shopify become B1 deliveries, for shops
   * that ship from Shopify or a fulfillment app).
   */
  direction: z.enum(['b1ToShopify', 'shopifyToB1']).default('b1ToShopify'),
  /**
   * B1 shipping type code (as a string: JSON keys) → carrier. A delivery whose shipping type is
   * not listed is fulfilled with `defaultCarrier`, else without a company (Shopify then shows the
   * number without a link).
   */
  carriers: z.record(z.string().regex(/^\d+$/, 'keys must be B1 ShippingTypes codes (numbers)'), CarrierSchema).default({}),
  defaultCarrier: CarrierSchema.optional(),
  /**
   * The first delta run (no watermark yet) reads the deliveries of this many days before B1's
   * newest delivery, not the company's whole history: older deliveries were shipped before the hub
   * synced them (a full run, `b1hub sync delivery --full`, reads them all).
   */
  firstRunDays: z.number().int().min(0).max(3650).default(7),
  /** Whether Shopify sends the customer its shipping confirmation (and tracking updates). */
  notifyCustomer: z.boolean().default(true),
});

export type FulfillmentConfig = z.infer<typeof FulfillmentConfigSchema>;
export type CarrierConfig = z.infer<typeof CarrierSchema>;
