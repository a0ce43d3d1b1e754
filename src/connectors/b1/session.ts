/**
 * Service Layer session handling: one login shared by all concurrent callers (single-flight),
 * both cookies kept, idle expiry anticipated, and no login retry loop: failed logins are slow on a
 * real system and repeated ones can lock the user, so a credential failure is remembered for a
 * cool-down period and reported again without another attempt.
 */
import type { AxiosInstance } from 'axios';
import {
  B1Error,
  B1LoginRejectedError,
  B1SessionError,
  B1TlsError,
  B1TransientError,
  classifyError,
  parseErrorBody,
  sanitizeCause,
} from './errors';

export interface B1Credentials {
  companyDb: string;
  userName: string;
  password: string;
  /** Login language code (e.g. 3 = English (US)); optional. */
  language?: number | string;
}

export interface B1SessionInfo {
  /** Opaque id used only to tell sessions apart; never logged. */
  readonly id: string;
  readonly cookie: string;
  readonly timeoutMinutes: number;
  lastUsed: number;
  readonly version: string | undefined;
}

export class B1SessionManager {
  private current: B1SessionInfo | undefined;
  private inflight: Promise<B1SessionInfo> | undefined;
  private failure: { at: number; error: B1Error } | undefined;
  loginCount = 0;

  constructor(
    private readonly http: AxiosInstance,
    private readonly loginUrl: string,
    private readonly creds: B1Credentials,
    private readonly opts: { loginCooldownMs: number; now?: () => number },
  ) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** A usable session, logging in if there is none or it is about to pass its idle timeout. */
  async get(): Promise<B1SessionInfo> {
    const s = this.current;
    // B1SLayer keeps a one-minute margin before SessionTimeout; so do we.
    if (s && this.now() - s.lastUsed < Math.max(0, s.timeoutMinutes - 1) * 60_000) return s;
    if (s) this.current = undefined;
    return this.login();
  }

  /** Drops `s` if it is still the current session, so exactly one caller triggers the next login. */
  invalidate(s: B1SessionInfo): void {
    if (this.current === s) this.current = undefined;
  }

  touch(s: B1SessionInfo): void {
    s.lastUsed = this.now();
  }

  login(): Promise<B1SessionInfo> {
    if (this.inflight) return this.inflight;
    if (this.failure && this.now() - this.failure.at < this.opts.loginCooldownMs) return Promise.reject(this.failure.error);
    const p = this.doLogin().finally(() => {
      this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  private async doLogin(): Promise<B1SessionInfo> {
    this.loginCount++;
    const body: Record<string, unknown> = { CompanyDB: this.creds.companyDb, UserName: this.creds.userName, Password: this.creds.password };
    if (this.creds.language !== undefined) body.Language = this.creds.language;
    let res;
    try {
      res = await this.http.request<string>({
        method: 'POST',
        url: this.loginUrl,
        data: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' },
      });
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e as Error).message;
      if (/^(CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_CERT_ALTNAME_INVALID)/.test(code)) {
        throw new B1TlsError(`TLS certificate of the Service Layer not trusted (${code}); set tls.caFile to its CA or certificate`, {
          context: { method: 'POST', path: 'Login' },
          cause: sanitizeCause(e),
        });
      }
      throw new B1TransientError(`login to SAP B1 Service Layer failed: ${code}`, {
        context: { method: 'POST', path: 'Login' },
        cause: sanitizeCause(e),
      });
    }
    const ctx = { method: 'POST', path: 'Login', entity: 'Login' };
    if (res.status !== 200) {
      const parsed = parseErrorBody(res.data, res.headers['content-type'] as string | undefined);
      const err = classifyError(res.status, parsed, ctx);
      if (res.status === 401 || res.status === 400) {
        const e = new B1LoginRejectedError(this.creds.userName, this.creds.companyDb, parsed.message, {
          status: res.status,
          ...(parsed.code !== undefined ? { code: parsed.code } : {}),
          context: ctx,
        });
        this.failure = { at: this.now(), error: e };
        throw e;
      }
      throw err;
    }
    const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
    const jar = new Map<string, string>();
    for (const c of cookies) {
      const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
      if (m) jar.set(m[1]!, m[2]!);
    }
    let payload: { SessionId?: string; SessionTimeout?: number; Version?: string } = {};
    try {
      payload = JSON.parse(res.data) as typeof payload;
    } catch {
      // some proxies strip the body; cookies are what matters
    }
    const sid = jar.get('B1SESSION') ?? payload.SessionId;
    if (!sid) throw new B1SessionError('login response carried no B1SESSION cookie', { status: res.status, context: ctx });
    jar.set('B1SESSION', sid);
    const cookie = [...jar.entries()]
      .filter(([k]) => k === 'B1SESSION' || k === 'ROUTEID')
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    this.failure = undefined;
    const s: B1SessionInfo = {
      id: sid,
      cookie,
      timeoutMinutes: typeof payload.SessionTimeout === 'number' && payload.SessionTimeout > 0 ? payload.SessionTimeout : 30,
      lastUsed: this.now(),
      version: payload.Version,
    };
    this.current = s;
    return s;
  }

  async logout(): Promise<void> {
    const s = this.current;
    this.current = undefined;
    if (!s) return;
    try {
      await this.http.request({ method: 'POST', url: this.loginUrl.replace(/Login$/, 'Logout'), headers: { Cookie: s.cookie } });
    } catch {
      // logging out is best effort; the session times out anyway
    }
  }
}
