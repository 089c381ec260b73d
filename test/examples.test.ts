/** The README's examples are real files, shown verbatim, that run and do what they say. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);

for (const example of ['examples/autograd.ts', 'examples/replay.ts']) {
  test(`README shows ${example} verbatim`, () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    assert.ok(readme.includes(readFileSync(new URL(example, root), 'utf8')), `README and ${example} differ`);
  });
}

/** Runs an example; returns its standard output. */
function run(example: string): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', example], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.is(result.status, 0, result.stderr);
  return result.stdout;
}

test('examples/autograd.ts runs and its loss falls ≥ 50×', () => {
  const losses = [...run('examples/autograd.ts').matchAll(/loss ([\d.]+)/g)].map((m) => Number(m[1]));
  assert.is(losses.length, 4);
  assert.ok(losses[0] / losses[3] >= 50, `losses ${losses.join(', ')}`);
});

test('examples/replay.ts: replayed steps end on the eager steps\' loss, bit for bit, and it fell', () => {
  const output = run('examples/replay.ts');
  const losses = [...output.matchAll(/^(eager|replayed): loss ([\d.e-]+)/gm)].map((m) => [m[1], Number(m[2])] as const);
  assert.equal(losses.map(([mode]) => mode), ['eager', 'replayed'], output);
  assert.is(losses[1][1], losses[0][1]);
  assert.ok(losses[0][1] < 0.02, `loss ${losses[0][1]}`);
});

test.run();
