import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { avgPool2d, globalAvgPool, maxPool2d } from '../../src/reference/pool.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { distinctTensor, gradOk, ones, tensorIs } from './helpers.ts';

// 3×5 image: the odd last row (11..15) and last column (5, 10) are dropped by floor mode.
const image = cpuTensor([1, 1, 3, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

test('avgPool2d / maxPool2d: 3×5 by hand, odd row and column dropped', () => {
  // Windows {1, 2, 6, 7} and {3, 4, 8, 9}.
  tensorIs(avgPool2d.forward([image]), [1, 1, 1, 2], [4, 6]);
  tensorIs(maxPool2d.forward([image]), [1, 1, 1, 2], [7, 9]);
  // Gradient: a quarter to each window element, nothing to the dropped row/column.
  tensorIs(avgPool2d.backward([image], undefined, cpuTensor([1, 1, 1, 2], [4, 8]))[0], [1, 1, 3, 5], [
    1, 1, 2, 2, 0,
    1, 1, 2, 2, 0,
    0, 0, 0, 0, 0,
  ]);
  tensorIs(maxPool2d.backward([image], undefined, cpuTensor([1, 1, 1, 2], [4, 8]))[0], [1, 1, 3, 5], [
    0, 0, 0, 0, 0,
    0, 4, 0, 8, 0,
    0, 0, 0, 0, 0,
  ]);
});

test('maxPool2d: ties go to the first maximum in row-major window order', () => {
  // Windows (one per plane): all equal -> top-left; max 2 at top-right and bottom-left -> top-right;
  // max at bottom-left and bottom-right -> bottom-left.
  const x = cpuTensor([1, 3, 2, 2], [1, 1, 1, 1, 0, 2, 2, 1, -1, -3, 5, 5]);
  tensorIs(maxPool2d.forward([x]), [1, 3, 1, 1], [1, 2, 5]);
  tensorIs(maxPool2d.backward([x], undefined, ones([1, 3, 1, 1]))[0], [1, 3, 2, 2], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
});

test('globalAvgPool: mean per (n, c) by hand', () => {
  const x = cpuTensor([2, 1, 1, 3], [1, 2, 6, 0, -3, 9]);
  tensorIs(globalAvgPool.forward([x]), [2, 1, 1, 1], [3, 2]);
  tensorIs(globalAvgPool.backward([x], undefined, cpuTensor([2, 1, 1, 1], [3, 6]))[0], [2, 1, 1, 3], [1, 1, 1, 2, 2, 2]);
  tensorIs(globalAvgPool.forward([cpuTensor([1, 2, 1, 1], [4, 5])]), [1, 2, 1, 1], [4, 5]);
});

test('shapes: floor of odd sizes', () => {
  const rng = mulberry32(1);
  const cases: [number[], number[]][] = [
    [[1, 1, 2, 2], [1, 1, 1, 1]],
    [[2, 3, 7, 7], [2, 3, 3, 3]],
    [[1, 2, 3, 8], [1, 2, 1, 4]],
    [[1, 1, 33, 2], [1, 1, 16, 1]],
  ];
  for (const [shape, want] of cases) {
    const x = randomTensor(shape, rng);
    assert.equal(avgPool2d.forward([x]).shape, want);
    assert.equal(maxPool2d.forward([x]).shape, want);
    assert.equal(globalAvgPool.forward([x]).shape, [shape[0], shape[1], 1, 1]);
  }
});

test('bad shapes give clear errors', () => {
  assert.throws(() => avgPool2d.forward([cpuTensor([1, 1, 1, 7])]), /H, W ≥ 2, got \[1, 1, 1, 7\]/);
  assert.throws(() => maxPool2d.forward([cpuTensor([1, 1, 7, 1])]), /H, W ≥ 2/);
  assert.throws(() => maxPool2d.forward([cpuTensor([4, 4])]), /\[N, C, H, W\]/);
  assert.throws(() => globalAvgPool.forward([cpuTensor([1, 1, 0, 3])]), /empty image/);
  assert.throws(() => avgPool2d.forward([cpuTensor([1, 1, 2, 2]), cpuTensor([1, 1, 2, 2])]), /1 input/);
});

test('gradients: all three pools', () => {
  const rng = mulberry32(4);
  for (const shape of [[1, 1, 2, 2], [1, 2, 3, 5], [2, 1, 7, 7], [1, 1, 1, 1], [1, 3, 7, 1]]) {
    const pools2x2 = shape[2] >= 2 && shape[3] >= 2;
    // Distinct values, at least 2/n apart, keep the max away from ties for central differences.
    if (pools2x2) {
      gradOk(avgPool2d, [randomTensor(shape, rng)], undefined, `avgPool2d [${shape}]`);
      gradOk(maxPool2d, [distinctTensor(shape, rng)], undefined, `maxPool2d [${shape}]`);
    }
    gradOk(globalAvgPool, [randomTensor(shape, rng)], undefined, `globalAvgPool [${shape}]`);
  }
});

test.run();
