// Shape ops (reshape, permute, transpose, transposeEach, slice, concat) on the GPU against src/reference/shape.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, shutdown, tensor, tidy } from '../../src/index.ts';
import * as ref from '../../src/reference/shape.ts';
import type { CpuTensor, RefOp } from '../../src/reference/tensor.ts';
import { mulberry32, randomTensor, zeros } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

/** Copies are exact: any difference at all is a wrong index. */
const EXACT = { rtol: 0, atol: 0 };
const rng = mulberry32(2024);

test('reshape: a view with the gradient reshaped back (also −1)', async () => {
  const cases: [number[], number[]][] = [[[7, 33], [33, 7]], [[3, 1, 5], [15]], [[2, 3, 4, 5], [6, -1]], [[257], [1, 257, 1]], [[1], []]];
  for (const [from, to] of cases) {
    await checkOp({ label: `reshape -> [${to}]`, inputs: [randomTensor(from, rng)], gpu: ([x]) => ops.reshape(x, to), ref: ref.reshape, params: { shape: to }, forwardTol: EXACT, gradTol: EXACT });
  }
});

test('permute: every permutation of a rank-3 tensor, and rank-4 ones', async () => {
  const perms3 = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  for (const perm of perms3) {
    await checkOp({ label: `permute [${perm}]`, inputs: [randomTensor([3, 5, 7], rng)], gpu: ([x]) => ops.permute(x, perm), ref: ref.permute, params: { perm }, forwardTol: EXACT, gradTol: EXACT });
  }
  for (const perm of [[3, 2, 1, 0], [0, 2, 3, 1], [2, 0, 3, 1], [1, 0, 2, 3]]) {
    await checkOp({ label: `permute [${perm}]`, inputs: [randomTensor([2, 3, 4, 5], rng)], gpu: ([x]) => x.permute(perm), ref: ref.permute, params: { perm }, forwardTol: EXACT, gradTol: EXACT });
  }
  // A size-1 axis moved around, and an odd 2-D size past one workgroup.
  await checkOp({ label: 'permute [2,0,1]', inputs: [randomTensor([3, 1, 5], rng)], gpu: ([x]) => x.permute([2, 0, 1]), ref: ref.permute, params: { perm: [2, 0, 1] }, forwardTol: EXACT, gradTol: EXACT });
  await checkOp({ label: 'permute [1,0]', inputs: [randomTensor([33, 17], rng)], gpu: ([x]) => x.permute([1, 0]), ref: ref.permute, params: { perm: [1, 0] }, forwardTol: EXACT, gradTol: EXACT });
});

test('transpose (x.T): swaps the last two axes on rank 2, 3 and 4', async () => {
  for (const shape of [[7, 33], [1, 5], [3, 5, 7], [2, 3, 4, 5]]) {
    await checkOp({ label: 'x.T', inputs: [randomTensor(shape, rng)], gpu: ([x]) => x.T, ref: ref.transpose, params: undefined, forwardTol: EXACT, gradTol: EXACT });
    await checkOp({ label: 'ops.transpose', inputs: [randomTensor(shape, rng)], gpu: ([x]) => ops.transpose(x), ref: ref.transpose, params: undefined, forwardTol: EXACT, gradTol: EXACT });
  }
});

// Several matrices in one pass (transpose_each.wgsl), a slot each: odd shapes, an empty one, and six
// matrices, more than a pass takes (4 with the GPU tuning, here on SwiftShader; 1 with the CPU one).
const eachTransposed = (k: number): RefOp<void> => ({
  name: `transposeEach[${k}]`,
  forward: (inputs) => ref.transpose.forward([inputs[k]]),
  backward: (inputs, _, g) => inputs.map((x, i) => (i === k ? ref.transpose.backward([x], undefined, g)[0] : zeros(x.shape))),
});
for (const tuning of ['cpu', 'gpu'] as const) {
  test(`transposeEach (${tuning} tuning): each result and its gradient, six matrices of odd shapes`, async () => {
    shutdown();
    await init({ quiet: true, tuning });
    try {
      const shapes = [[7, 33], [1, 1], [257, 3], [0, 5], [33, 7], [4, 4]];
      const inputs = shapes.map((shape) => randomTensor(shape, rng));
      let emptyShape: readonly number[] = [];
      tidy(() => { emptyShape = ops.transposeEach(inputs.map((x) => tensor(Float32Array.from(x.data), x.shape)))[3].shape; });
      assert.equal(emptyShape, [5, 0]);
      // (checkOp's loss, a sum, is not defined over no elements: the empty one is only shaped)
      for (const k of shapes.keys()) {
        if (k === 3) continue;
        await checkOp({ label: `transposeEach ${tuning} [${shapes[k]}]`, inputs, gpu: (xs) => ops.transposeEach(xs)[k], ref: eachTransposed(k), params: undefined, forwardTol: EXACT, gradTol: EXACT });
      }
    } finally {
      shutdown();
      await init({ quiet: true });
    }
  });
}

