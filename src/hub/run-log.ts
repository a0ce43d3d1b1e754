/**
 * The message log, read from Temporal: sync runs come from visibility (search attributes
 * SyncObject, SyncTrigger, SyncMode, RecordCount, FailedCount), per-record outcomes from the
 * runs' histories (the input of each logOutcomes activity), and the source payload of a record
 * from the fetchPage result that read it. What is failing *now* is the open-error ledger's
 * (`ledger:<object>`, read with queries at the end of this file). History payloads are
 * read raw, so large ones (stored zlib-compressed) are decoded with the hub's codec first.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { RecordOutcome } from '../mapping/outcome';
import type { FetchPageResult, LogPageInput, SourceRecord } from '../pipelines/contract';
import { payloadValue } from '../temporal/data-converter';
import { FailedCountKey, RecordCountKey, SyncModeKey, SyncObjectKey, SyncTriggerKey } from '../shared/search-attributes';
import { isSyncObject, type SyncObject } from '../shared/sync-object';
import { dismissUpdate, ledgerWorkflowId, openErrorsQuery, type DismissRequest } from '../workflows/ledger-messages';
import { LEDGER_PAGE_MAX, type OpenError } from '../workflows/ledger-state';
import { CliError } from './errors';

export interface RunEntry {
  workflowId: string;
  object?: SyncObject;
  trigger?: string;
  mode?: string;
  status: string;
  startTime: string;
  closeTime?: string;
  durationMs?: number;
  records?: number;
  failed?: number;
  runIds: string[];
}

export interface LoggedOutcome extends RecordOutcome {
  workflowId: string;
  runId: string;
  page: number;
  time: string;
  label?: string;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

async function listExecutions(client: Client, query: string, limit: number): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query })) {
    out.push(wf);
    if (out.length >= limit) break;
  }
  return out;
}

/** Sync runs in the period, newest first; a run continued as new is one entry. */
export async function listRuns(client: Client, o: { object?: SyncObject; sinceMs: number; limit?: number }): Promise<RunEntry[]> {
  const since = new Date(Date.now() - o.sinceMs).toISOString();
  const parts = [`WorkflowType = 'syncRunWorkflow'`, `StartTime > ${quote(since)}`];
  if (o.object) parts.push(`SyncObject = ${quote(o.object)}`);
  const executions = await listExecutions(client, parts.join(' AND '), o.limit ?? 500);
  const byId = new Map<string, WorkflowExecutionInfo[]>();
  for (const e of executions) byId.set(e.workflowId, [...(byId.get(e.workflowId) ?? []), e]);
  const runs: RunEntry[] = [];
  for (const [workflowId, list] of byId) {
    list.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const sa = last.typedSearchAttributes;
    const objectName = sa.get(SyncObjectKey) ?? workflowId.split(':')[1];
    const closeTime = last.status.name === 'RUNNING' || last.status.name === 'CONTINUED_AS_NEW' ? undefined : last.closeTime;
    runs.push({
      workflowId,
      object: objectName && isSyncObject(objectName) ? objectName : undefined,
      trigger: sa.get(SyncTriggerKey),
      mode: sa.get(SyncModeKey),
      status: last.status.name === 'CONTINUED_AS_NEW' ? 'RUNNING' : last.status.name,
      startTime: first.startTime.toISOString(),
      closeTime: closeTime?.toISOString(),
      durationMs: closeTime ? closeTime.getTime() - first.startTime.getTime() : undefined,
      records: sa.get(RecordCountKey),
      failed: sa.get(FailedCountKey),
      runIds: list.map((e) => e.runId),
    });
  }
  runs.sort((a, b) => b.startTime.localeCompare(a.startTime));
  return runs;
}

function eventTime(e: temporal.api.history.v1.IHistoryEvent): string {
  const t = e.eventTime;
  if (!t) return '';
  return new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
}

async function decodeFirst<T>(payloads: temporal.api.common.v1.IPayloads | null | undefined): Promise<T | undefined> {
  const p = payloads?.payloads?.[0];
  return p ? payloadValue<T>(p) : undefined;
}

