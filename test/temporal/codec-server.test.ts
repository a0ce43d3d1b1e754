/**
 * The codec endpoint over real HTTP: Temporal's remote-codec protocol (POST …/decode and
 * …/encode with proto3-JSON Payloads), CORS for the UI's origin, and clear 4xx answers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import http from 'node:http';
import { CodecTokenRequiredError, startCodecServer, type RunningCodecServer } from '../../src/hub/codec-server';

const UI = 'http://localhost:8233';
let server: RunningCodecServer;

before(async () => {
  server = await startCodecServer({ port: 0, corsOrigins: [UI] });
});
after(async () => {
  await server?.close();
});

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
type JsonPayloads = { payloads: Array<{ metadata: Record<string, string>; data: string }> };

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
  });
}

const page = {
  records: Array.from({ length: 30 }, (_, i) => ({
    id: `gid://shopify/Customer/${i}`,
    data: { email: `c${i}@example.com`, tags: ['vip', 'newsletter'] },
  })),
};

/** A compressed payload built by hand (the Go codec's format), not by the codec under test. */
function goZlibPayload(value: unknown) {
  const inner = defaultPayloadConverter.toPayload(value);
  return { metadata: { encoding: b64('binary/zlib') }, data: b64(deflateSync(temporal.api.common.v1.Payload.encode(inner).finish())) };
}

test('POST /decode: compressed payloads come back as the original JSON payloads, others unchanged', async () => {
  const plain = { metadata: { encoding: b64('json/plain') }, data: b64('{"small":true}') };
  const res = await post('/decode', JSON.stringify({ payloads: [goZlibPayload(page), plain] }));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const out = (await res.json()) as JsonPayloads;
  assert.equal(out.payloads.length, 2);
  assert.equal(unb64(out.payloads[0]!.metadata.encoding!), 'json/plain');
  assert.deepEqual(JSON.parse(unb64(out.payloads[0]!.data)), page);
  assert.deepEqual(out.payloads[1], plain);
});

test('the endpoint may be mounted under a namespace path (CLI {namespace} templates)', async () => {
  const res = await post('/default/decode', JSON.stringify({ payloads: [goZlibPayload({ ns: 'x'.repeat(2000) })] }));
  assert.equal(res.status, 200);
  const out = (await res.json()) as JsonPayloads;
  assert.deepEqual(JSON.parse(unb64(out.payloads[0]!.data)), { ns: 'x'.repeat(2000) });
});

test('POST /encode compresses large payloads (what the UI sends when starting or signalling), /decode reverses it', async () => {
  const big = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify(page)) };
  const small = { metadata: { encoding: b64('json/plain') }, data: b64('"hi"') };
  const enc = (await (await post('/encode', JSON.stringify({ payloads: [big, small] }))).json()) as JsonPayloads;
  assert.equal(unb64(enc.payloads[0]!.metadata.encoding!), 'binary/zlib');
  assert.ok(Buffer.from(enc.payloads[0]!.data, 'base64').length < Buffer.from(big.data, 'base64').length / 4);
  assert.deepEqual(enc.payloads[1], small);
  const dec = (await (await post('/decode', JSON.stringify(enc))).json()) as JsonPayloads;
  assert.deepEqual(dec.payloads, [big, small]);
});

test('CORS: the UI origin gets a preflight answer naming the methods and headers; other origins are refused with a reason', async () => {
  const pre = await fetch(`${server.url}/decode`, {
    method: 'OPTIONS',
    headers: {
      Origin: UI,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), UI);
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
  const allowed = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase();
  for (const h of ['x-namespace', 'content-type', 'authorization']) assert.ok(allowed.includes(h), `${h} allowed (${allowed})`);

  const res = await post('/decode', JSON.stringify({ payloads: [] }), { Origin: UI });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), UI, 'the actual request carries the CORS header too');
  assert.deepEqual(await res.json(), { payloads: [] });

  const evil = await post('/decode', JSON.stringify({ payloads: [] }), { Origin: 'https://elsewhere.example' });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  assert.match(await evil.text(), /origin https:\/\/elsewhere\.example is not allowed .*--cors-origin/);
});

