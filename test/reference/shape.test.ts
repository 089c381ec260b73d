import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PadParams } from '../../src/reference/shape.ts';
import { concat, pad, permute, reshape, slice, transpose } from '../../src/reference/shape.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { gradOk, ones, tensorIs } from './helpers.ts';

const arange = (shape: number[]) => cpuTensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i));

test('reshape: one −1 inferred; bad targets are errors', () => {
  tensorIs(reshape.forward([arange([2, 3])], { shape: [3, -1] }), [3, 2], [0, 1, 2, 3, 4, 5]);
  tensorIs(reshape.forward([arange([6])], { shape: [1, 6] }), [1, 6], [0, 1, 2, 3, 4, 5]);
  tensorIs(reshape.forward([cpuTensor([1, 1], [5])], { shape: [] }), [], [5]);
  assert.throws(() => reshape.forward([arange([6])], { shape: [-1, -1] }), /more than one/);
  assert.throws(() => reshape.forward([arange([6])], { shape: [4, -1] }), /cannot infer/);
  assert.throws(() => reshape.forward([arange([6])], { shape: [4] }), /needs 4/);
});

test('permute and transpose by hand', () => {
  // [[0,1,2],[3,4,5]]ᵀ
  tensorIs(permute.forward([arange([2, 3])], { perm: [1, 0] }), [3, 2], [0, 3, 1, 4, 2, 5]);
  // out[k][i][j] = x[i][j][k] for x [2, 2, 2]
  tensorIs(permute.forward([arange([2, 2, 2])], { perm: [2, 0, -2] }), [2, 2, 2], [0, 2, 4, 6, 1, 3, 5, 7]);
  tensorIs(transpose.forward([arange([2, 2, 3])]), [2, 3, 2], [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
  assert.throws(() => permute.forward([arange([2, 3])], { perm: [0, 0] }), /not a permutation/);
  assert.throws(() => transpose.forward([arange([3])]), /at least 2 axes/);
  // Backward routes the gradient back: transpose of the gradient.
  tensorIs(transpose.backward([arange([2, 3])], undefined, arange([3, 2]))[0], [2, 3], [0, 2, 4, 1, 3, 5]);
});

test('slice: per-axis [start, end), negative from the end', () => {
  // [[0,1,2,3],[4,5,6,7],[8,9,10,11]] rows 1..2, cols 1..3
  tensorIs(slice.forward([arange([3, 4])], { starts: [1, -3], ends: [3, 4] }), [2, 3], [5, 6, 7, 9, 10, 11]);
  tensorIs(slice.forward([arange([3, 4])], { starts: [1, 2], ends: [1, 2] }), [0, 0], []);
  tensorIs(slice.backward([arange([2, 3])], { starts: [0, 1], ends: [2, 2] }, cpuTensor([2, 1], [7, 8]))[0], [2, 3], [0, 7, 0, 0, 8, 0]);
  assert.throws(() => slice.forward([arange([3, 4])], { starts: [0, 0], ends: [4, 4] }), /out of range/);
  assert.throws(() => slice.forward([arange([3, 4])], { starts: [0], ends: [1] }), /need 2/);
});

test('concat: any number of inputs; backward splits', () => {
  const a = cpuTensor([1, 2], [1, 2]);
  const b = cpuTensor([2, 2], [3, 4, 5, 6]);
  tensorIs(concat.forward([a, b], { axis: 0 }), [3, 2], [1, 2, 3, 4, 5, 6]);
  const c = cpuTensor([2, 1], [7, 8]);
  tensorIs(concat.forward([b, c, c], { axis: -1 }), [2, 4], [3, 4, 7, 7, 5, 6, 8, 8]);
  const [ga, gb] = concat.backward([a, b], { axis: 0 }, arange([3, 2]));
  tensorIs(ga, [1, 2], [0, 1]);
  tensorIs(gb, [2, 2], [2, 3, 4, 5]);
  assert.throws(() => concat.forward([a, c], { axis: 0 }), /does not match/);
  assert.throws(() => concat.forward([], { axis: 0 }), /at least one/);
});

test('pad: zero / reflect / replicate by hand, and the scatter-add backward', () => {
  const row = cpuTensor([1, 3], [1, 2, 3]);
  const pads: PadParams['pads'] = [[0, 0], [2, 2]];
  tensorIs(pad.forward([row], { pads, mode: 'zero' }), [1, 7], [0, 0, 1, 2, 3, 0, 0]);
  tensorIs(pad.forward([row], { pads, mode: 'reflect' }), [1, 7], [3, 2, 1, 2, 3, 2, 1]);
  tensorIs(pad.forward([row], { pads, mode: 'replicate' }), [1, 7], [1, 1, 1, 2, 3, 3, 3]);
  // Reflect reads sources [2,1,0,1,2,1,0]: counts [2,3,2]; replicate [0,0,0,1,2,2,2]: [3,1,3].
  tensorIs(pad.backward([row], { pads, mode: 'reflect' }, ones([1, 7]))[0], [1, 3], [2, 3, 2]);
  tensorIs(pad.backward([row], { pads, mode: 'replicate' }, ones([1, 7]))[0], [1, 3], [3, 1, 3]);
  tensorIs(pad.backward([row], { pads, mode: 'zero' }, ones([1, 7]))[0], [1, 3], [1, 1, 1]);
  // 2-D reflect of [[1,2],[3,4]] by 1 on every side.
  const sq = cpuTensor([1, 2, 2], [1, 2, 3, 4]);
  tensorIs(pad.forward([sq], { pads: [[1, 1], [1, 1]], mode: 'reflect' }), [1, 4, 4], [4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1]);
  // Uneven: one row on top (replicated), none below.
  tensorIs(pad.forward([sq], { pads: [[1, 0], [0, 1]], mode: 'replicate' }), [1, 3, 3], [1, 2, 2, 1, 2, 2, 3, 4, 4]);
  assert.throws(() => pad.forward([row], { pads: [[1, 1], [0, 0]], mode: 'reflect' }), /must be < axis length 1/);
  assert.throws(() => pad.forward([row], { pads: [[0, 0]], mode: 'zero' }), /2 \[before, after\] pairs/);
  assert.throws(() => pad.forward([row], { pads: [[0, -1], [0, 0]], mode: 'zero' }), /non-negative/);
});

test('gradients: reshape, permute, transpose, slice', () => {
  const rng = mulberry32(11);
  gradOk(reshape, [randomTensor([3, 7], rng)], { shape: [7, -1, 1] });
  gradOk(reshape, [randomTensor([1], rng)], { shape: [] });
  gradOk(permute, [randomTensor([2, 3, 5], rng)], { perm: [2, 0, 1] });
  gradOk(permute, [randomTensor([33], rng)], { perm: [0] });
  gradOk(transpose, [randomTensor([3, 7, 5], rng)], undefined);
  gradOk(transpose, [randomTensor([1, 33], rng)], undefined);
  gradOk(slice, [randomTensor([7, 33], rng)], { starts: [2, -30], ends: [7, 20] });
  gradOk(slice, [randomTensor([2, 3, 5], rng)], { starts: [1, 0, 4], ends: [2, 3, 5] });
});

test('gradients: concat', () => {
  const rng = mulberry32(12);
  gradOk(concat, [randomTensor([2, 1, 3], rng), randomTensor([2, 4, 3], rng), randomTensor([2, 2, 3], rng)], { axis: 1 });
  gradOk(concat, [randomTensor([7], rng), randomTensor([33], rng)], { axis: 0 });
  gradOk(concat, [randomTensor([3, 5], rng)], { axis: -1 });
  gradOk(concat, [randomTensor([3, 1], rng), randomTensor([3, 7], rng)], { axis: -1 });
});

for (const mode of ['zero', 'reflect', 'replicate'] as const) {
  test(`gradients: pad ${mode}`, () => {
    const rng = mulberry32(mode.length);
    gradOk(pad, [randomTensor([3, 5, 7], rng)], { pads: [[2, 1], [3, 6]], mode });
    gradOk(pad, [randomTensor([2, 2, 7, 33], rng)], { pads: [[1, 1], [0, 2]], mode });
    gradOk(pad, [randomTensor([2, 4], rng)], { pads: [[0, 0], [3, 3]], mode });
    if (mode !== 'reflect') gradOk(pad, [randomTensor([1, 1], rng)], { pads: [[2, 0], [1, 3]], mode });
  });
}

test.run();
