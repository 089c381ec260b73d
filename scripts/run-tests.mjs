#!/usr/bin/env node
// Runs every test/**/*.test.ts file in its own Node process (one GPU device per file, so a
// crash or a lost device in one file cannot take the others down), one at a time (2-core
// machines: SwiftShader wants both cores), and ends with the plain line CI reads:
// "N passed, N failed".
// Usage: node scripts/run-tests.mjs [--jobs=N] [substring ...]   (runs only the files whose path matches)
//   --jobs=N runs N files at a time: for machines with many cores and a real GPU, where the files
//   wait on the CPU side (compiles, references) more than on the device. Default 1.
import { spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTests } from './lib/test-files.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const jobs = Math.max(1, Number(args.find((a) => a.startsWith('--jobs='))?.slice('--jobs='.length) ?? 1) || 1);
const filters = args.filter((a) => !a.startsWith('--jobs='));

const files = findTests(join(root, 'test')).filter(
  (f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)),
);
let passed = 0, failed = 0, skipped = 0;
const started = Date.now();

/** Runs one test file in its own Node process; resolves with its combined output and exit status. */
function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, timeout: 15 * 60_000,
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('close', (status, signal) => resolve({ output, status, signal }));
  });
}

function report(file, run, secs) {
  const { output } = run;
  const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? NaN);
  const ok = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? NaN);
  const skip = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const name = relative(root, file);
  if (Number.isNaN(total)) {
    // The file died before uvu could print its summary: count it as one failure.
    failed += 1;
    console.log(`FAIL ${name} (${secs}s): no test summary, exit ${run.status ?? run.signal}`);
    console.log(output.trimEnd().split('\n').map((l) => '     ' + l).join('\n'));
    return;
  }
  // uvu's Total counts the tests that ran: skipped ones are outside it.
  const bad = total - ok;
  passed += ok; skipped += skip; failed += bad;
  console.log(`${bad ? 'FAIL' : 'ok  '} ${name}: ${ok}/${total} passed${skip ? `, ${skip} skipped` : ''} (${secs}s)`);
  if (bad || run.status !== 0) console.log(output.trimEnd().split('\n').map((l) => '     ' + l).join('\n'));
  if (run.status !== 0 && !bad) failed += 1;
}

const queue = [...files];
async function worker() {
  for (let file = queue.shift(); file; file = queue.shift()) {
    const t0 = Date.now();
    const run = await runFile(file);
    report(file, run, ((Date.now() - t0) / 1000).toFixed(1));
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
console.log(`\n${files.length} files in ${((Date.now() - started) / 1000).toFixed(0)}s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
