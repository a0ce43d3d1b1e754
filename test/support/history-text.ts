/**
 * The text of every payload in a history, decoded the way the hub's data converter stores it.
 * Checks that search a history (the records are there, no secret is) must read this: large
 * payloads are zlib-compressed, so a search of the raw bytes could never find a leak.
 */
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { decodeHubPayloads } from '../../src/temporal/data-converter';

function isPayload(v: unknown): v is Payload {
  return typeof v === 'object' && v !== null && 'metadata' in v && 'data' in v && (v as Payload).data instanceof Uint8Array;
}

/** Every payload anywhere in the events: activity inputs and results, markers, signals, updates. */
function collect(v: unknown, out: Payload[]): void {
  if (isPayload(v)) out.push(v);
  else if (Array.isArray(v)) for (const x of v) collect(x, out);
  else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) for (const x of Object.values(v)) collect(x, out);
}

export async function decodedHistoryText(
  history: temporal.api.history.v1.IHistory | { events?: temporal.api.history.v1.IHistoryEvent[] | null },
): Promise<string> {
  const payloads: Payload[] = [];
  collect(history.events ?? [], payloads);
  const decoded = await decodeHubPayloads(payloads);
  return decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
}
