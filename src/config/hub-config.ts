/**
 * The hub's configuration: one JSON file (non-secret settings) plus environment variables
 * (secrets), validated by zod at start with messages that name the bad key and why.
 *
 * Secrets live only in the worker process (passed to the connector clients); they never enter
 * workflow inputs, histories, search attributes or logs. With no file at all the hub runs on
 * embedded defaults: the local dev server and the SAP B1 / Shopify simulators with demo data.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { BackoffPolicy } from '../workflows/ledger-state';
import { MappingConfigSchema, DEMO_MAPPING_CONFIG, type MappingConfig } from '../mapping/config';
import { ScheduleSpecSchema, type ScheduleSpec } from '../schedule/spec';
import { isLoopbackHost } from '../shared/loopback';
import { SYNC_OBJECTS, type SyncObject } from '../shared/sync-object';

const TemporalSchema = z.strictObject({
  /** host:port; TEMPORAL_ADDRESS overrides. Omitted = the embedded dev server. */
  address: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. localhost:7233')
    .optional(),
  namespace: z.string().min(1).default('default'),
  taskQueue: z.string().min(1).default('b1-shopify-hub'),
});

const B1Schema = z
  .strictObject({
    baseUrl: z
      .string()
      .url('must be a URL like https://sap.example.com:50000/b1s/v1')
      .refine((u) => /\/b1s\/v[12]\/?$/.test(u), 'must end with /b1s/v1 or /b1s/v2'),
    companyDb: z.string().min(1, 'must name the company database, e.g. SBODEMOUS'),
    userName: z.string().min(1),
    /** Extra CA certificate (PEM) for the Service Layer's self-signed certificate. */
    caFile: z.string().min(1).optional(),
    /** Disables TLS verification. Only for a test system; logged as a warning at every start. */
    insecureSkipTlsVerify: z.boolean().default(false),
    /**
     * Allows `http://` to a host other than this machine: the Login body (with the password) and
     * the session cookie then travel unencrypted. Only for a lab network; logged at every start.
     */
    allowInsecureHttp: z.boolean().default(false),
    pageSize: z.number().int().min(1).max(1000).default(100),
  })
  .superRefine((b1, ctx) => {
    if (isPlainHttpToOtherHost(b1.baseUrl) && !b1.allowInsecureHttp) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['baseUrl'],
        message:
          'plain http to another host sends the B1 password and session cookie unencrypted; use https (with caFile for a self-signed certificate), or set b1.allowInsecureHttp: true for a lab network',
      });
    }
  });

function isPlainHttpToOtherHost(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && !isLoopbackHost(u.hostname);
  } catch {
    return false; // the url check names the problem
  }
}

/**
 * The insecure settings in effect, as warnings to log at every start: an operator who switched
 * a protection off sees it each time, not only on the day it was configured.
 */
export function insecureSettingWarnings(config: Pick<HubConfigFile, 'b1'>): string[] {
  const out: string[] = [];
  if (config.b1.allowInsecureHttp && isPlainHttpToOtherHost(config.b1.baseUrl)) {
    out.push(
      `b1.allowInsecureHttp: the SAP B1 password and session cookie travel unencrypted to ${new URL(config.b1.baseUrl).host}; use https`,
    );
  }
  if (config.b1.insecureSkipTlsVerify)
    out.push('b1.insecureSkipTlsVerify: TLS certificate verification for the SAP B1 Service Layer is disabled; use b1.caFile instead');
  return out;
}

const ShopifySchema = z.strictObject({
  shop: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9-_]*\.myshopify\.com$/, 'must be <name>.myshopify.com'),
  /** Where requests go instead of https://<shop> (the simulator); loopback http only. */
  endpoint: z.string().url().optional(),
  apiVersion: z
    .string()
    .regex(/^\d{4}-\d{2}$/, 'must look like 2026-07')
    .default('2026-07'),
  /** accessToken: SHOPIFY_ACCESS_TOKEN; clientCredentials: SHOPIFY_CLIENT_ID + SHOPIFY_CLIENT_SECRET. */
  auth: z.enum(['accessToken', 'clientCredentials']).default('accessToken'),
  clientId: z.string().min(1).optional(),
});

const SchedulesSchema = z.strictObject({
  customer: ScheduleSpecSchema.optional(),
  product: ScheduleSpecSchema.optional(),
  'shopify-product': ScheduleSpecSchema.optional(),
  order: ScheduleSpecSchema.optional(),
  inventory: ScheduleSpecSchema.optional(),
  delivery: ScheduleSpecSchema.optional(),
});

