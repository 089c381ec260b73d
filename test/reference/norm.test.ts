import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import type { NormParams } from '../../src/reference/norm.ts';
import { checkGradients } from '../../src/reference/gradcheck.ts';
import { adain, batchNorm2d, batchNorm2dEval, batchNormRunningUpdate, instanceNorm2d, layerNormLD } from '../../src/reference/norm.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { GRAD_TOL, close, gradOk, tensorIs } from './helpers.ts';

// Standardised [1, 2, 3, 4] with the biased variance 1.25: ±1.5/√1.25 and ±0.5/√1.25.
// (The unbiased variance 5/3 would give ±1.1619 and ±0.3873.)
const A = 1.3416407865;
const B = 0.4472135955;
const TOL = 1e-9;

// x [2, 2, 1, 2]: channel 0 holds {1, 2 | 3, 4}, channel 1 {10, 20 | 30, 40} across the two samples.
const bnX = cpuTensor([2, 2, 1, 2], [1, 2, 10, 20, 3, 4, 30, 40]);
const gamma = cpuTensor([2], [2, 1]);
const beta = cpuTensor([2], [1, 0]);

test('batchNorm2d: per-channel batch statistics, biased variance, by hand', () => {
  // Channel 0: 2·x̂ + 1; channel 1: x̂. Statistics per sample would mix 1, 2, 10, 20 instead.
  tensorIs(batchNorm2d.forward([bnX, gamma, beta], { eps: 0 }), [2, 2, 1, 2], [
    -2 * A + 1, -2 * B + 1, -A, -B,
    2 * B + 1, 2 * A + 1, B, A,
  ], TOL);
  // eps goes under the root with the variance: −1.5/√(1.25 + 0.75) = −1.06066 (on the std: −0.8029).
  const y = batchNorm2d.forward([bnX, cpuTensor([2], [1, 1]), cpuTensor([2])], { eps: 0.75 });
  close([y.data[0]], [-1.0606601718], TOL);
});

test('batchNormRunningUpdate: momentum rule with the unbiased batch variance', () => {
  const { mean, var: variance } = batchNormRunningUpdate(bnX, cpuTensor([2], [0, 1]), cpuTensor([2], [1, 2]), 0.1);
  // Means 2.5 and 25; unbiased variances 5/3 and 500/3 (biased 1.25 would give 1.025, not 1.0667).
  tensorIs(mean, [2], [0.25, 0.9 + 2.5], 1e-12);
  tensorIs(variance, [2], [0.9 + 0.1 * (5 / 3), 1.8 + 0.1 * (500 / 3)], 1e-12);
  close([variance.data[0]], [1.0666666667], TOL);
});

test('batchNorm2dEval: running statistics by hand', () => {
  const runningMean = cpuTensor([2], [1, 10]);
  const runningVar = cpuTensor([2], [4, 100]);
  // Channel 0: 2·(x − 1)/2 + 1 = x; channel 1: (x − 10)/10.
  tensorIs(batchNorm2dEval.forward([bnX, gamma, beta, runningMean, runningVar], { eps: 0 }), [2, 2, 1, 2], [1, 2, 0, 1, 3, 4, 2, 3], 1e-12);
  // It has no batch-size limit, unlike training mode.
  tensorIs(batchNorm2dEval.forward([cpuTensor([1, 2, 1, 1], [5, 30]), gamma, beta, runningMean, runningVar], { eps: 0 }), [1, 2, 1, 1], [5, 2]);
});

// x [2, 2, 2, 2]: planes [1,2,3,4], [10,20,30,40], [0,0,0,2], [−1,1,−1,1].
const inX = cpuTensor([2, 2, 2, 2], [1, 2, 3, 4, 10, 20, 30, 40, 0, 0, 0, 2, -1, 1, -1, 1]);
const R = 0.5773502692; // [0, 0, 0, 2]: mean 0.5, variance 0.75: −0.5/√0.75 and 1.5/√0.75
const S = 1.7320508076;
const instanceHand = [-A, -B, B, A, -A, -B, B, A, -R, -R, -R, S, -1, 1, -1, 1];

