/**
 * What every command needs, resolved lazily from the global options: the hub config (file or
 * the embedded demo config of a running `b1hub up`), the secrets, and a Temporal client.
 */
import type { Client, Connection } from '@temporalio/client';
import { DEMO_SECRETS, embeddedHubConfig, loadHubConfigFile, loadHubSecrets, type HubConfig, type HubSecrets } from '../config/hub-config';
import { readHubStatus, resolveDataDir, type HubStatusFile } from '../hub/status-file';
import { connectClient, resolveTemporalTarget, type TemporalTarget } from '../hub/temporal-connection';
import { isSyncObject, SYNC_OBJECTS, type SyncObject } from '../shared/sync-object';
import { CliError } from '../hub/errors';

export interface GlobalOptions {
  config?: string;
  temporalAddress?: string;
  namespace?: string;
  dataDir?: string;
  verbose?: boolean;
}

export class CliContext {
  private clientPromise?: Promise<{ client: Client; connection: Connection }>;
  private configCache?: HubConfig;

  constructor(readonly opts: GlobalOptions) {}

  get dataDir(): string {
    return resolveDataDir(this.opts.dataDir);
  }

  get configPath(): string | undefined {
    return this.opts.config ?? (process.env.B1HUB_CONFIG || undefined);
  }

  /** The running `b1hub up` on this data folder, if any. */
  hubStatus(): HubStatusFile | undefined {
    return readHubStatus(this.dataDir);
  }

  /** The config file's config, or the embedded config of the running `b1hub up`. */
  config(): HubConfig {
    if (this.configCache) return this.configCache;
    const file = this.configPath;
    if (file) return (this.configCache = loadHubConfigFile(file));
    const status = this.hubStatus();
    if (!status) {
      throw new CliError(
        'no configuration: no --config file given and no `b1hub up` is running on this data folder',
        `start the demo hub with \`npm start\`, or pass --config <file> (see README "Configuration")${this.opts.dataDir ? '' : '; if `up` runs with --data-dir, pass the same --data-dir'}`,
      );
    }
    const config = embeddedHubConfig({
      b1BaseUrl: status.b1.baseUrl,
      shopifyEndpoint: status.shopify.endpoint,
      shop: status.shopify.shop,
      webhookUrl: status.webhooks?.publicUrl,
    });
    config.temporal = {
      ...config.temporal,
      namespace: status.temporal.namespace,
      taskQueue: status.temporal.taskQueue,
      address: status.temporal.address,
    };
    return (this.configCache = config);
  }

  secrets(): HubSecrets {
    const config = this.config();
    return config.source === 'embedded' ? DEMO_SECRETS : loadHubSecrets(config);
  }

  temporalTarget(): TemporalTarget {
    let config: HubConfig | undefined;
    if (this.configPath) config = this.config();
    return resolveTemporalTarget({ address: this.opts.temporalAddress, namespace: this.opts.namespace, config, status: this.hubStatus() });
  }

  async client(): Promise<Client> {
    this.clientPromise ??= connectClient(this.temporalTarget());
    return (await this.clientPromise).client;
  }

  async connection(): Promise<Connection> {
    await this.client();
    return (await this.clientPromise!).connection;
  }

  async close(): Promise<void> {
    if (!this.clientPromise) return;
    try {
      await (await this.clientPromise).connection.close();
    } catch {
      // Never connected: nothing to close.
    }
  }
}

export function parseObject(name: string): SyncObject {
  if (isSyncObject(name)) return name;
  throw new CliError(`unknown object '${name}'`, `use one of ${SYNC_OBJECTS.join(', ')}`);
}

/** <object> or 'all'. */
export function parseObjects(name: string): SyncObject[] {
  return name === 'all' ? [...SYNC_OBJECTS] : [parseObject(name)];
}
