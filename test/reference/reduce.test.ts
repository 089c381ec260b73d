import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReduceParams } from '../../src/reference/reduce.ts';
import { max, mean, min, sum } from '../../src/reference/reduce.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { close, distinctTensor, gradOk, ones, tensorIs } from './helpers.ts';

// [[1, 5, 3],
//  [4, 2, 6]]
const x = cpuTensor([2, 3], [1, 5, 3, 4, 2, 6]);

test('forward: hand-computed sums, means, extremes', () => {
  tensorIs(sum.forward([x], {}), [], [21]);
  tensorIs(sum.forward([x], { keepDims: true }), [1, 1], [21]);
  tensorIs(sum.forward([x], { axes: [0] }), [3], [5, 7, 9]);
  tensorIs(sum.forward([x], { axes: [-1], keepDims: true }), [2, 1], [9, 12]);
  tensorIs(sum.forward([x], { axes: [] }), [2, 3], x.data); // no axes: identity
  tensorIs(mean.forward([x], { axes: [1] }), [2], [3, 4]);
  tensorIs(mean.forward([x], {}), [], [3.5]);
  tensorIs(max.forward([x], { axes: [1] }), [2], [5, 6]);
  tensorIs(max.forward([x], {}), [], [6]);
  tensorIs(min.forward([x], { axes: [0] }), [3], [1, 2, 3]);
  tensorIs(min.forward([x], { axes: [0, 1], keepDims: true }), [1, 1], [1]);
  tensorIs(sum.forward([cpuTensor([], [4])], {}), [], [4]);
});

test('backward: sum spreads, mean divides by the group size', () => {
  tensorIs(sum.backward([x], { axes: [1] }, cpuTensor([2], [10, 20]))[0], [2, 3], [10, 10, 10, 20, 20, 20]);
  tensorIs(mean.backward([x], { axes: [0] }, cpuTensor([3], [2, 4, 6]))[0], [2, 3], [1, 2, 3, 1, 2, 3]);
  tensorIs(max.backward([x], { axes: [1] }, cpuTensor([2], [10, 20]))[0], [2, 3], [0, 10, 0, 0, 0, 20]);
});

test('max/min ties: the gradient goes to the first position in row-major order', () => {
  const t = cpuTensor([2, 3], [3, 1, 3, 2, 2, 0]);
  tensorIs(max.backward([t], { axes: [1] }, ones([2]))[0], [2, 3], [1, 0, 0, 1, 0, 0]);
  tensorIs(min.backward([t], { axes: [0] }, ones([3]))[0], [2, 3], [0, 1, 0, 1, 0, 1]);
  // Group over axes [0, 2] of [2, 2, 2]: for j = 0 the group is (0,0,0) (0,0,1) (1,0,0) (1,0,1)
  // = flat 0, 1, 4, 5. Ties at flat 1 and 4: flat 1 comes first in row-major order.
  const u = cpuTensor([2, 2, 2], [0, 9, 1, 1, 9, 0, 1, 1]);
  tensorIs(max.forward([u], { axes: [0, 2] }), [2], [9, 1]);
  tensorIs(max.backward([u], { axes: [0, 2] }, ones([2]))[0], [2, 2, 2], [0, 1, 1, 0, 0, 0, 0, 0]);
  // Same with the axes given in another order and negative: same groups.
  tensorIs(max.backward([u], { axes: [-1, 0] }, ones([2]))[0], [2, 2, 2], [0, 1, 1, 0, 0, 0, 0, 0]);
});

test('NaN propagates through max and receives the gradient', () => {
  const t = cpuTensor([3], [1, Number.NaN, 3]);
  close(max.forward([t], {}).data, [Number.NaN]);
  close(max.backward([t], {}, ones([]))[0].data, [0, 1, 0]);
});

test('bad axes are errors', () => {
  assert.throws(() => sum.forward([x], { axes: [2] }), /out of range/);
  assert.throws(() => sum.forward([x], { axes: [1, -1] }), /given twice/);
  assert.throws(() => max.forward([cpuTensor([2, 0])], { axes: [1] }), /empty/);
});

/** [shape, params] */
const CASES: [number[], ReduceParams][] = [
  [[1], {}],
  [[33], {}],
  [[33], { axes: [0], keepDims: true }],
  [[7, 1], { axes: [1] }],
  [[3, 7, 5], { axes: [1] }],
  [[3, 7, 5], { axes: [0, 2], keepDims: true }],
  [[3, 7, 5], { axes: [-1] }],
  [[2, 3, 4, 5], { axes: [-3, 3] }],
  [[2, 3, 4, 5], {}],
  [[2, 3, 4, 5], { keepDims: true }],
  [[4, 3], { axes: [] }],
];

for (const [label, op] of [['sum', sum], ['mean', mean], ['max', max], ['min', min]] as const) {
  test(`gradients: ${label}`, () => {
    const rng = mulberry32(label.charCodeAt(1));
    for (const [shape, params] of CASES) {
      // Evenly spaced distinct values, so no near-tie flips max/min under ±h.
      const input = label === 'max' || label === 'min' ? distinctTensor(shape, rng) : randomTensor(shape, rng);
      gradOk(op, [input], params, `${label} [${shape}] ${JSON.stringify(params)}`);
    }
  });
}

test.run();
