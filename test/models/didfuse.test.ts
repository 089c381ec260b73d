// DIDFuse: the authors' layout and parameter count, a one-batch overfit, strip tiling that
// matches the untiled result, and the shipped weights beating the plain average of a real
// held-out pair on entropy, standard deviation and spatial frequency.
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, optim, shutdown, tensor, tidy } from '../../src/index.ts';
import { fuseDidfuse } from '../../src/fusion/cnn.ts';
import { readSafetensors } from '../../src/io/safetensors.ts';
import { DIDFuse } from '../../src/models/didfuse.ts';
import { mulberry32 } from '../../src/random.ts';
import { lossesOverSteps } from './train-steps.ts';
import { loadPairs } from '../../src/training/pairs.ts';
import { centreCrop, compareWithAverage, describeComparison } from '../../src/training/held-out.ts';

await init({ quiet: true });
test.after(() => shutdown());

const WEIGHTS = new URL('../../weights/didfuse.safetensors', import.meta.url).pathname;
const DATA = new URL('../../../shared/data/roadscene', import.meta.url).pathname;

test('the authors\' layout: 260,935 trainable parameters, their state-dict names', () => {
  const model = new DIDFuse();
  try {
    assert.is(model.parameterCount(), 260_935); // spec §2.1, checked against the published weights
    const names = model.namedTensors().map(([n]) => n);
    for (const key of ['encoder.cov1.cov1.1.weight', 'encoder.cov1.cov1.2.running_var', 'encoder.cov1.cov1.3.weight',
      'encoder.cov3.cov3.0.weight', 'decoder.cov7.cov7.1.weight', 'decoder.cov7.cov7.2.bias']) {
      assert.ok(names.includes(key), `missing ${key}`);
    }
    assert.not.ok(names.includes('encoder.cov3.cov3.2.weight'), 'tanh layers have no PReLU');
  } finally {
    model.dispose();
  }
});

test('one batch overfits: the training loss falls by half in 30 steps (width 8, 16×16)', async () => {
  const model = new DIDFuse({ width: 8, seed: 3 });
  const random = mulberry32(4);
  const image = (f: (x: number, y: number) => number) => Float32Array.from({ length: 2 * 256 }, (_, i) => f(i % 16, Math.floor(i / 16) % 16) + 0.05 * random());
  const vis = tensor(image((x, y) => 0.5 + 0.3 * Math.sin(x) * Math.cos(y)), [2, 1, 16, 16]);
  const ir = tensor(image((x, y) => ((x - 8) ** 2 + (y - 8) ** 2 < 20 ? 0.9 : 0.2)), [2, 1, 16, 16]);
  const optimiser = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const losses = await lossesOverSteps(optimiser, 30, () => model.loss(vis, ir).total);
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  assert.ok(losses[29] < 0.5 * losses[0], `loss ${losses[0]} → ${losses[29]}`);
  model.dispose();
  optimiser.dispose();
  vis.dispose();
  ir.dispose();
});

test('eval mode folds BatchNorm into the conv: same output as conv → BatchNorm(running statistics)', async () => {
  const model = new DIDFuse({ width: 8, seed: 7 });
  const x = tensor(Float32Array.from({ length: 2 * 8 * 9 * 11 }, (_, i) => Math.sin(i * 0.7)), [2, 8, 9, 11]);
  tidy(() => { model.encoder.cov2.forward(x); }); // training mode: moves the running statistics off 0/1
  model.train(false);
  const layer = model.encoder.cov2;
  const [folded, plain] = tidy(() => [layer.forward(x), layer.prelu!.forward(layer.bn.forward(layer.conv.forward(x)))]);
  const [a, b] = [await folded.read(), await plain.read()];
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  assert.ok(worst < 1e-5, `folded vs unfolded: ${worst}`);
  for (const t of [folded, plain, x]) t.dispose();
  model.dispose();
});

test('strips with a halo give exactly the untiled result (every rule), reporting each strip', async () => {
  const model = new DIDFuse({ width: 8, seed: 5 });
  model.train(false);
  const weights = { tensors: new Map(Object.entries(await model.stateDict()).map(([k, v]) => [k, { ...v, dtype: 'F32' }])), name: 'random' };
  model.dispose();
  const [width, height] = [23, 41];
  const random = mulberry32(6);
  const plane = () => ({ width, height, data: Float32Array.from({ length: width * height }, () => random()) });
  const [ir, vis] = [plane(), plane()];
  for (const rule of ['sum', 'avg', 'l1'] as const) {
    const wholeReports: number[][] = [];
    const whole = await fuseDidfuse(ir, vis, { rule, weights, onStrip: (done, total) => wholeReports.push([done, total]) });
    assert.equal(wholeReports, [], 'one strip: no progress');
    const reports: number[][] = [];
    const strips = await fuseDidfuse(ir, vis, { rule, weights, stripRows: 6, onStrip: (done, total) => reports.push([done, total]) });
    assert.equal(reports, [1, 2, 3, 4, 5, 6, 7].map((done) => [done, 7]), `${rule}: progress after each of 41 / 6 → 7 strips`);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - strips[i]));
    assert.ok(worst < 1e-5, `${rule}: strips differ from the whole image by ${worst}`);
  }
});

test('shipped weights on a held-out RoadScene pair: EN, SD and SF above the average of the inputs', async () => {
  if (!existsSync(DATA)) {
    console.log(`  (skipped: ${DATA} is not here)`);
    return;
  }
  assert.ok(existsSync(WEIGHTS), `${WEIGHTS} is missing: train it with scripts/train-didfuse.ts`);
  const file = readSafetensors(new Uint8Array(readFileSync(WEIGHTS)), WEIGHTS);
  const [pair] = await loadPairs(DATA, 'held-out');
  // a 160×128 crop of the pair keeps the suite fast on a CPU adapter
  const result = await compareWithAverage(centreCrop(pair, 160, 128), (ir, vis, width, height) =>
    fuseDidfuse({ width, height, data: ir }, { width, height, data: vis }, { rule: 'sum', weights: { tensors: file.tensors, name: WEIGHTS } }));
  console.log(`  ${describeComparison(result)}`);
  assert.ok(result.beatsAverage, describeComparison(result));
});

test.run();
