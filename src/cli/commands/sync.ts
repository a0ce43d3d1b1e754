/** `b1hub sync` (Sync Now) and `b1hub resync` (fresh runs for given or failed records). */
import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { action } from '../action';
import { parseObject, parseObjects } from '../context';
import { CliError, EXIT_NOT_CONFIRMED, EXIT_RECORDS_FAILED } from '../../hub/errors';
import { EXIT_CODES_HELP } from '../errors';
import { parseSince, printJson, println } from '../output';
import { awaitRequestedRun, newRequestId, sendSyncNow, waitForRun } from '../../hub/scheduler-ops';
import { failuresOfRun, openErrorsOf } from '../../hub/run-log';
import { SYNC_OBJECTS, type SyncObject } from '../../shared/sync-object';
import { totalRecords, type SyncNowRequest, type SyncRunResult } from '../../shared/sync-types';
import { errorChainText } from '../../shared/error-chain';

interface Requested {
  object: SyncObject;
  requestId: string;
  workflowId?: string;
  /** Delivered, but the scheduler had not recorded it when the command stopped waiting: why. */
  unconfirmed?: string;
  result?: SyncRunResult;
  error?: string;
}

/** Without --wait: how long a delivered request waits for the scheduler to name its run. */
const CONFIRM_MS = 30_000;

/**
 * Sends the requests, then reports each one truthfully: a signal Temporal accepted is delivered
 * (in the scheduler's history, served once a worker runs it), so a scheduler that does not answer
 * is never reported as a failed request. Without --wait the run id is waited for up to
 * CONFIRM_MS, else the request is "delivered, not yet confirmed" (EXIT_NOT_CONFIRMED); with
 * --wait the command waits until the run is recorded and has ended.
 */
async function requestAndMaybeWait(
  client: Client,
  requests: Array<{ object: SyncObject; req: SyncNowRequest & { requestId: string } }>,
  o: { wait?: boolean; json?: boolean },
): Promise<number> {
  const out: Requested[] = [];
  for (const { object, req } of requests) {
    await sendSyncNow(client, object, req);
    out.push({ object, requestId: req.requestId });
  }
  await Promise.all(
    out.map(async (r) => {
      const outcome = await awaitRequestedRun(client, r.object, r.requestId, {
        timeoutMs: o.wait ? Infinity : CONFIRM_MS,
        onSilent: (e) => {
          const waiting = o.wait ? 'waiting for the run' : `waiting up to ${CONFIRM_MS / 1000} s for its run id`;
          if (!o.json)
            println(`${r.object}: delivered (request ${r.requestId}); ${e.message}${e.noWorker ? ` — ${e.hint}` : ''}; ${waiting}`);
        },
      });
      if (outcome.kind === 'unconfirmed') {
        r.unconfirmed = outcome.silent
          ? outcome.silent.message
          : `the ${r.object} scheduler has not recorded the request within ${CONFIRM_MS / 1000} s`;
        if (!o.json) println(`${r.object}: delivered, not yet confirmed (request ${r.requestId}): ${r.unconfirmed}`);
        return;
      }
      r.workflowId = outcome.workflowId;
      if (!o.json) println(`${r.object}: ${o.wait ? 'running' : 'requested'} ${r.workflowId}`);
      if (!o.wait) return;
      try {
        r.result = await waitForRun(client, r.workflowId, (p) => {
          if (!o.json && p.details) println(`  ${r.object}: ${p.details.replace(/\*\*/g, '')}`);
        });
      } catch (err) {
        r.error = errorChainText(err);
      }
    }),
  );
  if (o.json) {
    printJson(
      out.map((r) => ({
        object: r.object,
        requestId: r.requestId,
        delivered: true,
        confirmed: r.workflowId !== undefined,
        workflowId: r.workflowId,
        ...(r.unconfirmed ? { unconfirmed: r.unconfirmed } : {}),
        ...(r.result ? { counts: r.result.counts, total: totalRecords(r.result.counts) } : {}),
        ...(r.error ? { error: r.error } : {}),
      })),
    );
  }
  const unconfirmed = out.some((r) => r.unconfirmed !== undefined);
  if (unconfirmed && !o.json)
    println('the requests above are delivered and run once a worker serves their scheduler (`b1hub status` shows them): do not resend');
  if (!o.wait) return unconfirmed ? EXIT_NOT_CONFIRMED : 0;
  let code = 0;
  for (const r of out) {
    if (r.error) {
      if (!o.json) println(`${r.object}: run ${r.workflowId} failed: ${r.error}`);
      code = 1;
    } else if (r.result) {
      const c = r.result.counts;
      if (!o.json)
        println(
          `${r.object}: done — ${totalRecords(c)} records: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed`,
        );
      if (c.failed > 0 && code === 0) code = EXIT_RECORDS_FAILED;
    }
  }
  if (code === EXIT_RECORDS_FAILED && !o.json)
    println('some records failed: see `b1hub log --failed`, fix the data, then `b1hub resync --failed`');
  return code;
}

