/**
 * Where the CLI and the worker find Temporal. Precedence: --temporal-address / --namespace,
 * then @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS
 * variables and the temporal.toml profile), then the config file, then a running `b1hub up`
 * (data/hub-status.json), then localhost:7233. TLS and API keys come only from envconfig,
 * so the same command works against the dev server, a self-hosted cluster or Temporal Cloud.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { HubConfig } from '../config/hub-config';
import type { HubStatusFile } from './status-file';
import { hubDataConverter } from '../temporal/data-converter';

export interface TemporalTarget {
  address: string;
  namespace: string;
  connectionOptions: NativeConnectionOptions;
}

export function resolveTemporalTarget(o: {
  address?: string;
  namespace?: string;
  config?: HubConfig;
  status?: HubStatusFile;
}): TemporalTarget {
  let env: ReturnType<typeof loadClientConnectConfig> | undefined;
  try {
    env = loadClientConnectConfig();
  } catch {
    env = undefined;
  }
  const envOpts = env?.connectionOptions ?? {};
  const address =
    o.address ??
    (process.env.TEMPORAL_ADDRESS ? envOpts.address : undefined) ??
    o.config?.temporal.address ??
    o.status?.temporal.address ??
    envOpts.address ??
    'localhost:7233';
  const namespace =
    o.namespace ??
    (process.env.TEMPORAL_NAMESPACE ? env?.namespace : undefined) ??
    (o.config?.source === 'file' ? o.config.temporal.namespace : undefined) ??
    o.status?.temporal.namespace ??
    env?.namespace ??
    'default';
  return { address, namespace, connectionOptions: { ...envOpts, address } };
}

/** A client whose connection fails fast (the CLI should not hang on an unreachable server); it decodes the hub's compressed payloads. */
export async function connectClient(target: TemporalTarget): Promise<{ client: Client; connection: Connection }> {
  const { address, tls, apiKey, metadata } = target.connectionOptions;
  const connection = await Connection.connect({
    address,
    ...(tls !== undefined ? { tls } : {}),
    ...(apiKey !== undefined ? { apiKey: apiKey as string } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    connectTimeout: 5_000,
  });
  return { client: new Client({ connection, namespace: target.namespace, dataConverter: hubDataConverter }), connection };
}
