// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import { readdirSync } from 'node:fs';

// Workflow code runs in Temporal's deterministic sandbox: no Node builtins, no I/O
// libraries. Only @temporalio/workflow, pure libraries and activity *types* may be
// imported there (same guard as temporalio/samples-typescript's shared config).
const bannedInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'axios',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@shopify/shopify-api',
  'graphql',
  'pino',
];

// Which top-level folders of src/ a folder may import at run time. Dependencies flow one way:
// cli → hub → (temporal, workflows, activities, pipelines, connectors, mapping, config, shared,
// schedule); nothing imports cli; nothing in src imports testing (test environments) at run time;
// production code never imports the simulators, except the demo wiring in hub (`up` starts them,
// provision finds the Shopify schema the simulator serves). The simulators themselves sit beside
// production code; sim/chaos is a test harness on top of everything but cli. Type-only imports
// are allowed among the lower folders (workflows need activity and pipeline types; they are erased
// at build time), so the order below is the run-time order; what is missing from a folder's list
// is refused, which keeps the folder graph free of cycles.
const LOWER = ['shared', 'schedule', 'mapping', 'connectors', 'config', 'pipelines', 'workflows', 'activities', 'temporal'];
const MAY_IMPORT = {
  shared: [],
  schedule: ['shared'],
  mapping: ['shared'],
  connectors: ['shared'],
  config: ['shared', 'schedule', 'mapping'],
  pipelines: ['shared', 'schedule', 'mapping', 'connectors', 'config'],
  workflows: ['shared', 'schedule', 'mapping'],
  activities: ['shared', 'schedule', 'mapping', 'connectors', 'config', 'pipelines', 'workflows'],
  temporal: ['shared', 'schedule', 'mapping', 'config', 'workflows'],
  hub: [...LOWER],
  cli: [...LOWER, 'hub'],
  testing: [...LOWER],
  'sim/shared': [],
  'sim/b1': ['sim/shared', 'connectors'],
  'sim/shopify': ['sim/shared'],
  'sim/chaos': [...LOWER, 'hub', 'testing', 'sim/shared', 'sim/b1', 'sim/shopify'],
};
/** Explicit exceptions, each with its reason. */
const EXTRA = {
  // `b1hub up` runs the demo on the simulators; provisioning reads the schema the Shopify simulator serves.
  'hub/up.ts': ['sim/b1', 'sim/shopify'],
  'hub/provision.ts': ['sim/shopify'],
  // The error policy classifies the B1 connector's errors. It belongs in connectors (shared must
  // not depend on them): until it moves, this one import is allowed.
  'shared/error-policy.ts': ['connectors'],
};
const TOP = [
  'activities',
  'cli',
  'config',
  'connectors',
  'hub',
  'mapping',
  'pipelines',
  'schedule',
  'shared',
  'temporal',
  'testing',
  'workflows',
  'sim',
];
const SIM = ['sim/shared', 'sim/b1', 'sim/shopify', 'sim/chaos'];
// Type-only imports that are fine: lower folders among themselves, and test environment types.
const TYPES_OK = new Set([...LOWER, 'testing']);

/** One no-restricted-imports pattern per folder `from` may not import, for a file `depth` folders below src/. */
function folderPatterns(from, depth, allowed) {
  const up = `(\\.\\./){${depth}}`;
  const self = from.startsWith('sim/') ? ['sim', from] : [from];
  const targets = [...TOP.filter((t) => t !== 'sim'), ...SIM].filter((t) => !self.includes(t) && !allowed.includes(t));
  return targets.map((t) => ({
    regex: `^${up}${t.replace('/', '\\/')}(\\/|$)`,
    message: `src/${from} may not import src/${t} (see the folder order in eslint.config.mjs)`,
    ...(TYPES_OK.has(t) && (LOWER.includes(from) || from === 'testing' || t === 'testing') ? { allowTypeImports: true } : {}),
  }));
}

const workflowRule = {
  paths: bannedInWorkflows.map((name) => ({ name, message: 'Workflow code must stay deterministic: no Node builtins or I/O libraries.' })),
  patterns: [
    { group: ['**/activities/*', '!**/activities/types'], message: 'Import activity types only (import type).', allowTypeImports: true },
  ],
};

