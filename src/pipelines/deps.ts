/**
 * Builds the pipelines' run-time dependencies (the two connector clients and the mapping
 * config) from the hub config and the secrets. Runs in the worker process only: this is where
 * secrets meet the clients, and nothing built here ever enters a workflow payload. It reads no
 * environment: the config layer (loadHubSecrets) did, and passes the values in.
 */
import { B1Client } from '../connectors/b1/client';
import { ShopifyClient } from '../connectors/shopify/client';
import { Secret } from '../connectors/shopify/secret';
import type { HubConfig, HubSecrets } from '../config/hub-config';
import { DEFAULT_PAGE_SIZES, type PipelineDeps } from './contract';
import { PipelineState } from './kit/state';
import { defaultTuning } from './kit/tuning';
import { createProductState } from './product/state';

export function createPipelineDeps(config: HubConfig, secrets: HubSecrets): PipelineDeps {
  const b1 = new B1Client({
    baseUrl: config.b1.baseUrl,
    companyDb: config.b1.companyDb,
    userName: config.b1.userName,
    password: secrets.b1Password,
    maxPageSize: config.b1.pageSize,
    // Only when asked for: the client warns about TLS options on a plain-http (simulator) URL.
    ...(config.b1.caFile || config.b1.insecureSkipTlsVerify
      ? { tls: { caFile: config.b1.caFile, insecure: config.b1.insecureSkipTlsVerify } }
      : {}),
  });
  const auth =
    config.shopify.auth === 'accessToken'
      ? { kind: 'accessToken' as const, accessToken: new Secret(secrets.shopifyAccessToken ?? '') }
      : {
          kind: 'clientCredentials' as const,
          clientId: config.shopify.clientId ?? secrets.shopifyClientId ?? '',
          clientSecret: new Secret(secrets.shopifyClientSecret ?? ''),
        };
  const shopify = new ShopifyClient({
    shop: config.shopify.shop,
    endpoint: config.shopify.endpoint,
    apiVersion: config.shopify.apiVersion,
    auth,
  });
  return {
    b1,
    shopify,
    mapping: config.mapping,
    pageSizes: { ...DEFAULT_PAGE_SIZES },
    state: new PipelineState(),
    tuning: defaultTuning(),
    product: createProductState(),
  };
}
