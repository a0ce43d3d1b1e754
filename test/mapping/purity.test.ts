/**
 * The mapping layer must be importable from Temporal workflow code and deterministic: no Node
 * builtins or I/O libraries, no clock or randomness (time zone and "today" are arguments).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '..', '..', 'src', 'mapping');
const ALLOWED = [/^\.\//, /^\.\.\/shared\/sync-object$/, /^zod$/, /^luxon$/];

function sources(): { file: string; code: string }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({
      file: f,
      // Comments may mention forbidden things (e.g. "no Date.now()"); only code counts.
      code: readFileSync(join(DIR, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:])\/\/.*$/gm, '$1'),
    }));
}

describe('mapping purity', () => {
  test('imports only pure libraries and sibling modules', () => {
    const files = sources();
    assert.ok(files.length >= 10, 'mapping sources found');
    for (const { file, code } of files) {
      for (const m of code.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        assert.ok(
          ALLOWED.some((re) => re.test(spec)),
          `${file} imports '${spec}', which workflow code may not load`,
        );
      }
    }
  });

  test('reads no clock, randomness or process state', () => {
    for (const { file, code } of sources()) {
      for (const banned of [
        /Date\.now\(/,
        /new Date\(/,
        /Math\.random\(/,
        /\bprocess\./,
        /DateTime\.(now|local)\(/,
        /setTimeout|setInterval/,
      ]) {
        assert.ok(!banned.test(code), `${file} uses ${banned.source}`);
      }
    }
  });
});
