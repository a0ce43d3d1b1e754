/**
 * Demo helpers against the running `b1hub up` simulators (walkthrough): add a Shopify order
 * through the simulator's control API, as a customer checking out would.
 */
import type { Command } from 'commander';
import { action } from '../action';
import { CliError } from '../../hub/errors';
import { printJson, println } from '../output';

/** "A00001:2,A00002" → lines (quantity 1 when omitted). */
export function parseLines(text: string): Array<{ sku: string; quantity: number }> {
  return text.split(',').map((part) => {
    const [sku, qty] = part.trim().split(':');
    const quantity = qty === undefined ? 1 : Number(qty);
    if (!sku || !Number.isInteger(quantity) || quantity < 1)
      throw new CliError(`--lines '${text}': '${part}' is not SKU[:quantity]`, 'e.g. --lines A00001:2,A00003');
    return { sku, quantity };
  });
}

export function registerSimHelpers(sim: Command): void {
  sim
    .command('order')
    .description('add a paid order to the running demo shop (b1hub up), e.g. --lines A00001:2,A00003')
    .option('--lines <sku:qty,…>', 'order lines by SKU (the B1 item codes)', 'A00001:2,A00002')
    .option('--email <email>', 'buyer e-mail (a new e-mail makes a new customer)', 'walkthrough.buyer@example.com')
    .option('--price <amount>', 'unit price for every line', '19.90')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, opts: { lines: string; email: string; price: string; json?: boolean }) => {
        const hub = ctx.hubStatus();
        if (!hub?.shopify.demoAccessToken)
          throw new CliError(
            'no demo hub is running on this data folder',
            'start it with `npm start` (the helper talks to its Shopify simulator)',
          );
        const lines = parseLines(opts.lines).map((l) => ({ ...l, unitPrice: opts.price }));
        const res = await fetch(`${hub.shopify.endpoint}/_sim/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'X-Shopify-Access-Token': hub.shopify.demoAccessToken },
          body: JSON.stringify({
            email: opts.email,
            financialStatus: 'PAID',
            lines,
            shippingAddress: {
              firstName: 'Walk',
              lastName: 'Through',
              address1: '1 Market St',
              city: 'San Francisco',
              provinceCode: 'CA',
              countryCode: 'US',
              zip: '94105',
            },
          }),
        });
        const body = (await res.json()) as { id?: string; name?: string; error?: string };
        if (!res.ok) throw new CliError(`the Shopify simulator refused the order: ${body.error ?? res.status}`);
        if (opts.json) printJson(body);
        else println(`order ${body.name} created in the demo shop (${body.id}); sync it with: b1hub sync order --wait`);
        return 0;
      }),
    );
}