test('instanceNorm2d: statistics per (n, c), by hand', () => {
  tensorIs(instanceNorm2d.forward([inX], { eps: 0 }), [2, 2, 2, 2], instanceHand, TOL);
});

test('adain: per-(n, c) scale and bias, by hand', () => {
  const scale = cpuTensor([2, 2], [2, 3, 4, 5]);
  const bias = cpuTensor([2, 2], [1, -1, 0, 0.5]);
  // Indexing scale by c alone would reuse 2 and 3 for the second sample.
  const want = instanceHand.map((v, i) => scale.data[Math.floor(i / 4)] * v + bias.data[Math.floor(i / 4)]);
  tensorIs(adain.forward([inX, scale, bias], { eps: 0 }), [2, 2, 2, 2], want, TOL);
  close(want.slice(12), [-4.5, 5.5, -4.5, 5.5]);
});

test('layerNormLD: per-sample unbiased std with eps added to the std, by hand', () => {
  // Sample 0 = [1, 2 | 3, 4]: mean 2.5, unbiased std √(5/3) = 1.29099; eps 0.5 gives d = 1.79099.
  //   biased std (1.118) would give d = 1.618; eps under the root would give √(5/3 + 0.5) = 1.472.
  // Sample 1 = [0, 0 | 0, 10]: mean 2.5, unbiased std exactly 5, d = 5.5.
  const x = cpuTensor([2, 2, 1, 2], [1, 2, 3, 4, 0, 0, 0, 10]);
  const y = layerNormLD.forward([x, cpuTensor([2], [2, 3]), cpuTensor([2], [0, 1])], { eps: 0.5 });
  tensorIs(y, [2, 2, 1, 2], [
    -1.6750470679, -0.5583490226, 1.8375235340, 3.5125706019,
    2 * (-2.5 / 5.5), 2 * (-2.5 / 5.5), 3 * (-2.5 / 5.5) + 1, 3 * (7.5 / 5.5) + 1,
  ], TOL);
});

/** Values per statistics group of each op (groups of one are errors, tested above). */
const groupSize: Record<string, (s: number[]) => number> = {
  batchNorm2d: ([N, , H, W]) => N * H * W,
  instanceNorm2d: ([, , H, W]) => H * W,
  adain: ([, , H, W]) => H * W,
  layerNormLD: ([, C, H, W]) => C * H * W,
};

test('shapes: odd sizes pass through unchanged', () => {
  const rng = mulberry32(2);
  let checked = 0;
  for (const shape of [[3, 1, 1, 1], [1, 3, 7, 1], [2, 1, 1, 7], [1, 2, 3, 3], [1, 1, 1, 3]]) {
    const [N, C] = shape;
    const x = randomTensor(shape, rng);
    const c = randomTensor([C], rng);
    const nc = randomTensor([N, C], rng);
    const ops: [RefOp<NormParams>, CpuTensor[]][] = [
      [batchNorm2d, [x, c, c]], [layerNormLD, [x, c, c]], [instanceNorm2d, [x]], [adain, [x, nc, nc]],
    ];
    for (const [op, inputs] of ops) {
      if (groupSize[op.name](shape) < 2) continue;
      assert.equal(op.forward(inputs, { eps: 1e-5 }).shape, shape, `${op.name} [${shape}]`);
      checked++;
    }
  }
  assert.is(checked, 17); // [3, 1, 1, 1] only suits batchNorm2d
});

