import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { clientFor, rawGraphQL, startSim } from './helpers';
import type { ShopifySimulator } from '../../src/sim/shopify';
import { reassembleBulk, type ShopifyClient, type ProductUpsert } from '../../src/connectors/shopify';
import { downloadJsonl, latestById, loadBulkExport } from '../../src/connectors/shopify/bulk';
import type { ShopifyExecutor } from '../../src/connectors/shopify/executor';

const SKUS = Array.from({ length: 12 }, (_, i) => `BK-${String(i).padStart(3, '0')}`);

describe('bulk operations', () => {
  let sim: ShopifySimulator;
  let client: ShopifyClient;
  before(async () => {
    sim = await startSim({ seed: { customers: 5, orders: 4, skus: SKUS }, plan: { restoreRate: 100, bucketSize: 1000 } });
    client = clientFor(sim);
  });
  after(async () => sim.close());

  test('bulk query: JSONL over HTTP, children follow parents with __parentId, reassembled', async () => {
    // A multi-variant product, so reassembly has real children to group.
    await rawGraphQL(
      sim,
      'mutation P($input: ProductSetInput!) { productSet(input: $input, synchronous: true) { userErrors { message } } }',
      {
        input: {
          title: 'Bulk shirt',
          productOptions: [{ name: 'Size', values: [{ name: 'S' }, { name: 'M' }] }],
          variants: [
            { optionValues: [{ optionName: 'Size', name: 'S' }], sku: 'BS-S' },
            { optionValues: [{ optionName: 'Size', name: 'M' }], sku: 'BS-M' },
          ],
        },
      },
    );
    const { operation, products } = await client.bulkExportProducts({ pollIntervalMs: 10 });
    assert.equal(operation.status, 'COMPLETED');
    assert.equal(products.length, SKUS.length + 1);
    assert.equal(operation.rootObjectCount, String(SKUS.length + 1));
    assert.equal(operation.objectCount, String(SKUS.length + 1 + SKUS.length + 2));
    const shirt = products.find((p) => p.title === 'Bulk shirt')!;
    assert.deepEqual(
      shirt.__children.ProductVariant!.map((v) => v.sku),
      ['BS-S', 'BS-M'],
    );
    assert.ok(products.filter((p) => p.title !== 'Bulk shirt').every((p) => p.__children.ProductVariant?.length === 1));
    // The raw file: children carry __parentId and come after their parent.
    const res = await fetch(operation.url!);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const seen = new Set<unknown>();
    for (const l of lines) {
      if (l.__parentId) assert.ok(seen.has(l.__parentId), 'parent first');
      seen.add(l.id);
    }
  });

  test('bulk inventory export and the cost of a bulk run is only the starting mutation', async () => {
    const before = (await rawGraphQL(sim, '{ shop { name } }')).body.extensions.cost.throttleStatus.currentlyAvailable;
    const { items } = await client.bulkExportInventory({ pollIntervalMs: 10 });
    assert.ok(items.length >= SKUS.length);
    const levels = items.flatMap((i) => i.__children.InventoryLevel ?? []);
    assert.equal(levels.length, SKUS.length * 2);
    assert.ok(levels.every((l) => Array.isArray(l.quantities)));
    const after = (await rawGraphQL(sim, '{ shop { name } }')).body.extensions.cost.throttleStatus.currentlyAvailable;
    assert.ok(before - after < 100, `bulk run consumed ${before - after} points`);
  });

  test('bulk query rules: invalid queries and the 5-at-a-time concurrency limit (2026-07)', async () => {
    const bad = await rawGraphQL(
      sim,
      'mutation { bulkOperationRunQuery(query: "{ shop { name } }", groupObjects: false) { bulkOperation { id } userErrors { code message } } }',
    );
    assert.equal(bad.body.data.bulkOperationRunQuery.userErrors[0].code, 'INVALID');
    const slow = await startSim({ seed: false, bulkStepMs: 500 });
    try {
      const start = () =>
        rawGraphQL(
          slow,
          'mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }", groupObjects: false) { bulkOperation { id status } userErrors { code message } } }',
        );
      for (let i = 0; i < 5; i++) assert.deepEqual((await start()).body.data.bulkOperationRunQuery.userErrors, []);
      const sixth = await start();
      assert.equal(sixth.body.data.bulkOperationRunQuery.userErrors[0].code, 'LIMIT_REACHED');
    } finally {
      await slow.close();
    }
  });

  test('bulk mutation: staged upload, productSet per line, results matched by __lineNumber', async () => {
    await client.ensureCustomIdDefinitions();
    const items: ProductUpsert[] = Array.from({ length: 120 }, (_, i) => ({
      customId: `BULK-${i}`,
      title: `Bulk item ${i}`,
      sku: `BULK-${i}`,
      price: `${i}.99`,
      tracked: true,
      taxable: true,
      status: 'ACTIVE',
    }));
    items[7] = { ...items[7]!, title: '' }; // one bad line
    const { operation, results } = await client.bulkUpsertProducts(items, { pollIntervalMs: 10 });
    assert.equal(operation.status, 'COMPLETED');
    assert.equal(results.length, 120);
    assert.equal(results.filter((r) => r.result.ok).length, 119, 'COMPLETED does not mean every line succeeded');
    const bad = results[7]!.result;
    assert.equal(bad.ok, false);
    assert.deepEqual(!bad.ok && bad.userErrors[0]?.field, ['input', 'title']);
    const r42 = results[42]!;
    assert.ok(r42.result.ok);
    const p = await client.productByCustomId('BULK-42');
    assert.equal(p?.id, r42.result.ok ? r42.result.value.productId : null);
    assert.equal(p?.variants[0]?.price, '42.99');
  });

  test('one bulk mutation at a time: a second gets OPERATION_IN_PROGRESS', async () => {
    const slow = await startSim({ seed: false, bulkStepMs: 400 });
    try {
      const upload = async () => {
        const t = await rawGraphQL(
          slow,
          'mutation { stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: "v.jsonl", mimeType: "text/jsonl", httpMethod: POST }]) { stagedTargets { url parameters { name value } } } }',
        );
        const target = t.body.data.stagedUploadsCreate.stagedTargets[0];
        const form = new FormData();
        for (const p of target.parameters) form.append(p.name, p.value);
        form.append('file', new Blob(['{"input":{"firstName":"A"}}\n']), 'v.jsonl');
        const up = await fetch(target.url, { method: 'POST', body: form });
        assert.equal(up.status, 201);
        return target.parameters.find((p: { name: string }) => p.name === 'key').value as string;
      };
      const run = async (path: string) =>
        rawGraphQL(
          slow,
          'mutation R($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { bulkOperation { id } userErrors { code message } } }',
          {
            m: 'mutation C($input: CustomerInput!) { customerCreate(input: $input) { customer { id } userErrors { message } } }',
            p: path,
          },
        );
      assert.deepEqual((await run(await upload())).body.data.bulkOperationRunMutation.userErrors, []);
      const second = await run(await upload());
      assert.equal(second.body.data.bulkOperationRunMutation.userErrors[0].code, 'OPERATION_IN_PROGRESS');
      const missing = await run('tmp/nope/v.jsonl');
      assert.equal(missing.body.data.bulkOperationRunMutation.userErrors[0].code, 'NO_SUCH_FILE');
    } finally {
      await slow.close();
    }
  });

  test('two imports at once: the second waits for the mutation slot instead of failing, and both complete', async () => {
    const slow = await startSim({ seed: false, bulkStepMs: 400 });
    try {
      const c = clientFor(slow);
      await c.ensureCustomIdDefinitions();
      const batch = (tag: string): ProductUpsert[] =>
        Array.from({ length: 3 }, (_, i) => ({
          customId: `${tag}-${i}`,
          title: `${tag} ${i}`,
          sku: `${tag}-${i}`,
          price: '1.00',
          tracked: true,
          taxable: true,
          status: 'ACTIVE',
        }));
      const [a, b] = await Promise.all([
        c.bulkUpsertProducts(batch('SLOT-A'), { pollIntervalMs: 50 }),
        c.bulkUpsertProducts(batch('SLOT-B'), { pollIntervalMs: 50 }),
      ]);
      for (const r of [a, b]) {
        assert.equal(r.operation.status, 'COMPLETED');
        assert.ok(
          r.results.every((x) => x.result.ok),
          JSON.stringify(r.results),
        );
      }
      // One ran after the other: the later one was created only once the earlier one had completed.
      const [first, second] = [a.operation, b.operation].sort((x, y) => Date.parse(x.createdAt) - Date.parse(y.createdAt));
      assert.ok(first!.completedAt && Date.parse(second!.createdAt) >= Date.parse(first!.completedAt), JSON.stringify([first, second]));
      for (const tag of ['SLOT-A', 'SLOT-B']) assert.ok(await c.productByCustomId(`${tag}-2`), `${tag} imported`);
    } finally {
      await slow.close();
    }
  });

  test('reassembly rejects a child whose parent never appeared', () => {
    assert.throws(
      () => reassembleBulk([{ id: 'gid://shopify/ProductVariant/1', __parentId: 'gid://shopify/Product/9' }]),
      /lacks its parent/,
    );
  });
});

