// The Ataman & Akar encoder–decoder: the paper's parameter count and the authors' names (by
// construction only), output shapes and range, the input-size rule, and a one-batch overfit on
// the Q + QE loss at width 4.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FusegradError, init, optim, shutdown, tensor, tidy } from '../../src/index.ts';
import { decoderGroups, EncDecFusion } from '../../src/models/encdec.ts';
import { mulberry32 } from '../../src/random.ts';
import { lossesOverSteps } from './train-steps.ts';

await init({ quiet: true });
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

test.run();
