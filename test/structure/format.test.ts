/**
 * The code is formatted (Prettier, `.prettierrc.json`; `npm run format` fixes it): a change that
 * is not fails here, so formatting never piles up into one huge diff again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const repo = path.resolve(__dirname, '../..');

test('every source, test and script file is formatted', () => {
  const bin = path.join(repo, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  let out = '';
  try {
    out = execFileSync(process.execPath, [bin, '--list-different', 'src', 'test', 'scripts'], { cwd: repo, encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: unknown }).stdout ?? e);
  }
  assert.equal(out.trim(), '', `not formatted (run npm run format):\n${out}`);
});
