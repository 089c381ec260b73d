import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  broadcastIndexMap, broadcastShapes, cpuTensor, mulberry32, normaliseAxis, randomTensor, size, stridesOf, sumToShape, zeros,
} from '../../src/reference/tensor.ts';
import { tensorIs } from './helpers.ts';

test('size and strides, including the scalar shape []', () => {
  assert.is(size([]), 1);
  assert.is(size([2, 3, 4]), 24);
  assert.is(size([3, 0]), 0);
  assert.equal(stridesOf([2, 3, 4]), [12, 4, 1]);
  assert.equal(stridesOf([]), []);
});

test('cpuTensor copies its data and checks the length', () => {
  const src = [1, 2, 3, 4, 5, 6];
  const t = cpuTensor([2, 3], src);
  src[0] = 99;
  assert.is(t.data[0], 1);
  assert.throws(() => cpuTensor([2, 2], [1, 2, 3]), /needs 4/);
  assert.throws(() => cpuTensor([2, -1]), /invalid shape/);
  tensorIs(zeros([]), [], [0]);
});

test('mulberry32 is deterministic and in [0, 1); randomTensor respects its range', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  for (let i = 0; i < 100; i++) {
    const v = a();
    assert.is(v, b());
    assert.ok(v >= 0 && v < 1);
  }
  assert.is.not(mulberry32(1)(), mulberry32(2)());
  const t = randomTensor([1000], mulberry32(3), 2, 5);
  assert.ok(t.data.every((v) => v >= 2 && v < 5));
});

test('broadcastShapes follows NumPy and explains a mismatch', () => {
  assert.equal(broadcastShapes([7, 1, 3], [5, 1]), [7, 5, 3]);
  assert.equal(broadcastShapes([], [2, 3]), [2, 3]);
  assert.equal(broadcastShapes([4, 1], [1, 6]), [4, 6]);
  assert.equal(broadcastShapes([0, 1], [1, 5]), [0, 5]);
  assert.throws(() => broadcastShapes([2, 3], [4]), /cannot broadcast shapes \[2, 3\] and \[4\]/);
});

test('broadcastIndexMap reads the right elements', () => {
  // [2, 1] broadcast to [2, 3]: rows repeat along the columns.
  assert.equal(Array.from(broadcastIndexMap([2, 3], [2, 1])), [0, 0, 0, 1, 1, 1]);
  // [3] broadcast to [2, 3]: the row repeats.
  assert.equal(Array.from(broadcastIndexMap([2, 3], [3])), [0, 1, 2, 0, 1, 2]);
  assert.throws(() => broadcastIndexMap([2, 3], [2]), /does not broadcast/);
});

test('sumToShape sums over broadcast axes', () => {
  const g = cpuTensor([2, 3], [1, 2, 3, 4, 5, 6]);
  tensorIs(sumToShape(g, [3]), [3], [5, 7, 9]);
  tensorIs(sumToShape(g, [2, 1]), [2, 1], [6, 15]);
  tensorIs(sumToShape(g, []), [], [21]);
  tensorIs(sumToShape(g, [2, 3]), [2, 3], [1, 2, 3, 4, 5, 6]);
  tensorIs(sumToShape(cpuTensor([1, 2, 3], g.data), [1, 1, 3]), [1, 1, 3], [5, 7, 9]);
  // Not a shape that could have broadcast to g's.
  assert.throws(() => sumToShape(g, [2]), /does not broadcast/);
  assert.throws(() => sumToShape(g, [1, 1, 3]), /more axes/);
});

test('normaliseAxis', () => {
  assert.is(normaliseAxis(-1, 3), 2);
  assert.is(normaliseAxis(0, 3), 0);
  assert.throws(() => normaliseAxis(3, 3), /out of range/);
  assert.throws(() => normaliseAxis(-4, 3), /out of range/);
});

test.run();
