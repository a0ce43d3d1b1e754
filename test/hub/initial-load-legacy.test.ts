/** An earlier version's initial-load files in the data folder become the workflow's input, once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { legacyInitialLoadInput } from '../../src/hub/initial-load';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'b1hub-legacy-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

test('no files: nothing to take over', () => {
  const dir = folder({});
  assert.equal(legacyInitialLoadInput(dir), undefined);
  rmSync(dir, { recursive: true });
});

test('initialized.json (done) wins over init-state.json: a recorded load, nothing runs', () => {
  const dir = folder({
    'initialized.json': JSON.stringify({ at: '2026-01-02T03:04:05.000Z', how: 'completed with problems' }),
    'init-state.json': JSON.stringify({ requests: { customer: 'init-abc', product: 'init-abc', inventory: 'init-abc' } }),
  });
  assert.deepEqual(legacyInitialLoadInput(dir), { recorded: { how: 'completed with problems', at: '2026-01-02T03:04:05.000Z' } });
  rmSync(dir, { recursive: true });
});

test('init-state.json alone (a load under way): its request ids, so served runs are not repeated', () => {
  const dir = folder({
    'init-state.json': JSON.stringify({ requests: { customer: 'init-abc', product: 'init-abc', inventory: 'init-abc' } }),
  });
  assert.deepEqual(legacyInitialLoadInput(dir), { requestIds: { customer: 'init-abc', product: 'init-abc', inventory: 'init-abc' } });
  rmSync(dir, { recursive: true });
});

test('a torn file counts as absent', () => {
  const dir = folder({ 'init-state.json': '{"requests": {"custo' });
  assert.equal(legacyInitialLoadInput(dir), undefined);
  rmSync(dir, { recursive: true });
});
