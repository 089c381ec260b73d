// The mutant maker of scripts/mutate-shaders.mjs: it must change code, one place at a time, and
// leave comments, declarations and snippets alone (mutants there say nothing of the tests).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applySite, mutationSites, spreadSites } from '../../scripts/lib/wgsl-mutants.mjs';

const SOURCE = [
  '// a + b in a comment',
  'struct Params { n: u32, scale: f32 }',
  '@group(0) @binding(0) var<storage, read> x: array<f32>;',
  '#include "common.wgsl"',
  'fn main(i: u32) -> f32 {',
  '  let i = flat_index(gid, nwg, 256u);',
  '  let y = {{EXPR}} + 1.0;',
  '  if (i < params.n && i >= 2u) {',
  '    return min(x[i] * 0.5, x[i - 1u]); // x + y',
  '  }',
  '}',
].join('\n');

test('every site is on a line of code, outside its comment', () => {
  const sites = mutationSites(SOURCE);
  assert.equal([...new Set(sites.map((s) => s.line))], [8, 9]);
  assert.equal(sites.map((s) => s.operator), ['< → <=', '&& → ||', '>= → >', 'n → n+1', 'min → max', '* → /', 'x → 2x', '- → +', 'n → n+1']);
  for (const s of sites) assert.ok(s.after.endsWith('// x + y') === s.before.endsWith('// x + y'), s.after);
});

test('a mutant changes one place of one line', () => {
  const sites = mutationSites(SOURCE);
  const mutants = sites.map((s) => applySite(SOURCE, s));
  assert.is(mutants[0].split('\n')[7], '  if (i <= params.n && i >= 2u) {');
  assert.is(mutants[3].split('\n')[7], '  if (i < params.n && i >= 3u) {');
  assert.is(mutants[6].split('\n')[8], '    return min(x[i] * 1.0, x[i - 1u]); // x + y');
  for (const m of mutants) {
    const changed = m.split('\n').filter((line, k) => line !== SOURCE.split('\n')[k]);
    assert.is(changed.length, 1);
  }
  assert.is(new Set(mutants).size, mutants.length);
});

test('a bounds check that only returns has no mutants; other branches do', () => {
  const source = ['fn f(i: u32) {', '  if (i >= params.n) {', '    return;', '  }', '  if (i < params.m) {', '    y[i] = 1.0;', '    return;', '  }', '}'].join('\n');
  assert.equal(mutationSites(source).map((s) => [s.line, s.operator]), [[5, '< → <='], [6, 'x → 2x']]);
});

test('spreadSites picks evenly and the same each time', () => {
  const sites = mutationSites(SOURCE);
  const picked = spreadSites(sites, 3);
  assert.equal(picked.map((s) => s.operator), ['&& → ||', 'min → max', '- → +']);
  assert.equal(spreadSites(sites, 3), picked);
  assert.is(spreadSites(sites, 99).length, sites.length);
});

test.run();