test('bad shapes give clear errors', () => {
  const c2 = cpuTensor([2]);
  const eps = { eps: 1e-5 };
  assert.throws(() => batchNorm2d.forward([cpuTensor([1, 2, 1, 1]), c2, c2], eps), /N·H·W = 1/);
  assert.throws(() => instanceNorm2d.forward([cpuTensor([4, 2, 1, 1])], eps), /H·W = 1/);
  assert.throws(() => layerNormLD.forward([cpuTensor([3, 1, 1, 1]), cpuTensor([1]), cpuTensor([1])], eps), /C·H·W = 1/);
  assert.throws(() => batchNorm2d.forward([cpuTensor([2, 2, 3, 3]), cpuTensor([3]), c2], eps), /scale \[3\] should be \[2\]/);
  assert.throws(() => adain.forward([cpuTensor([2, 2, 3, 3]), c2, c2], eps), /scale \[2\] should be \[2, 2\]/);
  assert.throws(() => instanceNorm2d.forward([cpuTensor([2, 3, 3])], eps), /\[N, C, H, W\]/);
  assert.throws(() => instanceNorm2d.forward([cpuTensor([2, 3, 3, 3]), c2], eps), /1 input/);
  assert.throws(() => batchNorm2dEval.forward([cpuTensor([2, 2, 3, 3]), c2, c2, c2, cpuTensor([3])], eps), /runningVar \[3\] should be \[2\]/);
  assert.throws(() => batchNormRunningUpdate(cpuTensor([1, 2, 1, 1]), c2, c2, 0.1), /N·H·W = 1/);
});

const SHAPES = [[1, 1, 1, 2], [2, 3, 1, 1], [1, 2, 7, 3], [3, 1, 3, 1], [2, 2, 2, 3]];

function gradientsFor(op: RefOp<NormParams>, inputs: (x: CpuTensor, rng: () => number) => CpuTensor[]): void {
  const rng = mulberry32(op.name.length);
  let checked = 0;
  for (const shape of SHAPES.filter((s) => groupSize[op.name](s) > 1)) {
    for (const eps of [1e-5, 0.3]) {
      const x = randomTensor(shape, rng);
      gradOk(op, inputs(x, rng), { eps }, `${op.name} eps ${eps}`);
      checked++;
    }
  }
  assert.ok(checked >= 6, `${op.name}: only ${checked} cases`);
}

test('gradients: batchNorm2d (x, gamma, beta)', () => {
  gradientsFor(batchNorm2d, (x, rng) => [x, randomTensor([x.shape[1]], rng), randomTensor([x.shape[1]], rng)]);
});
test('gradients: instanceNorm2d', () => gradientsFor(instanceNorm2d, (x) => [x]));
test('gradients: adain (x, scale, bias)', () => {
  gradientsFor(adain, (x, rng) => [x, randomTensor(x.shape.slice(0, 2), rng), randomTensor(x.shape.slice(0, 2), rng)]);
});
test('gradients: layerNormLD (x, gamma, beta)', () => {
  gradientsFor(layerNormLD, (x, rng) => [x, randomTensor([x.shape[1]], rng, 0, 1), randomTensor([x.shape[1]], rng)]);
});

test('gradients: batchNorm2dEval (x, gamma, beta; running statistics get zeros)', () => {
  const rng = mulberry32(9);
  for (const shape of [[1, 2, 1, 1], [2, 3, 3, 1]]) {
    const C = shape[1];
    const inputs = [randomTensor(shape, rng), randomTensor([C], rng), randomTensor([C], rng), randomTensor([C], rng), randomTensor([C], rng, 0.5, 2)];
    // The running statistics are buffers: their analytic "gradients" are zero by design, so only
    // the first three inputs are compared with central differences.
    const r = checkGradients(batchNorm2dEval, inputs, { eps: 1e-5 }, 3);
    r.perInput.slice(0, 3).forEach((e, i) => assert.ok(e.maxRelError < GRAD_TOL, `input ${i}: ${e.maxRelError}`));
    const grads = batchNorm2dEval.backward(inputs, { eps: 1e-5 }, randomTensor(shape, rng));
    tensorIs(grads[3], [C], new Float64Array(C));
    tensorIs(grads[4], [C], new Float64Array(C));
  }
});

test.run();
