/** `b1hub status`: endpoints, scheduler states, open errors (the ledger) and last runs. */
import type { Command } from 'commander';
import { action } from '../action';
import { printJson, println, table } from '../output';
import { queryStatus, type StatusWithNext } from '../../hub/scheduler-ops';
import { describeError } from '../errors';
import { openErrorCount } from '../../hub/run-log';
import { SYNC_OBJECTS, type SyncObject } from '../../shared/sync-object';
import type { RunSummary } from '../../shared/sync-types';
import { readWebhookHealth } from '../../hub/webhooks';

export function runLine(r: RunSummary | undefined): string {
  if (!r) return '—';
  const c = r.counts;
  const counts = c ? ` ${c.created}c/${c.updated}u/${c.unchanged}=/${c.skipped}s/${c.failed}f` : '';
  return `${r.outcome} ${r.trigger} ${r.mode} ${r.endedAt ?? r.startedAt}${counts}${r.error ? ` (${r.error.slice(0, 80)})` : ''}`;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('what runs where, the four schedulers and their last runs')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, opts: { json?: boolean }) => {
        const hub = ctx.hubStatus();
        const target = ctx.temporalTarget();
        const endpoints = {
          temporal: {
            address: target.address,
            namespace: target.namespace,
            uiUrl: hub?.temporal.uiUrl,
            codecUrl: hub?.temporal.codecUrl,
            taskQueue: hub?.temporal.taskQueue,
          },
          b1: hub ? { baseUrl: hub.b1.baseUrl, companyDb: hub.b1.companyDb, userName: hub.b1.userName } : undefined,
          shopify: hub ? { graphqlUrl: hub.shopify.graphqlUrl, shop: hub.shopify.shop } : undefined,
          webhooks: hub?.webhooks ? { url: hub.webhooks.url, publicUrl: hub.webhooks.publicUrl } : undefined,
        };
        const webhooks = hub?.webhooks ? await readWebhookHealth(hub.webhooks) : undefined;
        const schedulers: Partial<Record<SyncObject, StatusWithNext>> = {};
        const openErrors: Partial<Record<SyncObject, number>> = {};
        const errors: Partial<Record<SyncObject, string>> = {};
        let temporalError: string | undefined;
        try {
          const client = await ctx.client();
          await Promise.all(
            SYNC_OBJECTS.map(async (o) => {
              try {
                schedulers[o] = await queryStatus(client, o, 3);
                openErrors[o] = await openErrorCount(client, o);
              } catch (err) {
                errors[o] = describeError(err, { temporalAddress: target.address }).text.split('\n')[0]!;
              }
            }),
          );
        } catch (err) {
          temporalError = describeError(err, { temporalAddress: target.address }).text;
        }
        const ok = !temporalError && Object.keys(errors).length === 0;
        if (opts.json) {
          printJson({
            running: hub !== undefined,
            pid: hub?.pid,
            readyAt: hub?.readyAt,
            dataDir: hub?.dataDir ?? ctx.dataDir,
            initialization: hub?.initialization,
            endpoints,
            ...(webhooks ? { webhooks } : {}),
            schedulers,
            openErrors,
            ...(temporalError ? { temporalError } : {}),
            ...(Object.keys(errors).length ? { errors } : {}),
          });
          return ok ? 0 : 1;
        }
        println(
          hub
            ? `b1hub up is running (pid ${hub.pid}, since ${hub.readyAt ?? hub.startedAt}; data ${hub.dataDir})`
            : `no \`b1hub up\` runs on ${ctx.dataDir}`,
        );
        println(
          `  Temporal      ${endpoints.temporal.address} (namespace ${endpoints.temporal.namespace})${endpoints.temporal.uiUrl ? `  UI ${endpoints.temporal.uiUrl}` : ''}${endpoints.temporal.codecUrl ? `  codec ${endpoints.temporal.codecUrl}` : ''}`,
        );
        if (endpoints.b1) println(`  SAP B1        ${endpoints.b1.baseUrl}`);
        if (endpoints.shopify) println(`  Shopify       ${endpoints.shopify.graphqlUrl}`);
        if (webhooks) {
          const t = webhooks.totals;
          println(
            `  Webhooks      ${webhooks.url}${webhooks.publicUrl !== webhooks.url ? ` (Shopify calls ${webhooks.publicUrl})` : ''}  ${webhooks.reachable ? `accepted ${t.accepted}, rejected ${t.rejected}, deduped ${t.deduped}, ignored ${t.ignored}, not handed over ${t.failed}` : `not answering (${webhooks.error})`}`,
          );
          for (const [topic, s] of Object.entries(webhooks.topics))
            println(
              `                ${topic.padEnd(18)} last ${s.lastDeliveryAt ?? '—'}  ${s.accepted} accepted, ${s.rejected} rejected, ${s.deduped} deduped`,
            );
        }
        if (hub?.initialization)
          println(`  Initial load  ${hub.initialization.state}${hub.initialization.detail ? ` (${hub.initialization.detail})` : ''}`);
        println();
        if (temporalError) {
          process.stderr.write(`b1hub: ${temporalError}\n`);
          return 1;
        }
        println(
          table(
            ['object', 'schedule', 'state', 'next run', 'running', 'open errors', 'last run'],
            SYNC_OBJECTS.map((o) => {
              const s = schedulers[o];
              if (!s) return [o, '', 'error', '', '', '', errors[o]];
              return [
                o,
                s.description,
                s.paused ? `paused${s.pauseReason ? ` (${s.pauseReason})` : ''}` : 'active',
                s.nextFireAt ?? '—',
                s.running ? s.running.workflowId : s.pending ? `queued ${s.pending.workflowId}` : '—',
                openErrors[o] ?? '—',
                runLine(s.recentRuns[0]),
              ];
            }),
          ),
        );
        // A run that failed says why on a line of its own, whole: a configuration failure names
        // what to check (password, certificate, token, init --fix), which the table cell cuts.
        for (const o of SYNC_OBJECTS) {
          const last = schedulers[o]?.recentRuns[0];
          if (last?.outcome === 'failed' && last.error) println(`${o}: last run failed: ${last.error.split('\n')[0]}`);
        }
        return ok ? 0 : 1;
      }),
    );
}
