/**
 * Service Layer error bodies. v1 (OData v3) sends a numeric code and `{lang,value}` message;
 * v2 (OData v4) sends both as strings (reference §3).
 */
export type ApiVersion = 'v1' | 'v2';

export class SlError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function errorBody(version: ApiVersion, code: number, message: string): unknown {
  if (version === 'v2') return { error: { code: String(code), message } };
  return { error: { code, message: { lang: 'en-us', value: message } } };
}

export const Errors = {
  invalidSession: () => new SlError(401, 301, 'Invalid session or session already timeout.'),
  // Widely observed for wrong credentials; not in SAP's manual (reference §2, §13).
  badLogin: () => new SlError(401, -304, 'Fail to get DB Credentials from SLD'),
  notFound: () => new SlError(404, -2028, 'No matching records found (ODBC -2028)'),
  notSupported: () => new SlError(400, -5006, 'The requested action is not supported for this object.'),
  malformed: (msg: string) => new SlError(400, -1000, msg),
  business: (msg: string) => new SlError(400, -10, msg),
  rule: (msg: string) => new SlError(400, -5002, msg),
} as const;

/** Apache's proxy error page, as the load balancer in front of the nodes sends it (reference §3, B1SL #78). */
export function proxyErrorHtml(path: string): string {
  return (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>502 Proxy Error</title>\n</head><body>\n' +
    '<h1>Proxy Error</h1>\n<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n' +
    `The proxy server could not handle the request <em><a href="${path.replace(/[<>"&]/g, '')}">POST&nbsp;${path.replace(/[<>"&]/g, '')}</a></em>.<p>\n` +
    'Reason: <strong>Error reading from remote server</strong></p></p>\n</body></html>\n'
  );
}
