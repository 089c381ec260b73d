/** The README's autograd example is a real file, runs, and learns. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);

test('README shows examples/autograd.ts verbatim', () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const example = readFileSync(new URL('examples/autograd.ts', root), 'utf8');
  assert.ok(readme.includes(example), 'README and examples/autograd.ts differ');
});

test('examples/autograd.ts runs and its loss falls ≥ 50×', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/autograd.ts'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.is(run.status, 0, run.stderr);
  const losses = [...run.stdout.matchAll(/loss ([\d.]+)/g)].map((m) => Number(m[1]));
  assert.is(losses.length, 4);
  assert.ok(losses[0] / losses[3] >= 50, `losses ${losses.join(', ')}`);
});

test.run();
