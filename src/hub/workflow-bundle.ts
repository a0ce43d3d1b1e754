/**
 * The hub's workflow bundle (webpack, through the SDK), made in a short-lived child process.
 *
 * Webpack's heap was the largest part of a worker's memory: measured, bundling in the worker
 * raised its RSS by ~150 MB and left ~55 MB of its heap retained for its whole life, and V8 does
 * not hand a grown heap back, so every run's peak started there. The child's memory goes when it
 * exits. This module is the child's main too: it imports only the SDK's bundler, so the child
 * starts without loading the hub.
 */
import { fork } from 'node:child_process';
import { bundleWorkflowCode } from '@temporalio/worker';

export type WorkflowBundle = { code: string };

const CHILD_FLAG = 'B1HUB_WORKFLOW_BUNDLE_CHILD';
const quietLogger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };

export function bundleHubWorkflowsHere(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: quietLogger,
    // The SDK needs the inline source map (a workflow's stack trace names the TypeScript file and
    // line through it), not the sources it embeds by default: three quarters of the bundle, parsed
    // by the worker and held again by each workflow thread's source map reader.
    webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-source-map' }),
  });
}

/** The bundle, made by a child process run with this process's loader flags (e.g. tsx's). */
export function bundleHubWorkflowsInChild(): Promise<WorkflowBundle> {
  return new Promise((resolve, reject) => {
    // Test-runner and debugger flags are the parent's own: the child only needs the loaders.
    const execArgv = process.execArgv.filter((a) => !/^--(test|inspect|watch)/.test(a));
    const child = fork(__filename, [], {
      execArgv,
      env: { ...process.env, [CHILD_FLAG]: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let code: string | undefined;
    let failure: string | undefined;
    child.once('message', (m: { code?: unknown; error?: unknown }) => {
      if (typeof m.code === 'string') code = m.code;
      else failure = String(m.error ?? 'no code');
    });
    child.once('error', reject);
    child.once('exit', (status, signal) =>
      code !== undefined
        ? resolve({ code })
        : reject(new Error(`workflow bundling failed: ${failure ?? `the bundler exited with ${status ?? signal}`}`)),
    );
  });
}

if (require.main === module && process.env[CHILD_FLAG] === '1') {
  bundleHubWorkflowsHere().then(
    (b) => process.send?.({ code: b.code }, () => process.exit(0)),
    (err: unknown) => process.send?.({ error: String((err as Error).stack ?? err) }, () => process.exit(1)),
  );
}
