/**
 * The folder order of src/ (eslint.config.mjs) holds: a file importing against it fails
 * `npx eslint .`. Each case lints a one-line file at a real path inside src/ without writing it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const repo = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: repo });

async function restricted(file: string, code: string): Promise<string[]> {
  // An existing file's path, so the type-aware parser finds it in the project.
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const CASES: Array<[file: string, code: string, refused: boolean]> = [
  ['src/hub/up.ts', "import { parseObject } from '../cli/context';\nexport const x = parseObject;\n", true],
  ['src/connectors/b1/client.ts', "import { CliError } from '../../hub/errors';\nexport const x = CliError;\n", true],
  [
    'src/temporal/schedulers.ts',
    "import { serverSkipReason } from '../testing/temporal-servers';\nexport const x = serverSkipReason;\n",
    true,
  ],
  [
    'src/temporal/schedulers.ts',
    "import type { TemporalServerKind } from '../testing/temporal-servers';\nexport type X = TemporalServerKind;\n",
    false,
  ],
  ['src/hub/worker.ts', "import { startB1Simulator } from '../sim/b1';\nexport const x = startB1Simulator;\n", true],
  ['src/hub/up.ts', "import { startB1Simulator } from '../sim/b1';\nexport const x = startB1Simulator;\n", false],
  ['src/pipelines/registry.ts', "import { ledgerWorkflow } from '../workflows/ledger';\nexport const x = ledgerWorkflow;\n", true],
  ['src/shared/backoff.ts', "import { hubDataConverter } from '../temporal/data-converter';\nexport const x = hubDataConverter;\n", true],
  ['src/sim/b1/index.ts', "import { startHub } from '../../hub/up';\nexport const x = startHub;\n", true],
  ['src/sim/chaos/driver.ts', "import { startHubWorker } from '../../hub/worker';\nexport const x = startHubWorker;\n", false],
  ['src/cli/context.ts', "import { startHub } from '../hub/up';\nexport const x = startHub;\n", false],
];

for (const [file, code, refused] of CASES) {
  test(`${file}: ${code.split('\n')[0]} is ${refused ? 'refused' : 'allowed'}`, async () => {
    const msgs = await restricted(file, code);
    assert.equal(msgs.length > 0, refused, msgs.join('; ') || 'no restricted-import message');
  });
}
