import { z } from 'zod';
import { Secret } from './secret';

export const SHOPIFY_API_VERSION = '2026-07';

export type ShopifyAuthConfig =
  | { kind: 'accessToken'; accessToken: Secret; apiSecret?: Secret }
  | { kind: 'clientCredentials'; clientId: string; clientSecret: Secret; renewBeforeSec?: number };

export interface ShopifyClientConfig {
  /** The shop's permanent domain, e.g. "acme.myshopify.com". */
  shop: string;
  auth: ShopifyAuthConfig;
  apiVersion?: string;
  /**
   * Where requests for `shop` actually go, e.g. "http://127.0.0.1:8081" for the simulator.
   * http is accepted only for loopback addresses; omit it for a real shop.
   */
  endpoint?: string;
  /** Per-request timeout; default 30 s. */
  requestTimeoutMs?: number;
  /** Attempts per call for throttling, 429, 5xx and network errors; default 8. */
  maxAttempts?: number;
  /** Cap for back-off sleeps; default 30 s. */
  maxBackoffMs?: number;
  /** Namespace/key of the `id` metafield definitions that hold B1 cross-reference codes. */
  customIdNamespace?: string;
  customIdKey?: string;
}

const envSchema = z.object({
  SHOPIFY_SHOP: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9-_]*\.myshopify\.com$/, 'must be <name>.myshopify.com'),
  SHOPIFY_ACCESS_TOKEN: z.string().min(1).optional(),
  SHOPIFY_CLIENT_ID: z.string().min(1).optional(),
  SHOPIFY_CLIENT_SECRET: z.string().min(1).optional(),
  SHOPIFY_API_SECRET: z.string().min(1).optional(),
  SHOPIFY_API_VERSION: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .optional(),
  SHOPIFY_ENDPOINT: z.string().url().optional(),
});

/**
 * Reads the connection from the environment: SHOPIFY_SHOP plus either SHOPIFY_ACCESS_TOKEN
 * (admin-created custom app) or SHOPIFY_CLIENT_ID + SHOPIFY_CLIENT_SECRET (client credentials).
 * SHOPIFY_ENDPOINT redirects the shop to a simulator. Errors name the variable, never its value.
 */
export function shopifyConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ShopifyClientConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Shopify configuration invalid: ${issues}`);
  }
  const e = parsed.data;
  let auth: ShopifyAuthConfig;
  if (e.SHOPIFY_CLIENT_ID && e.SHOPIFY_CLIENT_SECRET)
    auth = { kind: 'clientCredentials', clientId: e.SHOPIFY_CLIENT_ID, clientSecret: new Secret(e.SHOPIFY_CLIENT_SECRET) };
  else if (e.SHOPIFY_ACCESS_TOKEN)
    auth = {
      kind: 'accessToken',
      accessToken: new Secret(e.SHOPIFY_ACCESS_TOKEN),
      apiSecret: e.SHOPIFY_API_SECRET ? new Secret(e.SHOPIFY_API_SECRET) : undefined,
    };
  else throw new Error('Shopify configuration invalid: set SHOPIFY_ACCESS_TOKEN, or SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET');
  return { shop: e.SHOPIFY_SHOP, auth, apiVersion: e.SHOPIFY_API_VERSION ?? SHOPIFY_API_VERSION, endpoint: e.SHOPIFY_ENDPOINT };
}
