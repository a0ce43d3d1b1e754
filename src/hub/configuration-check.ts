/**
 * `b1hub init`'s checks as one call: the configuration with the demo's live mapping resolved
 * (when the shop is unreachable the Shopify check says so with its fix), the clients, and the
 * Configuration Summary's checks (src/hub/init-checks.ts).
 */
import type { Connection } from '@temporalio/client';
import type { HubConfig, HubSecrets } from '../config/hub-config';
import { createPipelineDeps } from '../pipelines/deps';
import { runInitChecks, type CheckResult } from './init-checks';
import { moneyChecks } from './money-checks';
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
  const deps = createPipelineDeps(config, o.secrets);
  const results = await runInitChecks({ config, deps, temporal: o.temporal, namespace: o.namespace, fix: o.fix });
  const b1Ok = results.find((r) => r.name === 'SAP B1 Service Layer login')?.state === 'pass';
  results.push(...(await moneyChecks(config, deps, b1Ok)));
  return { config, results };
}
