/** `b1hub log`: the message log (runs, failed records, one run's records) from Temporal. */
import type { Command } from 'commander';
import { action } from '../action';
import { parseObject } from '../context';
import { formatDuration, parseSince, printJson, println, table } from '../output';
import { listRuns, openErrorsOf, runRecords } from '../../hub/run-log';
import { SYNC_OBJECTS } from '../../shared/sync-object';
import { registerDismissCommand } from './dismiss';

function uiLink(base: string | undefined, namespace: string, workflowId: string): string | undefined {
  return base ? `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}` : undefined;
}

export function registerLogCommands(program: Command): void {
  // `dismiss` closes what `log --failed` lists; registered with it (one place for the ledger commands).
  registerDismissCommand(program);
  const log = program
    .command('log')
    .description('the message log: sync runs with trigger, duration and counts; --failed lists the open errors')
    .option('--object <object>', 'only this object')
    .option('--since <duration>', 'period, e.g. 30m, 24h, 7d', '24h')
    .option('--failed', 'the open errors (failed records not yet resolved) from the ledger, instead of runs')
    .option('--limit <n>', 'with --failed: at most this many per object', '200')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, opts: { object?: string; since: string; failed?: boolean; limit: string; json?: boolean }) => {
        const object = opts.object ? parseObject(opts.object) : undefined;
        const sinceMs = parseSince(opts.since);
        const client = await ctx.client();
        if (opts.failed) {
          // What is failing now: the objects' open-error ledgers, not a scan of run histories.
          const objects = object ? [object] : SYNC_OBJECTS;
          const limit = Math.max(1, Number(opts.limit) || 200);
          const lists = await Promise.all(objects.map((o) => openErrorsOf(client, o, limit)));
          const now = Date.now();
          const entries = lists.flatMap((l) => l.entries);
          const total = lists.reduce((n, l) => n + l.total, 0);
          if (opts.json) {
            printJson(
              entries.map((e) => ({
                object: e.object,
                sourceId: e.sourceId,
                label: e.label,
                reason: e.reason,
                field: e.field,
                run: e.lastRun,
                time: e.lastSeen,
                firstSeen: e.firstSeen,
                lastSeen: e.lastSeen,
                attempts: e.attempts,
                ageMs: now - Date.parse(e.firstSeen),
              })),
            );
            return 0;
          }
          if (!total) {
            println(`no open errors${object ? ` for ${object}` : ''}: every failed record has since succeeded, been skipped or dismissed`);
            return 0;
          }
          println(
            table(
              ['object', 'source id', 'label', 'age', 'attempts', 'reason', 'field', 'last run'],
              entries.map((e) => [
                e.object,
                e.sourceId,
                e.label,
                formatDuration(now - Date.parse(e.firstSeen)),
                e.attempts,
                e.reason,
                e.field,
                e.lastRun,
              ]),
            ),
          );
          println();
          if (entries.length < total)
            println(`${entries.length} of ${total} open errors shown (oldest first per object; --limit for more)`);
          println('open errors are retried by every run of their object (back-off: every run in the first hour, then hourly, then daily).');
          println('fix the source data, then `b1hub resync --failed` to retry now, or `b1hub dismiss <object> <id…> --reason "…"`');
          return 0;
        }
        const runs = await listRuns(client, { object, sinceMs });
        if (opts.json) {
          printJson(runs);
          return 0;
        }
        if (!runs.length) {
          println(`no sync runs in the last ${opts.since}`);
          return 0;
        }
        println(
          table(
            ['run', 'trigger', 'mode', 'status', 'started', 'duration', 'records', 'failed'],
            runs.map((r) => [
              r.workflowId,
              r.trigger,
              r.mode,
              r.status.toLowerCase(),
              r.startTime,
              formatDuration(r.durationMs),
              r.records,
              r.failed,
            ]),
          ),
        );
        return 0;
      }),
    );

  log
    .command('show')
    .description("one run's records, with the source payload of failed ones and the Temporal UI link")
    .argument('<run>', 'workflow id of the run, e.g. sync:order:cli-…')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, workflowId: string, opts: { json?: boolean }) => {
        const client = await ctx.client();
        const { run, outcomes, sources, runFailure } = await runRecords(client, workflowId);
        const target = ctx.temporalTarget();
        const link = uiLink(
          ctx.hubStatus()?.temporal.uiUrl ??
            (target.address.startsWith('localhost:7233') || target.address.startsWith('127.0.0.1:7233')
              ? 'http://localhost:8233'
              : undefined),
          target.namespace,
          workflowId,
        );
        if (opts.json) {
          printJson({
            run,
            uiUrl: link,
            ...(runFailure ? { runFailure } : {}),
            records: outcomes.map((o) => ({ ...o, ...(o.outcome === 'failed' ? { source: sources.get(o.sourceId)?.data } : {}) })),
          });
          return 0;
        }
        if (run)
          println(
            `${run.workflowId}: ${run.status.toLowerCase()} ${run.trigger ?? ''} ${run.mode ?? ''} sync, started ${run.startTime}${run.durationMs !== undefined ? `, took ${formatDuration(run.durationMs)}` : ''}`,
          );
        if (link) println(`Temporal UI: ${link}`);
        if (runFailure) println(`run failed: ${runFailure}`);
        println();
        if (!outcomes.length) {
          println('no records logged');
          return 0;
        }
        println(
          table(
            ['source id', 'label', 'outcome', 'target id', 'reason / rule', 'field'],
            outcomes.map((o) => [o.sourceId, o.label, o.outcome, o.targetId, o.reason ?? o.rule, o.field]),
          ),
        );
        const failed = outcomes.filter((o) => o.outcome === 'failed');
        for (const f of failed) {
          const src = sources.get(f.sourceId);
          if (!src) continue;
          println();
          println(`source payload of failed ${f.object} ${f.sourceId}${f.label ? ` (${f.label})` : ''}:`);
          println(JSON.stringify(src.data, null, 2));
        }
        return 0;
      }),
    );
}
