/**
 * The hub's one error policy: what a failure means for the run.
 *
 * Every error class of both connectors says what kind of failure it is (`kind`); this module
 * turns the kind into two decisions the activity layer acts on:
 * - `retryable`: can repeating the call help? Connection trouble, 5xx and throttling: yes.
 *   Auth, TLS, configuration, validation and business rejections: no (a wrong password retried
 *   ten times locks the B1 user). An unknown outcome: only through a lookup of what the first
 *   attempt wrote, which every pipeline's post does before it writes, so a retried page is safe.
 * - `scope`: does the error concern one record, or the page, the connection, the setup? A
 *   record's error fails that record alone (the rest of its page goes on); the others fail the
 *   activity, and Temporal retries it when `retryable`.
 *
 * Errors no class claims (a TypeError in mapping code, a bug) concern the record they happened
 * on, and are retried when they escape from a step that has no records (fetch).
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { B1BusinessRuleError, B1NotFoundError } from '../connectors/b1/errors';
import { PERMANENT_ERROR_TYPES } from './permanent-errors';

export const ERROR_KINDS = [
  /** Network, timeout, 5xx, 429 / throttling, outage: retry with back-off. */
  'transient',
  /** A write was sent and no answer came: retry only after looking up what was written. */
  'unknown-outcome',
  /** Credentials, TLS, missing scope, settings: nothing changes until an operator acts. */
  'configuration',
  /** The target refused this record (validation, business rule, missing reference). */
  'rejection',
  /** Someone else changed the record meanwhile: a later attempt re-reads it. */
  'conflict',
  /** Our request is malformed for the target (GraphQL validation, query too costly). */
  'invalid-request',
  /** The target answered in a shape we cannot use. */
  'protocol',
  /** No class claims it: a bug or an unexpected value in one record's data. */
  'unexpected',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ErrorDecision {
  kind: ErrorKind;
  /** Whether repeating the same step later can succeed. */
  retryable: boolean;
  /** 'record': fail the record at hand only; 'run': fail the activity (the page, the run). */
  scope: 'record' | 'run';
}

const DECISIONS: Record<ErrorKind, Omit<ErrorDecision, 'kind'>> = {
  transient: { retryable: true, scope: 'run' },
  'unknown-outcome': { retryable: true, scope: 'run' },
  configuration: { retryable: false, scope: 'run' },
  rejection: { retryable: false, scope: 'record' },
  conflict: { retryable: true, scope: 'record' },
  'invalid-request': { retryable: false, scope: 'record' },
  protocol: { retryable: false, scope: 'record' },
  // Retried when it fails a whole step (it may be a raw network error from a library); a record
  // it happens on fails alone.
  unexpected: { retryable: true, scope: 'record' },
};

/** Errors outside the connectors that say what they are by name (they travel as failure types). */
const KIND_BY_NAME: Record<string, ErrorKind> = {
  ...Object.fromEntries(PERMANENT_ERROR_TYPES.map((n) => [n, 'configuration' as const])),
  // Shopify asks idempotent callers to come back later (pipelines/inventory/post.ts).
  InventoryRetryLaterError: 'transient',
  // A record's data the mapping refuses (mapping/errors.ts).
  MappingError: 'rejection',
};

export function retryableKind(kind: ErrorKind): boolean {
  return DECISIONS[kind].retryable;
}

function isKind(k: unknown): k is ErrorKind {
  return typeof k === 'string' && (ERROR_KINDS as readonly string[]).includes(k);
}

/** Socket-level failure codes (Node, undici): the connection, not the record. */
const NETWORK_CODE =
  /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|UND_ERR_|ERR_SOCKET_|ERR_STREAM_PREMATURE_CLOSE)/;

/**
 * A network failure that reached us unwrapped: Node's fetch throws `TypeError: fetch failed`
 * with the socket error as its cause (bulk downloads, staged uploads), other libraries throw the
 * socket error itself. Without this, such a TypeError would pass for a poison record.
 */