const minutes = z.number().int().positive();
/**
 * When the open errors of the ledger are retried (README "Failed records"): every run during the
 * first `everyRunForMinutes`, then every `thenEveryMinutes` until `untilMinutes` old, then every
 * `finallyEveryMinutes`; at most `maxPerRun` retries before a run's own work.
 */
const RetriesSchema = z.strictObject({
  everyRunForMinutes: minutes.optional(),
  thenEveryMinutes: minutes.optional(),
  untilMinutes: minutes.optional(),
  finallyEveryMinutes: minutes.optional(),
  maxPerRun: z.number().int().min(1).max(5_000).optional(),
});

/**
 * The webhook receiver (README "Webhooks"). The signing secret is not here: it comes from
 * SHOPIFY_WEBHOOK_SECRET (and SHOPIFY_WEBHOOK_SECRET_PREVIOUS during a rotation) only.
 */
const WebhooksSchema = z.strictObject({
  /** Default: on when publicUrl is set. */
  enabled: z.boolean().optional(),
  /** The callback address Shopify calls (https in production; behind a load balancer its address). */
  publicUrl: z.string().url("must be the receiver's public URL, e.g. https://hub.example.com/webhooks/shopify").optional(),
  /** Where `up` / `b1hub webhooks` listen. */
  port: z.number().int().min(0).max(65535).default(8235),
  host: z.string().min(1).default('127.0.0.1'),
  path: z
    .string()
    .regex(/^\/\S*$/, 'must start with /')
    .default('/webhooks/shopify'),
});
export type WebhooksConfig = z.infer<typeof WebhooksSchema>;

/** Whether `up` starts the receiver and `init --fix` subscribes. */
export function webhooksEnabled(config: Pick<HubConfigFile, 'webhooks'>): boolean {
  return config.webhooks.enabled ?? config.webhooks.publicUrl !== undefined;
}

export const HubConfigFileSchema = z.strictObject({
  temporal: TemporalSchema.default({ namespace: 'default', taskQueue: 'b1-shopify-hub' }),
  b1: B1Schema,
  shopify: ShopifySchema,
  mapping: MappingConfigSchema,
  /** Initial schedules; once a scheduler exists its schedule is changed with `b1hub schedule`. */
  schedules: SchedulesSchema.default({}),
  /** Back-off of the open-error retries; defaults for what is left out. */
  retries: RetriesSchema.default({}),
  webhooks: WebhooksSchema.default({ port: 8235, host: '127.0.0.1', path: '/webhooks/shopify' }),
});
export type HubConfigFile = z.infer<typeof HubConfigFileSchema>;

/** Secrets, read from the environment only. */
export interface HubSecrets {
  b1Password: string;
  shopifyAccessToken?: string;
  shopifyClientSecret?: string;
  /** SHOPIFY_CLIENT_ID, when shopify.clientId is not in the file (not a secret; read with them). */
  shopifyClientId?: string;
}

export interface HubConfig extends HubConfigFile {
  /** 'embedded': no file given, simulators and dev server started by `b1hub up`. */
  source: 'file' | 'embedded';
  schedules: Record<SyncObject, ScheduleSpec>;
}

/** Sensible first schedules: orders often, stock hourly, master data nightly. */
export const DEFAULT_SCHEDULES: Record<SyncObject, ScheduleSpec> = {
  customer: { kind: 'interval', everyMinutes: 60, timezone: 'UTC' },
  product: { kind: 'daily', times: ['02:00'], timezone: 'UTC' },
  // Products made in Shopify become B1 items on the same cadence the combined run had.
  'shopify-product': { kind: 'daily', times: ['02:00'], timezone: 'UTC' },
  order: { kind: 'interval', everyMinutes: 15, timezone: 'UTC' },
  inventory: { kind: 'interval', everyMinutes: 60, timezone: 'UTC' },
  // Shipping confirmations should reach the customer soon after the warehouse posts the delivery.
  delivery: { kind: 'interval', everyMinutes: 15, timezone: 'UTC' },
};

export class HubConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'HubConfigError';
  }
}

