import { runB1SimulatorCli } from './cli';

runB1SimulatorCli(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