/** The layering as per-folder, per-depth overrides (a file's depth decides how many ../ reach src/). */
function layering() {
  const out = [];
  for (const [from, allowed] of Object.entries(MAY_IMPORT)) {
    const base = from === 'workflows' || from === 'schedule' ? workflowRule : { paths: [], patterns: [] };
    const fromDepth = from.split('/').length;
    for (let depth = fromDepth; depth <= 5; depth++) {
      const glob = `src/${from}/${'*/'.repeat(depth - fromDepth)}*.ts`;
      const rule = (extra) => [
        'error',
        { paths: base.paths, patterns: [...base.patterns, ...folderPatterns(from, depth, [...allowed, ...extra])] },
      ];
      out.push({ files: [glob], rules: { 'no-restricted-imports': rule([]) } });
      for (const [file, extra] of Object.entries(EXTRA)) {
        if (file.startsWith(`${from}/`) && file.split('/').length - 1 === depth)
          out.push({ files: [`src/${file}`], rules: { 'no-restricted-imports': rule(extra) } });
      }
    }
  }
  return out;
}

// Inside src/pipelines: a pipeline (src/pipelines/<object>/) imports from src/pipelines only the
// kit (shared pieces), the contract and other pipelines' public index.ts; what one pipeline offers
// another is in its index, so its files can change behind it. The kit imports no pipeline. Lower
// folders stay as the folder order above allows. A separate rule name, so this block adds to the
// folder order instead of replacing it (both are checked on every pipeline file).
const PIPELINE_FOLDERS = readdirSync(new URL('./src/pipelines/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'kit')
  .map((d) => d.name);
const pipelineSeams = [
  {
    files: ['src/pipelines/*/**/*.ts'],
    ignores: ['src/pipelines/kit/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            // ../<folder>/<file>: only the kit's files, or another pipeline's index.
            {
              regex: '^\\.\\./(?!kit/|\\.\\./)[^/]+/(?!index$).+',
              message:
                "A pipeline imports another pipeline only through its index.ts (e.g. '../customer'), and shared pieces from src/pipelines/kit.",
            },
            // ../<file>: only the contract or a pipeline folder (its index).
            {
              regex: `^\\.\\./(?!(?:contract|kit|${PIPELINE_FOLDERS.join('|')})$)[^./][^/]*$`,
              message: 'A pipeline imports from src/pipelines only the kit, the contract and other pipelines’ index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/pipelines/kit/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!contract$|\\.\\./)[^/]+',
              message: 'The pipeline kit imports no pipeline (only the contract, beside the lower folders).',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layering(),
  ...pipelineSeams,
  {
    files: ['src/workflows/**/*.ts', 'src/schedule/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'fetch', 'process'],
    },
  },
  // Workflows see the worker side only through the contract's types (src/shared, activities/types):
  // no pipelines, connectors, activity implementations, mapping code or hub/CLI modules, whose
  // imports would pull I/O or worker-side logic into the sandbox. This block replaces the rule
  // above for workflow files, so it repeats the ban on builtins and I/O libraries.
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...bannedInWorkflows.map((name) => ({
              name,
              message: 'Workflow code must stay deterministic: no Node builtins or I/O libraries.',
            })),
            {
              name: '@temporalio/common',
              allowTypeImports: true,
              message: 'Use @temporalio/workflow (types from @temporalio/common are fine).',
            },
          ],
          patterns: [
            {
              group: [
                '**/pipelines',
                '**/pipelines/**',
                '**/connectors/**',
                '**/mapping',
                '**/mapping/**',
                '**/sim/**',
                '**/hub/**',
                '**/cli/**',
                '**/workers/**',
                '**/temporal/**',
                '**/config/**',
              ],
              message:
                'Workflows import the workflow/activity contract from src/shared (e.g. shared/sync-contract), never worker-side modules.',
            },
            {
              group: ['**/activities/*', '!**/activities/types'],
              message: 'Activity implementations stay out of workflows: import types from activities/types.',
            },
            { group: ['**/activities/types'], allowTypeImports: true, message: 'Import activity types only (import type).' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
