// Every element-wise unary op on the GPU against src/reference/unary.ts, forward and gradient.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, shutdown, tensor, tidy, type Tensor } from '../../src/index.ts';
import type { RefOp } from '../../src/reference/tensor.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import * as ref from '../../src/reference/unary.ts';
import { randomAway } from '../reference/helpers.ts';
import { checkOp, type Tolerance } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

/** 1, 7, 33, 257 (one workgroup and one more), non-square, a size-1 middle axis. */
const SHAPES = [[1], [7], [33], [257], [7, 33], [3, 1, 5], [4, 33]]; // [4, 33]: a multiple of 4, the vec4 entry point

interface UnaryCase<P> {
  gpu: (x: Tensor) => Tensor;
  ref: RefOp<P>;
  params: P;
  range: [number, number];
  /** points to keep 1e-3 away from (kinks) */
  kinks?: number[];
  tol?: Tolerance;
  gradTol?: Tolerance;
}

function unaryCases<P>(label: string, c: UnaryCase<P>): void {
  test(`${label}: forward and gradient on shapes ${SHAPES.map((s) => `[${s}]`).join(' ')}`, async () => {
    const rng = mulberry32(label.length * 977 + 3);
    for (const shape of SHAPES) {
      const [lo, hi] = c.range;
      const x = c.kinks ? randomAway(shape, rng, c.kinks, 1e-3, lo, hi) : randomTensor(shape, rng, lo, hi);
      await checkOp({ label, inputs: [x], gpu: ([t]) => c.gpu(t), ref: c.ref, params: c.params, forwardTol: c.tol, gradTol: c.gradTol ?? c.tol });
    }
  });
}

// WGSL only promises sin/cos to 2^-11 absolute (on [−π, π]); SwiftShader's are off by up to
// 1.9e-4 at arguments anywhere in [−32, 32] (measured), so the bound is the spec's.
const TRIG_ATOL = 2 ** -11;
const TRIG: Tolerance = { rtol: 1e-4, atol: TRIG_ATOL };

unaryCases('neg', { gpu: ops.neg, ref: ref.neg, params: undefined, range: [-2, 2] });
unaryCases('sin', { gpu: ops.sin, ref: ref.sin, params: undefined, range: [-4, 4], tol: TRIG });
unaryCases('cos', { gpu: ops.cos, ref: ref.cos, params: undefined, range: [-4, 4], tol: TRIG });
unaryCases('exp', { gpu: ops.exp, ref: ref.exp, params: undefined, range: [-3, 3] });
unaryCases('log', { gpu: ops.log, ref: ref.log, params: undefined, range: [0.2, 3] });
unaryCases('sqrt', { gpu: ops.sqrt, ref: ref.sqrt, params: undefined, range: [0.2, 3] });
unaryCases('abs', { gpu: ops.abs, ref: ref.abs, params: undefined, range: [-2, 2], kinks: [0] });
unaryCases('sign', { gpu: ops.sign, ref: ref.sign, params: undefined, range: [-2, 2], kinks: [0] });
unaryCases('tanh', { gpu: ops.tanh, ref: ref.tanh, params: undefined, range: [-4, 4] });
unaryCases('sigmoid', { gpu: ops.sigmoid, ref: ref.sigmoid, params: undefined, range: [-8, 8] });
unaryCases('relu', { gpu: ops.relu, ref: ref.relu, params: undefined, range: [-2, 2], kinks: [0] });
unaryCases('square', { gpu: ops.square, ref: ref.square, params: undefined, range: [-3, 3] });
unaryCases('reciprocal', { gpu: ops.reciprocal, ref: ref.reciprocal, params: undefined, range: [0.3, 3] });
unaryCases('reciprocal (negative x)', { gpu: ops.reciprocal, ref: ref.reciprocal, params: undefined, range: [-3, -0.3] });
unaryCases('addScalar', { gpu: (x) => ops.addScalar(x, 1.7), ref: ref.addScalar, params: { c: 1.7 }, range: [-2, 2] });
unaryCases('mulScalar', { gpu: (x) => ops.mulScalar(x, -2.3), ref: ref.mulScalar, params: { c: -2.3 }, range: [-2, 2] });
unaryCases('powScalar p=3 (negative x too)', { gpu: (x) => ops.powScalar(x, 3), ref: ref.powScalar, params: { p: 3 }, range: [-2, 2] });
unaryCases('powScalar p=2 (negative x too)', { gpu: (x) => ops.powScalar(x, 2), ref: ref.powScalar, params: { p: 2 }, range: [-2, 2] });
unaryCases('powScalar p=0.5', { gpu: (x) => ops.powScalar(x, 0.5), ref: ref.powScalar, params: { p: 0.5 }, range: [0.2, 3] });
unaryCases('powScalar p=-1.5', { gpu: (x) => ops.powScalar(x, -1.5), ref: ref.powScalar, params: { p: -1.5 }, range: [0.3, 3] });
unaryCases('powScalar p=0', { gpu: (x) => ops.powScalar(x, 0), ref: ref.powScalar, params: { p: 0 }, range: [-2, 2], kinks: [0] });
unaryCases('clamp', { gpu: (x) => ops.clamp(x, -0.5, 0.7), ref: ref.clamp, params: { lo: -0.5, hi: 0.7 }, range: [-2, 2], kinks: [-0.5, 0.7] });
// SIREN's first layer: ω0 = 30 on inputs in [−1, 1], arguments up to ±30. The derivative is
// ω0·cos(ω0·x), so its absolute error is ω0 times that of cos.
unaryCases('sinScaled ω=30', {
  gpu: (x) => ops.sinScaled(x, 30), ref: ref.sinScaled, params: { omega: 30 }, range: [-1, 1],
  tol: TRIG, gradTol: { rtol: 1e-4, atol: 30 * TRIG_ATOL },
});

