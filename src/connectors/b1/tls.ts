/**
 * TLS for the Service Layer, which ships with a self-signed certificate on :50000. Verification
 * stays on unless the operator explicitly switches it off, and then we say so in the log.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import type { B1Logger } from './logger';

export interface B1TlsOptions {
  /** PEM file with the CA (or the self-signed server certificate itself) to trust. */
  caFile?: string;
  /** PEM text instead of a file. */
  ca?: string | Buffer;
  /** Accept any certificate. Only for lab systems; logs a warning every time a client is built. */
  insecure?: boolean;
}

export function buildAgents(
  tls: B1TlsOptions | undefined,
  logger: B1Logger,
  maxSockets = 16,
): { httpsAgent: HttpsAgent; httpAgent: HttpAgent } {
  const ca = tls?.ca ?? (tls?.caFile ? readFileSync(tls.caFile) : undefined);
  if (tls?.insecure) {
    logger.warn(
      { component: 'b1-client' },
      'TLS certificate verification for the SAP B1 Service Layer is DISABLED (insecure: true); use caFile with the server certificate instead',
    );
  }
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    maxSockets,
    ...(ca ? { ca } : {}),
    rejectUnauthorized: !tls?.insecure,
  });
  return { httpsAgent, httpAgent: new HttpAgent({ keepAlive: true, maxSockets }) };
}
