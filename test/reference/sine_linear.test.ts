import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linear, sineLinear } from '../../src/reference/sine_linear.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { gradOk, ones, tensorIs } from './helpers.ts';

// x [1, 2], W [2, 2] (PyTorch [out, in]), b [2]
const x = cpuTensor([1, 2], [1, 2]);
const W = cpuTensor([2, 2], [0.5, -1, 2, 0]);
const b = cpuTensor([2], [0.25, -1]);

test('forward by hand: z = x·Wᵀ + b = [1·0.5 + 2·(−1) + 0.25, 1·2 + 2·0 − 1]', () => {
  tensorIs(linear.forward([x, W, b]), [1, 2], [-1.25, 1]);
  tensorIs(sineLinear.forward([x, W, b], { omega: 2 }), [1, 2], [Math.sin(-2.5), Math.sin(2)]);
});

test('backward by hand', () => {
  // linear with gradOut ones: dx = Σ_o W[o] = [2.5, −1]; dW[o] = x; db = [1, 1].
  const [dx, dW, db] = linear.backward([x, W, b], undefined, ones([1, 2]));
  tensorIs(dx, [1, 2], [2.5, -1]);
  tensorIs(dW, [2, 2], [1, 2, 1, 2]);
  tensorIs(db, [2], [1, 1]);
  // sine: dz = ω·cos(ω·z)
  const dz = [2 * Math.cos(-2.5), 2 * Math.cos(2)];
  const [, , dbs] = sineLinear.backward([x, W, b], { omega: 2 }, ones([1, 2]));
  tensorIs(dbs, [2], dz);
});

test('bad shapes are errors', () => {
  assert.throws(() => linear.forward([x, cpuTensor([2, 3]), b]), /expected x \[N, in\]/);
  assert.throws(() => linear.forward([x, W, cpuTensor([3])]), /expected/);
  assert.throws(() => linear.forward([x, W]), /takes 3 input/);
});

const SIZES: [number, number, number][] = [[1, 1, 1], [7, 3, 5], [33, 2, 16], [4, 33, 7]]; // [N, in, out]

test('gradients: linear and sineLinear', () => {
  const rng = mulberry32(21);
  for (const [N, IN, OUT] of SIZES) {
    const inputs = [randomTensor([N, IN], rng), randomTensor([OUT, IN], rng, -1 / IN, 1 / IN), randomTensor([OUT], rng)];
    gradOk(linear, inputs, undefined, `linear ${N}×${IN}→${OUT}`);
    gradOk(sineLinear, inputs, { omega: 1 }, `sineLinear ω=1 ${N}×${IN}→${OUT}`);
    gradOk(sineLinear, inputs, { omega: 30 }, `sineLinear ω=30 ${N}×${IN}→${OUT}`);
  }
});

test.run();
