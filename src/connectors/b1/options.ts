/** The client's options and the shapes its generic operations take and return (core.ts). */
import type { B1ErrorContext } from './errors';
import type { B1Logger } from './logger';
import type { B1TlsOptions } from './tls';

export interface B1ClientOptions {
  /** Service root, e.g. https://sap.example.com:50000/b1s/v1 (v2 works too). */
  baseUrl: string;
  companyDb: string;
  userName: string;
  password: string;
  language?: number | string;
  tls?: B1TlsOptions;
  /** Default `Prefer: odata.maxpagesize` for reads (SAP's own default is 20). */
  maxPageSize?: number;
  logger?: B1Logger;
  /** Per-request timeout; $batch uses batchTimeoutMs. */
  timeoutMs?: number;
  batchTimeoutMs?: number;
  /** Retries of idempotent requests after transient failures. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  /** After a rejected login, further logins fail fast for this long (no login loops). */
  loginCooldownMs?: number;
  maxSockets?: number;
  /**
   * The hub's local clock (ms), used only to carry the Service Layer's last `Date` forward between
   * answers (`serverNow`). Default: monotonic (performance), so a wall-clock step does not move it.
   */
  localClock?: () => number;
}

export type EntityKey = string | number;

export interface RequestOptions {
  query?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Safe to repeat after a transient failure (GETs are; writes only when the caller knows). */
  idempotent?: boolean;
  context?: B1ErrorContext;
  timeoutMs?: number;
}

export interface B1Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface PageOptions {
  /** Sent as `Prefer: odata.maxpagesize`; defaults to the client's maxPageSize. */
  maxPageSize?: number;
  /** Case-insensitive string comparisons (HANA), header B1S-CaseInsensitive. */
  caseInsensitive?: boolean;
}

export interface Page<T> {
  value: T[];
  /** From $inlinecount (v1, string on the wire) or $count (v2). */
  count?: number;
  nextLink?: string;
}
