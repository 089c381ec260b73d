// Batched matmul with transpose flags on the GPU against src/reference/matmul.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, ops, shutdown, tensor, zeros } from '../../src/index.ts';
import { matmulSplit } from '../../src/ops/matmul.ts';
import { transposeBFirst, slicedK } from '../../src/ops/matmul_kernel.ts';
import { matmul as refMatmul, matmulForward, type MatmulParams } from '../../src/reference/matmul.ts';
import { mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { checkOp, type Tolerance } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

/**
 * float32 dot products of length n with terms in [−1, 1] err by ~√n·2^-24·(size of the
 * partial sums); 1e-5·√n covers any summation order a GPU may use.
 */
const dotTol = (n: number): Tolerance => ({ rtol: 1e-4, atol: 1e-5 * Math.sqrt(n) });

const FLAGS: MatmulParams[] = [{}, { transB: true }, { transA: true }, { transA: true, transB: true }];
const flagText = ({ transA, transB }: MatmulParams): string => `${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'}`;

/** Stored shapes of A and B for op(A): [...batchA, M, K] and op(B): [...batchB, K, N]. */
function stored(batchA: number[], batchB: number[], M: number, K: number, N: number, { transA, transB }: MatmulParams): [number[], number[]] {
  return [[...batchA, ...(transA ? [K, M] : [M, K])], [...batchB, ...(transB ? [N, K] : [K, N])]];
}

async function matmulCase(batchA: number[], batchB: number[], M: number, K: number, N: number, flags: MatmulParams, seed: number): Promise<void> {
  const rng = mulberry32(seed);
  const [sa, sb] = stored(batchA, batchB, M, K, N, flags);
  const batch = Math.max(1, ...[...batchA, ...batchB]);
  await checkOp({
    label: `matmul ${M}×${K}×${N} ${flagText(flags)}`,
    inputs: [randomTensor(sa, rng), randomTensor(sb, rng)],
    gpu: ([a, b]) => ops.matmul(a, b, flags),
    ref: refMatmul,
    params: flags,
    forwardTol: dotTol(K),
    // dA sums over N (and batches where B is shared); dB over M (and batches where A is shared)
    gradTol: dotTol(Math.max(M, N) * batch),
  });
}

// M×K×N: degenerate, odd, K smaller than a tile, M and N over one 64-tile, SIREN-like (K = 256, N = 2).
const SIZES: [number, number, number][] = [[1, 1, 1], [7, 33, 5], [65, 3, 129], [257, 256, 2], [4, 64, 64]];

for (const [M, K, N] of SIZES) {
  test(`2-D matmul ${M}×${K}×${N}: all 4 transpose combinations, forward and both gradients`, async () => {
    for (const [i, flags] of FLAGS.entries()) await matmulCase([], [], M, K, N, flags, M * 1000 + K * 10 + N + i);
  });
}

test('batched 3-D × 2-D (B shared by every batch): all 4 transpose combinations', async () => {
  for (const [i, flags] of FLAGS.entries()) await matmulCase([3], [], 7, 5, 9, flags, 100 + i);
});

test('batched 2-D × 3-D (A shared by every batch): all 4 transpose combinations', async () => {
  for (const [i, flags] of FLAGS.entries()) await matmulCase([], [3], 7, 5, 9, flags, 200 + i);
});

test('batched 3-D × 3-D: all 4 transpose combinations', async () => {
  for (const [i, flags] of FLAGS.entries()) await matmulCase([3], [3], 5, 33, 6, flags, 300 + i);
});

test('batched 4-D × 4-D with two batch axes, and a batch of 1 against a batch of 3', async () => {
  await matmulCase([2, 3], [2, 3], 4, 5, 6, {}, 400);
  await matmulCase([2, 3], [2, 3], 4, 5, 6, { transA: true, transB: true }, 401);
  await matmulCase([1], [3], 4, 5, 6, {}, 402);
  await matmulCase([3], [1], 4, 5, 6, { transB: true }, 403);
});

test('x.matmul(w, { transB: true }) is the same op (a Linear layer: [N, in] · [out, in]ᵀ)', async () => {
  const rng = mulberry32(500);
  await checkOp({
    label: 'x.matmul(w, transB)',
    inputs: [randomTensor([33, 7], rng), randomTensor([5, 7], rng)],
    gpu: ([x, w]) => x.matmul(w, { transB: true }),
    ref: refMatmul, params: { transB: true }, forwardTol: dotTol(7), gradTol: dotTol(33),
  });
});

test('a constant operand gets no gradient (x as data, W as parameter)', async () => {
  const rng = mulberry32(600);
  const x = randomTensor([9, 4], rng);
  const w = randomTensor([4, 3], rng);
  await checkOp({ label: 'x·W, x constant', inputs: [x, w], gpu: ([a, b]) => ops.matmul(a, b), ref: refMatmul, params: {}, requiresGrad: [false, true] });
  await checkOp({ label: 'x·W, W constant', inputs: [x, w], gpu: ([a, b]) => ops.matmul(a, b), ref: refMatmul, params: {}, requiresGrad: [true, false] });
});

// Regression (was src/ops/matmul.ts:47): the output's batch shape is taken from one operand instead of the
// broadcast of both, so [3, 7, 5]·[1, 1, 5, 4] gives a [1, 1, 7, 4] result: batches 1 and 2
// are written past its end (and dropped), and its backward throws in sumToShape.
test('matmul batch broadcast: [3,7,5]·[1,1,5,4] has batch shape [1,3] (NumPy), not [1,1]', async () => {
  const a = zeros([3, 7, 5]);
  const b = zeros([1, 1, 5, 4]);
  const c = ops.matmul(a, b);
  const shape = [...c.shape];
  for (const t of [a, b, c]) t.dispose();
  assert.equal(shape, [1, 3, 7, 4], `[3,7,5]·[1,1,5,4] gave shape [${shape}]`);
  await matmulCase([3], [1, 1], 7, 5, 4, {}, 700);
  await matmulCase([1, 1], [3], 7, 5, 4, {}, 701);
});

// Outputs one block high on the scalar core run as a row of 32 blocks (src/ops/matmul_kernel.ts
// workgroupFor): M of 1 to 4 against odd widths past one row of blocks (128 columns), alone and split.
test('outputs 1–4 rows high (a row of blocks): the product and gradients for odd widths, every flag, and split-K', async () => {
  for (const [i, flags] of FLAGS.entries()) {
    await matmulCase([], [], 1, 33, 257, flags, 1300 + i);
    await matmulCase([], [], 3, 7, 129, flags, 1310 + i);
  }
  await matmulCase([2], [2], 4, 9, 133, { transA: true }, 1320);
  matmulSplit.force = 7;
  try {
    await matmulCase([], [], 1, 1029, 257, { transA: true }, 1330); // a SIREN's last-layer dW, in miniature
  } finally {
    matmulSplit.force = null;
  }
});

// Split-K runs on GPUs only (src/ops/matmul.ts kSlices); forced here so SwiftShader checks it too.
// K = 1029 in 3 slices of 344, 344, 341 (the last one short); K = 3 in "5" slices is one slice of 4.
test('split-K: forced slices give the same product and gradients (odd K, a short last slice, batches, every flag)', async () => {
  matmulSplit.force = 3;
  try {
    for (const [i, flags] of FLAGS.entries()) {
      await matmulCase([], [], 7, 1029, 5, flags, 800 + i);
      await matmulCase([], [], 8, 1032, 12, flags, 810 + i); // vec4 core: slices of 344, multiples of 4
    }
    await matmulCase([3], [], 5, 257, 6, { transA: true }, 820);
    await matmulCase([2], [2], 4, 99, 9, { transB: true }, 821);
    matmulSplit.force = 5;
    await matmulCase([], [], 6, 3, 7, {}, 830);
  } finally {
    matmulSplit.force = null;
  }
});

// K sliced within a workgroup (shaders/matmul_slices.wgsl) runs with the GPU tuning only, for small
// outputs (src/ops/matmul_kernel.ts kSlicesInWorkgroup); forced here so SwiftShader
// checks it, with the GPUs' 4×4 block: 2, 3 and 4 slices, K shorter than the slices (empty ones),
// tiles past the output, both cores, batches, and under split-K across workgroups. Forward {} and
// its gradients run A·B, A·Bᵀ and Aᵀ·B; Aᵀ·Bᵀ runs all three as Aᵀ·Bᵀ. Sliced kernels take
// SwiftShader seconds each to compile, so the cases are few.
test('sliced K within a workgroup: forced slices give the same product and gradients (odd shapes, vec4 shapes, split-K)', async () => {
  const block = process.env.FUSEGRAD_MATMUL_BLOCK;
  process.env.FUSEGRAD_MATMUL_BLOCK = '4x4';
  try {
    for (const slices of [2, 4]) {
      slicedK.force = slices;
      await matmulCase([], [], 68, 36, 132, {}, 1400 + slices); // vec4 core, tiles past the output
      await matmulCase([], [], 68, 36, 132, { transA: true, transB: true }, 1410 + slices);
    }
    slicedK.force = 3;
    await matmulCase([], [], 7, 33, 5, {}, 1420); // scalar core
    await matmulCase([], [], 1, 2, 3, { transA: true, transB: true }, 1421); // fewer k than slices
    slicedK.force = 4;
    await matmulCase([2], [2], 12, 260, 8, { transB: true }, 1430);
    matmulSplit.force = 3;
    await matmulCase([], [], 8, 1032, 12, { transA: true }, 1431); // 3 workgroup slices of 344, each cut in 4
    // the CPU tuning's 16×16 block: 4 slices of its 4×4-thread tile would need 48 KiB of workgroup
    // memory, over SwiftShader's 32, so the plan halves the tile
    matmulSplit.force = null;
    delete process.env.FUSEGRAD_MATMUL_BLOCK;
    await matmulCase([], [], 68, 36, 132, {}, 1440);
  } finally {
    slicedK.force = null;
    matmulSplit.force = null;
    if (block === undefined) delete process.env.FUSEGRAD_MATMUL_BLOCK;
    else process.env.FUSEGRAD_MATMUL_BLOCK = block;
  }
});

// Copying B to [K, N] before a Bᵀ product runs on GPUs only (src/ops/matmul_kernel.ts
// copiesBTransposed); forced here so SwiftShader checks it too, alone and under split-K.
test('Bᵀ by a transposed copy: forced, the same product and gradients (odd shapes, vec4 shapes, batches, split-K)', async () => {
  transposeBFirst.force = true;
  try {
    for (const [M, K, N] of [[7, 33, 5], [65, 3, 129], [68, 36, 132]] as const) {
      await matmulCase([], [], M, K, N, { transB: true }, 1000 + M);
      await matmulCase([], [], M, K, N, { transA: true, transB: true }, 1100 + M);
    }
    await matmulCase([3], [], 7, 5, 9, { transB: true }, 1200); // B shared by the batches
    await matmulCase([2, 3], [2, 3], 4, 8, 12, { transB: true }, 1201);
    matmulSplit.force = 3;
    await matmulCase([], [], 8, 1032, 12, { transB: true }, 1202);
  } finally {
    transposeBFirst.force = null;
    matmulSplit.force = null;
  }
});

test('split-K on a weight-gradient shape: a 16-slice 4×9 output over 4,096 pixels matches the plain product', async () => {
  const rng = mulberry32(900);
  const a = randomTensor([4096, 4], rng);
  const b = randomTensor([4096, 9], rng);
  const ta = tensor(Float32Array.from(a.data), a.shape);
  const tb = tensor(Float32Array.from(b.data), b.shape);
  const plain = await ops.matmul(ta, tb, { transA: true }).read();
  matmulSplit.force = 16;
  let split: Float32Array;
  try {
    split = await ops.matmul(ta, tb, { transA: true }).read();
  } finally {
    matmulSplit.force = null;
  }
  const ref = matmulForward(a, b, true);
  for (const t of [ta, tb]) t.dispose();
  for (let i = 0; i < ref.data.length; i++) {
    assert.ok(Math.abs(split[i] - ref.data[i]) <= 1e-5 * 64 + 1e-4 * Math.abs(ref.data[i]), `split-K [${i}] ${split[i]} vs ${ref.data[i]}`);
    assert.ok(Math.abs(split[i] - plain[i]) <= 1e-5 * 64, `split-K [${i}] ${split[i]} vs plain ${plain[i]}`);
  }
});

test.run();
