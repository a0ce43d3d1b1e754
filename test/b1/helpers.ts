import { B1Client, type B1ClientOptions } from '../../src/connectors/b1';
import type { B1Logger } from '../../src/connectors/b1/logger';
import { startB1Simulator, type B1Simulator, type B1SimulatorOptions } from '../../src/sim/b1';

export const CREDS = { companyDb: 'SBODEMOUS', userName: 'manager', password: '1234' } as const;

export async function startSim(opts: B1SimulatorOptions = {}): Promise<B1Simulator> {
  return startB1Simulator({ port: 0, seed: { items: 60, customers: 10 }, ...opts });
}

export interface CapturingLogger extends B1Logger {
  lines: Array<{ level: string; obj: object; msg: string | undefined }>;
}
export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = [];
  return {
    lines,
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
  };
}

export function clientFor(url: string, extra: Partial<B1ClientOptions> = {}): B1Client {
  return new B1Client({ baseUrl: url, ...CREDS, logger: capturingLogger(), retryBaseDelayMs: 5, ...extra });
}

/** Number of Login requests the simulator has seen. */
export function loginCount(sim: B1Simulator): number {
  return sim.faults.log.filter((l) => /^POST \/b1s\/v[12]\/Login/.test(l)).length;
}

/** Raw HTTP against the simulator with a fresh session, for protocol-level assertions. */
export async function rawSession(url: string): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  const r = await fetch(`${url}/Login`, {
    method: 'POST',
    body: JSON.stringify({ CompanyDB: CREDS.companyDb, UserName: CREDS.userName, Password: CREDS.password }),
  });
  if (r.status !== 200) throw new Error(`login failed ${r.status}`);
  const cookies = r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return (path, init = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), Cookie: cookies } });
}
