/** The logging surface the client needs; pino loggers satisfy it. */
export interface B1Logger {
  warn(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export const silentLogger: B1Logger = { warn: () => {} };

/** Fallback when no logger is given: warnings to stderr, nothing else. */
export const stderrLogger: B1Logger = {
  warn: (obj, msg) => process.stderr.write(`[b1-client] WARN ${msg ?? ''} ${JSON.stringify(obj)}\n`),
};