describe('bulk result files', () => {
  let server: http.Server;
  let base: string;
  const files: Record<string, { status: number; body: string }> = {
    '/ok.jsonl': { status: 200, body: '{"id":"gid://shopify/Customer/1"}\r\n\r\n{"id":"gid://shopify/Customer/2"}\n' },
    '/bad.jsonl': { status: 200, body: '{"id":"gid://shopify/Customer/1"}\n{not json\n' },
    '/gone.jsonl': { status: 403, body: 'expired' },
  };
  before(async () => {
    server = http.createServer((req, res) => {
      const f = files[req.url ?? ''] ?? { status: 404, body: '' };
      res.writeHead(f.status, { 'content-type': 'application/jsonl' }).end(f.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('are read line by line (CRLF and blank lines too); a bad line names its number', async () => {
    assert.deepEqual(await downloadJsonl(`${base}/ok.jsonl`), [{ id: 'gid://shopify/Customer/1' }, { id: 'gid://shopify/Customer/2' }]);
    await assert.rejects(downloadJsonl(`${base}/bad.jsonl`), /line 2 is not valid JSON/);
  });

  test('an unreadable file makes the export gone, so a run pages per request instead of failing; a bad parse is thrown', async () => {
    // The export's status answer as Shopify gives it for a completed operation (only its url varies).
    const completed = (url: string | null) =>
      ({
        call: async () => ({
          data: { bulkOperation: { id: 'gid://shopify/BulkOperation/1', status: 'COMPLETED', url, objectCount: '2' } },
        }),
      }) as unknown as ShopifyExecutor;
    const count = (lines: Record<string, unknown>[]) => lines.length;
    assert.deepEqual(await loadBulkExport(completed(`${base}/bad.jsonl`), 'x', count), { kind: 'gone', status: 'DOWNLOAD_FAILED' });
    assert.deepEqual(await loadBulkExport(completed(`${base}/gone.jsonl`), 'x', count), { kind: 'gone', status: 'DOWNLOAD_FAILED' });
    assert.deepEqual(await loadBulkExport(completed(null), 'x', count), { kind: 'ready', result: 0 }, 'no url: an empty export');
    assert.deepEqual(await loadBulkExport(completed(`${base}/ok.jsonl`), 'x', count), { kind: 'ready', result: 2 });
    await assert.rejects(
      loadBulkExport(completed(`${base}/ok.jsonl`), 'x', () => {
        throw new Error('malformed export');
      }),
      /malformed export/,
    );
  });

  test('rows of one record seen twice collapse to the most recently updated', () => {
    const rows = [
      { id: 'a', updatedAt: '2026-11-26T10:00:00Z', v: 1 },
      { id: 'b', updatedAt: '2026-11-26T10:00:01Z', v: 2 },
      { id: 'a', updatedAt: '2026-11-26T10:00:05Z', v: 3 },
    ];
    assert.deepEqual(
      latestById(rows)
        .map((r) => r.v)
        .sort(),
      [2, 3],
    );
  });
});
