import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import { checkGradients, numericalGradients } from '../../src/reference/gradcheck.ts';
import { add } from '../../src/reference/binary.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { unaryOp } from '../../src/reference/unary.ts';
import { close } from './helpers.ts';

test('numericalGradients of x² with gradOut 1 is 2x, and leaves the inputs alone', () => {
  const square = unaryOp('square', (x) => x * x, (x) => 2 * x);
  const x = cpuTensor([3], [0.5, -1, 2]);
  const [g] = numericalGradients(square, [x], undefined, cpuTensor([3], [1, 1, 1]));
  close(g.data, [1, -2, 4], 1e-8);
  close(x.data, [0.5, -1, 2], 0);
});

test('a correct rule passes with tiny error', () => {
  const sin = unaryOp('sin', Math.sin, Math.cos);
  const r = checkGradients(sin, [randomTensor([33], mulberry32(1))], undefined, 3);
  assert.ok(r.maxRelError < 1e-9, String(r.maxRelError));
  assert.is(r.perInput.length, 1);
});

test('a wrong derivative is detected', () => {
  const badSin = unaryOp('badSin', Math.sin, (x) => -Math.cos(x)); // sign flipped
  const r = checkGradients(badSin, [randomTensor([7], mulberry32(1))], undefined, 3);
  assert.ok(r.maxRelError > 0.1, String(r.maxRelError));
  const slightlyOff = unaryOp('slightlyOff', Math.exp, (x) => Math.exp(x) * (1 + 1e-5));
  assert.ok(checkGradients(slightlyOff, [randomTensor([7], mulberry32(2))], undefined).maxRelError > 1e-6);
});

test('a broadcast gradient left unsummed, or a missing gradient, is an error', () => {
  // add but returning the gradient at the output shape instead of summing back to b's shape.
  const badAdd: RefOp = {
    name: 'badAdd',
    forward: (inputs) => add.forward(inputs),
    backward: (_inputs, _p, g: CpuTensor) => [g, g],
  };
  const a = randomTensor([3, 4], mulberry32(1));
  const b = randomTensor([4], mulberry32(2));
  assert.throws(() => checkGradients(badAdd, [a, b], undefined), /gradient 1 has shape \[3,4\] but input is \[4\]/);
  const oneGrad: RefOp = { name: 'oneGrad', forward: (inputs) => add.forward(inputs), backward: (i, p, g) => add.backward(i, p, g).slice(0, 1) };
  assert.throws(() => checkGradients(oneGrad, [a, b], undefined), /returned 1 gradients for 2 inputs/);
});

test('the relative error has a floor of 1 and reports per input', () => {
  // Analytic 1e-3 off in every element of the second input only.
  const off: RefOp = {
    name: 'off',
    forward: (inputs) => add.forward(inputs),
    backward: (i, p, g) => {
      const [ga, gb] = add.backward(i, p, g);
      return [ga, { shape: gb.shape, data: gb.data.map((v) => v + 1e-3) }];
    },
  };
  const r = checkGradients(off, [randomTensor([5], mulberry32(1)), randomTensor([5], mulberry32(2))], undefined);
  assert.ok(r.perInput[0].maxRelError < 1e-9);
  // |gb| ≤ 1, so the floor makes the relative error the absolute error 1e-3.
  close([r.perInput[1].maxAbsError, r.perInput[1].maxRelError, r.maxRelError], [1e-3, 1e-3, 1e-3], 1e-8);
});

test('NaN in an analytic gradient is reported as NaN, not hidden', () => {
  const nan = unaryOp('nan', Math.sin, () => Number.NaN);
  assert.ok(Number.isNaN(checkGradients(nan, [randomTensor([3], mulberry32(1))], undefined).maxRelError));
});

test.run();