test('bad requests answer 400/404/405 with a message that says what is wrong', async () => {
  const notJson = await post('/decode', '{"payloads": [');
  assert.equal(notJson.status, 400);
  assert.match(await notJson.text(), /^request body is not JSON: /);

  const notList = await post('/decode', JSON.stringify({ payloads: 'x' }));
  assert.equal(notList.status, 400);
  assert.match(await notList.text(), /^payloads: expected an array/);

  const notBase64 = await post('/decode', JSON.stringify({ payloads: [{ metadata: { encoding: 'json/plain' }, data: 'eA==' }] }));
  assert.equal(notBase64.status, 400);
  assert.match(await notBase64.text(), /payloads\[0\]\.metadata\.encoding: expected a base64 string/);

  const corrupt = await post(
    '/decode',
    JSON.stringify({ payloads: [{ metadata: { encoding: b64('binary/zlib') }, data: b64('no zlib here') }] }),
  );
  assert.equal(corrupt.status, 400);
  assert.match(await corrupt.text(), /decode failed: payload marked binary\/zlib cannot be decompressed \(not a zlib stream/);

  const get = await fetch(`${server.url}/decode`);
  assert.equal(get.status, 405);
  const other = await post('/status', '{}');
  assert.equal(other.status, 404);
  assert.match(await other.text(), /POST …\/decode or …\/encode/);
});

/** Waits for a condition the server reports (no fixed sleep). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

/** A zlib payload whose inner Payload holds `mb` MB of zeros: a few KB on the wire. */
function bombPayload(mb: number) {
  const inner = temporal.api.common.v1.Payload.encode({
    metadata: { encoding: Buffer.from('binary/plain') },
    data: Buffer.alloc(mb * 1024 * 1024),
  }).finish();
  return { metadata: { encoding: b64('binary/zlib') }, data: b64(deflateSync(inner, { level: 9 })) };
}

test('decoding is bounded per request, not only per payload: many small bombs are refused (413) before they add up', async () => {
  // 12 payloads of 16 MB each: every one within the per-payload bound, 192 MB together.
  const bomb = bombPayload(16);
  const body = JSON.stringify({ payloads: Array.from({ length: 12 }, () => bomb) });
  assert.ok(body.length < 300_000, `request is small (${body.length} bytes)`);
  const before = process.memoryUsage().arrayBuffers;
  const res = await post('/decode', body);
  assert.equal(res.status, 413);
  assert.match(await res.text(), /^decoded payloads of this request exceed 33554432 bytes/);
  // Decoding stopped at the budget: far less than the 192 MB the payloads would make.
  assert.ok(process.memoryUsage().arrayBuffers - before < 100 * 1024 * 1024);

  // Within the budget the same payloads decode.
  const eight = bombPayload(8);
  const ok = await post('/decode', JSON.stringify({ payloads: [eight, eight] }));
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as JsonPayloads).payloads.length, 2);
});

test('concurrency is bounded: one request at a time here, one waits (body not read yet), the next is told to retry', async () => {
  const small = await startCodecServer({ port: 0, corsOrigins: [UI], maxConcurrent: 1, maxQueued: 1 });
  try {
    const port = new URL(small.url).port;
    // A request that holds the only turn while its body is still arriving.
    const a = http.request({ host: '127.0.0.1', port, path: '/decode', method: 'POST', headers: { 'Content-Type': 'application/json' } });
    const answerA = new Promise<number>((resolve, reject) => {
      a.on('response', (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      a.on('error', reject);
    });
    a.write('{"payloads":');
    a.flushHeaders();
    await until(() => small.load().active === 1);
    const b = fetch(`${small.url}/decode`, { method: 'POST', body: '{"payloads":[]}' });
    await until(() => small.load().waiting === 1);
    const c = await fetch(`${small.url}/decode`, { method: 'POST', body: '{"payloads":[]}' });
    assert.equal(c.status, 503);
    assert.equal(c.headers.get('retry-after'), '1');
    a.end('[]}');
    assert.equal(await answerA, 200);
    assert.equal((await b).status, 200, 'the waiting request is served once the turn is free');
  } finally {
    await small.close();
  }
});

test('a bearer token: required to listen beyond loopback, checked on every request, preflight exempt', async () => {
  await assert.rejects(
    startCodecServer({ port: 0, host: '0.0.0.0', corsOrigins: [UI] }),
    (e: unknown) => e instanceof CodecTokenRequiredError && /B1HUB_CODEC_TOKEN/.test(e.message),
  );
  await assert.rejects(startCodecServer({ port: 0, host: '0.0.0.0', corsOrigins: [UI], token: 'short' }), CodecTokenRequiredError);
  const token = 'f3b1c0de-0123456789abcdef';
  const guarded = await startCodecServer({ port: 0, host: '0.0.0.0', corsOrigins: [UI], token });
  try {
    const url = guarded.url;
    const body = JSON.stringify({ payloads: [goZlibPayload(page)] });
    const none = await fetch(`${url}/decode`, { method: 'POST', body });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const text = await none.text();
    assert.match(text, /Authorization: Bearer <token> \(the value of B1HUB_CODEC_TOKEN/);
    assert.doesNotMatch(text, new RegExp(token));
    const wrong = await fetch(`${url}/decode`, { method: 'POST', body, headers: { Authorization: `Bearer ${token}x` } });
    assert.equal(wrong.status, 401);
    const pre = await fetch(`${url}/decode`, { method: 'OPTIONS', headers: { Origin: UI, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(pre.status, 204, 'browsers send no credentials on a preflight');
    const ok = await fetch(`${url}/decode`, { method: 'POST', body, headers: { Authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(unb64(((await ok.json()) as JsonPayloads).payloads[0]!.data)), page);
  } finally {
    await guarded.close();
  }
  // Loopback without a token stays open (the default server above answers without one).
});
