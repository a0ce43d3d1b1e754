/**
 * Payload compression for workflow histories. A sync run's pages (25 records of repetitive
 * JSON) appear several times in its history (fetch result, map result, post input), so
 * compressing them keeps a run's history small.
 *
 * Wire format = the Go SDK's `converter.NewZlibCodec`: metadata `encoding: binary/zlib`, data =
 * zlib stream (RFC 1950) of the whole original Payload, proto-serialized. So a Go or Python
 * tool with a zlib codec (or `temporal workflow show` through our codec endpoint) reads our
 * histories, and ours reads theirs.
 *
 * Unlike the Go codec, small payloads are never compressed: schedules, signals and per-page
 * outcomes stay plain JSON in the UI even without the codec endpoint.
 */
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ZLIB_ENCODING = 'binary/zlib';
/** Below this (serialized payload bytes) compression saves too little to cost readability. */
export const DEFAULT_COMPRESS_MIN_BYTES = 1024;

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);
/**
 * Largest payload a decode may produce. Temporal refuses payloads over 2 MB as stored, and the
 * hub's pages are far below that even uncompressed; the bound stops a crafted "zip bomb" sent to
 * the codec endpoint (or found in a history) from exhausting the process's memory.
 */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;
const ProtoPayload = temporal.api.common.v1.Payload;

export function isZlibPayload(p: Payload): boolean {
  const enc = p.metadata?.encoding;
  return enc !== undefined && enc !== null && Buffer.from(enc).toString('utf8') === ZLIB_ENCODING;
}

export class ZlibPayloadCodec implements PayloadCodec {
  readonly minBytes: number;

  constructor(opts: { minBytes?: number } = {}) {
    this.minBytes = opts.minBytes ?? DEFAULT_COMPRESS_MIN_BYTES;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.encodeOne(p)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => decodeZlibPayload(p)));
  }

  private async encodeOne(p: Payload): Promise<Payload> {
    const serialized = ProtoPayload.encode(p).finish();
    if (serialized.length < this.minBytes) return p;
    const compressed = await deflateAsync(serialized);
    // Like the Go codec: keep the original when compressing does not make it smaller.
    if (compressed.length >= serialized.length) return p;
    return { metadata: { encoding: Buffer.from(ZLIB_ENCODING) }, data: new Uint8Array(compressed) };
  }
}

/** The original payload of a `binary/zlib` one; any other payload is returned as it is. */
export async function decodeZlibPayload(p: Payload): Promise<Payload> {
  if (!isZlibPayload(p)) return p;
  let raw: Buffer;
  try {
    raw = await inflateAsync(p.data ?? new Uint8Array(), { maxOutputLength: MAX_DECODED_BYTES });
  } catch (err) {
    throw new Error(
      `payload marked ${ZLIB_ENCODING} cannot be decompressed (not a zlib stream, or over ${MAX_DECODED_BYTES} bytes): ${(err as Error).message}`,
    );
  }
  try {
    return ProtoPayload.decode(raw);
  } catch (err) {
    throw new Error(`payload marked ${ZLIB_ENCODING} does not hold a serialized Payload: ${(err as Error).message}`);
  }
}
