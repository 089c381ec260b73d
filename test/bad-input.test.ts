/**
 * Every case of the bad-input corpus (test/fixtures/bad-inputs.ts) through the real CLI: a
 * non-zero exit (2: a user mistake), one line on stderr that names the file or flag, no stack
 * trace, and no output file (or temp file) left behind.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBadInputs } from './fixtures/bad-inputs.ts';

const root = new URL('../', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'fusegrad-bad-'));
const { cases } = makeBadInputs(join(dir, 'in'));
const outDir = join(dir, 'out');
mkdirSync(outDir);

test('the corpus has at least 20 cases', () => {
  assert.ok(cases.length >= 20, `${cases.length} cases`);
});

for (const c of cases) {
  test(`bad input: ${c.name}`, () => {
    const out = join(outDir, `${c.name.replace(/\W+/g, '-')}.png`);
    const args = c.args.map((a) => (a === 'OUT' ? out : a));
    const run = spawnSync(process.execPath, ['bin/fusegrad.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('fusegrad: error:'));
    assert.is(run.status, 2, `exit ${run.status}: ${run.stderr}`);
    assert.is(lines.length, 1, run.stderr);
    assert.match(lines[0], c.mentions);
    // a JavaScript stack frame (Dawn's own native warnings on stderr are not ours)
    assert.not.match(run.stderr, /\n\s+at .*\.(ts|mjs|js):\d+/, 'no stack trace');
    assert.not.ok(existsSync(out), 'no output file');
    if (existsSync(outDir)) assert.equal(readdirSync(outDir), [], 'no temp files');
  });
}

test.run();
