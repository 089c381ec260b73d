#!/usr/bin/env node
// Mutation check of the WGSL kernels: does a test fail when a kernel is wrong?
// 1. Runs each test file once, noting which shader files it compiles (scripts/lib/shader-usage.mjs)
//    and how long it takes; a file that fails as it stands is left out.
// 2. For each shader, writes a few mutants (one operator, bound or literal changed: see
//    scripts/lib/wgsl-mutants.mjs), and runs the files that compile that shader until one fails:
//    first the tests named after it or a shader that includes it, then those that compile fewest
//    shaders. A mutant no file fails "survived": an untested path, a tolerance
//    too loose, or an equivalent mutant (a change that alters no result), to be read by a person.
// The shader is restored after each mutant, and on an interrupt.
// Usage: node scripts/mutate-shaders.mjs [options] [shader ...]
//   shader         substrings of the shader names to mutate (default: all of shaders/)
//   --per-file=N   mutants per shader, spread evenly over its places (default 4)
//   --files=N      test files run against a mutant at most (default 6), in that order; a
//                  survivor says how many of the files that compile its shader ran
//   --tests=a,b    test files whose path contains one of these (default: test/ops, test/engine,
//                  test/metrics, test/models)
//   --map=FILE     the shaders each test file compiles: read from FILE when it exists, else
//                  found by step 1 and written there
//   --json=FILE    also write every mutant's outcome there
// Runs one test file at a time (SwiftShader wants both cores). A full run takes about an hour here.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTests } from './lib/test-files.mjs';
import { applySite, mutationSites, spreadSites } from './lib/wgsl-mutants.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const shaderDir = join(root, 'shaders');
const args = process.argv.slice(2);
const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const perFile = Number(option('per-file', '4'));
const mostFiles = Number(option('files', '6'));
const mapPath = option('map', null);
const testFilters = option('tests', 'test/ops,test/engine,test/metrics,test/models').split(',');
const jsonPath = option('json', null);
const shaderFilters = args.filter((a) => !a.startsWith('--'));

/** Runs a test file; resolves with whether it passed and how long it took (ms). */
function runTest(file, { timeoutMs = 15 * 60_000, env = {} } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', ...(env.FUSEGRAD_SHADER_USAGE ? ['--import', './scripts/lib/shader-usage.mjs'] : []), file], {
      cwd: root, env: { ...process.env, FORCE_COLOR: '0', ...env }, stdio: 'ignore', timeout: timeoutMs,
    });
    child.on('close', (status, signal) => resolve({ passed: status === 0, timedOut: signal !== null, ms: Date.now() - started }));
  });
}

// 1. which shaders each test file compiles
const scratch = mkdtempSync(join(tmpdir(), 'fusegrad-mutants-'));
const tests = findTests(join(root, 'test')).filter((f) => testFilters.some((s) => relative(root, f).includes(s)));
let usage = []; // { name, ms, shaders: Set }, name relative to the root
if (mapPath && existsSync(mapPath)) {
  const names = new Set(tests.map((f) => relative(root, f)));
  usage = JSON.parse(readFileSync(mapPath, 'utf8')).filter((u) => names.has(u.name)).map((u) => ({ ...u, shaders: new Set(u.shaders) }));
  console.log(`read ${mapPath}: ${usage.length} test files`);
} else {
  for (const file of tests) {
    const log = join(scratch, 'usage.txt');
    rmSync(log, { force: true });
    const run = await runTest(file, { env: { FUSEGRAD_SHADER_USAGE: log } });
    const name = relative(root, file);
    if (!run.passed) {
      console.log(`left out ${name}: it fails as it stands`);
      continue;
    }
    let shaders = [];
    try { shaders = readFileSync(log, 'utf8').split('\n').filter(Boolean); } catch { /* compiled none */ }
    usage.push({ name, ms: run.ms, shaders: new Set(shaders) });
    console.log(`mapped ${name}: ${shaders.length} shaders, ${(run.ms / 1000).toFixed(1)} s`);
  }
  if (mapPath) writeFileSync(mapPath, JSON.stringify(usage.map((u) => ({ ...u, shaders: [...u.shaders] })), null, 1));
}
// the files that compile fewest shaders first (a kernel's own tests before the models'), then the quickest
usage.sort((a, b) => a.shaders.size - b.shaders.size || a.ms - b.ms);

// every shader's text as it stands (each mutant is written over it, and it back after)
const sources = Object.fromEntries(readdirSync(shaderDir).filter((n) => n.endsWith('.wgsl')).map((n) => [n, readFileSync(join(shaderDir, n), 'utf8')]));

// the shaders that paste `shader` in (#include), directly or through others, and itself
function family(shader, seen = new Set([shader])) {
  for (const [name, text] of Object.entries(sources)) {
    if (!seen.has(name) && text.includes(`#include "${shader}"`)) {
      seen.add(name);
      family(name, seen);
    }
  }
  return seen;
}

/**
 * The files that compile `shader`, its op's own tests first (sobel.test.ts for sobel_adjoint.wgsl):
 * the first mostFiles of them to run, and how many there are.
 */
function coveringFiles(shader) {
  const names = [...family(shader)].map((n) => n.replace(/\.wgsl$/, ''));
  const own = (u) => names.some((n) => n.startsWith(basename(u.name, '.test.ts')));
  const covering = usage.filter((u) => u.shaders.has(shader));
  return { run: [...covering.filter(own), ...covering.filter((u) => !own(u))].slice(0, mostFiles), all: covering.length };
}

// 2. the mutants
let current = null; // { path, source } of the shader being mutated, restored on exit
const restore = () => { if (current) writeFileSync(current.path, current.source); current = null; };
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { restore(); process.exit(130); });
process.on('exit', restore);

const outcomes = [];
const shaders = Object.keys(sources).filter((n) => !shaderFilters.length || shaderFilters.some((s) => n.includes(s))).sort();
for (const shader of shaders) {
  const path = join(shaderDir, shader);
  const source = sources[shader];
  const { run: covering, all } = coveringFiles(shader);
  const sites = spreadSites(mutationSites(source), perFile);
  for (const site of sites) {
    const outcome = { shader, line: site.line, operator: site.operator, mutant: site.after.trim(), killedBy: null, ran: 0, covering: all };
    current = { path, source };
    writeFileSync(path, applySite(source, site));
    for (const u of covering) {
      outcome.ran++;
      const run = await runTest(join(root, u.name), { timeoutMs: 3 * u.ms + 30_000 });
      if (!run.passed) {
        outcome.killedBy = `${u.name}${run.timedOut ? ' (timed out)' : ''}`;
        break;
      }
    }
    restore();
    outcomes.push(outcome);
    const verdict = outcome.killedBy ? `killed by ${outcome.killedBy}`
      : covering.length ? `SURVIVED ${covering.length} of the ${all} files that compile it` : 'NOT COVERED by any test file';
    console.log(`${shader}:${site.line} ${site.operator}: ${verdict}\n    ${outcome.mutant}`);
  }
}
rmSync(scratch, { recursive: true, force: true });

const killed = outcomes.filter((o) => o.killedBy).length;
console.log(`\n${killed} of ${outcomes.length} mutants killed in ${shaders.length} shaders; survivors:`);
for (const o of outcomes.filter((x) => !x.killedBy)) console.log(`  ${o.shader}:${o.line} ${o.operator}  ${o.mutant}  (ran ${o.ran} of ${o.covering} files)`);
if (jsonPath) writeFileSync(jsonPath, JSON.stringify({ perFile, mostFiles, tests: usage.map((u) => u.name), outcomes }, null, 2));
