/**
 * Provisioning on demand. `npm start` provisions in its prestart step, but `npx b1hub up` and
 * `npx b1hub sim shopify` are README commands too: when a piece they need is missing they run the
 * same script the prestart step runs (progress on stderr) instead of only naming it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { shopifySchemaPath } from '../sim/shopify/schema';
import { CliError } from './errors';
import { repoRoot } from './status-file';

function runScript(script: string, args: string[]): number | null {
  const file = path.join(repoRoot(), 'scripts', script);
  if (!existsSync(file)) return null;
  // The scripts' own progress lines go to our stderr: stdout stays the command's output.
  const r = spawnSync('bash', [file, ...args], { cwd: repoRoot(), stdio: ['ignore', 2, 2] });
  return r.status;
}

/** The Shopify Admin schema the simulator serves: fetched (scripts/provision-shopify-schema.sh) when missing. */
export function ensureShopifySchema(progress: (line: string) => void): void {
  const file = shopifySchemaPath();
  if (existsSync(file)) return;
  progress(
    `the Shopify Admin schema is missing (${file}); provisioning it now with scripts/provision-shopify-schema.sh (first time only, a ~14 MB npm download)…`,
  );
  const status = runScript('provision-shopify-schema.sh', []);
  if (!existsSync(file)) {
    throw new CliError(
      `could not provision the Shopify Admin schema${status === null ? ' (scripts/provision-shopify-schema.sh is not in this checkout)' : ` (scripts/provision-shopify-schema.sh exited ${status})`}`,
      'the script needs npm and access to the npm registry; its output above says what failed',
    );
  }
}

/** The Temporal CLI path: provisioned (scripts/provision.sh --cli-only, a go install) when missing. */
export function ensureTemporalCli(resolve: () => string | undefined, progress: (line: string) => void): string {
  const found = resolve();
  if (found) return found;
  progress(
    'the Temporal CLI is not provisioned; provisioning it now with scripts/provision.sh --cli-only (first time only; a go install takes a few minutes)…',
  );
  const status = runScript('provision.sh', ['--cli-only']);
  const after = resolve();
  if (!after) {
    throw new CliError(
      `could not provision the Temporal CLI${status === null ? ' (scripts/provision.sh is not in this checkout)' : ''}`,
      'put `temporal` on PATH, set TEMPORAL_CLI_PATH, or install Go (README "Quick start")',
    );
  }
  return after;
}