/** Open errors one `resync --failed` requests per object (an id-scoped run's input stays small). */
const RESYNC_FAILED_MAX = 5_000;

export function registerSyncCommands(program: Command): void {
  program
    .command('sync')
    .description('Sync Now: run a sync of an object (or all) through its scheduler')
    .argument('<object>', 'customer, product, order, inventory or all')
    .option('--full', 'everything, not only changes since the last run')
    .option('--wait', 'wait until the run starts and ends, showing progress; exit 2 if records failed, 1 if the run failed')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(
      action(async (ctx, objectName: string, opts: { full?: boolean; wait?: boolean; json?: boolean }) => {
        const objects = parseObjects(objectName);
        const client = await ctx.client();
        return requestAndMaybeWait(
          client,
          objects.map((object) => ({
            object,
            req: { requestId: newRequestId('cli'), trigger: 'manual' as const, ...(opts.full ? { full: true } : {}) },
          })),
          opts,
        );
      }),
    );

  program
    .command('resync')
    .description('fresh sync runs for given records, for the failed records of a period, or of one run (source data is re-read)')
    .argument('[object]', 'customer, product, order or inventory (with source ids)')
    .argument('[ids...]', 'source ids: Shopify GIDs or numeric ids for customers and orders, B1 ItemCodes for products and inventory')
    .option('--failed', 'the open errors (`b1hub log --failed`), now, ignoring the back-off')
    .option('--object <object>', 'with --failed: only this object')
    .option(
      '--since <duration>',
      'with --failed: only the open errors whose last failure is within this period, e.g. 30m, 24h, 7d (default: all)',
    )
    .option('--run <workflowId>', 'the failed records of this run')
    .option('--wait', 'wait for the runs; exit 2 if records still fail')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(
      action(
        async (
          ctx,
          objectName: string | undefined,
          ids: string[],
          opts: { failed?: boolean; object?: string; since?: string; run?: string; wait?: boolean; json?: boolean },
        ) => {
          const byObject = new Map<SyncObject, Set<string>>();
          const add = (o: SyncObject, id: string) => {
            if (!byObject.has(o)) byObject.set(o, new Set());
            byObject.get(o)!.add(id);
          };
          const modes = [objectName !== undefined, !!opts.failed, !!opts.run].filter(Boolean).length;
          if (modes !== 1)
            throw new CliError(
              'resync needs exactly one of: <object> <id…>, --failed, --run <run>',
              'e.g. `b1hub resync order 1001`, `b1hub resync --failed --object order`',
            );
          if (opts.since !== undefined && !opts.failed)
            throw new CliError(
              'resync: --since goes with --failed only',
              'e.g. `b1hub resync --failed --since 24h`; given ids and --run are resynced whenever they failed',
            );
          // The period's start by this machine's clock; the ledger's times are the Temporal server's,
          // so a skew between the two moves the boundary by that much (seconds against hours).
          const lastFailedFrom = opts.since !== undefined ? Date.now() - parseSince(opts.since) : undefined;
          const client = await ctx.client();
          if (objectName !== undefined) {
            const object = parseObject(objectName);
            if (!ids.length) throw new CliError(`resync ${object}: no source ids given`, `e.g. \`b1hub resync ${object} <id> [<id>…]\``);
            for (const id of ids) add(object, normaliseId(object, id));
          } else if (opts.failed) {
            // The open errors of the ledger, now, whatever the back-off says; bounded per request
            // so a bad day's 50,000 stay out of one run's input (later runs retry the rest).
            const objects = opts.object ? [parseObject(opts.object)] : SYNC_OBJECTS;
            for (const object of objects) {
              const { total, entries } = await openErrorsOf(client, object, RESYNC_FAILED_MAX, lastFailedFrom);
              for (const e of entries) add(object, e.sourceId);
              if (total > entries.length && !opts.json)
                println(
                  `${object}: ${entries.length} of ${total} open errors${opts.since ? ` that failed within ${opts.since}` : ''} requested (oldest first); run it again for more, or let the scheduled runs retry them`,
                );
            }
          } else {
            for (const f of await failuresOfRun(client, opts.run!)) add(f.object, f.sourceId);
          }
          if (!byObject.size) {
            if (opts.json) printJson([]);
            else
              println(`nothing to resync: no failed records found${opts.since !== undefined ? ` that failed within ${opts.since}` : ''}`);
            return 0;
          }
          return requestAndMaybeWait(
            client,
            [...byObject].map(([object, set]) => ({
              object,
              req: { requestId: newRequestId('resync'), trigger: 'resync' as const, ids: [...set] },
            })),
            opts,
          );
        },
      ),
    );
}

/** Shopify-sourced objects accept a bare numeric id ("1001") for convenience. */
export function normaliseId(object: SyncObject, id: string): string {
  if (/^\d+$/.test(id) && (object === 'customer' || object === 'order'))
    return `gid://shopify/${object === 'customer' ? 'Customer' : 'Order'}/${id}`;
  return id;
}