export interface RunRecords {
  run: RunEntry | undefined;
  outcomes: LoggedOutcome[];
  /** Source records as read, by id (the payload a failed record had). */
  sources: Map<string, SourceRecord>;
  /** Why the run itself failed, when it did. */
  runFailure?: string;
}

/** Every record outcome of one sync run (all of its continue-as-new runs). */
export async function runRecords(client: Client, workflowId: string): Promise<RunRecords> {
  const executions = await listExecutions(client, `WorkflowId = ${quote(workflowId)}`, 1000);
  if (!executions.length) throw new CliError(`no sync run '${workflowId}'`, 'list runs with `b1hub log` (ids look like sync:order:…)');
  executions.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  const outcomes: LoggedOutcome[] = [];
  const sources = new Map<string, SourceRecord>();
  let runFailure: string | undefined;
  for (const ex of executions) {
    const history = await client.workflow.getHandle(workflowId, ex.runId).fetchHistory();
    const scheduled = new Map<string, string>();
    for (const e of history.events ?? []) {
      const sch = e.activityTaskScheduledEventAttributes;
      if (sch) {
        scheduled.set(String(e.eventId), sch.activityType?.name ?? '');
        if (sch.activityType?.name === 'logOutcomes') {
          const input = await decodeFirst<LogPageInput>(sch.input);
          for (const o of input?.outcomes ?? [])
            outcomes.push({ ...o, workflowId, runId: ex.runId, page: input!.pageIndex, time: eventTime(e) });
        }
      }
      const done = e.activityTaskCompletedEventAttributes;
      if (done && scheduled.get(String(done.scheduledEventId)) === 'fetchPage') {
        const page = await decodeFirst<FetchPageResult>(done.result);
        for (const r of page?.records ?? []) sources.set(r.id, r);
      }
      const failed = e.workflowExecutionFailedEventAttributes;
      if (failed?.failure) runFailure = failureText(failed.failure);
    }
  }
  for (const o of outcomes) {
    const label = sources.get(o.sourceId)?.label;
    if (label) o.label = label;
  }
  const runs = await listRunsOf(executions, workflowId);
  return { run: runs, outcomes, sources, ...(runFailure ? { runFailure } : {}) };
}

async function listRunsOf(executions: WorkflowExecutionInfo[], workflowId: string): Promise<RunEntry | undefined> {
  const last = executions[executions.length - 1];
  const first = executions[0];
  if (!last || !first) return undefined;
  const sa = last.typedSearchAttributes;
  const objectName = sa.get(SyncObjectKey) ?? workflowId.split(':')[1];
  const closed = last.status.name !== 'RUNNING' && last.status.name !== 'CONTINUED_AS_NEW' ? last.closeTime : undefined;
  return {
    workflowId,
    object: objectName && isSyncObject(objectName) ? objectName : undefined,
    trigger: sa.get(SyncTriggerKey),
    mode: sa.get(SyncModeKey),
    status: last.status.name,
    startTime: first.startTime.toISOString(),
    closeTime: closed?.toISOString(),
    durationMs: closed ? closed.getTime() - first.startTime.getTime() : undefined,
    records: sa.get(RecordCountKey),
    failed: sa.get(FailedCountKey),
    runIds: executions.map((e) => e.runId),
  };
}

function failureText(f: temporal.api.failure.v1.IFailure): string {
  const parts: string[] = [];
  let cur: temporal.api.failure.v1.IFailure | null | undefined = f;
  while (cur && parts.length < 6) {
    if (cur.message && !parts.includes(cur.message)) parts.push(cur.message);
    cur = cur.cause;
  }
  return parts.join(': ');
}

export async function failuresOfRun(client: Client, workflowId: string): Promise<LoggedOutcome[]> {
  return (await runRecords(client, workflowId)).outcomes.filter((o) => o.outcome === 'failed');
}

/**
 * Failed records across runs in the period, latest outcome per record: a record that failed
 * and was fixed by a later run (resync) is no longer listed.
 */
