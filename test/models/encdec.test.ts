// The Ataman & Akar encoder–decoder: the paper's parameter count and the authors' names (by
// construction only), output shapes and range, the input-size rule, and a one-batch overfit on
// the Q + QE loss at width 4, resizing in fuseLuma, and the shipped weights against the average of
// held-out pairs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FusegradError, init, optim, shutdown, tensor, tidy } from '../../src/index.ts';
import { existsSync, readFileSync } from 'node:fs';
import { readSafetensors } from '../../src/io/safetensors.ts';
import { decoderGroups, EncDecFusion, encdecFromTensors } from '../../src/models/encdec.ts';
import { centreCrop, compareWithAverage, describeComparison } from '../../src/training/held-out.ts';
import { loadPairs } from '../../src/training/pairs.ts';
import { mulberry32 } from '../../src/random.ts';
import { lossesOverSteps } from './train-steps.ts';

await init({ quiet: true });
const WEIGHTS = new URL('../../weights/encdec.safetensors', import.meta.url).pathname;
const DATA = new URL('../../../shared/data/roadscene', import.meta.url).pathname;
test.after(() => shutdown());

test('width 64: 15,769,216 used parameters under the authors\' state-dict names', () => {
  const model = new EncDecFusion();
  try {
    assert.is(model.parameterCount(), 15_769_216); // spec §3.1: 2 × 6,267,456 + 2,795,456 + 438,848
    const shapes = new Map(model.namedTensors().map(([n, t]) => [n, t.tensor.shape.join('×')]));
    assert.is(shapes.get('model_ir.encoder.conv1.weight'), '64×1×3×3');
    assert.is(shapes.get('model_eo.encoder.encoder_layer_4.weight'), '1024×512×3×3');
    assert.is(shapes.get('fusion_layers.0.weight'), '1024×2048×1×1'); // deepest level first
    assert.is(shapes.get('fusion_layers.4.bias'), '64');
    assert.is(shapes.get('model_eo.decoder.layer1.weight'), '1024×16×4×4'); // groups 32
    assert.is(shapes.get('model_eo.decoder.layer6.weight'), '1×64×3×3');
    assert.is(shapes.size, 2 * 5 + 2 * 5 + 6);
  } finally {
    model.dispose();
  }
});

test('decoder groups stay divisors of the width', () => {
  assert.equal([64, 32, 8, 4, 6, 1].map(decoderGroups), [32, 32, 8, 4, 2, 1]);
});

/** [N, 1, S, S] in [−1, 1]: smooth VIS-like texture and a bright IR blob, plus a little noise. */
function pair(N: number, S: number, seed: number) {
  const random = mulberry32(seed);
  const image = (f: (x: number, y: number) => number) =>
    tensor(Float32Array.from({ length: N * S * S }, (_, i) => f(i % S, Math.floor(i / S) % S) + 0.1 * (random() - 0.5)), [N, 1, S, S]);
  const vis = image((x, y) => 0.6 * Math.sin(x / 2) * Math.cos(y / 3));
  const ir = image((x, y) => ((x - S / 2) ** 2 + (y - S / 3) ** 2 < S ? 0.8 : -0.6));
  return { vis, ir };
}

test('forward: [N, 1, 32, 32] → [N, 1, 32, 32]; fuse gives [0, 1]; sizes not /32 are refused', async () => {
  const model = new EncDecFusion({ width: 2, seed: 1 });
  const { vis, ir } = pair(2, 32, 2);
  const out = tidy(() => model.fuse(ir, vis));
  assert.equal([...out.shape], [2, 1, 32, 32]);
  const values = await out.read();
  assert.ok(values.every((v) => v >= 0 && v <= 1), 'fused values in [0, 1]');
  const small = tensor(new Float32Array(16 * 16), [1, 1, 16, 16]);
  assert.throws(() => model.forward(small, small), (e: unknown) => e instanceof FusegradError && /multiples of 32/.test(e.message));
  for (const t of [out, vis, ir, small]) t.dispose();
  model.dispose();
});

test('one batch overfits: Q + QE loss falls over 20 Adam steps (width 4, 32×32, batch 2)', async () => {
  const model = new EncDecFusion({ width: 4, seed: 3 });
  const { vis, ir } = pair(2, 32, 4);
  const optimiser = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const started = performance.now();
  const losses = await lossesOverSteps(optimiser, 20, () => model.loss(vis, ir).total);
  const seconds = (performance.now() - started) / 1000;
  console.log(`encdec overfit: loss ${losses.map((l) => l.toFixed(3)).join(' ')} in ${seconds.toFixed(1)} s`);
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  assert.ok(losses[19] < 0.75 * losses[0], `loss ${losses[0]} → ${losses[19]}`);
  model.dispose();
  optimiser.dispose();
  vis.dispose();
  ir.dispose();
});

test('shipped weights on held-out RoadScene pairs: EN, SD and SF above the average of the inputs', async () => {
  if (!existsSync(DATA)) {
    console.log(`  (skipped: ${DATA} is not here)`);
    return;
  }
  assert.ok(existsSync(WEIGHTS), `${WEIGHTS} is missing: train it with scripts/train-encdec.ts`);
  const model = encdecFromTensors(readSafetensors(new Uint8Array(readFileSync(WEIGHTS)), WEIGHTS).tensors, WEIGHTS);
  try {
    // 160×128 centre crops of the first two held-out pairs (sizes the network takes as they are)
    for (const pair of (await loadPairs(DATA, 'held-out')).slice(0, 2)) {
      const result = await compareWithAverage(centreCrop(pair, 160, 128), (ir, vis, w, h) => model.fuseLuma(ir, vis, w, h));
      console.log(`  ${describeComparison(result)}`);
      assert.ok(result.beatsAverage, describeComparison(result));
    }
  } finally {
    model.dispose();
  }
});

test('fuseLuma: sizes that are not multiples of 32 are resized in and out; smaller than 32 is refused', async () => {
  const model = new EncDecFusion({ width: 2, seed: 5 });
  const [w, h] = [45, 70];
  const plane = (phase: number) => Float32Array.from({ length: w * h }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.1 + phase));
  const fused = await model.fuseLuma(plane(0), plane(1), w, h);
  assert.is(fused.length, w * h);
  assert.ok(fused.every((v) => v >= 0 && v <= 1));
  const refused = await model.fuseLuma(new Float32Array(31 * 40), new Float32Array(31 * 40), 31, 40).then(() => null, (e: unknown) => e);
  assert.ok(refused instanceof FusegradError && /at least 32×32/.test(refused.message), String(refused));
  model.dispose();
});

test.run();
