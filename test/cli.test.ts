/** The command line as a user meets it: help, mistakes, a real fuse of the built-in sample. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slowFitHint } from '../src/cli/progress.ts';
import { decodeImage } from '../src/io/decode.ts';

const root = new URL('../', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'fusegrad-cli-'));

function fusegrad(...args: string[]) {
  return spawnSync(process.execPath, ['bin/fusegrad.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
}

test('--help prints the usage and exits 0', () => {
  const run = fusegrad('--help');
  assert.is(run.status, 0);
  assert.match(run.stdout, 'fusegrad fuse IR VIS -o OUT.png');
});

test('--help or -h after a command prints the usage too, and exits 0', () => {
  for (const args of [['fuse', '--help'], ['fuse', 'a.png', '-h'], ['eval', '--help']]) {
    const run = fusegrad(...args);
    assert.is(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stdout, 'fuse options:', args.join(' '));
  }
});

test('a fit that will take long suggests quicker settings, only those not already taken', () => {
  const slow = { step: 2, steps: 500, loss: 1, stepsPerSecond: 1 / 78, etaSeconds: 498 * 78 };
  assert.is(slowFitHint(slow, true, 256, 500),
    'this fit will take about 10h47m more at 1m18s a step (CPU emulation); --hidden 64 --steps 200 or --model didfuse take far less');
  assert.is(slowFitHint({ ...slow, stepsPerSecond: 1 / 1.25, etaSeconds: 700 }, false, 64, 200),
    'this fit will take about 11m40s more at 1.3s a step; --model didfuse takes far less');
});

test('an unknown flag is a one-line error with exit code 2', () => {
  const run = fusegrad('fuse', '--sample', '-o', join(dir, 'x.png'), '--frobnicate');
  assert.is(run.status, 2);
  assert.is(run.stderr.trim(), 'fusegrad: error: unknown option --frobnicate; see `fusegrad --help`');
});

test('a missing input file names the file, exits 2, writes nothing', () => {
  const out = join(dir, 'never.png');
  const run = fusegrad('fuse', join(dir, 'nope.png'), join(dir, 'nope2.png'), '-o', out);
  assert.is(run.status, 2);
  assert.match(run.stderr, 'nope.png');
  assert.not.match(run.stderr, '    at ');
  assert.not.ok(existsSync(out));
});

test('fuse --sample writes a PNG of the requested size, and keeps an existing file without --force', () => {
  const out = join(dir, 'fused.png');
  const run = fusegrad('fuse', '--sample', '-o', out, '--steps', '3', '--size', '40x30', '--json');
  assert.is(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
  assert.is(summary.event, 'done');
  const image = decodeImage(new Uint8Array(readFileSync(out)), out);
  assert.equal([image.width, image.height, image.channels], [40, 30, 3]);
  writeFileSync(out, 'keep me');
  const again = fusegrad('fuse', '--sample', '-o', out, '--steps', '1');
  assert.is(again.status, 2);
  assert.match(again.stderr, '--force');
  assert.is(readFileSync(out, 'utf8'), 'keep me');
});

test('eval prints the metrics table for three images', () => {
  const sample = fusegrad('sample', '-o', dir);
  assert.is(sample.status, 0, sample.stderr);
  const ir = join(dir, 'sample_ir.png');
  const vis = join(dir, 'sample_vis.png');
  const run = fusegrad('eval', ir, vis, vis, '--json');
  assert.is(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { rows: { name: string; metrics: Record<string, number> }[] };
  assert.is(report.rows[0].name, 'sample_vis.png');
  assert.ok(report.rows[0].metrics.EN > 0);
  // fused = VIS: the error to VIS is 0, to IR is not, so the two-source RMSE is finite and > 0
  assert.ok(Number.isFinite(report.rows[0].metrics.RMSE) && report.rows[0].metrics.RMSE > 0);
});

test('eval --dir matches IR/, VIS/, FUSED/ by name and writes a CSV with mean and std', () => {
  const root2 = join(dir, 'set');
  for (const sub of ['IR', 'VIS', 'FUSED']) mkdirSync(join(root2, sub), { recursive: true });
  const sample = fusegrad('sample', '-o', join(root2, 'IR'));
  assert.is(sample.status, 0, sample.stderr);
  for (const name of ['a', 'b']) {
    copyFileSync(join(root2, 'IR', 'sample_ir.png'), join(root2, 'IR', `${name}.png`));
    copyFileSync(join(root2, 'IR', 'sample_vis.png'), join(root2, 'VIS', `${name}.png`));
    copyFileSync(join(root2, 'IR', 'sample_vis.png'), join(root2, 'FUSED', `${name}.png`));
  }
  const csv = join(dir, 'metrics.csv');
  const run = fusegrad('eval', '--dir', root2, '--csv', csv);
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, 'mean');
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.ok(lines.length >= 5, lines.join('\n')); // header, a, b, mean, std
  const missing = fusegrad('eval', '--dir', join(dir, 'nowhere'));
  assert.is(missing.status, 2);
  assert.match(missing.stderr, 'IR');
});

test.run();
