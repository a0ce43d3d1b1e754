/**
 * The zlib payload codec: Go-SDK wire format (encoding binary/zlib, data = zlib stream of the
 * serialized original Payload), small payloads left readable, unencoded payloads passed through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { MAX_DECODED_BYTES, ZlibPayloadCodec, ZLIB_ENCODING } from '../../src/temporal/zlib-codec';
import { decodeHubPayloads, encodeHubPayloads, payloadValue } from '../../src/temporal/data-converter';

const codec = new ZlibPayloadCodec();
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const serialized = (p: Payload) => Buffer.from(temporal.api.common.v1.Payload.encode(p).finish());

/** A page like the order pipeline's: 25 records of repetitive JSON. */
function orderPage(n = 25) {
  return {
    records: Array.from({ length: n }, (_, i) => ({
      id: `gid://shopify/Order/${1000 + i}`,
      label: `#${1000 + i}`,
      data: {
        email: `buyer${i}@example.com`,
        createdAt: `2026-11-26T10:${String(i).padStart(2, '0')}:00Z`,
        currencyCode: 'USD',
        lineItems: [
          { sku: 'A00001', quantity: 2, originalUnitPriceSet: { shopMoney: { amount: '19.99', currencyCode: 'USD' } } },
          { sku: 'A00003', quantity: 1, originalUnitPriceSet: { shopMoney: { amount: '5.00', currencyCode: 'USD' } } },
        ],
        shippingAddress: { address1: `${i} Main Street`, city: 'Springfield', countryCode: 'US', zip: '12345' },
      },
    })),
    nextCursor: 'eyJsYXN0X2lkIjoxMDI0fQ==',
  };
}

test('a large repetitive page is compressed in the Go format and decodes to the same bytes', async () => {
  const original = defaultPayloadConverter.toPayload(orderPage());
  const [encoded] = await codec.encode([original]);
  assert.equal(text(encoded!.metadata!.encoding), ZLIB_ENCODING);
  assert.deepEqual(Object.keys(encoded!.metadata!), ['encoding'], 'only the encoding in metadata, as the Go codec writes');
  const before = serialized(original).length;
  const after = encoded!.data!.length;
  assert.ok(after * 5 < before, `compressed at least 5× (${before} → ${after} B)`);

  // Independently of the codec's decode: inflate and parse as a Payload proto.
  const inner = temporal.api.common.v1.Payload.decode(inflateSync(encoded!.data!));
  assert.equal(text(inner.metadata.encoding), 'json/plain');
  assert.deepEqual(Buffer.from(inner.data), Buffer.from(original.data!));

  const [decoded] = await codec.decode([encoded!]);
  assert.deepEqual(serialized(decoded!), serialized(original), 'round trip gives the same serialized payload');
  assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), orderPage());
});

test('payloads written by a Go-style zlib codec are decoded (bytes built by hand, not by our encoder)', async () => {
  const inner = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"hello":"from go"}') };
  const goPayload: Payload = {
    metadata: { encoding: Buffer.from('binary/zlib') },
    data: deflateSync(temporal.api.common.v1.Payload.encode(inner).finish()),
  };
  assert.deepEqual(await payloadValue(goPayload), { hello: 'from go' });
});

test('small payloads stay plain JSON (readable without the codec endpoint)', async () => {
  const small = defaultPayloadConverter.toPayload({ kind: 'daily', times: ['02:00'], timezone: 'Europe/Berlin' });
  const [out] = await codec.encode([small]);
  assert.equal(out, small);
  assert.equal(text(out!.metadata!.encoding), 'json/plain');
});

test('a large payload that does not compress is kept as it is', async () => {
  const random: Payload = { metadata: { encoding: Buffer.from('binary/plain') }, data: randomBytes(4096) };
  const alreadyCompressed: Payload = {
    metadata: { encoding: Buffer.from('binary/plain') },
    data: deflateSync(Buffer.from(JSON.stringify(orderPage(40)))),
  };
  const [a, b] = await codec.encode([random, alreadyCompressed]);
  assert.equal(a, random);
  assert.equal(b, alreadyCompressed);
});

test('decode passes through payloads without the zlib encoding (histories from before compression)', async () => {
  const plain = defaultPayloadConverter.toPayload(orderPage(3));
  const other: Payload = { metadata: { encoding: Buffer.from('binary/encrypted') }, data: Buffer.from([1, 2, 3]) };
  const [a, b] = await codec.decode([plain, other]);
  assert.equal(a, plain);
  assert.equal(b, other);
});

test('a corrupt binary/zlib payload fails decoding with a message that says why', async () => {
  await assert.rejects(
    codec.decode([{ metadata: { encoding: Buffer.from(ZLIB_ENCODING) }, data: Buffer.from('not zlib') }]),
    /payload marked binary\/zlib cannot be decompressed \(not a zlib stream/,
  );
});

test('a payload that would inflate past the limit (a "zip bomb") is refused, not decompressed', async () => {
  // 100 MB of zeros deflate to ~100 KB: small to send, ruinous to inflate without a bound.
  const bomb = deflateSync(Buffer.alloc(MAX_DECODED_BYTES + 1024 * 1024));
  assert.ok(bomb.length < 1024 * 1024, 'the crafted payload is small');
  await assert.rejects(
    codec.decode([{ metadata: { encoding: Buffer.from(ZLIB_ENCODING) }, data: bomb }]),
    /cannot be decompressed .*over 67108864 bytes/,
  );
});

test('the threshold is the serialized size and configurable', async () => {
  const p = defaultPayloadConverter.toPayload('x'.repeat(300));
  assert.equal((await codec.encode([p]))[0], p, 'under 1 KiB by default');
  const eager = new ZlibPayloadCodec({ minBytes: 100 });
  assert.equal(text((await eager.encode([p]))[0]!.metadata!.encoding), ZLIB_ENCODING);
});

test('the hub data converter helpers: encode then decode is the identity, payloadValue reads both forms', async () => {
  const payloads = [defaultPayloadConverter.toPayload(orderPage()), defaultPayloadConverter.toPayload({ small: true })];
  const stored = await encodeHubPayloads(payloads);
  assert.equal(text(stored[0]!.metadata!.encoding), ZLIB_ENCODING);
  assert.equal(text(stored[1]!.metadata!.encoding), 'json/plain');
  const back = await decodeHubPayloads(stored);
  assert.deepEqual(back.map(serialized), payloads.map(serialized));
  assert.deepEqual(await payloadValue(stored[0]!), orderPage());
  assert.deepEqual(await payloadValue(stored[1]!), { small: true });
});