function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((i) => `${prefix}${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}

/** Validates a parsed config file object; throws HubConfigError naming every bad key. */
export function parseHubConfig(
  raw: unknown,
  origin = 'config',
  warn: (message: string) => void = (m) => console.warn(`warning: ${m}`),
): HubConfig {
  const parsed = HubConfigFileSchema.safeParse(raw);
  if (!parsed.success) throw new HubConfigError(formatIssues(parsed.error, `${origin}: `));
  const file = parsed.data;
  // insecureSkipTlsVerify is also logged by the B1 client when it builds its agents.
  for (const w of insecureSettingWarnings(file)) if (!w.startsWith('b1.insecureSkipTlsVerify')) warn(`${origin}: ${w}`);
  return { ...file, source: 'file', schedules: { ...DEFAULT_SCHEDULES, ...definedOnly(file.schedules) } };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function loadHubConfigFile(path: string): HubConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HubConfigError([`${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HubConfigError([`${path}: not valid JSON (${(err as Error).message})`]);
  }
  return parseHubConfig(raw, path);
}

/** Reads the secrets the configured auth modes need; errors name the variable, never a value. */
export function loadHubSecrets(config: Pick<HubConfig, 'shopify'>, env: NodeJS.ProcessEnv = process.env): HubSecrets {
  const problems: string[] = [];
  const b1Password = env.B1_PASSWORD;
  if (!b1Password) problems.push('B1_PASSWORD: not set (the Service Layer password of b1.userName)');
  if (config.shopify.auth === 'accessToken' && !env.SHOPIFY_ACCESS_TOKEN) {
    problems.push('SHOPIFY_ACCESS_TOKEN: not set (Admin API access token, shpat_…; shopify.auth is accessToken)');
  }
  if (config.shopify.auth === 'clientCredentials') {
    if (!env.SHOPIFY_CLIENT_SECRET) problems.push('SHOPIFY_CLIENT_SECRET: not set (shopify.auth is clientCredentials)');
    if (!config.shopify.clientId && !env.SHOPIFY_CLIENT_ID) problems.push('shopify.clientId: not set (or SHOPIFY_CLIENT_ID)');
  }
  if (problems.length) throw new HubConfigError(problems);
  return {
    b1Password: b1Password!,
    shopifyAccessToken: env.SHOPIFY_ACCESS_TOKEN,
    shopifyClientSecret: env.SHOPIFY_CLIENT_SECRET,
    ...(env.SHOPIFY_CLIENT_ID ? { shopifyClientId: env.SHOPIFY_CLIENT_ID } : {}),
  };
}

/** Demo credentials of the simulators; they are not secrets (documented in the README). */
export const DEMO_SECRETS: HubSecrets = { b1Password: '1234', shopifyAccessToken: 'shpat_demo' };

/** The embedded configuration `b1hub up` uses when no file is given (webhookUrl: its receiver). */
export function embeddedHubConfig(endpoints: { b1BaseUrl: string; shopifyEndpoint: string; shop: string; webhookUrl?: string }): HubConfig {
  const mapping: MappingConfig = DEMO_MAPPING_CONFIG;
  return {
    source: 'embedded',
    temporal: { namespace: 'default', taskQueue: 'b1-shopify-hub' },
    b1: {
      baseUrl: endpoints.b1BaseUrl,
      companyDb: 'SBODEMOUS',
      userName: 'manager',
      insecureSkipTlsVerify: false,
      allowInsecureHttp: false,
      pageSize: 100,
    },
    shopify: { shop: endpoints.shop, endpoint: endpoints.shopifyEndpoint, apiVersion: '2026-07', auth: 'accessToken' },
    mapping,
    schedules: { ...DEFAULT_SCHEDULES },
    retries: {},
    webhooks: {
      enabled: endpoints.webhookUrl !== undefined,
      publicUrl: endpoints.webhookUrl,
      port: 8235,
      host: '127.0.0.1',
      path: '/webhooks/shopify',
    },
  };
}

export { SYNC_OBJECTS };

/** The ledger's back-off from `retries` (milliseconds; only what the file sets). */
export function ledgerBackoff(config: Pick<HubConfigFile, 'retries'>): Partial<BackoffPolicy> {
  const r = config.retries ?? {};
  const ms = (m: number | undefined) => (m === undefined ? undefined : m * 60_000);
  const out: Partial<BackoffPolicy> = {};
  if (r.everyRunForMinutes !== undefined) out.everyRunForMs = ms(r.everyRunForMinutes);
  if (r.thenEveryMinutes !== undefined) out.thenEveryMs = ms(r.thenEveryMinutes);
  if (r.untilMinutes !== undefined) out.untilMs = ms(r.untilMinutes);
  if (r.finallyEveryMinutes !== undefined) out.finallyEveryMs = ms(r.finallyEveryMinutes);
  if (r.maxPerRun !== undefined) out.maxPerRun = r.maxPerRun;
  return out;
}
