/**
 * Typed Service Layer errors the sync can branch on. Messages carry SAP's text verbatim plus the
 * record (entity set, key) and field when known; never credentials or session ids.
 *
 * Every class says through `kind` whether retrying can help (shared/error-policy.ts turns the
 * kind into retry / fail the record / fail the run; test/errors walks every class exported here).
 */
import type { ErrorKind } from '../../shared/error-policy';

export interface B1ErrorContext {
  entity?: string;
  key?: string | number;
  field?: string;
  method?: string;
  /** Resource path without query string (queries may carry customer data). */
  path?: string;
}

export class B1Error extends Error {
  readonly status: number | undefined;
  /** SAP error code (number on v1, string on v2 normalised to number when numeric). */
  readonly code: number | string | undefined;
  /** SAP's message text, unchanged. */
  readonly sapMessage: string;
  readonly context: B1ErrorContext;

  constructor(sapMessage: string, opts: { status?: number; code?: number | string; context?: B1ErrorContext; cause?: unknown } = {}) {
    const ctx = opts.context ?? {};
    const where = [
      ctx.entity && `${ctx.entity}${ctx.key !== undefined ? `(${JSON.stringify(ctx.key)})` : ''}`,
      ctx.field && `field ${ctx.field}`,
    ]
      .filter(Boolean)
      .join(' ');
    const head = [opts.status !== undefined ? `HTTP ${opts.status}` : undefined, opts.code !== undefined ? `code ${opts.code}` : undefined]
      .filter(Boolean)
      .join(', ');
    super(
      `${where ? `${where}: ` : ''}${sapMessage}${head ? ` [${head}${ctx.method ? ` ${ctx.method} ${ctx.path ?? ''}` : ''}]` : ''}`,
      opts.cause ? { cause: opts.cause } : undefined,
    );
    this.name = new.target.name;
    this.status = opts.status;
    this.code = opts.code;
    this.sapMessage = sapMessage;
    this.context = ctx;
  }

  /** An SAP error no subclass recognised: SAP answered and refused, so repeating will not help. */
  get kind(): ErrorKind {
    return 'rejection';
  }
}

/** -2028: no matching record (GET/PATCH by unknown key, or a referenced master record is missing on POST). */
export class B1NotFoundError extends B1Error {
  override get kind(): ErrorKind {
    return 'rejection';
  }
}
/** Business validation (-10, -5002, -5006, -1116, …) and malformed payloads (-1000): do not retry. */
export class B1BusinessRuleError extends B1Error {
  override get kind(): ErrorKind {
    return 'rejection';
  }
}
/**
 * Session missing/expired (301) again right after the single re-login, or no session cookie in
 * the login's answer. The login itself succeeded, so the credentials are fine: a node or proxy
 * lost the session (load balancer without ROUTEID stickiness, Service Layer restart), which a
 * later attempt may not meet again. A refused login is B1LoginRejectedError.
 */
export class B1SessionError extends B1Error {
  override get kind(): ErrorKind {
    return 'transient';
  }
}
/**
 * The Login itself was refused (wrong user, password or company database): repeating cannot
 * help and would lock the user sooner.
 */
export class B1LoginRejectedError extends B1SessionError {
  constructor(
    readonly userName: string,
    readonly companyDb: string,
    /** SAP's answer to the Login, unchanged (never contains the password). */
    readonly loginMessage: string,
    opts: { status?: number; code?: number | string; context?: B1ErrorContext } = {},
  ) {
    super(`login rejected for company ${companyDb}, user ${userName}: ${loginMessage}`, opts);
  }

  override get kind(): ErrorKind {
    return 'configuration';
  }
}
/** 412 / -2039: ETag mismatch, another user changed the record: a later attempt re-reads it. */
export class B1ConflictError extends B1Error {
  override get kind(): ErrorKind {
    return 'conflict';
  }
}
/**
 * 5xx, HTML bodies from the load balancer, timeouts and network failures. `mayHaveBeenApplied`
 * tells whether a write might have been committed before the failure (then it must not be replayed blindly).
 */
