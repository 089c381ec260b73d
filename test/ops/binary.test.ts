// Element-wise binary ops with NumPy broadcasting on the GPU against src/reference/binary.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, shutdown, type Tensor } from '../../src/index.ts';
import { collapseAxes } from '../../src/ops/index_codegen.ts';
import * as ref from '../../src/reference/binary.ts';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { randomAway } from '../reference/helpers.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

/** [a, b] shape pairs: equal, odd sizes, broadcasting both ways, rank-expanding, scalar-like. */
const PAIRS: [number[], number[]][] = [
  [[1], [1]],
  [[7], [7]],
  [[257], [257]],
  [[7, 33], [7, 33]],
  [[7, 1, 3], [5, 1]], // both stretch: -> [7, 5, 3]
  [[5, 1], [7, 1, 3]],
  [[3, 1, 5], [1]], // scalar-like
  [[1], [7, 33]],
  [[33], [7, 33]], // a row broadcast over rows (rank-expanding)
  [[7, 33], [7, 1]], // a column
  [[2, 3, 4, 5], [3, 1, 5]], // rank 4
  [[4, 33], [4, 33]], // equal shapes, a multiple of 4: the vec4 entry point
  [[2, 3, 4, 5], [1, 3, 1, 1]], // per-channel: collapses to [2, 3, 20] with b strides [0, 1, 0]
  [[2, 1, 3, 1, 2, 5], [1, 4, 3, 1, 1, 5]], // rank 6 after dropping size-1 axes: [2, 4, 3, 2, 5]
];

type Make = (shape: number[], rng: () => number) => CpuTensor;
const uniformIn = (lo: number, hi: number): Make => (shape, rng) => randomTensor(shape, rng, lo, hi);

function binaryCases(label: string, gpu: (a: Tensor, b: Tensor) => Tensor, op: RefOp, makeA: Make, makeB: Make): void {
  test(`${label}: forward and both gradients, ${PAIRS.length} shape pairs with broadcasting`, async () => {
    const rng = mulberry32(label.length * 131 + 1);
    for (const [sa, sb] of PAIRS) {
      await checkOp({ label, inputs: [makeA(sa, rng), makeB(sb, rng)], gpu: ([a, b]) => gpu(a, b), ref: op, params: undefined });
    }
  });
}

/** Values in ±[0.5, 2): safely away from 0 for division. */
const awayFromZero: Make = (shape, rng) => {
  const t = randomTensor(shape, rng, 0.5, 2);
  for (let i = 0; i < t.data.length; i++) if (rng() < 0.5) t.data[i] = -t.data[i];
  return t;
};

binaryCases('add', ops.add, ref.add, uniformIn(-2, 2), uniformIn(-2, 2));
binaryCases('sub', ops.sub, ref.sub, uniformIn(-2, 2), uniformIn(-2, 2));
binaryCases('mul', ops.mul, ref.mul, uniformIn(-2, 2), uniformIn(-2, 2));
binaryCases('div', ops.div, ref.div, uniformIn(-2, 2), awayFromZero);
// Independent uniform values: a tie is a kink; the chance of one within 1e-3 per pair is small,
// and the central-difference check (h = 1e-6) would only be off at a gap below 1e-6.
binaryCases('maximum', ops.maximum, ref.maximum, uniformIn(-1, 1), uniformIn(-1, 1));
binaryCases('minimum', ops.minimum, ref.minimum, uniformIn(-1, 1), uniformIn(-1, 1));
binaryCases('prelu', ops.prelu, ref.prelu, (shape, rng) => randomAway(shape, rng, [0], 1e-3, -2, 2), uniformIn(0, 0.5));

test('collapseAxes merges axes every operand steps through as one and drops size-1 axes', () => {
  assert.equal(collapseAxes([1, 64, 32, 32], [[0, 1024, 32, 1], [0, 1, 0, 0]]), { shape: [64, 1024], strides: [[1024, 1], [1, 0]] });
  assert.equal(collapseAxes([7, 33], [[33, 1], [33, 1]]), { shape: [231], strides: [[1], [1]] });
  assert.equal(collapseAxes([7, 5, 3], [[3, 0, 1], [0, 1, 0]]), { shape: [7, 5, 3], strides: [[3, 0, 1], [0, 1, 0]] });
  assert.equal(collapseAxes([1, 1], [[0, 0], [0, 0]]), { shape: [1], strides: [[0], [0]] });
  // a transpose: nothing merges
  assert.equal(collapseAxes([4, 6], [[1, 4], [6, 1]]), { shape: [4, 6], strides: [[1, 4], [6, 1]] });
});

