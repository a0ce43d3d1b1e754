import type { ShopState } from './state';
import type { WebhookEmitter, WebhookFaults } from './webhooks';

/**
 * Control endpoints for webhook faults and events without a state change, for tests and demos
 * driving a simulator in another process.
 */
export function handleWebhookControl(
  hooks: WebhookEmitter,
  state: ShopState,
  path: string,
  body: Record<string, unknown>,
  reply: (status: number, body: unknown) => void,
): void {
  if (path === '/_sim/webhooks/faults') {
    const bad = Object.entries(body).find(
      ([k, v]) =>
        !['drop', 'duplicate', 'delayMs', 'reorderWindowMs'].includes(k) || typeof v !== 'number' || !Number.isInteger(v) || v < 0,
    );
    if (bad) return reply(400, { error: `unknown fault or not a non-negative integer: ${bad[0]}` });
    return reply(200, { faults: hooks.setFaults(body as WebhookFaults) });
  }
  if (path === '/_sim/app/uninstall') {
    hooks.trigger('app/uninstalled', 'gid://shopify/Shop/1');
    // Uninstalling removes the app's subscriptions (the deliveries above were addressed already).
    state.data.webhookSubscriptions = {};
    return reply(200, { ok: true });
  }
  return reply(404, { error: `unknown control endpoint ${path}` });
}