export class B1TransientError extends B1Error {
  mayHaveBeenApplied = false;

  override get kind(): ErrorKind {
    return this.mayHaveBeenApplied ? 'unknown-outcome' : 'transient';
  }
}
/** The server certificate was not trusted (configure tls.caFile); retrying cannot help. */
export class B1TlsError extends B1Error {
  override get kind(): ErrorKind {
    return 'configuration';
  }
}
/** A 2xx response that does not match SAP's documented shape (or our zod schema). */
export class B1ProtocolError extends B1Error {
  override get kind(): ErrorKind {
    return 'protocol';
  }
}

export interface ParsedSapError {
  code: number | string | undefined;
  message: string;
  isHtml: boolean;
}

/** Reads both error shapes (v1 numeric code + {lang,value}; v2 strings) and HTML bodies. */
export function parseErrorBody(body: string, contentType: string | undefined): ParsedSapError {
  const trimmed = body.trim();
  if ((contentType ?? '').includes('html') || trimmed.startsWith('<')) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    const reason = /Reason:\s*<strong>([^<]*)<\/strong>/i.exec(trimmed)?.[1]?.trim();
    return { code: undefined, message: [title ?? 'HTML error page', reason].filter(Boolean).join(': '), isHtml: true };
  }
  try {
    const j = JSON.parse(trimmed) as { error?: { code?: unknown; message?: unknown } };
    const e = j.error;
    if (e && typeof e === 'object') {
      const rawCode = e.code;
      const code =
        typeof rawCode === 'number'
          ? rawCode
          : typeof rawCode === 'string' && /^-?\d+$/.test(rawCode)
            ? Number(rawCode)
            : typeof rawCode === 'string'
              ? rawCode
              : undefined;
      const m = e.message;
      const message =
        typeof m === 'string'
          ? m
          : m && typeof m === 'object' && typeof (m as { value?: unknown }).value === 'string'
            ? (m as { value: string }).value
            : JSON.stringify(m ?? '');
      return { code, message, isHtml: false };
    }
  } catch {
    // fall through: not JSON
  }
  return { code: undefined, message: trimmed.slice(0, 200) || '(empty body)', isHtml: false };
}

/** Field named by SAP's message, e.g. "Property 'Foo' of 'Item' is invalid", "Value too long in property 'CardName' …". */
export function fieldFromMessage(msg: string): string | undefined {
  return /[Pp]roperty '([^']+)'/.exec(msg)?.[1] ?? /field '([^']+)'/.exec(msg)?.[1];
}

export function classifyError(status: number, parsed: ParsedSapError, context: B1ErrorContext): B1Error {
  const field = context.field ?? fieldFromMessage(parsed.message);
  const ctx = { ...context, ...(field ? { field } : {}) };
  const opts = { status, ...(parsed.code !== undefined ? { code: parsed.code } : {}), context: ctx };
  if (parsed.isHtml || status >= 500) return new B1TransientError(parsed.message, opts);
  if (status === 401 || parsed.code === 301) return new B1SessionError(parsed.message, opts);
  if (status === 412 || parsed.code === -2039) return new B1ConflictError(parsed.message, opts);
  if (status === 404 || parsed.code === -2028) return new B1NotFoundError(parsed.message, opts);
  if (status === 429 || status === 408) return new B1TransientError(parsed.message, opts);
  return new B1BusinessRuleError(parsed.message, opts);
}

/**
 * A network error reduced to code and message. Raw axios errors carry the request config (cookie
 * header with the session id, and the Login body with the password), so they never become a cause.
 */
export function sanitizeCause(e: unknown): Error {
  const code = (e as { code?: unknown }).code;
  const msg = e instanceof Error ? e.message : String(e);
  const out = new Error(`${typeof code === 'string' ? `${code}: ` : ''}${msg.slice(0, 200)}`);
  out.name = e instanceof Error ? e.name : 'Error';
  return out;
}
