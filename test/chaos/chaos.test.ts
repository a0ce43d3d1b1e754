/**
 * The chaos suite's two-minute variant (`npm run chaos` is the long form): the whole hub under
 * seeded faults, worker kills and concurrent runs, then the verdict from the Service Layer and the
 * Admin API must be 0 duplicates, 0 lost, 0 inventory mismatches.
 *
 * The run is sized to finish inside the runner's per-file timeout (TEST_TIMEOUT_MS): the drain
 * and the clean runs shrink to fit, and a run that cannot fit fails rather than hangs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverSkipReason } from '../../src/testing/temporal-servers';
import { formatReport, runChaos } from '../../src/sim/chaos/driver';

const FILE_TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS ?? 300_000);
const started = Date.now();

test('chaos, two minutes: nothing twice, nothing lost, no oversell', { skip: serverSkipReason('dev-server') }, async (t) => {
  const report = await runChaos({
    seed: 20261202,
    minutes: 2,
    killEverySec: [25, 45],
    drainSec: 45,
    deadline: started + FILE_TIMEOUT_MS,
    reserveSec: 35,
    log: (line) => t.diagnostic(line),
  });
  const text = formatReport(report);
  for (const line of text.split('\n')) t.diagnostic(line);
  assert.match(report.line, /^chaos: \d+ duplicates, \d+ lost, \d+ inventory mismatches, \d+ kills, \d+ faults injected$/);
  assert.ok(report.faultsTotal > 0, 'faults were injected');
  assert.ok(report.kills > 0, 'workers were killed');
  assert.ok(report.merchant.orders > 0 && report.merchant.customers > 0, 'the merchant created orders and customers during the run');
  const v = report.verdict;
  assert.deepEqual(
    { duplicates: v.duplicates, lost: v.lost, inventoryMismatches: v.inventoryMismatches },
    { duplicates: 0, lost: 0, inventoryMismatches: 0 },
    text,
  );
  // One partner per Shopify customer also means no record fails on the hub's own race for it.
  assert.deepEqual(report.conflicts, [], text);
});