test('the method forms (x.pow, x.clamp, x.add(number), x.div(number)) are the same ops', async () => {
  const x = cpuTensor([5], [0.3, 0.9, 1.4, 2.2, 2.9]);
  await checkOp({ label: 'x.pow(3)', inputs: [x], gpu: ([t]) => t.pow(3), ref: ref.powScalar, params: { p: 3 } });
  await checkOp({ label: 'x.clamp(0.5, 2)', inputs: [x], gpu: ([t]) => t.clamp(0.5, 2), ref: ref.clamp, params: { lo: 0.5, hi: 2 } });
  await checkOp({ label: 'x.add(1.5)', inputs: [x], gpu: ([t]) => t.add(1.5), ref: ref.addScalar, params: { c: 1.5 } });
  await checkOp({ label: 'x.sub(1.5)', inputs: [x], gpu: ([t]) => t.sub(1.5), ref: ref.addScalar, params: { c: -1.5 } });
  await checkOp({ label: 'x.mul(-4)', inputs: [x], gpu: ([t]) => t.mul(-4), ref: ref.mulScalar, params: { c: -4 } });
  await checkOp({ label: 'x.div(4)', inputs: [x], gpu: ([t]) => t.div(4), ref: ref.mulScalar, params: { c: 0.25 } });
});

test('kink conventions match the reference: abs, relu at 0; clamp at its edges', async () => {
  // Exactly on the kinks, where the central difference is meaningless: only GPU vs reference.
  const x = cpuTensor([7], [0, -0.5, 0.7, 1, -1, 0.25, -0]);
  await checkOp({ label: 'abs at 0', inputs: [x], gpu: ([t]) => t.abs(), ref: ref.abs, params: undefined, centralDifference: false });
  await checkOp({ label: 'relu at 0', inputs: [x], gpu: ([t]) => t.relu(), ref: ref.relu, params: undefined, centralDifference: false });
  await checkOp({ label: 'sign at 0', inputs: [x], gpu: ([t]) => t.sign(), ref: ref.sign, params: undefined, centralDifference: false });
  await checkOp({ label: 'clamp at its edges', inputs: [x], gpu: ([t]) => t.clamp(-0.5, 0.7), ref: ref.clamp, params: { lo: -0.5, hi: 0.7 }, centralDifference: false });
});

test('tanh and sigmoid stay finite, and exact at the ends, for large |x|', async () => {
  const x = cpuTensor([8], [-1000, -100, -50, -20, 20, 50, 100, 1000]);
  await checkOp({ label: 'tanh far out', inputs: [x], gpu: ([t]) => t.tanh(), ref: ref.tanh, params: undefined, centralDifference: false });
  await checkOp({ label: 'sigmoid far out', inputs: [x], gpu: ([t]) => t.sigmoid(), ref: ref.sigmoid, params: undefined, centralDifference: false });
  const y = tidy(() => tensor(x.data, x.shape).tanh());
  const values = await y.read();
  y.dispose();
  assert.equal(Array.from(values), [-1, -1, -1, -1, 1, 1, 1, 1]);
});

test('powScalar keeps the real-valued meaning: NaN for negative x with fractional p, like Math.pow', async () => {
  const x = tensor([-4, 4], [2]);
  const y = x.pow(0.5);
  const values = await y.read();
  x.dispose();
  y.dispose();
  assert.ok(Number.isNaN(values[0]), `(-4)^0.5 gave ${values[0]}`);
  assert.is(values[1], 2);
});

test.run();
