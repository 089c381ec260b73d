import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matmul } from '../../src/reference/matmul.ts';
import { cpuTensor, mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { gradOk, ones, tensorIs } from './helpers.ts';

const A = cpuTensor([2, 2], [1, 2, 3, 4]);
const B = cpuTensor([2, 2], [5, 6, 7, 8]);

test('forward: 2×2 by hand, all four transpose flags', () => {
  tensorIs(matmul.forward([A, B], {}), [2, 2], [19, 22, 43, 50]);
  tensorIs(matmul.forward([A, B], { transA: true }), [2, 2], [26, 30, 38, 44]); // [[1,3],[2,4]]·B
  tensorIs(matmul.forward([A, B], { transB: true }), [2, 2], [17, 23, 39, 53]); // A·[[5,7],[6,8]]
  tensorIs(matmul.forward([A, B], { transA: true, transB: true }), [2, 2], [23, 31, 34, 46]); // (B·A)ᵀ
});

test('forward: non-square and batched with a shared 2-D b', () => {
  // [1, 3] · [3, 2]
  const x = cpuTensor([1, 3], [1, 2, 3]);
  const y = cpuTensor([3, 2], [1, 0, 0, 1, 1, 1]);
  tensorIs(matmul.forward([x, y], {}), [1, 2], [4, 5]);
  // Batch of two 2×2 against one 2×2: each batch is its own product.
  const a3 = cpuTensor([2, 2, 2], [1, 2, 3, 4, 1, 0, 0, 1]);
  tensorIs(matmul.forward([a3, B], {}), [2, 2, 2], [19, 22, 43, 50, 5, 6, 7, 8]);
  assert.equal(matmul.forward([randomTensor([2, 1, 4, 3], mulberry32(1)), randomTensor([5, 3, 6], mulberry32(2))], {}).shape, [2, 5, 4, 6]);
  assert.throws(() => matmul.forward([cpuTensor([2, 3]), cpuTensor([2, 3])], {}), /inner dimensions/);
  assert.throws(() => matmul.forward([cpuTensor([3]), cpuTensor([3, 2])], {}), /at least 2 axes/);
});

test('backward by hand: dA = G·Bᵀ, dB = Aᵀ·G, batch gradient of a shared b is summed', () => {
  const [da, db] = matmul.backward([A, B], {}, ones([2, 2]));
  tensorIs(da, [2, 2], [11, 15, 11, 15]); // row sums of B: 5+6, 7+8
  tensorIs(db, [2, 2], [4, 4, 6, 6]); // column sums of A: 1+3, 2+4
  const a3 = cpuTensor([3, 2, 2], [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  const [, db3] = matmul.backward([a3, B], {}, ones([3, 2, 2]));
  tensorIs(db3, [2, 2], [12, 12, 18, 18]); // three batches of [4, 4, 6, 6]
});

/** [batch of a, batch of b, M, K, N] */
const CASES: [number[], number[], number, number, number][] = [
  [[], [], 1, 1, 1],
  [[], [], 7, 33, 5],
  [[], [], 3, 1, 4],
  [[3], [], 7, 33, 5], // 3-D a, shared 2-D b (the common case)
  [[], [2], 4, 3, 5], // shared 2-D a, 3-D b
  [[2, 1], [5], 4, 3, 6], // batch broadcast both ways
  [[1], [3], 2, 5, 3],
];

for (const transA of [false, true]) {
  for (const transB of [false, true]) {
    test(`gradients: transA=${transA} transB=${transB}`, () => {
      const rng = mulberry32(Number(transA) * 2 + Number(transB) + 1);
      for (const [ba, bb, M, K, N] of CASES) {
        const a = randomTensor([...ba, ...(transA ? [K, M] : [M, K])], rng);
        const b = randomTensor([...bb, ...(transB ? [N, K] : [K, N])], rng);
        gradOk(matmul, [a, b], { transA, transB }, `matmul ${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'}`);
      }
    });
  }
}

test('transposed forward equals forward on explicitly transposed inputs', () => {
  const rng = mulberry32(9);
  const a = randomTensor([2, 5, 3], rng); // [.., K=5, M=3] read transposed
  const b = randomTensor([4, 5], rng); // [N=4, K=5] read transposed
  const t = (x: typeof a) => {
    const [r, c] = x.shape.slice(-2);
    const batch = x.data.length / (r * c);
    const out = cpuTensor([...x.shape.slice(0, -2), c, r]);
    for (let p = 0; p < batch; p++) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out.data[p * r * c + j * r + i] = x.data[p * r * c + i * c + j];
    return out;
  };
  const viaFlags = matmul.forward([a, b], { transA: true, transB: true });
  const explicit = matmul.forward([t(a), t(b)], {});
  tensorIs(viaFlags, [2, 3, 4], explicit.data, 0);
});

test.run();
