import { randomBytes } from 'node:crypto';
import { attemptTrace, createShopFetch, type ShopFetch } from './transport';
import { ApiVersion, LogSeverity, shopifyApi, type GraphqlClient, type Session, type Shopify } from '@shopify/shopify-api';
import type { ShopifyClientConfig } from './config';
import { ShopifyAuthError, ShopifyError } from './errors';

export interface AuthorizedClient {
  graphql: GraphqlClient;
  /** Epoch ms when the token stops working; null for non-expiring Admin API tokens. */
  expiresAt: number | null;
}

function libraryConfig(cfg: ShopifyClientConfig) {
  return {
    isEmbeddedApp: false,
    hostName: 'b1hub.invalid',
    apiVersion: (cfg.apiVersion ?? ApiVersion.July26) as ApiVersion,
    // The library would log request bodies at debug level; keep it quiet and never pass secrets on.
    logger: { level: LogSeverity.Error, httpRequests: false, timestamps: false, log: async () => undefined },
  };
}

/**
 * Hands out a library GraphQL client with a valid token. Admin API tokens never expire;
 * client-credentials tokens (~24 h) are renewed ahead of expiry (renewBeforeSec, default
 * 10 % of the lifetime capped at 10 min) and on demand after a 401.
 */
export class ShopifyAuth {
  private readonly shopify: Shopify;
  private current: AuthorizedClient | null = null;
  private refreshing: Promise<AuthorizedClient> | null = null;
  /** Tokens obtained so far (observability and tests). */
  tokenGrants = 0;
  /** This client's own fetch (endpoint override validated here); see transport.ts. */
  readonly fetch: ShopFetch;

  constructor(private readonly cfg: ShopifyClientConfig) {
    this.fetch = createShopFetch({ shop: cfg.shop, endpoint: cfg.endpoint });
    const a = cfg.auth;
    if (a.kind === 'accessToken') {
      this.shopify = shopifyApi({
        ...libraryConfig(cfg),
        isCustomStoreApp: true,
        adminApiAccessToken: a.accessToken.reveal(),
        // Required by the library; only used for webhook HMACs, which need the real app secret.
        apiSecretKey: a.apiSecret?.reveal() ?? randomBytes(24).toString('hex'),
      });
    } else {
      this.shopify = shopifyApi({
        ...libraryConfig(cfg),
        isCustomStoreApp: false,
        apiKey: a.clientId,
        apiSecretKey: a.clientSecret.reveal(),
      });
    }
  }

  async client(): Promise<AuthorizedClient> {
    const cur = this.current;
    if (cur && (cur.expiresAt === null || Date.now() < cur.expiresAt - this.renewMargin(cur))) return cur;
    return this.refresh();
  }

  /** After a 401: drop the token so the next call obtains a new one (client credentials only). */
  async invalidate(): Promise<boolean> {
    if (this.cfg.auth.kind !== 'clientCredentials') return false;
    this.current = null;
    return true;
  }

  private lifetimeMs = 0;

  private renewMargin(cur: AuthorizedClient): number {
    if (cur.expiresAt === null) return 0;
    const configured = this.cfg.auth.kind === 'clientCredentials' ? this.cfg.auth.renewBeforeSec : undefined;
    if (configured != null) return configured * 1000;
    return Math.min(600_000, this.lifetimeMs * 0.1);
  }

  private refresh(): Promise<AuthorizedClient> {
    if (!this.refreshing) {
      this.refreshing = this.obtain().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async obtain(): Promise<AuthorizedClient> {
    let session: Session;
    let expiresAt: number | null = null;
    if (this.cfg.auth.kind === 'accessToken') {
      session = this.shopify.session.customAppSession(this.cfg.shop);
    } else {
      try {
        const trace = { fetch: this.fetch, timeoutMs: this.cfg.requestTimeoutMs ?? 30_000, responded: false, networkError: null };
        ({ session } = await attemptTrace.run(trace, () => this.shopify.auth.clientCredentials({ shop: this.cfg.shop })));
      } catch (e) {
        const status = (e as { response?: { code?: number } }).response?.code;
        if (status === 400 || status === 401 || status === 403) {
          throw new ShopifyAuthError(
            `Shopify client-credentials grant for ${this.cfg.shop} refused (HTTP ${status}): check SHOPIFY_CLIENT_ID / SHOPIFY_CLIENT_SECRET`,
          );
        }
        // Network trouble or a Shopify-side error: worth retrying later, not a credentials problem.
        throw new ShopifyError(
          `Shopify client-credentials grant for ${this.cfg.shop} failed${status ? ` (HTTP ${status})` : ' (no response)'}`,
          true,
        );
      }
      expiresAt = session.expires ? session.expires.getTime() : null;
      this.lifetimeMs = expiresAt ? expiresAt - Date.now() : 0;
      this.tokenGrants++;
    }
    const graphql = new this.shopify.clients.Graphql({ session });
    this.current = { graphql, expiresAt };
    return this.current;
  }
}
