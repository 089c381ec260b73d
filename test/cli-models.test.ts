/** The CNN models through the command line: shipped DIDFuse weights, LD-Lite with the authors' weights, weight-file mistakes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../src/io/decode.ts';
import { encodePng } from '../src/io/encode.ts';
import { rgbImage, greyImage } from '../src/io/image.ts';

const root = new URL('../', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'fusegrad-cli-models-'));
const LDLITE = new URL('../../shared/weights/ldfusion/ld-lite/model.safetensors', import.meta.url).pathname;

function fusegrad(...args: string[]) {
  return spawnSync(process.execPath, ['bin/fusegrad.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
}

test('--model didfuse fuses the sample with the shipped weights', () => {
  const out = join(dir, 'didfuse.png');
  const run = fusegrad('fuse', '--sample', '--model', 'didfuse', '--rule', 'l1', '-o', out, '--json');
  assert.is(run.status, 0, run.stderr);
  const done = JSON.parse(run.stdout.trim().split('\n').pop() as string);
  assert.is(done.model, 'didfuse');
  const image = decodeImage(new Uint8Array(readFileSync(out)), out);
  assert.equal([image.width, image.height], [96, 72]);
});

test('weights mistakes: a missing file, the wrong model\'s file, LDFusion with one file — one line, exit 2', () => {
  const out = join(dir, 'never.png');
  const missing = fusegrad('fuse', '--sample', '--model', 'didfuse', '--weights', join(dir, 'none.safetensors'), '-o', out);
  assert.is(missing.status, 2);
  assert.match(missing.stderr, 'none.safetensors: no such weights file');
  const ldWithDid = fusegrad('fuse', '--sample', '--model', 'ldlite', '--weights', 'weights/didfuse.safetensors', '-o', out);
  assert.is(ldWithDid.status, 2, ldWithDid.stderr);
  assert.match(ldWithDid.stderr, 'didfuse.safetensors');
  const oneFile = fusegrad('fuse', '--sample', '--model', 'ldfusion', '--weights', 'weights/didfuse.safetensors', '-o', out);
  assert.is(oneFile.status, 2);
  assert.match(oneFile.stderr, 'LDFusion encoder, LDFusion decoder');
  // a JavaScript stack trace; Dawn's own adapter warnings quote C++ frames (".cpp:"), which are not ours
  const jsStack = (stderr: string) => stderr.split('\n').filter((l) => /^\s+at /.test(l) && !l.includes('.cpp:'));
  for (const run of [missing, ldWithDid, oneFile]) assert.equal(jsStack(run.stderr), []);
  assert.not.ok(existsSync(out));
});

test('--model ldlite with the authors\' weights: inputs of different sizes are resampled with a warning', () => {
  if (!existsSync(LDLITE)) {
    console.log(`  (skipped: ${LDLITE} is not here)`);
    return;
  }
  const [w, h] = [48, 40];
  const ir = greyImage(w, h, Float32Array.from({ length: w * h }, (_, i) => ((i % w) - 24) ** 2 + (Math.floor(i / w) - 20) ** 2 < 80 ? 0.9 : 0.2));
  const vis = rgbImage(2 * w, 2 * h, Float32Array.from({ length: 4 * w * h * 3 }, (_, i) => 0.5 + 0.4 * Math.sin(i / 7)));
  writeFileSync(join(dir, 'ir.png'), encodePng(ir));
  writeFileSync(join(dir, 'vis.png'), encodePng(vis));
  const out = join(dir, 'ldlite.png');
  const run = fusegrad('fuse', join(dir, 'ir.png'), join(dir, 'vis.png'), '--model', 'ldlite', '--weights', LDLITE, '-o', out, '--no-metrics');
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stderr, 'warning: IR image 48×40 resampled to 96×80');
  const image = decodeImage(new Uint8Array(readFileSync(out)), out);
  assert.equal([image.width, image.height, image.channels], [96, 80, 3]);
});

test.run();
