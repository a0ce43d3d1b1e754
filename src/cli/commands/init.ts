/** `b1hub init`: the Configuration Summary, then (without --check-only) the initial load. */
import type { Command } from 'commander';
import { action } from '../action';
import { CliError } from '../../hub/errors';
import { printJson, println, table } from '../output';

const MARK = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', fixed: 'FIXED', skip: 'SKIP' } as const;

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('check the configuration (Service Layer, UDFs, mappings, Shopify, Temporal) and run the initial load')
    .option('--check-only', 'only the checks; no initial load')
    .option(
      '--fix',
      'create what can be created safely: UDFs, metafield definitions, webhook subscriptions, search attributes, guest customer',
    )
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, opts: { checkOnly?: boolean; fix?: boolean; json?: boolean }) => {
        const { checkConfiguration } = await import('../../hub/configuration-check');
        const { runInitialLoad } = await import('../../hub/initial-load');
        const { config, results } = await checkConfiguration({
          config: ctx.config(),
          secrets: ctx.secrets(),
          temporal: () => ctx.connection(),
          namespace: ctx.temporalTarget().namespace,
          fix: !!opts.fix,
        });
        const failed = results.filter((r) => r.state === 'fail');
        if (opts.json) printJson({ ok: failed.length === 0, checks: results });
        else {
          println(`Configuration summary (${config.source === 'file' ? ctx.configPath : 'embedded demo configuration'})`);
          println();
          println(
            table(
              ['check', 'result', 'detail', 'fix'],
              results.map((r) => [r.name, MARK[r.state], r.detail, r.state === 'pass' ? '' : r.fix]),
            ),
          );
          println();
          println(failed.length ? `${failed.length} check(s) failed: ${failed.map((f) => f.name).join(', ')}` : 'all checks passed');
        }
        if (failed.length) {
          if (!opts.json)
            process.stderr.write(
              `b1hub: configuration check failed: ${failed.map((f) => f.name).join(', ')} — ${failed[0]!.fix ?? 'see the table above'}\n`,
            );
          return 1;
        }
        if (opts.checkOnly) return 0;
        if (!opts.json)
          println(
            '\nInitial load (customers, products, inventory; the `initial-load` workflow: done once per hub, resumed by any worker):',
          );
        const client = await ctx.client();
        const problems = await runInitialLoad(client, {
          dataDir: ctx.dataDir,
          taskQueue: config.temporal.taskQueue,
          print: (l) => {
            if (!opts.json) println(`  ${l}`);
          },
        });
        if (problems)
          throw new CliError(
            `initial load finished with problems: ${problems}`,
            'see `b1hub log --failed`, fix the data, then `b1hub resync --failed`',
            2,
          );
        return 0;
      }),
    );
}
