import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RefOp } from '../../src/reference/tensor.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import * as u from '../../src/reference/unary.ts';
import { close, gradOk, ODD_SHAPES, ones, randomAway } from './helpers.ts';

const xs = cpuTensor([5], [-2, -0.5, 0, 0.5, 3]);
const fwd = <P>(op: RefOp<P>, params: P, x = xs) => op.forward([x], params).data;
const grad1 = <P>(op: RefOp<P>, params: P, x = xs) => op.backward([x], params, ones(x.shape))[0].data;

test('forward: hand-computed values', () => {
  close(fwd(u.neg, undefined), [2, 0.5, 0, -0.5, -3]);
  close(fwd(u.abs, undefined), [2, 0.5, 0, 0.5, 3]);
  close(fwd(u.sign, undefined), [-1, -1, 0, 1, 1]);
  close(fwd(u.relu, undefined), [0, 0, 0, 0.5, 3]);
  close(fwd(u.square, undefined), [4, 0.25, 0, 0.25, 9]);
  close(fwd(u.reciprocal, undefined), [-0.5, -2, Infinity, 2, 1 / 3], 1e-15);
  close(fwd(u.addScalar, { c: 2.5 }), [0.5, 2, 2.5, 3, 5.5]);
  close(fwd(u.mulScalar, { c: -3 }), [6, 1.5, 0, -1.5, -9]);
  close(fwd(u.powScalar, { p: 3 }), [-8, -0.125, 0, 0.125, 27]);
  close(fwd(u.clamp, { lo: -1, hi: 1 }), [-1, -0.5, 0, 0.5, 1]);
  const special = cpuTensor([4], [Math.PI / 6, Math.PI / 3, 1, 4]);
  close(fwd(u.sin, undefined, special).slice(0, 1), [0.5]);
  close(fwd(u.cos, undefined, special).slice(1, 2), [0.5]);
  close(fwd(u.exp, undefined, special).slice(2, 3), [Math.E]);
  close(fwd(u.log, undefined, cpuTensor([2], [Math.E, 1])), [1, 0]);
  close(fwd(u.sqrt, undefined, cpuTensor([2], [4, 2.25])), [2, 1.5]);
  close(fwd(u.powScalar, { p: 0.5 }, cpuTensor([1], [4])), [2]);
  close(fwd(u.powScalar, { p: -1 }, cpuTensor([1], [4])), [0.25]);
  // tanh(ln 2) = (4 − 1)/(4 + 1); sigmoid(±ln 3) = 3/4, 1/4.
  close(fwd(u.tanh, undefined, cpuTensor([2], [Math.LN2, 0])), [0.6, 0], 1e-15);
  close(fwd(u.sigmoid, undefined, cpuTensor([3], [Math.log(3), -Math.log(3), 0])), [0.75, 0.25, 0.5], 1e-15);
  // The stable form must not give NaN far out.
  close(fwd(u.sigmoid, undefined, cpuTensor([2], [-800, 800])), [0, 1]);
  // sin(30 · π/60) = sin(π/2) = 1
  close(fwd(u.sinScaled, { omega: 30 }, cpuTensor([1], [Math.PI / 60])), [1]);
});

test('kink conventions: abs, relu, sign, clamp edges, pow with p = 0', () => {
  const zero = cpuTensor([1], [0]);
  close(grad1(u.abs, undefined, zero), [0]);
  close(grad1(u.relu, undefined, zero), [0]);
  close(grad1(u.sign, undefined), [0, 0, 0, 0, 0]);
  close(grad1(u.abs, undefined), [-1, -1, 0, 1, 1]);
  // Gradient 1 on the closed interval [lo, hi], 0 outside.
  close(grad1(u.clamp, { lo: -0.5, hi: 0.5 }), [0, 1, 1, 1, 0]);
  close(grad1(u.powScalar, { p: 0 }, zero), [0]);
  // sign(−0) is 0 like sign(0).
  assert.is(Object.is(fwd(u.sign, undefined, cpuTensor([1], [-0]))[0], 0), true);
});

test('backward: hand-computed derivatives', () => {
  const x = cpuTensor([2], [0.5, 2]);
  close(grad1(u.log, undefined, x), [2, 0.5]);
  close(grad1(u.sqrt, undefined, cpuTensor([1], [4])), [0.25]);
  close(grad1(u.reciprocal, undefined, x), [-4, -0.25]);
  close(grad1(u.powScalar, { p: 3 }, x), [0.75, 12]);
  close(grad1(u.sigmoid, undefined, cpuTensor([1], [0])), [0.25]);
  close(grad1(u.tanh, undefined, cpuTensor([1], [Math.LN2])), [1 - 0.36], 1e-15);
  close(grad1(u.sinScaled, { omega: 30 }, cpuTensor([1], [0])), [30]);
  close(grad1(u.mulScalar, { c: -3 }, x), [-3, -3]);
});

/** Check one op on every odd shape, inputs uniform in [lo, hi) and at least 1e-3 from its kinks. */
function gradCase<P>(label: string, op: RefOp<P>, params: P, [lo, hi]: [number, number], kinks: number[] = []): void {
  test(`gradients: ${label}`, () => {
    const rng = mulberry32(label.length * 101);
    for (const shape of ODD_SHAPES) {
      const x = kinks.length ? randomAway(shape, rng, kinks, 1e-3, lo, hi) : randomTensor(shape, rng, lo, hi);
      gradOk(op, [x], params, label);
    }
  });
}

gradCase('neg', u.neg, undefined, [-2, 2]);
gradCase('sin', u.sin, undefined, [-4, 4]);
gradCase('cos', u.cos, undefined, [-4, 4]);
gradCase('exp', u.exp, undefined, [-2, 2]);
gradCase('log', u.log, undefined, [0.2, 3]);
gradCase('sqrt', u.sqrt, undefined, [0.2, 3]);
gradCase('abs', u.abs, undefined, [-2, 2], [0]);
gradCase('sign', u.sign, undefined, [-2, 2], [0]);
gradCase('tanh', u.tanh, undefined, [-3, 3]);
gradCase('sigmoid', u.sigmoid, undefined, [-6, 6]);
gradCase('relu', u.relu, undefined, [-2, 2], [0]);
gradCase('square', u.square, undefined, [-2, 2]);
gradCase('reciprocal', u.reciprocal, undefined, [0.3, 3]);
gradCase('reciprocal (negative)', u.reciprocal, undefined, [-3, -0.3]);
gradCase('addScalar', u.addScalar, { c: 1.7 }, [-2, 2]);
gradCase('mulScalar', u.mulScalar, { c: -2.3 }, [-2, 2]);
gradCase('powScalar p=3', u.powScalar, { p: 3 }, [-2, 2]);
gradCase('powScalar p=0.5', u.powScalar, { p: 0.5 }, [0.2, 3]);
gradCase('powScalar p=-1.5', u.powScalar, { p: -1.5 }, [0.3, 3]);
gradCase('powScalar p=0', u.powScalar, { p: 0 }, [-2, 2]);
gradCase('clamp', u.clamp, { lo: -0.5, hi: 0.7 }, [-2, 2], [-0.5, 0.7]);
gradCase('sinScaled', u.sinScaled, { omega: 30 }, [-1, 1]);

test('unary ops keep the input shape, including the scalar []', () => {
  const t = u.exp.forward([cpuTensor([], [0])]);
  assert.equal(t.shape, []);
  close(t.data, [1]);
  assert.throws(() => u.exp.forward([]), /takes 1 input/);
});

test.run();
