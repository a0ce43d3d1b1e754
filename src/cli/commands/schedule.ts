/** `b1hub schedule show|set|pause|resume`: the schedulers' schedules, through their messages. */
import type { Command } from 'commander';
import { action } from '../action';
import { parseObject } from '../context';
import { EXIT_NOT_CONFIRMED } from '../../hub/errors';
import { EXIT_CODES_HELP } from '../errors';
import { printJson, println, table } from '../output';
import {
  changeSchedule,
  queryStatus,
  signalScheduler,
  statusAfterSignal,
  type SchedulerSilentError,
  type StatusWithNext,
} from '../../hub/scheduler-ops';
import { specFromFlags, type ScheduleFlags } from '../schedule-flags';
import { pauseSignal, resumeSignal } from '../../workflows/messages';
import { SYNC_OBJECTS, type SyncObject } from '../../shared/sync-object';

function showOne(s: StatusWithNext): void {
  println(`${s.object}: ${s.description}${s.paused ? ' — paused' : ''}`);
  if (s.lastRejected) println(`  last rejected change (${s.lastRejected.at}): ${s.lastRejected.reason}`);
  if (!s.nextFireTimes.length) println('  next runs: none (paused)');
  for (const t of s.nextFireTimes) println(`  next: ${t}`);
}

/** A delivered pause/resume signal the scheduler has not confirmed within the wait. */
function notConfirmed(object: SyncObject, what: string, silent: SchedulerSilentError): number {
  println(
    `${object}: ${what} delivered, not yet confirmed: ${silent.message} — it takes effect when a worker serves the scheduler; do not resend`,
  );
  return EXIT_NOT_CONFIRMED;
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('show or change the schedules (signals/updates to the running schedulers)')
    .addHelpText('after', EXIT_CODES_HELP);

  schedule
    .command('show')
    .description('schedules and their next fire times')
    .argument('[object]', 'customer, product, order or inventory (default: all)')
    .option('--count <n>', 'how many next fire times', (v) => Math.min(Math.max(Number(v) || 1, 1), 20), 5)
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, objectName: string | undefined, opts: { count: number; json?: boolean }) => {
        const objects: SyncObject[] = objectName ? [parseObject(objectName)] : [...SYNC_OBJECTS];
        const client = await ctx.client();
        const statuses = await Promise.all(objects.map((o) => queryStatus(client, o, opts.count)));
        if (opts.json) {
          printJson(
            Object.fromEntries(
              statuses.map((s) => [
                s.object,
                {
                  spec: s.spec,
                  description: s.description,
                  paused: s.paused,
                  nextFireTimes: s.nextFireTimes,
                  lastRejected: s.lastRejected,
                },
              ]),
            ),
          );
          return 0;
        }
        if (objects.length > 1) {
          println(
            table(
              ['object', 'schedule', 'state', 'next runs'],
              statuses.map((s) => [s.object, s.description, s.paused ? 'paused' : 'active', s.nextFireTimes.slice(0, 3).join(', ') || '—']),
            ),
          );
        } else statuses.forEach(showOne);
        return 0;
      }),
    );

  schedule
    .command('set')
    .description('change a schedule (validated before it is sent; the scheduler confirms)')
    .argument('<object>', 'customer, product, order or inventory')
    .option('--daily <times>', 'daily at these times, e.g. 02:00 or 02:00,14:00')
    .option('--weekly <days@times>', 'weekly, e.g. mon,thu@02:00 or mon-fri@06:00,18:00')
    .option('--every <interval>', 'every N minutes/hours, e.g. 15m, 2h')
    .option('--between <window>', 'with --every: only inside this daily window, e.g. 08:00-20:00')
    .option('--days <days>', 'with --every: only on these weekdays, e.g. mon-fri')
    .option('--cron <expr>', '5-field cron expression, e.g. "0 */4 * * *"')
    .option('--tz <zone>', "IANA time zone (default: the schedule's current zone)")
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, objectName: string, opts: ScheduleFlags & { json?: boolean }) => {
        const object = parseObject(objectName);
        // Validate the flags before touching Temporal, so a typo is reported even with no server.
        specFromFlags(opts, opts.tz ?? 'UTC');
        const client = await ctx.client();
        const current = opts.tz ? undefined : await queryStatus(client, object);
        const spec = specFromFlags(opts, opts.tz ?? current?.spec.timezone ?? 'UTC');
        const change = await changeSchedule(client, object, spec);
        if (change.kind === 'unconfirmed') {
          println(
            `${object}: schedule change sent, not yet confirmed (it may still be applied): ${change.silent.message} — check \`b1hub schedule show ${object}\``,
          );
          return EXIT_NOT_CONFIRMED;
        }
        // Applied (the scheduler answered the update); the fire times come from a query, which may be slow.
        const after = await statusAfterSignal(client, object, 5);
        const s = after.kind === 'answered' ? after.status : { ...change.result, nextFireTimes: [] };
        if (opts.json) printJson({ object, spec: s.spec, description: s.description, paused: s.paused, nextFireTimes: s.nextFireTimes });
        else if (after.kind === 'answered') showOne(s);
        else println(`${object}: ${s.description}${s.paused ? ' — paused' : ''} (applied; next runs not shown: ${after.silent.message})`);
        return 0;
      }),
    );

  schedule
    .command('pause')
    .description('pause the schedule (Sync Now still works)')
    .argument('<object>', 'customer, product, order or inventory')
    .option('--reason <text>', 'shown in status and the Temporal UI')
    .action(
      action(async (ctx, objectName: string, opts: { reason?: string }) => {
        const object = parseObject(objectName);
        const client = await ctx.client();
        await signalScheduler(client, object, pauseSignal, opts.reason ? { reason: opts.reason } : {});
        const s = await statusAfterSignal(client, object);
        if (s.kind === 'unconfirmed') return notConfirmed(object, 'pause', s.silent);
        println(`${object}: schedule paused`);
        return 0;
      }),
    );

  schedule
    .command('resume')
    .description('resume the schedule from now (missed slots are not made up)')
    .argument('<object>', 'customer, product, order or inventory')
    .action(
      action(async (ctx, objectName: string) => {
        const object = parseObject(objectName);
        const client = await ctx.client();
        await signalScheduler(client, object, resumeSignal);
        const r = await statusAfterSignal(client, object);
        if (r.kind === 'unconfirmed') return notConfirmed(object, 'resume', r.silent);
        println(`${object}: schedule resumed; next run ${r.status.nextFireTimes[0] ?? '—'}`);
        return 0;
      }),
    );
}
