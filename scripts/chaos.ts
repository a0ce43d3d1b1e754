/**
 * The chaos suite (not a unit test): faults, kills and concurrent runs against the whole hub on
 * loopback, then a verdict read from the Service Layer and the Admin API.
 *
 *   npm run chaos -- --seed 7 --minutes 10 [--fault-rate 0.1] [--slow-commit-every 4]
 *                    [--formula b1-sellable|b1-sellable-minus-shopify-open] [--kill-every 20,40]
 *                    [--b1-timeout-ms 8000] [--shopify-timeout-ms 8000] [--no-money] [--json <file>]
 *
 * Prints the report, then a last line `chaos: D duplicates, L lost, M inventory mismatches,
 * K kills, F faults injected`; exits 0 only when D = L = M = 0 (1 when any is not, 2 when the
 * run itself broke). See src/sim/chaos/driver.ts.
 */
import { writeFileSync } from 'node:fs';
import { formatReport, runChaos, type ChaosOptions } from '../src/sim/chaos/driver';
import { STOCK_FORMULAS, type StockFormula } from '../src/sim/chaos/verify';

function parseArgs(argv: string[]): ChaosOptions & { json?: string } {
  const a: ChaosOptions & { json?: string } = { seed: 1, minutes: 2 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = argv[i + 1];
    const num = (min = 0): number => {
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n) || n < min) throw new Error(`${k} needs a number ≥ ${min}, got ${v}`);
      i++;
      return n;
    };
    if (k === '--seed') a.seed = Math.floor(num());
    else if (k === '--minutes') a.minutes = num(0.1);
    else if (k === '--fault-rate') a.faultRate = Math.min(1, num());
    else if (k === '--slow-commit-every') a.slowCommitEvery = Math.floor(num());
    else if (k === '--b1-timeout-ms') a.b1TimeoutMs = num(100);
    else if (k === '--shopify-timeout-ms') a.shopifyTimeoutMs = num(100);
    else if (k === '--drain-sec') a.drainSec = num(1);
    else if (k === '--no-money') a.money = false;
    else if (k === '--kill-every') {
      const [lo, hi] = (v ?? '').split(',').map(Number);
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo! < 0 || hi! < lo!)
        throw new Error('--kill-every needs min,max seconds (0,0 for no kills)');
      a.killEverySec = [lo!, hi!];
      i++;
    } else if (k === '--formula') {
      if (!v || !(v in STOCK_FORMULAS)) throw new Error(`--formula must be one of ${Object.keys(STOCK_FORMULAS).join(', ')}`);
      a.formula = v as StockFormula;
      i++;
    } else if (k === '--json') {
      if (!v) throw new Error('--json needs a file');
      a.json = v;
      i++;
    } else throw new Error(`unknown option ${k}`);
  }
  return a;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const report = await runChaos(args);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${formatReport(report)}\n`);
  const v = report.verdict;
  return v.duplicates === 0 && v.lost === 0 && v.inventoryMismatches === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
