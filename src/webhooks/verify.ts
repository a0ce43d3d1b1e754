import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../connectors/shopify/secret';

/** Base64 HMAC-SHA256 of the raw body: what Shopify puts in X-Shopify-Hmac-Sha256. */
export function webhookHmac(rawBody: Buffer, secret: Secret): string {
  return createHmac('sha256', secret.reveal()).update(rawBody).digest('base64');
}

/**
 * Constant-time check of the signature over the exact bytes received, against the current
 * secret and, during a rotation, the previous one (Shopify may sign with it for up to an hour).
 */
export function verifyWebhookHmac(rawBody: Buffer, header: string | undefined, secrets: readonly Secret[]): boolean {
  if (!header) return false;
  const got = Buffer.from(header, 'utf8');
  let ok = false;
  for (const s of secrets) {
    const want = Buffer.from(webhookHmac(rawBody, s), 'utf8');
    // Every secret is checked (no early exit), so timing does not tell which one matched.
    if (got.length === want.length && timingSafeEqual(got, want)) ok = true;
  }
  return ok;
}