test('slice: interior boxes, whole axes, single elements, empty-free edges, rank 1 to 4', async () => {
  const cases: [number[], number[], number[]][] = [
    [[257], [1], [256]],
    [[7, 33], [2, 5], [7, 32]],
    [[3, 5, 7], [1, 0, 2], [3, 5, 6]],
    [[3, 5, 7], [0, 4, 6], [3, 5, 7]], // the last row/column
    [[3, 5, 7], [2, 1, 3], [3, 2, 4]], // one element
    [[2, 3, 4, 5], [1, 1, 1, 1], [2, 3, 4, 4]],
    [[2, 3, 4, 5], [0, 0, 0, 0], [2, 3, 4, 5]], // everything
    [[3, 1, 5], [0, 0, 1], [2, 1, 4]],
  ];
  for (const [shape, starts, ends] of cases) {
    await checkOp({ label: `slice [${starts}]..[${ends}]`, inputs: [randomTensor(shape, rng)], gpu: ([x]) => x.slice(starts, ends), ref: ref.slice, params: { starts, ends }, forwardTol: EXACT, gradTol: EXACT });
  }
});

test('concat: along each axis of rank-3 and rank-4 tensors, 2 and 3 parts of different lengths, negative axis', async () => {
  const cases: [number[][], number][] = [
    [[[2, 5, 7], [3, 5, 7]], 0],
    [[[3, 1, 7], [3, 4, 7], [3, 2, 7]], 1],
    [[[3, 5, 1], [3, 5, 6]], 2],
    [[[3, 5, 2], [3, 5, 3], [3, 5, 1]], -1],
    [[[2, 3, 4, 5], [2, 1, 4, 5]], 1],
    [[[2, 3, 4, 5], [2, 3, 4, 2]], 3],
    [[[257], [33]], 0],
    [[[7, 33]], 0], // one part: a copy
  ];
  for (const [shapes, axis] of cases) {
    const inputs: CpuTensor[] = shapes.map((s) => randomTensor(s, rng));
    await checkOp({ label: `concat axis ${axis}`, inputs, gpu: (xs) => ops.concat(xs, axis), ref: ref.concat, params: { axis }, forwardTol: EXACT, gradTol: EXACT });
  }
});

test('chained shape ops: slice of a permute of a reshape, then concat with itself', async () => {
  const chain: RefOp = {
    name: 'chain',
    forward: ([x]) => {
      const p = ref.permute.forward([ref.reshape.forward([x], { shape: [4, 3, 5] })], { perm: [2, 0, 1] });
      const s = ref.slice.forward([p], { starts: [1, 1, 0], ends: [4, 3, 3] });
      return ref.concat.forward([s, s], { axis: 1 });
    },
    backward: ([x], _p, g) => {
      const r = ref.reshape.forward([x], { shape: [4, 3, 5] });
      const p = ref.permute.forward([r], { perm: [2, 0, 1] });
      const s = ref.slice.forward([p], { starts: [1, 1, 0], ends: [4, 3, 3] });
      const [g1, g2] = ref.concat.backward([s, s], { axis: 1 }, g);
      const gs = { shape: g1.shape, data: g1.data.map((v, i) => v + g2.data[i]) };
      const gp = ref.slice.backward([p], { starts: [1, 1, 0], ends: [4, 3, 3] }, gs)[0];
      const gr = ref.permute.backward([r], { perm: [2, 0, 1] }, gp)[0];
      return ref.reshape.backward([x], { shape: [4, 3, 5] }, gr);
    },
  };
  await checkOp({
    // the two concat halves' gradients are added in float32: not exact
    label: 'chain', inputs: [randomTensor([60], rng)], ref: chain, params: undefined, forwardTol: EXACT,
    gpu: ([x]) => {
      const s = x.reshape([4, 3, 5]).permute([2, 0, 1]).slice([1, 1, 0], [4, 3, 3]);
      return ops.concat([s, s], 1);
    },
  });
});

test('reshape shares storage: no copy is made and the data reads back unchanged', async () => {
  const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const y = x.reshape([3, 2]);
  assert.is(y.storage, x.storage);
  assert.equal(Array.from(await y.read()), [1, 2, 3, 4, 5, 6]);
  x.dispose();
  // The view keeps the storage alive after the original is gone.
  assert.equal(Array.from(await y.read()), [1, 2, 3, 4, 5, 6]);
  y.dispose();
});

test.run();
