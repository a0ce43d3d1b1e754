/** `b1hub items list|select`: Set Items for Synchronization (U_ShopifySync on B1 items). */
import type { Command } from 'commander';
import { action } from '../action';
import { CliError } from '../../hub/errors';
import { printJson, println, table } from '../output';
import { createPipelineDeps } from '../../pipelines/deps';
import type { B1Client } from '../../connectors/b1/client';

interface RangeFlags {
  from?: string;
  to?: string;
  groups?: string;
}

interface ItemRow {
  ItemCode: string;
  ItemName?: string | null;
  ItemsGroupCode?: number | null;
  U_ShopifySync?: string | null;
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** "100-105" or "100,102,104-105" → an OData condition on ItemsGroupCode. */
export function groupsFilter(text: string): string {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) throw new CliError(`--groups '${text}' is empty`, 'e.g. --groups 100-105 or --groups 101,103');
  const conds = parts.map((p) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    if (!m) throw new CliError(`--groups '${text}': '${p}' is not a group number or range`, 'e.g. --groups 100-105 or --groups 101,103');
    return m[2] === undefined ? `ItemsGroupCode eq ${m[1]}` : `(ItemsGroupCode ge ${m[1]} and ItemsGroupCode le ${m[2]})`;
  });
  return conds.length === 1 ? conds[0]! : `(${conds.join(' or ')})`;
}

function filterOf(f: RangeFlags & { selected?: boolean }): string | undefined {
  const conds: string[] = [];
  if (f.from) conds.push(`ItemCode ge ${q(f.from)}`);
  if (f.to) conds.push(`ItemCode le ${q(f.to)}`);
  if (f.groups) conds.push(groupsFilter(f.groups));
  if (f.selected) conds.push(`U_ShopifySync eq 'Y'`);
  return conds.length ? conds.join(' and ') : undefined;
}

async function candidates(b1: B1Client, f: RangeFlags & { selected?: boolean }): Promise<ItemRow[]> {
  const out: ItemRow[] = [];
  const filter = filterOf(f);
  for await (const page of b1.keyRange('Items', {
    keyField: 'ItemCode',
    select: ['ItemCode', 'ItemName', 'ItemsGroupCode', 'U_ShopifySync'],
    ...(filter ? { filter } : {}),
    pageSize: 500,
  })) {
    out.push(...(page as unknown as ItemRow[]));
  }
  return out;
}

export function registerItemsCommands(program: Command): void {
  const items = program.command('items').description('Set Items for Synchronization: which B1 items are published to Shopify');

  items
    .command('list')
    .description('B1 items with their sync flag')
    .option('--selected', 'only items selected for sync')
    .option('--from <code>', 'from this ItemCode')
    .option('--to <code>', 'up to this ItemCode')
    .option('--groups <ranges>', 'item groups, e.g. 100-105')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, opts: RangeFlags & { selected?: boolean; json?: boolean }) => {
        const { b1 } = createPipelineDeps(ctx.config(), ctx.secrets());
        const rows = await candidates(b1, opts);
        if (opts.json) {
          printJson(
            rows.map((r) => ({ itemCode: r.ItemCode, name: r.ItemName, group: r.ItemsGroupCode, selected: r.U_ShopifySync === 'Y' })),
          );
          return 0;
        }
        println(
          table(
            ['item', 'name', 'group', 'sync'],
            rows.map((r) => [r.ItemCode, r.ItemName ?? '', r.ItemsGroupCode ?? '', r.U_ShopifySync === 'Y' ? 'yes' : 'no']),
          ),
        );
        println(`${rows.length} items, ${rows.filter((r) => r.U_ShopifySync === 'Y').length} selected`);
        return 0;
      }),
    );

  items
    .command('select')
    .description('select (or with --unselect, deselect) items for sync; writes U_ShopifySync to B1 in batches')
    .option('--from <code>', 'from this ItemCode')
    .option('--to <code>', 'up to this ItemCode')
    .option('--groups <ranges>', 'item groups, e.g. 100-105')
    .option('--all', 'every item in the range')
    .option('--interactive', 'tick items in a checkbox list')
    .option('--unselect', 'clear the flag instead of setting it')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, opts: RangeFlags & { all?: boolean; interactive?: boolean; unselect?: boolean; json?: boolean }) => {
        if (!!opts.all === !!opts.interactive)
          throw new CliError('choose --all or --interactive', 'e.g. `b1hub items select --from A00021 --to A00025 --all`');
        if (opts.interactive && !process.stdin.isTTY)
          throw new CliError('--interactive needs a terminal', 'use --all with --from/--to/--groups in scripts');
        const { b1 } = createPipelineDeps(ctx.config(), ctx.secrets());
        const rows = await candidates(b1, opts);
        if (!rows.length) throw new CliError('no items match the range', 'check --from/--to/--groups with `b1hub items list`');
        const value: 'Y' | 'N' = opts.unselect ? 'N' : 'Y';
        let toSet: string[];
        if (opts.all) {
          toSet = rows.filter((r) => (r.U_ShopifySync === 'Y') !== (value === 'Y')).map((r) => r.ItemCode);
        } else {
          const { checkbox } = await import('@inquirer/prompts');
          const chosen = await checkbox({
            message: opts.unselect ? 'Tick the items to stop syncing' : 'Tick the items to sync to Shopify',
            pageSize: 20,
            choices: rows.map((r) => ({
              value: r.ItemCode,
              name: `${r.ItemCode}  ${r.ItemName ?? ''}  (group ${r.ItemsGroupCode ?? '?'})${r.U_ShopifySync === 'Y' ? '  [selected]' : ''}`,
              checked: !opts.unselect && r.U_ShopifySync === 'Y',
            })),
          });
          toSet = chosen.filter((code) => (rows.find((r) => r.ItemCode === code)!.U_ShopifySync === 'Y') !== (value === 'Y'));
        }
        const result = toSet.length ? await b1.setItemsShopifySync(toSet, value, 100) : { updated: [] as string[] };
        if (opts.json) {
          printJson({
            value,
            matched: rows.length,
            updated: result.updated,
            ...(result.failed ? { failed: { itemCode: result.failed.itemCode, error: result.failed.error.message } } : {}),
          });
        } else {
          println(
            `${result.updated.length} of ${rows.length} matching items ${value === 'Y' ? 'selected for sync' : 'deselected'} (U_ShopifySync = '${value}'); ${rows.length - toSet.length} already were`,
          );
        }
        if (result.failed)
          throw new CliError(
            `B1 rejected the update of ${result.failed.itemCode ?? 'a batch'}: ${result.failed.error.message}`,
            'fix the item in B1 and run the command again (items already updated stay updated)',
          );
        if (value === 'Y' && result.updated.length && !opts.json)
          println('publish them now with: b1hub sync product --wait (then b1hub sync inventory)');
        return 0;
      }),
    );
}
