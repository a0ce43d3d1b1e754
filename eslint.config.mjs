// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

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
  {
    files: ['src/workflows/**/*.ts', 'src/schedule/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: bannedInWorkflows.map((name) => ({ name, message: 'Workflow code must stay deterministic: no Node builtins or I/O libraries.' })),
          patterns: [{ group: ['**/activities/*', '!**/activities/types'], message: 'Import activity types only (import type).', allowTypeImports: true }],
        },
      ],
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
            ...bannedInWorkflows.map((name) => ({ name, message: 'Workflow code must stay deterministic: no Node builtins or I/O libraries.' })),
            { name: '@temporalio/common', allowTypeImports: true, message: 'Use @temporalio/workflow (types from @temporalio/common are fine).' },
          ],
          patterns: [
            {
              group: ['**/pipelines', '**/pipelines/**', '**/connectors/**', '**/mapping', '**/mapping/**', '**/sim/**', '**/hub/**', '**/cli/**', '**/workers/**', '**/temporal/**', '**/config/**'],
              message: 'Workflows import the workflow/activity contract from src/shared (e.g. shared/sync-contract), never worker-side modules.',
            },
            { group: ['**/activities/*', '!**/activities/types'], message: 'Activity implementations stay out of workflows: import types from activities/types.' },
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