function isRawNetworkError(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODE.test(code)) return true;
    if (cur.name === 'TimeoutError' || (cur instanceof TypeError && cur.message === 'fetch failed')) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

export function errorKind(err: unknown): ErrorKind {
  const own = (err as { kind?: unknown } | null | undefined)?.kind;
  if (err instanceof Error && isKind(own)) return own;
  if (err instanceof Error && KIND_BY_NAME[err.name]) return KIND_BY_NAME[err.name]!;
  if (isRawNetworkError(err)) return 'transient';
  return 'unexpected';
}

/** The policy's decision for any thrown value. */
export function errorDecision(err: unknown): ErrorDecision {
  // Temporal's own: a cancelled activity, or a failure a step already decided on.
  if (err instanceof CancelledFailure) return { kind: 'transient', retryable: true, scope: 'run' };
  if (err instanceof ApplicationFailure) return { kind: errorKind(err), retryable: !err.nonRetryable, scope: 'run' };
  const kind = errorKind(err);
  return { kind, ...DECISIONS[kind] };
}

/** True when the error concerns one record only: fail that record and let its page go on. */
export function concernsOneRecord(err: unknown): boolean {
  return errorDecision(err).scope === 'record';
}

/** A B1 refusal of this one record (validation, business rule, missing reference), not an outage. */
export function isRecordRejection(e: unknown): e is B1BusinessRuleError | B1NotFoundError {
  return (e instanceof B1BusinessRuleError || e instanceof B1NotFoundError) && errorKind(e) === 'rejection';
}

/** The field an error names, when it knows one (SAP's message or context, Shopify's userErrors). */
export function errorField(err: unknown): string | undefined {
  const ctx = (err as { context?: { field?: unknown } } | null | undefined)?.context;
  if (typeof ctx?.field === 'string') return ctx.field;
  const own = (err as { field?: unknown } | null | undefined)?.field;
  if (typeof own === 'string') return own;
  const ue = (err as { userErrors?: { field?: unknown }[] } | null | undefined)?.userErrors?.[0]?.field;
  if (Array.isArray(ue)) return ue.filter((x) => x !== 'input').join('.') || undefined;
  return undefined;
}

/** One line, never more: multi-line messages (config problems) are joined. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*(-\s*)?/g, '; ').trim();
}

/**
 * What the operator reads in `b1hub status` and `sync --wait` when a run fails for
 * configuration: that it is configuration, and what to check. Built from the error's own
 * fields: user name and company database are not secrets, passwords and tokens never reach an
 * error (the connectors keep them out).
 */
export function configurationMessage(err: Error): string {
  const e = err as Error & { userName?: unknown; companyDb?: unknown; loginMessage?: unknown };
  switch (err.name) {
    case 'B1LoginRejectedError':
      return `configuration: SAP B1 rejected the login for user '${String(e.userName)}' on ${String(e.companyDb)} (${String(e.loginMessage)}) — check b1.userName, b1.companyDb and B1_PASSWORD`;
    case 'B1TlsError':
      return `configuration: ${oneLine(err.message)} — check b1.caFile (or b1.baseUrl's host name)`;
    case 'ShopifyAuthError':
      return `configuration: ${oneLine(err.message)} — check SHOPIFY_ACCESS_TOKEN (or the client credentials) and the app's access scopes`;
    case 'ShopifyGraphQLError':
      return `configuration: ${oneLine(err.message)} — check the app's access scopes`;
    default:
      return `configuration: ${oneLine(err.message)}`;
  }
}

/**
 * The failure an activity throws for `err`: a non-retryable ApplicationFailure (with the error's
 * class name as its type) when retrying cannot help, the error itself otherwise.
 */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  const d = errorDecision(err);
  if (d.retryable) return err;
  const message = d.kind === 'configuration' ? configurationMessage(err) : err.message;
  return ApplicationFailure.create({ message, type: err.name, nonRetryable: true });
}
