/**
 * The hub's one DataConverter: every Client and Worker that talks to the hub's workflows uses it,
 * or large payloads would reach user code still compressed. Code that reads raw history payloads
 * (the run log, tests) decodes them with `decodeHubPayloads` / `payloadValue`.
 */
import { defaultPayloadConverter, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { ZlibPayloadCodec } from './zlib-codec';

const HUB_PAYLOAD_CODECS: PayloadCodec[] = [new ZlibPayloadCodec()];

export const hubDataConverter: DataConverter = { payloadCodecs: HUB_PAYLOAD_CODECS };

/** Payloads as stored in history → as the workflow code wrote them (codecs undone in reverse order). */
export async function decodeHubPayloads(payloads: Payload[]): Promise<Payload[]> {
  let out = payloads;
  for (const codec of [...HUB_PAYLOAD_CODECS].reverse()) out = await codec.decode(out);
  return out;
}

/** Workflow-side payloads → as stored in history. */
export async function encodeHubPayloads(payloads: Payload[]): Promise<Payload[]> {
  let out = payloads;
  for (const codec of HUB_PAYLOAD_CODECS) out = await codec.encode(out);
  return out;
}

/** The value of one payload as stored in history (compressed or not). */
export async function payloadValue<T = unknown>(p: Payload): Promise<T> {
  const [decoded] = await decodeHubPayloads([p]);
  return defaultPayloadConverter.fromPayload<T>(decoded!);
}
