/**
 * `b1hub sim b1` / `tsx src/sim/b1/main.ts`: runs the simulator until SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { startB1Simulator, type B1Simulator } from './server';
import { parseLatency } from '../latency';

export interface B1SimulatorCliOptions {
  port?: number;
  host?: string;
  items?: number;
  customers?: number;
  seed?: number;
  stateFile?: string;
  sessionTimeoutMinutes?: number;
  tlsKey?: string;
  tlsCert?: string;
  latencyMs?: number;
  /** Latency profile (../latency.ts): `realistic`, `zero`, or with overrides. */
  latency?: string;
  html502Rate?: number;
}

function usage(): string {
  return 'usage: sim b1 [--port 50000] [--host 127.0.0.1] [--items 50] [--customers 20] [--seed 42] [--state-file path] [--session-timeout 30] [--tls-key k.pem --tls-cert c.pem] [--latency-ms 0] [--latency zero|realistic[,b1.writeMs=200…]] [--html502-rate 0]';
}

export function parseB1SimulatorArgs(argv: string[]): B1SimulatorCliOptions {
  const o: B1SimulatorCliOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${usage()}`);
      return v;
    };
    const num = (): number => {
      const v = Number(val());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a non-negative number\n${usage()}`);
      return v;
    };
    switch (flag) {
      case '--port':
        o.port = num();
        break;
      case '--host':
        o.host = val();
        break;
      case '--items':
        o.items = num();
        break;
      case '--customers':
        o.customers = num();
        break;
      case '--seed':
        o.seed = num();
        break;
      case '--state-file':
        o.stateFile = val();
        break;
      case '--session-timeout':
        o.sessionTimeoutMinutes = num();
        break;
      case '--tls-key':
        o.tlsKey = val();
        break;
      case '--tls-cert':
        o.tlsCert = val();
        break;
      case '--latency-ms':
        o.latencyMs = num();
        break;
      case '--latency':
        o.latency = val();
        parseLatency(o.latency);
        break;
      case '--html502-rate':
        o.html502Rate = num();
        break;
      case '-h':
      case '--help':
        throw new Error(usage());
      default:
        throw new Error(`unknown option ${a}\n${usage()}`);
    }
  }
  return o;
}

/** Starts the simulator from CLI options and prints one start-up line with the service URL. */
export async function runB1Simulator(
  o: B1SimulatorCliOptions,
  print: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<B1Simulator> {
  if ((o.tlsKey === undefined) !== (o.tlsCert === undefined)) throw new Error('--tls-key and --tls-cert go together');
  const sim = await startB1Simulator({
    port: o.port ?? 50000,
    host: o.host ?? '127.0.0.1',
    seed: { items: o.items ?? 50, customers: o.customers ?? 20, ...(o.seed !== undefined ? { seed: o.seed } : {}) },
    ...(o.stateFile ? { stateFile: o.stateFile } : {}),
    ...(o.sessionTimeoutMinutes !== undefined ? { sessionTimeoutMinutes: o.sessionTimeoutMinutes } : {}),
    ...(o.tlsKey && o.tlsCert ? { tls: { key: readFileSync(o.tlsKey), cert: readFileSync(o.tlsCert) } } : {}),
    ...(o.latency ? { latency: parseLatency(o.latency).b1 } : {}),
    faults: {
      ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}),
      ...(o.html502Rate !== undefined ? { html502Rate: o.html502Rate } : {}),
    },
  });
  print(
    `SAP B1 Service Layer simulator listening on ${sim.url} (CompanyDB SBODEMOUS, user manager; ${sim.state.count('Items')} items, ${sim.state.count('BusinessPartners')} business partners)`,
  );
  return sim;
}

/** argv-style entry: parses, starts, and closes cleanly on SIGINT/SIGTERM. */
export async function runB1SimulatorCli(argv: string[]): Promise<B1Simulator> {
  const sim = await runB1Simulator(parseB1SimulatorArgs(argv));
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return sim;
}
