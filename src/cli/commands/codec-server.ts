/**
 * `b1hub codec-server`: the codec endpoint on its own, for setups whose Temporal UI is not the
 * one `b1hub up` starts (self-hosted UI, Temporal Cloud). `up` runs one already for its UI.
 * Listening on anything but loopback needs B1HUB_CODEC_TOKEN (a bearer token, never printed).
 */
import type { Command } from 'commander';
import { action } from '../action';
import { CliError } from '../../hub/errors';
import { untilSignal } from '../until-signal';

export const DEFAULT_CODEC_PORT = 8234;
const DEFAULT_CORS_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

function portOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port '${v}' is not a whole number between 0 and 65535`);
  return n;
}

function originOption(v: string, prev: string[] | undefined): string[] {
  const out = [...(prev ?? [])];
  for (const part of v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (part !== '*') {
      let url: URL;
      try {
        url = new URL(part);
      } catch {
        throw new CliError(
          `--cors-origin '${part}' is not an origin`,
          'give scheme, host and port of the Temporal UI, e.g. https://temporal.example.com or http://localhost:8233',
        );
      }
      if (url.origin !== part)
        throw new CliError(
          `--cors-origin '${part}' is not an origin (that would be '${url.origin}')`,
          'an origin has no path and no trailing slash',
        );
    }
    out.push(part);
  }
  return out;
}

export function registerCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description(
      'serve the payload codec endpoint (/decode, /encode) so a Temporal UI or `temporal workflow show --codec-endpoint` shows compressed payloads readably',
    )
    .option('--port <port>', 'port (0 = any free port)', portOption, DEFAULT_CODEC_PORT)
    .option('--host <host>', 'interface to listen on (other than loopback only with B1HUB_CODEC_TOKEN set)', '127.0.0.1')
    .option(
      '--cors-origin <origin>',
      `origin of the Temporal UI allowed to call it from the browser (repeatable, comma-separated, or *; default ${DEFAULT_CORS_ORIGINS.join(', ')})`,
      originOption,
    )
    .action(
      action(async (_ctx, opts: { port: number; host: string; corsOrigin?: string[] }) => {
        const { startCodecServer, CodecTokenRequiredError, CODEC_TOKEN_ENV } = await import('../../hub/codec-server');
        const corsOrigins = opts.corsOrigin ?? DEFAULT_CORS_ORIGINS;
        // From the environment only: a command-line value would show in `ps` and shell history.
        const token = process.env[CODEC_TOKEN_ENV] || undefined;
        let server: Awaited<ReturnType<typeof startCodecServer>>;
        try {
          server = await startCodecServer({ port: opts.port, host: opts.host, corsOrigins, ...(token ? { token } : {}) });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE')
            throw new CliError(
              `port ${opts.port} is already in use`,
              'pick another with --port (a running `b1hub up` serves its own codec endpoint)',
            );
          if (err instanceof CodecTokenRequiredError)
            throw new CliError(err.message, `e.g. export ${CODEC_TOKEN_ENV}=$(openssl rand -hex 24), or listen on 127.0.0.1 only`);
          throw err;
        }
        const print = (l: string) => process.stdout.write(`${l}\n`);
        print(
          `codec endpoint ${server.url}  (POST /decode, /encode; browser origins: ${corsOrigins.join(', ')}${token ? `; requests need Authorization: Bearer $${CODEC_TOKEN_ENV}` : ''})`,
        );
        print(
          `  Temporal UI:  set the codec endpoint to ${server.url} (UI setting, or the UI server's codec.endpoint / TEMPORAL_CODEC_ENDPOINT)`,
        );
        print(
          `  Temporal CLI: temporal workflow show -w <workflow id> --codec-endpoint ${server.url}${token ? ` --codec-auth "Bearer $${CODEC_TOKEN_ENV}"` : ''}`,
        );
        print('Ctrl-C stops it.');
        const sig = await untilSignal();
        print(`${sig}: stopping…`);
        await server.close();
        print('stopped');
        return 0;
      }),
    );
}
