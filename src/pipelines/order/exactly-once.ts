/**
 * Exactly-once creation of sales orders. The Service Layer has no idempotency key, so the
 * U_ShopifyId cross-reference is the key: look it up before every create, inside the same
 * activity attempt (a retried page, a timed-out attempt whose POST did land, a crashed worker
 * all find the earlier order instead of posting a second one); serialise creates of one order
 * within a worker; and, because two workers could still race between lookup and POST, look
 * again after creating and cancel any younger duplicate so one open order remains.
 */
import type { PipelineDeps } from '../contract';

export const ORDER_STATE_SELECT = ['DocEntry', 'DocumentStatus', 'Cancelled', 'DocumentLines'] as const;

const inFlight = new Map<string, Promise<unknown>>();

/** Runs `fn` while no other call for the same key runs in this process. */
export async function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    const busy = inFlight.get(key);
    if (!busy) break;
    await busy.catch(() => undefined);
  }
  const p = fn();
  inFlight.set(key, p);
  try {
    return await p;
  } finally {
    if (inFlight.get(key) === p) inFlight.delete(key);
  }
}

/** Sales orders carrying this Shopify GID, oldest (lowest DocEntry) first. */
export async function ordersFor(deps: PipelineDeps, shopifyId: string): Promise<Array<{ DocEntry: number; Cancelled?: string }>> {
  const rows = await deps.b1.findOrdersByShopifyId(shopifyId, ['DocEntry', 'Cancelled']);
  return rows.map((r) => ({ DocEntry: Number(r.DocEntry), Cancelled: r.Cancelled as string | undefined })).sort((a, b) => a.DocEntry - b.DocEntry);
}

/**
 * After a create: when a concurrent writer also created this order, every copy but the oldest
 * is cancelled (B1 documents cannot be deleted). Returns the DocEntry that stands.
 */
export async function settleDuplicates(deps: PipelineDeps, shopifyId: string, mine: number): Promise<number> {
  const all = await ordersFor(deps, shopifyId);
  const keep = all[0]?.DocEntry ?? mine;
  for (const o of all.slice(1)) {
    if (o.Cancelled === 'tYES') continue;
    try {
      await deps.b1.cancelOrder(o.DocEntry);
    } catch (e) {
      // The other writer cancelled it first ("already cancelled"): the end state is the same.
      if (!(e instanceof Error && /cancel/i.test(e.message))) throw e;
    }
  }
  return keep;
}
