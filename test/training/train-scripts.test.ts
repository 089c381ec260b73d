/**
 * The training scripts end to end on tiny schedules (src/training/loop.ts through
 * scripts/train-*.ts): weights files with their metadata, checkpoint and resume, per-part files
 * for LDFusion, the CLI fusing with what they wrote, and flag mistakes as one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, shutdown } from '../../src/index.ts';
import { readSafetensors } from '../../src/io/safetensors.ts';
import { ldfusionFromSafetensors } from '../../src/models/ldfusion.ts';

const root = new URL('../../', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'fusegrad-train-'));
const ROADSCENE = new URL('../../../shared/data/roadscene', import.meta.url).pathname;

/** A folder of links to the first three RoadScene pairs (two for training): decoding all 221 pairs takes seconds. */
function smallDataset(): string {
  const data = join(dir, 'data');
  for (const side of ['ir', 'vi']) {
    mkdirSync(join(data, side), { recursive: true });
    for (const name of readdirSync(join(ROADSCENE, side)).sort().slice(0, 3)) symlinkSync(join(ROADSCENE, side, name), join(data, side, name));
  }
  return data;
}
const DATA = existsSync(ROADSCENE) ? smallDataset() : ROADSCENE;

const run = (file: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
const metadata = (path: string) => readSafetensors(new Uint8Array(readFileSync(path)), path).metadata;
const jsStack = (stderr: string) => stderr.split('\n').filter((l) => /^\s+at /.test(l) && !l.includes('.cpp:'));

test('train-encdec: 2 steps with a checkpoint each step, resumed to 3; the CLI fuses with the result', () => {
  if (!existsSync(DATA)) {
    console.log(`  (skipped: ${DATA} is not here)`);
    return;
  }
  const out = join(dir, 'encdec.safetensors');
  const log = join(dir, 'encdec.csv');
  const common = ['--data', DATA, '--width', '2', '--crop', '32', '--batch', '1', '--checkpoint-every', '1', '--out', out, '--log', log];
  const first = run('scripts/train-encdec.ts', [...common, '--steps', '2']);
  assert.is(first.status, 0, first.stderr);
  const checkpoint = join(dir, 'encdec.checkpoint.safetensors');
  assert.is(metadata(checkpoint).step, '2');
  const resumed = run('scripts/train-encdec.ts', [...common, '--steps', '3', '--resume', checkpoint]);
  assert.is(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, 'at step 2');
  assert.match(resumed.stdout, 'step 3/3 total');
  const meta = metadata(out);
  assert.is(meta.step, '3');
  assert.is(meta.width, '2');
  assert.match(meta.schedule, '3 steps, batch 1, random 32x32 crops, Adam');
  assert.ok(Number.isFinite(Number(meta.final_loss)), meta.final_loss);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n')[0], 'step,total,quality,edgeQuality,seconds');

  const fused = join(dir, 'encdec.png');
  const cli = spawnSync(process.execPath, ['bin/fusegrad.mjs', 'fuse', '--sample', '--model', 'encdec', '--weights', out, '-o', fused, '--no-metrics'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.is(cli.status, 0, cli.stderr);
  assert.ok(existsSync(fused));
});

test('train-ldfusion writes the encoder and decoder files LDFusion loads', async () => {
  if (!existsSync(DATA)) {
    console.log(`  (skipped: ${DATA} is not here)`);
    return;
  }
  const out = join(dir, 'ld.safetensors');
  const trained = run('scripts/train-ldfusion.ts', ['--data', DATA, '--steps', '1', '--batch', '1', '--crop', '16', '--out', out]);
  assert.is(trained.status, 0, trained.stderr);
  const [encoder, decoder] = ['encoder', 'decoder'].map((part) => join(dir, `ld-${part}.safetensors`));
  assert.match(metadata(encoder).loss, 'substitute');
  assert.is(metadata(decoder).step, '1');
  // what --model ldfusion --weights ENCODER --weights DECODER does, in process (a CLI run costs seconds)
  await init({ quiet: true });
  try {
    const model = ldfusionFromSafetensors(new Uint8Array(readFileSync(encoder)), new Uint8Array(readFileSync(decoder)), encoder, decoder);
    const plane = Float32Array.from({ length: 16 * 16 }, (_, i) => (i % 16) / 16);
    const fused = await model.fuseLuma(plane, plane.map((v) => 1 - v), 16, 16);
    assert.ok(fused.length === 256 && fused.every((v) => v >= 0 && v <= 1));
    model.dispose();
  } finally {
    shutdown();
  }
});

test('flag mistakes: one line on stderr, exit 2, nothing written', () => {
  const out = join(dir, 'never.safetensors');
  for (const [file, args, message] of [
    ['scripts/train-encdec.ts', ['--crop', '40', '--out', out], '--crop must be a multiple of 32'],
    ['scripts/train-encdec.ts', ['--steps', '0', '--out', out], '--steps must be a positive integer'],
    ['scripts/train-didfuse.ts', ['--optimiser', 'lbfgs', '--out', out], '--optimiser must be adam or sgd'],
    ['scripts/train-ldfusion.ts', ['--data', join(dir, 'nothing'), '--out', out], 'expected a folder with ir/ and vi/'],
  ] as const) {
    const result = run(file, [...args]);
    assert.is(result.status, 2, `${file} ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(jsStack(result.stderr), []);
  }
  assert.not.ok(existsSync(out));
});

test.run();
