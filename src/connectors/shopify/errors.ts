/**
 * Errors the Shopify connector raises. Messages name the operation, never a credential.
 *
 * Every class says through `kind` whether retrying can help (shared/error-policy.ts turns the
 * kind into retry / fail the record / fail the run; test/errors walks every class exported here).
 */
import { retryableKind, type ErrorKind } from '../../shared/error-policy';

export interface ShopifyUserError {
  field: string[] | null;
  message: string;
  /** Absent for mutations whose error type has no code (plain UserError: bulkOperationCancel, webhookSubscription*, …). */
  code?: string | null;
  /** Index into the input list the error belongs to, when Shopify says (metafieldsSet). */
  elementIndex?: number | null;
}

export interface ShopifyGraphQLErrorDetail {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

export class ShopifyError extends Error {
  /**
   * For the plain class only (bulk downloads, staged uploads): whether the failure was transient
   * (5xx, timeout). Subclasses decide by their `kind`; read `retryable`, which follows the kind.
   */
  private readonly transient: boolean;

  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = new.target.name;
    this.transient = retryable;
  }

  /** Transient, or a response we cannot use (not the documented shape): retrying will not change it. */
  get kind(): ErrorKind {
    return this.transient ? 'transient' : 'protocol';
  }

  /** Whether repeating the same call later may succeed. */
  get retryable(): boolean {
    return retryableKind(this.kind);
  }
}

/**
 * A mutation's payload. The schema makes every payload nullable: it is null only beside a
 * top-level error, which the executor has already thrown, so a null here is a response we cannot use.
 */
export function payloadOf<T>(operation: string, payload: T | null | undefined): T {
  if (payload == null) throw new ShopifyError(`Shopify ${operation} returned no payload`, false);
  return payload;
}

/** Top-level GraphQL errors (validation, access, not-found of a field). Not retryable as is. */
export class ShopifyGraphQLError extends ShopifyError {
  constructor(
    readonly operation: string,
    readonly errors: ShopifyGraphQLErrorDetail[],
    readonly partialData?: unknown,
  ) {
    super(
      `Shopify ${operation}: ${errors.map((e) => `${e.message}${e.extensions?.code ? ` [${String(e.extensions.code)}]` : ''}`).join('; ')}`,
      false,
    );
  }

  /** ACCESS_DENIED: the app lacks a scope (configuration); otherwise the request itself is wrong. */
  override get kind(): ErrorKind {
    return this.errors?.some((e) => e.extensions?.code === 'ACCESS_DENIED') ? 'configuration' : 'invalid-request';
  }
}

/** Query cost over 1000 even at the smallest page size: the query must be reshaped or bulk used. */
export class ShopifyMaxCostError extends ShopifyError {
  constructor(
    readonly operation: string,
    readonly cost: number | null,
  ) {
    super(`Shopify ${operation}: query cost ${cost ?? '?'} exceeds the single query maximum (1000) even at the smallest page size`, false);
  }

  override get kind(): ErrorKind {
    return 'invalid-request';
  }
}

/** Gave up after the configured attempts (throttling, 429, 5xx, network). */
export class ShopifyRetriesExhaustedError extends ShopifyError {
  constructor(
    readonly operation: string,
    readonly attempts: number,
    readonly lastError: string,
  ) {
    super(`Shopify ${operation}: gave up after ${attempts} attempts (${lastError})`, true);
  }

  override get kind(): ErrorKind {
    return 'transient';
  }
}

/**
 * A mutation was sent and no answer came back (5xx, reset, timeout): Shopify may or may not have
 * applied it. Not retried automatically unless the call is idempotent; the caller must reconcile.
 */
export class ShopifyUnknownOutcomeError extends ShopifyError {
  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {
    super(`Shopify ${operation}: outcome unknown (${reason}); not retried because the mutation is not idempotent`, false);
  }

  /** Repeating is safe only after a lookup of what the first attempt wrote (the pipelines' posts do one). */
  override get kind(): ErrorKind {
    return 'unknown-outcome';
  }
}

/** 401/403: the access token is invalid or expired, or the app lacks a scope. */
export class ShopifyAuthError extends ShopifyError {
  constructor(message: string) {
    super(message, false);
  }

  override get kind(): ErrorKind {
    return 'configuration';
  }
}

/** Business failures reported in a mutation payload: per record, never a silent success. */
export class ShopifyUserErrors extends ShopifyError {
  constructor(
    readonly operation: string,
    readonly userErrors: ShopifyUserError[],
  ) {
    super(
      `Shopify ${operation} rejected the input: ${userErrors.map((e) => `${e.field?.join('.') ?? '(input)'}: ${e.message}${e.code ? ` [${e.code}]` : ''}`).join('; ')}`,
      false,
    );
  }

  override get kind(): ErrorKind {
    return 'rejection';
  }
}
