/**
 * How long-running commands (`up`, `worker`, `sim …`, `codec-server`) learn that they must stop,
 * and what keeps them alive until their shutdown has run.
 */

/** Ctrl-C, a service manager's stop, the terminal closed. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Resolves with the first SIGINT, SIGTERM or SIGHUP and stops listening. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      for (const s of STOP_SIGNALS) process.off(s, on);
      resolve(sig);
    };
    for (const s of STOP_SIGNALS) process.on(s, on);
  });
}

export type StopRequest = { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'fatal'; error: unknown };

/**
 * Resolves with the first reason to stop: a stop signal or an uncaught error (an exception or an
 * unhandled rejection anywhere in the process). Unlike untilSignal it keeps listening until the
 * process exits, because a signal without a listener ends a Node process on the spot, in the
 * middle of the shutdown: a Ctrl-C pressed twice, a signal sent by both the terminal and a parent
 * that relays it (npm and tsx both do), or SIGHUP right after SIGINT when the terminal is closed.
 * Later signals call onRepeat (which may force the exit); later errors are only reported.
 */
export function untilStopRequested(onRepeat: (request: StopRequest) => void): Promise<StopRequest> {
  return new Promise((resolve) => {
    let first = true;
    const handle = (request: StopRequest) => {
      if (first) {
        first = false;
        resolve(request);
      } else {
        onRepeat(request);
      }
    };
    for (const s of STOP_SIGNALS) process.on(s, (signal: NodeJS.Signals) => handle({ kind: 'signal', signal }));
    process.on('uncaughtException', (error) => handle({ kind: 'fatal', error }));
  });
}

let outputGuarded = false;

/**
 * Makes a closed stdout or stderr harmless: `npm start | tee hub.log` and a Ctrl-C kill tee
 * together with us, and the next line we print (e.g. "stopping…") fails with EPIPE (EIO once the
 * terminal is gone). Node turns that failed write into an uncaught exception that ends the process
 * before it has stopped what it started. A long-running command keeps running (and shuts down
 * cleanly) with nobody reading its output: later writes are dropped.
 */
export function surviveClosedOutput(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  // EPIPE, EIO, or a write after the stream was destroyed by one of those: nothing to do about
  // any of them but to go on without output.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}

/** False once stdout cannot be written any more (its reader is gone). */
export function outputOpen(stream: NodeJS.WriteStream = process.stdout): boolean {
  return !stream.destroyed && stream.writable;
}
