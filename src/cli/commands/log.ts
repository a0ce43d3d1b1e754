/** `b1hub log`: the message log (runs, failed records, one run's records) from Temporal. */
import type { Command } from 'commander';
import { action } from '../action';
import { parseObject } from '../context';
import { formatDuration, parseSince, printJson, println, table } from '../output';
import { collectFailures, listRuns, runRecords } from '../run-log';

function uiLink(base: string | undefined, namespace: string, workflowId: string): string | undefined {
  return base ? `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}` : undefined;
}

export function registerLogCommands(program: Command): void {
  const log = program
    .command('log')
    .description('the message log: sync runs with trigger, duration and counts; --failed lists every failed record')
    .option('--object <object>', 'only this object')
    .option('--since <duration>', 'period, e.g. 30m, 24h, 7d', '24h')
    .option('--failed', 'failed records (latest outcome per record) instead of runs')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, opts: { object?: string; since: string; failed?: boolean; json?: boolean }) => {
        const object = opts.object ? parseObject(opts.object) : undefined;
        const sinceMs = parseSince(opts.since);
        const client = await ctx.client();
        if (opts.failed) {
          const failures = await collectFailures(client, { object, sinceMs });
          if (opts.json) {
            printJson(failures.map((f) => ({ object: f.object, sourceId: f.sourceId, label: f.label, reason: f.reason, field: f.field, run: f.workflowId, time: f.time })));
            return 0;
          }
          if (!failures.length) {
            println(`no failed records in the last ${opts.since}`);
            return 0;
          }
          println(table(['object', 'source id', 'label', 'reason', 'field', 'run', 'time'], failures.map((f) => [f.object, f.sourceId, f.label, f.reason, f.field, f.workflowId, f.time])));
          println();
          println('fix the source data, then: b1hub resync --failed');
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
            runs.map((r) => [r.workflowId, r.trigger, r.mode, r.status.toLowerCase(), r.startTime, formatDuration(r.durationMs), r.records, r.failed]),
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
        const link = uiLink(ctx.hubStatus()?.temporal.uiUrl ?? (target.address.startsWith('localhost:7233') || target.address.startsWith('127.0.0.1:7233') ? 'http://localhost:8233' : undefined), target.namespace, workflowId);
        if (opts.json) {
          printJson({
            run,
            uiUrl: link,
            ...(runFailure ? { runFailure } : {}),
            records: outcomes.map((o) => ({ ...o, ...(o.outcome === 'failed' ? { source: sources.get(o.sourceId)?.data } : {}) })),
          });
          return 0;
        }
        if (run) println(`${run.workflowId}: ${run.status.toLowerCase()} ${run.trigger ?? ''} ${run.mode ?? ''} sync, started ${run.startTime}${run.durationMs !== undefined ? `, took ${formatDuration(run.durationMs)}` : ''}`);
        if (link) println(`Temporal UI: ${link}`);
        if (runFailure) println(`run failed: ${runFailure}`);
        println();
        if (!outcomes.length) {
          println('no records logged');
          return 0;
        }
        println(table(['source id', 'label', 'outcome', 'target id', 'reason / rule', 'field'], outcomes.map((o) => [o.sourceId, o.label, o.outcome, o.targetId, o.reason ?? o.rule, o.field])));
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
