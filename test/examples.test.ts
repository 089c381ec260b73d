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

test('README shows examples/replay.ts verbatim', () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const example = readFileSync(new URL('examples/replay.ts', root), 'utf8');
  assert.ok(readme.includes(example), 'README and examples/replay.ts differ');
});

test('examples/replay.ts: replayed steps end on the eager steps\' loss, bit for bit, and it fell', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/replay.ts'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.is(run.status, 0, run.stderr);
  const losses = [...run.stdout.matchAll(/^(eager|replayed): loss ([\d.e-]+)/gm)].map((m) => [m[1], Number(m[2])] as const);
  assert.equal(losses.map(([mode]) => mode), ['eager', 'replayed'], run.stdout);
  assert.is(losses[1][1], losses[0][1]);
  assert.ok(losses[0][1] < 0.02, `loss ${losses[0][1]}`);
});

test.run();
