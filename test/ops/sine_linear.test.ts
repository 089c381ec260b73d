// The fused SIREN layer (shaders/sine_linear.wgsl) and its backward against
// src/reference/sine_linear.ts, on odd and SIREN-sized shapes (scalar and vec4 matmul cores).
import { test } from 'uvu';
import { init, ops, shutdown } from '../../src/index.ts';
import { transposeBFirst, slicedK } from '../../src/ops/matmul_kernel.ts';
import { narrowLayer, shortLayer } from '../../src/ops/sine_linear.ts';
import * as ref from '../../src/reference/sine_linear.ts';
import { mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

// [M points, in, out]: 1s, odd sizes (scalar core), multiples of 4 (vec4 core), SIREN's 2→256 and 256→256
const SHAPES: [number, number, number][] = [[1, 1, 1], [7, 2, 33], [65, 33, 7], [33, 4, 8], [257, 2, 256], [130, 256, 256], [9, 256, 1]];

// sin(30·z): WGSL bounds sin to 2^-11 absolute, and ω = 30 scales that into the gradients.
const OMEGA = 30;
const SINE_TOL = { rtol: 1e-3, atol: 2 ** -11 };
// dW and db sum M such errors; they add up like a random walk.
const sineGradTol = (M: number) => ({ rtol: 2e-3, atol: OMEGA * 2 ** -11 * Math.sqrt(M) });

/** sineLinear and linear on one shape, weights in SIREN's hidden-layer range: forward and gradients. */
async function checkLayer(path: string, [M, K, N]: readonly [number, number, number], rng: () => number): Promise<void> {
  const bound = Math.sqrt(6 / K) / OMEGA;
  const inputs = [randomTensor([M, K], rng), randomTensor([N, K], rng, -bound, bound), randomTensor([N], rng, -0.1, 0.1)];
  await checkOp({
    label: `sineLinear (${path}) ${M}×${K}→${N}`, inputs, gpu: ([x, w, b]) => ops.sineLinear(x, w, b, OMEGA),
    ref: ref.sineLinear, params: { omega: OMEGA }, forwardTol: SINE_TOL, gradTol: sineGradTol(M),
  });
  await checkOp({
    label: `linear (${path}) ${M}×${K}→${N}`, inputs, gpu: ([x, w, b]) => ops.linear(x, w, b),
    ref: ref.linear, params: undefined, forwardTol: { rtol: 1e-4, atol: 1e-5 * Math.sqrt(K) }, gradTol: { rtol: 1e-4, atol: 1e-5 * Math.sqrt(M * K) },
  });
}

test('sineLinear: forward and x/W/b gradients', async () => {
  const rng = mulberry32(5);
  for (const [M, K, N] of [...SHAPES, [513, 3, 8]]) {
    const bound = Math.sqrt(6 / K) / OMEGA; // SIREN's hidden-layer init keeps ω·z in a few radians
    const inputs = [randomTensor([M, K], rng), randomTensor([N, K], rng, -bound, bound), randomTensor([N], rng, -0.1, 0.1)];
    await checkOp({
      label: `sineLinear ${M}×${K}→${N}`, inputs, gpu: ([x, w, b]) => ops.sineLinear(x, w, b, OMEGA),
      ref: ref.sineLinear, params: { omega: OMEGA }, forwardTol: SINE_TOL, gradTol: sineGradTol(M),
    });
  }
});

test('linear: forward and x/W/b gradients', async () => {
  const rng = mulberry32(6);
  for (const [M, K, N] of SHAPES) {
    const inputs = [randomTensor([M, K], rng), randomTensor([N, K], rng), randomTensor([N], rng)];
    await checkOp({
      label: `linear ${M}×${K}→${N}`, inputs, gpu: ([x, w, b]) => ops.linear(x, w, b),
      ref: ref.linear, params: undefined, forwardTol: { rtol: 1e-4, atol: 1e-5 * Math.sqrt(K) }, gradTol: { rtol: 1e-4, atol: 1e-5 * Math.sqrt(M * K) },
    });
  }
});

// Paths that only GPUs take, forced here so that SwiftShader checks them too:
// - W copied to [in, out] for the plain core (src/ops/matmul_kernel.ts copiesBTransposed);
// - the narrow kernel, for 1–4 outputs (shaders/sine_linear_narrow.wgsl): one row or 8 rows, rows
//   that leave a workgroup part-empty, K shorter and longer than one pass of 32 vec4s;
// - the short kernel, for 1–4 inputs (shaders/sine_linear_short.wgsl).
const FORCED_PATHS: { path: string; flag: { force: boolean | null }; seed: number; shapes: [number, number, number][] }[] = [
  { path: 'W copied', flag: transposeBFirst, seed: 7, shapes: [[7, 2, 33], [65, 33, 7], [130, 256, 256], [9, 256, 1]] },
  { path: 'narrow', flag: narrowLayer, seed: 9, shapes: [[1, 4, 1], [9, 256, 1], [33, 4, 3], [65, 132, 4], [257, 520, 2]] },
  { path: 'short', flag: shortLayer, seed: 10, shapes: [[1, 1, 4], [7, 2, 256], [33, 3, 12], [257, 4, 36]] },
];
for (const { path, flag, seed, shapes } of FORCED_PATHS) {
  test(`sineLinear and linear, ${path}: forward and gradients`, async () => {
    const rng = mulberry32(seed);
    flag.force = true;
    try {
      for (const shape of shapes) await checkLayer(path, shape, rng);
    } finally {
      flag.force = null;
    }
  });
}

// The cores with K sliced within each workgroup (shaders/matmul_slices.wgsl; the GPU tuning's, for
// small outputs), forced, with the GPUs' 4×4 block: the Bᵀ scalar and vec4 cores, and W
// copied for the plain one.
test('sineLinear and linear, K sliced within a workgroup: forward and gradients', async () => {
  const rng = mulberry32(11);
  const block = process.env.FUSEGRAD_MATMUL_BLOCK;
  process.env.FUSEGRAD_MATMUL_BLOCK = '4x4';
  slicedK.force = 4;
  try {
    for (const shape of [[7, 33, 5], [65, 36, 132]] as [number, number, number][]) await checkLayer('4 slices', shape, rng);
    transposeBFirst.force = true;
    await checkLayer('4 slices, W copied', [130, 256, 256], rng);
  } finally {
    slicedK.force = null;
    transposeBFirst.force = null;
    if (block === undefined) delete process.env.FUSEGRAD_MATMUL_BLOCK;
    else process.env.FUSEGRAD_MATMUL_BLOCK = block;
  }
});

// The backward sums db's first level over runs of rows, for widths that are a multiple of 4: 256
// with the CPU tuning (above: 257 and 513 rows), 16 with the GPU one (every such shape here has
// several runs, and one short; width 7 takes the element-wise pass and the engine's sum).
test('sineLinear with the GPU tuning: x/W/b gradients with the bias summed in runs of 16 rows', async () => {
  shutdown();
  await init({ quiet: true, tuning: 'gpu' });
  const rng = mulberry32(8);
  for (const [M, K, N] of [[17, 2, 8], [65, 33, 7], [130, 4, 256], [257, 2, 36]] as const) {
    const bound = Math.sqrt(6 / K) / OMEGA;
    const inputs = [randomTensor([M, K], rng), randomTensor([N, K], rng, -bound, bound), randomTensor([N], rng, -0.1, 0.1)];
    await checkOp({
      label: `sineLinear gpu tuning ${M}×${K}→${N}`, inputs, gpu: ([x, w, b]) => ops.sineLinear(x, w, b, OMEGA),
      ref: ref.sineLinear, params: { omega: OMEGA }, forwardTol: SINE_TOL, gradTol: sineGradTol(M),
    });
  }
});

test.run();
