/**
 * `b1hub init`'s checks as one call: the configuration with the demo's live mapping resolved
 * (when the shop is unreachable the Shopify check says so with its fix), the clients, and the
 * Configuration Summary's checks (src/hub/init-checks.ts).
 */
import type { Connection } from '@temporalio/client';
import type { HubConfig, HubSecrets } from '../config/hub-config';
import { createPipelineDeps } from '../pipelines/deps';
import { runInitChecks, type CheckResult } from './init-checks';
import { resolveDemoMapping } from './worker';

export async function checkConfiguration(o: {
  config: HubConfig;
  secrets: HubSecrets;
  temporal: () => Promise<Connection>;
  namespace: string;
  fix: boolean;
}): Promise<{ config: HubConfig; results: CheckResult[] }> {
  let config = o.config;
  try {
    config = await resolveDemoMapping(config, o.secrets);
  } catch {
    // The Shopify check below reports an unreachable shop with its fix.
  }
  const results = await runInitChecks({
    config,
    deps: createPipelineDeps(config, o.secrets),
    temporal: o.temporal,
    namespace: o.namespace,
    fix: o.fix,
  });
  return { config, results };
}
