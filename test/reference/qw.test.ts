// The Qw and QE losses (src/reference/qw.ts): hand-worked values where the weights and λ decide
// the answer, and float64 central differences of the gradient with respect to f.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGradients } from '../../src/reference/gradcheck.ts';
import { qeLoss, qwLoss } from '../../src/reference/qw.ts';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { GRAD_TOL } from './helpers.ts';

const value = (op: RefOp, a: CpuTensor, b: CpuTensor, f: CpuTensor): number => op.forward([a, b, f]).data[0];

/** [1, 1, 8, 8·k]: window w holds pixel(x, y, w), x, y in 0…7 within the window. */
function windows(k: number, pixel: (x: number, y: number, w: number) => number): CpuTensor {
  const W = 8 * k;
  return cpuTensor([1, 1, 8, W], Array.from({ length: 8 * W }, (_, i) => pixel(i % 8, Math.floor(i / W), Math.floor((i % W) / 8))));
}
const checker = (x: number, y: number): number => ((x + y) % 2 ? 1 : -1);

test('f = a = b: Q = 1, so both losses are 0', () => {
  const x = randomTensor([2, 1, 16, 8], mulberry32(1));
  assert.ok(Math.abs(value(qwLoss, x, x, x)) < 1e-6, `qw ${value(qwLoss, x, x, x)}`);
  assert.ok(Math.abs(value(qeLoss, x, x, x)) < 1e-6, `qe ${value(qeLoss, x, x, x)}`);
});

test('the weights: a high-variance window counts 4× a low-variance one', () => {
  // Window 0: a = b = f = ±0.5 (→ 0.75/0.25), Q0 = 1. Window 1: a = b = ±0.25, f = −a, so
  // corr = −1, lum = con = 1 and Q0 = −1. Variances 1/16 vs 1/64 (·64/63), so
  // Q = (4·1 + 1·(−1))/5 = 0.6 and the loss is 0.4 (equal weights would give 1).
  const a = windows(2, (x, y, w) => checker(x, y) * (w === 0 ? 0.5 : 0.25));
  const f = windows(2, (x, y, w) => checker(x, y) * (w === 0 ? 0.5 : -0.25));
  const loss = value(qwLoss, a, a, f);
  assert.ok(Math.abs(loss - 0.4) < 1e-5, `loss ${loss}, expected 0.4`);
});

test('λ: a window where IR is flat scores by VIS alone', () => {
  // b constant → σb = 0, λ = σa/(σa + ε) ≈ 1; f = −a gives Q0(a, f) = −1, so Q = −1, loss 2.
  const a = windows(1, (x, y) => 0.5 * checker(x, y));
  const b = windows(1, () => 0.3);
  const f = windows(1, (x, y) => -0.5 * checker(x, y));
  assert.ok(Math.abs(value(qwLoss, a, b, f) - 2) < 1e-5, `loss ${value(qwLoss, a, b, f)}`);
  // … and f = a scores 1 whatever b is.
  assert.ok(Math.abs(value(qwLoss, a, b, a)) < 1e-5);
});

/** The op seen as a function of f alone (a, b fixed), for central differences. */
function ofF(op: RefOp, a: CpuTensor, b: CpuTensor): RefOp {
  return {
    name: `${op.name}(f)`,
    forward: ([f]) => op.forward([a, b, f]),
    backward: ([f], _p, g) => [op.backward([a, b, f], undefined, g)[2]],
  };
}

for (const op of [qwLoss, qeLoss]) {
  test(`${op.name}: gradient in f matches central differences; a, b get zeros`, () => {
    const rng = mulberry32(op.name.length);
    for (const shape of [[1, 1, 8, 8], [2, 1, 8, 16]]) {
      // f near the average of a and b, so Q_edge > 0 (a negative one has no real 0.7th power)
      const [a, b, noise] = [0, 1, 2].map(() => randomTensor(shape, rng));
      const f = cpuTensor(shape, a.data.map((v, i) => 0.4 * (v + b.data[i]) + 0.2 * noise.data[i]));
      const r = checkGradients(ofF(op, a, b), [f], undefined, 3);
      assert.ok(r.maxRelError < GRAD_TOL, `[${shape}]: max rel error ${r.maxRelError}`);
      const [ga, gb, gf] = op.backward([a, b, f], undefined, cpuTensor([], [1]));
      assert.ok(ga.data.every((v) => v === 0) && gb.data.every((v) => v === 0));
      assert.ok(gf.data.some((v) => v !== 0));
    }
  });
}

test('bad shapes are refused with the rule', () => {
  const x = randomTensor([1, 1, 8, 12], mulberry32(2));
  assert.throws(() => qwLoss.forward([x, x, x]), /multiples of 8/);
  const y = randomTensor([1, 2, 8, 8], mulberry32(2));
  assert.throws(() => qeLoss.forward([y, y, y]), /\[N, 1, H, W\]/);
  const z = randomTensor([1, 1, 8, 8], mulberry32(2));
  assert.throws(() => qwLoss.forward([z, z, x]), /differ/);
});

test.run();
