/** `b1hub dismiss`: closes open errors of the ledger with a reason (they are no longer retried). */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { action } from '../action';
import { parseObject } from '../context';
import { CliError } from '../../hub/errors';
import { printJson, println } from '../output';
import { dismissOpenErrors } from '../../hub/run-log';
import { normaliseId } from './sync';

function operator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

export function registerDismissCommand(program: Command): void {
  program
    .command('dismiss')
    .description('close open errors with a reason: they are no longer retried (listed by `log --failed`)')
    .argument('<object>', 'customer, product, order or inventory')
    .argument('<ids...>', 'source ids of open errors (as `b1hub log --failed` lists them)')
    .requiredOption('--reason <text>', 'why, shown with the resolution (e.g. "test order, deleted in Shopify")')
    .option('--by <name>', 'who dismisses (default: the OS user)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, objectName: string, ids: string[], opts: { reason: string; by?: string; json?: boolean }) => {
        const object = parseObject(objectName);
        if (!opts.reason.trim()) throw new CliError('dismiss needs a reason', 'e.g. --reason "cancelled by phone, never to be synced"');
        const client = await ctx.client();
        const sourceIds = [...new Set(ids.map((id) => normaliseId(object, id)))];
        const res = await dismissOpenErrors(client, object, { ids: sourceIds, reason: opts.reason.trim(), by: opts.by ?? operator() });
        if (opts.json) printJson({ object, ...res, ids: sourceIds });
        else println(`${object}: ${res.dismissed} open error${res.dismissed === 1 ? '' : 's'} dismissed; ${res.open} still open`);
        return 0;
      }),
    );
}
