/**
 * The seams inside src/pipelines (eslint.config.mjs, `pipelineSeams`) hold: a pipeline imports
 * from src/pipelines only the kit, the contract and other pipelines' index.ts, the kit imports no
 * pipeline, and the folder order still applies to pipeline files. Each case lints a one-line file
 * at a real path inside src/ without writing it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const repo = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: repo });

async function restricted(file: string, code: string, rule: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}

const SEAM = '@typescript-eslint/no-restricted-imports';

const CASES: Array<[file: string, code: string, refused: boolean]> = [
  [
    'src/pipelines/order/post.ts',
    "import { PartnerInProgressError } from '../customer/upsert';\nexport const x = PartnerInProgressError;\n",
    true,
  ],
  [
    'src/pipelines/order/post.ts',
    "import { PartnerInProgressError } from '../customer';\nexport const x = PartnerInProgressError;\n",
    false,
  ],
  [
    'src/pipelines/order/post.ts',
    "import { PartnerInProgressError } from '../customer/index';\nexport const x = PartnerInProgressError;\n",
    false,
  ],
  ['src/pipelines/order/fetch.ts', "import { orFilters } from '../kit/paging';\nexport const x = orFilters;\n", false],
  ['src/pipelines/inventory/fetch.ts', "import type { PipelineDeps } from '../contract';\nexport type X = PipelineDeps;\n", false],
  ['src/pipelines/inventory/fetch.ts', "import { PIPELINES } from '../registry';\nexport const x = PIPELINES;\n", true],
  ['src/pipelines/inventory/fetch.ts', "import { createPipelineDeps } from '../deps';\nexport const x = createPipelineDeps;\n", true],
  ['src/pipelines/customer/fetch.ts', "import type { OrderSource } from '../order/types';\nexport type X = OrderSource;\n", true],
  ['src/pipelines/customer/fetch.ts', "import { f } from '../../connectors/b1/odata-query';\nexport const x = f;\n", false],
  ['src/pipelines/kit/paging.ts', "import { customerPipeline } from '../customer';\nexport const x = customerPipeline;\n", true],
  ['src/pipelines/kit/paging.ts', "import type { FetchPageInput } from '../contract';\nexport type X = FetchPageInput;\n", false],
];

for (const [file, code, refused] of CASES) {
  test(`${file}: ${code.split('\n')[0]} is ${refused ? 'refused' : 'allowed'}`, async () => {
    const msgs = await restricted(file, code, SEAM);
    assert.equal(msgs.length > 0, refused, msgs.join('; ') || 'no restricted-import message');
  });
}

test('the folder order still applies to pipeline files beside the seams', async () => {
  const msgs = await restricted(
    'src/pipelines/order/post.ts',
    "import { ledgerWorkflow } from '../../workflows/ledger';\nexport const x = ledgerWorkflow;\n",
    'no-restricted-imports',
  );
  assert.ok(msgs.length > 0, 'src/pipelines importing src/workflows is refused');
});