test('the methods: a.add(b) a.sub(b) a.mul(b) a.div(b) a.maximum(b) a.minimum(b) x.prelu(slope)', async () => {
  const rng = mulberry32(5);
  const a = randomTensor([4, 3], rng, -2, 2);
  const b = awayFromZero([3], rng);
  await checkOp({ label: 'a.add(b)', inputs: [a, b], gpu: ([x, y]) => x.add(y), ref: ref.add, params: undefined });
  await checkOp({ label: 'a.sub(b)', inputs: [a, b], gpu: ([x, y]) => x.sub(y), ref: ref.sub, params: undefined });
  await checkOp({ label: 'a.mul(b)', inputs: [a, b], gpu: ([x, y]) => x.mul(y), ref: ref.mul, params: undefined });
  await checkOp({ label: 'a.div(b)', inputs: [a, b], gpu: ([x, y]) => x.div(y), ref: ref.div, params: undefined });
  await checkOp({ label: 'a.maximum(b)', inputs: [a, b], gpu: ([x, y]) => x.maximum(y), ref: ref.maximum, params: undefined });
  await checkOp({ label: 'a.minimum(b)', inputs: [a, b], gpu: ([x, y]) => x.minimum(y), ref: ref.minimum, params: undefined });
  const slope = randomTensor([3], rng, 0, 0.5);
  await checkOp({ label: 'x.prelu(slope)', inputs: [a, slope], gpu: ([x, s]) => x.prelu(s), ref: ref.prelu, params: undefined });
});

test('prelu with a per-channel slope [C, 1, 1] on [N, C, H, W]', async () => {
  const rng = mulberry32(9);
  const x = randomAway([2, 3, 4, 5], rng, [0], 1e-3, -2, 2);
  const slope = randomTensor([3, 1, 1], rng, 0, 0.5);
  await checkOp({ label: 'prelu per channel', inputs: [x, slope], gpu: ([a, s]) => ops.prelu(a, s), ref: ref.prelu, params: undefined });
});

test('prelu at x = 0 takes the slope side of the gradient, as the reference and PyTorch', async () => {
  // a kink: no central differences. Zeros in each channel of [1, 2, 3] against a slope per channel.
  const x = cpuTensor([1, 2, 3], [0, -0.5, 0.75, 0.25, 0, -1]);
  const slope = cpuTensor([2, 1], [0.2, 0.4]);
  await checkOp({ label: 'prelu at zero', inputs: [x, slope], gpu: ([a, s]) => ops.prelu(a, s), ref: ref.prelu, params: undefined, centralDifference: false });
});

test('ties in maximum/minimum send the whole gradient to the first input', async () => {
  // a = b at even indices; a on either side of b elsewhere. Ties are kinks: no central differences.
  const a = cpuTensor([6], [0.5, 0.25, -1, 2, 0, -0.75]);
  const b = cpuTensor([6], [0.5, 0.75, -1, 1, 0, 0.5]);
  await checkOp({ label: 'maximum ties', inputs: [a, b], gpu: ([x, y]) => ops.maximum(x, y), ref: ref.maximum, params: undefined, centralDifference: false });
  await checkOp({ label: 'minimum ties', inputs: [a, b], gpu: ([x, y]) => ops.minimum(x, y), ref: ref.minimum, params: undefined, centralDifference: false });
  // Broadcast ties: a [3, 1] against b [4]; every row has one tie.
  const a2 = cpuTensor([3, 1], [0.1, 0.2, 0.3]);
  const b2 = cpuTensor([4], [0.1, 0.2, 0.3, 0.0]);
  await checkOp({ label: 'maximum broadcast ties', inputs: [a2, b2], gpu: ([x, y]) => ops.maximum(x, y), ref: ref.maximum, params: undefined, centralDifference: false });
  await checkOp({ label: 'minimum broadcast ties', inputs: [a2, b2], gpu: ([x, y]) => ops.minimum(x, y), ref: ref.minimum, params: undefined, centralDifference: false });
});

test('only inputs with requiresGrad get a gradient (either side, with broadcasting)', async () => {
  const rng = mulberry32(11);
  const a = randomTensor([7, 1, 3], rng, -2, 2);
  const b = awayFromZero([5, 1], rng);
  for (const [name, gpu, op] of [['mul', ops.mul, ref.mul], ['div', ops.div, ref.div], ['add', ops.add, ref.add], ['sub', ops.sub, ref.sub]] as const) {
    await checkOp({ label: `${name}, b constant`, inputs: [a, b], gpu: ([x, y]) => gpu(x, y), ref: op, params: undefined, requiresGrad: [true, false] });
    await checkOp({ label: `${name}, a constant`, inputs: [a, b], gpu: ([x, y]) => gpu(x, y), ref: op, params: undefined, requiresGrad: [false, true] });
  }
});

test('the same tensor on both sides: x·x, x − x, x / x', async () => {
  const x = awayFromZero([33], mulberry32(13));
  const self = (op: RefOp): RefOp => ({
    name: `${op.name}(x, x)`,
    forward: ([t]) => op.forward([t, t]),
    backward: ([t], _p, g) => {
      const [ga, gb] = op.backward([t, t], undefined, g);
      return [{ shape: ga.shape, data: ga.data.map((v, i) => v + gb.data[i]) }];
    },
  });
  await checkOp({ label: 'x·x', inputs: [x], gpu: ([t]) => ops.mul(t, t), ref: self(ref.mul), params: undefined });
  await checkOp({ label: 'x − x', inputs: [x], gpu: ([t]) => ops.sub(t, t), ref: self(ref.sub), params: undefined });
  await checkOp({ label: 'x / x', inputs: [x], gpu: ([t]) => ops.div(t, t), ref: self(ref.div), params: undefined });
});

test.run();
