// Losses (mse, l1) on the GPU against src/reference/loss.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, shutdown, tensor, tidy } from '../../src/index.ts';
import * as ref from '../../src/reference/loss.ts';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { randomAway } from '../reference/helpers.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

const SHAPES = [[1], [7], [33], [257], [7, 33], [3, 1, 5], [2, 3, 4, 5]];
/** A mean of n terms: the sum's rounding grows like √n; relative to a loss of order 1. */
const meanTol = { rtol: 1e-4, atol: 1e-5 };

/** b = a + d with |d| ≥ 1e-3, so l1 is away from its kink at a = b. */
function pairAway(shape: number[], rng: () => number): [CpuTensor, CpuTensor] {
  const a = randomTensor(shape, rng, -2, 2);
  const d = randomAway(shape, rng, [0], 1e-3, -1, 1);
  return [a, { shape: [...shape], data: a.data.map((v, i) => v + d.data[i]) }];
}

test('mse: forward and both gradients on odd shapes', async () => {
  const rng = mulberry32(31);
  for (const shape of SHAPES) {
    await checkOp({ label: 'mse', inputs: [randomTensor(shape, rng, -2, 2), randomTensor(shape, rng, -2, 2)], gpu: ([a, b]) => ops.mse(a, b), ref: ref.mse, params: undefined, forwardTol: meanTol });
  }
});

test('l1: forward and both gradients on odd shapes', async () => {
  const rng = mulberry32(37);
  for (const shape of SHAPES) {
    await checkOp({ label: 'l1', inputs: pairAway(shape, rng), gpu: ([a, b]) => ops.l1(a, b), ref: ref.l1, params: undefined, forwardTol: meanTol });
  }
});

/** mean(|a|): the reference l1 against zeros, its gradient for a only. */
const meanAbs: RefOp = {
  name: 'l1 against 0',
  forward: ([a]) => ref.l1.forward([a, { shape: [...a.shape], data: new Float64Array(a.data.length) }]),
  backward: ([a], p, g) => [ref.l1.backward([a, { shape: [...a.shape], data: new Float64Array(a.data.length) }], p, g)[0]],
};

test('l1 without a target: mean(|a|), forward and gradient on odd shapes', async () => {
  const rng = mulberry32(43);
  for (const shape of SHAPES) {
    await checkOp({ label: 'l1(a)', inputs: [randomAway(shape, rng, [0], 1e-3, -2, 2)], gpu: ([a]) => ops.l1(a), ref: meanAbs, params: undefined, forwardTol: meanTol });
  }
});

// Each GPU partial sums every P-th term; these sizes give one partial, several, and a last one short.
test('mse and l1 over 1, 255, 257, 4,099 and 70,001 terms (the partial sums and their sum)', async () => {
  const rng = mulberry32(47);
  for (const n of [1, 255, 257, 4099, 70_001]) {
    const [a, b] = pairAway([n], rng);
    const centralDifference = n < 5000;
    await checkOp({ label: `mse n=${n}`, inputs: [a, b], gpu: ([x, y]) => ops.mse(x, y), ref: ref.mse, params: undefined, forwardTol: meanTol, centralDifference });
    await checkOp({ label: `l1 n=${n}`, inputs: [a, b], gpu: ([x, y]) => ops.l1(x, y), ref: ref.l1, params: undefined, forwardTol: meanTol, centralDifference });
  }
});

test('the methods a.mse(b), a.l1(b), with a constant target', async () => {
  const rng = mulberry32(41);
  const [a, b] = pairAway([9, 4], rng);
  await checkOp({ label: 'a.mse(b)', inputs: [a, b], gpu: ([x, y]) => x.mse(y), ref: ref.mse, params: undefined, requiresGrad: [true, false] });
  await checkOp({ label: 'a.l1(b)', inputs: [a, b], gpu: ([x, y]) => x.l1(y), ref: ref.l1, params: undefined, requiresGrad: [true, false] });
});

test('l1 at a = b: the gradient there is 0 (sign(0) = 0)', async () => {
  const a = cpuTensor([4], [0.5, -1, 2, 0.25]);
  const b = cpuTensor([4], [0.5, 0, 2, -0.25]);
  await checkOp({ label: 'l1 with ties', inputs: [a, b], gpu: ([x, y]) => ops.l1(x, y), ref: ref.l1, params: undefined, centralDifference: false });
});

test('hand-computed values: mse([1,2,3],[1,0,0]) = 13/3, l1 = 5/3', async () => {
  const a = tensor([1, 2, 3], [3]);
  const b = tensor([1, 0, 0], [3]);
  const [mse, l1] = tidy(() => [a.mse(b), a.l1(b)]);
  assert.equal([...mse.shape], []);
  assert.ok(Math.abs((await mse.item()) - 13 / 3) < 1e-6);
  assert.ok(Math.abs((await l1.item()) - 5 / 3) < 1e-6);
  for (const t of [a, b, mse, l1]) t.dispose();
});

test.run();