export async function collectFailures(client: Client, o: { object?: SyncObject; sinceMs: number }): Promise<LoggedOutcome[]> {
  const runs = (await listRuns(client, { object: o.object, sinceMs: o.sinceMs })).reverse(); // oldest first
  // Only histories that can matter are read: from an object's first run with failures (or of
  // unknown outcome) on, since only those and later runs can hold a record's latest failure or its fix.
  const mayHaveFailed = (r: RunEntry) => r.failed === undefined || r.failed > 0;
  const firstFailing = new Map<string, number>();
  runs.forEach((r, i) => {
    const key = r.object ?? '?';
    if (!firstFailing.has(key) && mayHaveFailed(r)) firstFailing.set(key, i);
  });
  const latest = new Map<string, LoggedOutcome>();
  for (const [i, run] of runs.entries()) {
    const from = firstFailing.get(run.object ?? '?');
    if (from === undefined || i < from || run.records === 0) continue;
    const { outcomes } = await runRecords(client, run.workflowId);
    for (const out of outcomes) latest.set(`${out.object}\u0000${out.sourceId}`, out);
  }
  return [...latest.values()].filter((x) => x.outcome === 'failed').sort((a, b) => b.time.localeCompare(a.time));
}

// ---------------------------------------------------------------------------------------------
// The open-error ledger (src/workflows/ledger.ts): what is failing now, per object.

const LEDGER_QUERY_TIMEOUT_MS = 10_000;

function ledgerCall<T>(client: Client, object: SyncObject, call: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + LEDGER_QUERY_TIMEOUT_MS, call).catch((err: unknown) => {
    if (/DEADLINE_EXCEEDED|deadline/i.test(String((err as Error)?.message ?? err))) {
      throw new CliError(
        `no worker answered the ${object} ledger (${ledgerWorkflowId(object)}) within ${LEDGER_QUERY_TIMEOUT_MS / 1000} s`,
        'start a worker: `b1hub up` (demo) or `b1hub worker --config <file>`',
      );
    }
    throw err;
  });
}

export interface OpenErrorEntry extends OpenError {
  object: SyncObject;
}

/**
 * Open errors of one object, oldest first, read a page at a time (at most `limit`). An object
 * whose runs never failed has no ledger yet: no open errors.
 */
export async function openErrorsOf(
  client: Client,
  object: SyncObject,
  limit = 200,
  lastFailedFromMs?: number,
): Promise<{ total: number; entries: OpenErrorEntry[] }> {
  const handle = client.workflow.getHandle(ledgerWorkflowId(object));
  const entries: OpenErrorEntry[] = [];
  let total = 0;
  try {
    while (entries.length < limit) {
      const page = await ledgerCall(client, object, () =>
        handle.query(openErrorsQuery, {
          offset: entries.length,
          limit: Math.min(LEDGER_PAGE_MAX, limit - entries.length),
          ...(lastFailedFromMs !== undefined ? { lastFailedFromMs } : {}),
        }),
      );
      total = page.total;
      entries.push(...page.entries.map((e) => ({ object, ...e })));
      if (!page.entries.length || entries.length >= page.total) break;
    }
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { total: 0, entries: [] };
    throw err;
  }
  return { total, entries };
}

/** How many open errors each object has (objects without a ledger: 0). */
export async function openErrorCount(client: Client, object: SyncObject): Promise<number> {
  return (await openErrorsOf(client, object, 1)).total;
}

/** Closes open errors with a reason; an id that is not open is refused by the ledger (nothing changes). */
export async function dismissOpenErrors(
  client: Client,
  object: SyncObject,
  req: DismissRequest,
): Promise<{ dismissed: number; open: number }> {
  try {
    return await ledgerCall(client, object, () =>
      client.workflow.getHandle(ledgerWorkflowId(object)).executeUpdate(dismissUpdate, { args: [req] }),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new CliError(`${object} has no open errors (no ledger ${ledgerWorkflowId(object)} yet)`);
    if (err instanceof WorkflowUpdateFailedError)
      throw new CliError(
        `dismiss refused: ${(err.cause as Error | undefined)?.message ?? err.message}`,
        `list the open errors with \`b1hub log --failed --object ${object}\``,
      );
    throw err;
  }
}
