/**
 * b1hub: the operator's command line for b1-shopify-hub (`npx b1hub …`, `npm start` = `up`).
 */
import { Command, CommanderError } from 'commander';
import { describeError } from './errors';
import { registerRunCommands } from './commands/run';
import { registerStatusCommand } from './commands/status';
import { registerSyncCommands } from './commands/sync';
import { registerScheduleCommands } from './commands/schedule';
import { registerItemsCommands } from './commands/items';
import { registerLogCommands } from './commands/log';
import { registerInitCommand } from './commands/init';
import { registerCodecServerCommand } from './commands/codec-server';

export function buildProgram(): Command {
  const program = new Command('b1hub')
    .description('SAP Business One ↔ Shopify synchronization hub on Temporal')
    .option('--config <file>', 'hub config file (JSON); default: $B1HUB_CONFIG, else the embedded demo configuration')
    .option(
      '--temporal-address <host:port>',
      'Temporal frontend (default: $TEMPORAL_ADDRESS, the config file, the running `b1hub up`, localhost:7233)',
    )
    .option('--namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE, the config file, default)')
    .option('--data-dir <dir>', 'data folder of `b1hub up` (default: $B1HUB_DATA_DIR, else ./data)')
    .option('--verbose', 'print stack traces with errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({ outputError: (str, write) => write(`b1hub: ${str.replace(/^error: /, '')}`) });
  registerRunCommands(program);
  registerStatusCommand(program);
  registerSyncCommands(program);
  registerScheduleCommands(program);
  registerItemsCommands(program);
  registerLogCommands(program);
  registerInitCommand(program);
  registerCodecServerCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`b1hub: ${describeError(err).text}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main(process.argv);
