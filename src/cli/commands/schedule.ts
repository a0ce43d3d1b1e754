/** `b1hub schedule show|set|pause|resume`: the schedulers' schedules, through their messages. */
import type { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { action } from '../action';
import { parseObject } from '../context';
import { CliError } from '../errors';
import { printJson, println, table } from '../output';
import { queryStatus, type StatusWithNext } from '../scheduler-ops';
import { specFromFlags, type ScheduleFlags } from '../schedule-flags';
import { schedulerHandle } from '../../temporal/schedulers';
import { changeScheduleUpdate, pauseSignal, resumeSignal } from '../../workflows/messages';
import { SYNC_OBJECTS, type SyncObject } from '../../shared/sync-object';

function showOne(s: StatusWithNext): void {
  println(`${s.object}: ${s.description}${s.paused ? ' — paused' : ''}`);
  if (s.lastRejected) println(`  last rejected change (${s.lastRejected.at}): ${s.lastRejected.reason}`);
  if (!s.nextFireTimes.length) println('  next runs: none (paused)');
  for (const t of s.nextFireTimes) println(`  next: ${t}`);
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('show or change the schedules (signals/updates to the running schedulers)');

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
          printJson(Object.fromEntries(statuses.map((s) => [s.object, { spec: s.spec, description: s.description, paused: s.paused, nextFireTimes: s.nextFireTimes, lastRejected: s.lastRejected }])));
          return 0;
        }
        if (objects.length > 1) {
          println(table(['object', 'schedule', 'state', 'next runs'], statuses.map((s) => [s.object, s.description, s.paused ? 'paused' : 'active', s.nextFireTimes.slice(0, 3).join(', ') || '—'])));
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
    .option('--tz <zone>', 'IANA time zone (default: the schedule\'s current zone)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, objectName: string, opts: ScheduleFlags & { json?: boolean }) => {
        const object = parseObject(objectName);
        // Validate the flags before touching Temporal, so a typo is reported even with no server.
        specFromFlags(opts, opts.tz ?? 'UTC');
        const client = await ctx.client();
        const current = opts.tz ? undefined : await queryStatus(client, object);
        const spec = specFromFlags(opts, opts.tz ?? current?.spec.timezone ?? 'UTC');
        try {
          await client.connection.withDeadline(Date.now() + 15_000, () => schedulerHandle(client, object).executeUpdate(changeScheduleUpdate, { args: [spec] }));
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) throw new CliError(`the ${object} scheduler rejected the schedule: ${(err.cause as Error | undefined)?.message ?? err.message}`);
          throw err;
        }
        const s = await queryStatus(client, object, 5);
        if (opts.json) printJson({ object, spec: s.spec, description: s.description, paused: s.paused, nextFireTimes: s.nextFireTimes });
        else showOne(s);
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
        await schedulerHandle(client, object).signal(pauseSignal, opts.reason ? { reason: opts.reason } : {});
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
        await schedulerHandle(client, object).signal(resumeSignal);
        const s = await queryStatus(client, object, 1);
        println(`${object}: schedule resumed; next run ${s.nextFireTimes[0] ?? '—'}`);
        return 0;
      }),
    );
}
