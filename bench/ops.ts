/**
 * The engine's image-model kernels, each as a throughput and a fraction of the adapter's roofline:
 *   conv 3×3, 64 → 64 channels, zero pad 1: forward; forward + input gradient (dX); forward +
 *     weight gradient (dW) (a backward pass needs its forward): GFLOP/s counted as 2·64·64·9·H·W
 *     per pass, against the matmul ceiling;
 *   Sobel (both directions, replicate border) forward: GB/s of 4 bytes read + 8 written per pixel;
 *   kornia SSIM loss, forward and forward + backward: GFLOP/s of its separable 11-tap blurs
 *     (5 statistics × 2 passes × 11 taps × 2 = 220 FLOP per pixel per direction), against matmul;
 *   AdaIN on [1, 64, H, W], forward and forward + backward: GB/s of the least traffic the op needs
 *     (x read, y written; backward: dy and x read, dx written), against the copy ceiling;
 *   Adam over the 198,401 parameters of the SIREN 5×256: GB/s of 28 bytes per parameter
 *     (parameter, gradient and both moments read; parameter and moments written), against copy.
 * Correctness of each op is the test suite's job (test/ops/); here only speed is measured.
 */
import { backward, ops, optim, tensor, tidy, type Tensor } from '../src/index.ts';
import { type Result, type Suite, type Work, measure, toResult } from './harness.ts';
import { randomMatrix } from './gpu-util.ts';

const SUITE = 'ops';
const CHANNELS = 64;

interface Case {
  name: string;
  work: Work;
  ceiling: 'matmul' | 'copy';
  /** records one iteration; the harness flushes and waits */
  step: () => void;
  dispose: () => void;
}

const random = (shape: number[], seed: number, requiresGrad = false): Tensor =>
  tensor(randomMatrix(shape.reduce((a, b) => a * b, 1), seed), shape, { requiresGrad });

/** Drops the gradients a backward pass left on `leaves`. */
const clearGrads = (leaves: Tensor[]) => leaves.forEach((t) => { t.grad?.dispose(); t.grad = null; });

function convCases(size: number): Case[] {
  const flops = 2 * CHANNELS * CHANNELS * 9 * size * size;
  const x = random([1, CHANNELS, size, size], 1, true);
  const w = random([CHANNELS, CHANNELS, 3, 3], 2, true);
  const dy = random([1, CHANNELS, size, size], 3);
  const conv = () => ops.conv2d(x, w, null, { padding: 1 });
  const gradient = (which: Tensor) => () => {
    const other = which === x ? w : x;
    other.requiresGrad = false;
    tidy(() => { backward(conv(), dy); });
    other.requiresGrad = true;
    clearGrads([which]);
  };
  const label = `conv3×3 ${CHANNELS}→${CHANNELS} ${size}²`;
  return [
    { name: `${label} forward`, work: { unit: 'GFLOP/s', flops }, ceiling: 'matmul', step: () => { tidy(() => { conv(); }); }, dispose: () => {} },
    { name: `${label} forward + dX`, work: { unit: 'GFLOP/s', flops: 2 * flops }, ceiling: 'matmul', step: gradient(x), dispose: () => {} },
    { name: `${label} forward + dW`, work: { unit: 'GFLOP/s', flops: 2 * flops }, ceiling: 'matmul', step: gradient(w), dispose: () => { [x, w, dy].forEach((t) => t.dispose()); } },
  ];
}

function sobelCase(size: number): Case {
  const x = random([1, 1, size, size], 4);
  return {
    name: `Sobel ${size}² forward`, work: { unit: 'GB/s', bytes: 12 * size * size }, ceiling: 'copy',
    step: () => { tidy(() => { ops.sobel(x, { border: 'replicate' }); }); }, dispose: () => x.dispose(),
  };
}

function ssimCases(size: number): Case[] {
  const image = (seed: number) => tensor(randomMatrix(size * size, seed).map((v) => 0.5 + 0.5 * v), [1, 1, size, size], { requiresGrad: true });
  const [a, b] = [image(5), image(6)];
  const perPass = 220 * size * size;
  return [
    { name: `SSIM loss ${size}² forward`, work: { unit: 'GFLOP/s', flops: perPass }, ceiling: 'matmul', step: () => { tidy(() => { ops.ssimLoss(a, b); }); }, dispose: () => {} },
    {
      name: `SSIM loss ${size}² forward + backward`, work: { unit: 'GFLOP/s', flops: 2 * perPass }, ceiling: 'matmul',
      step: () => { tidy(() => { backward(ops.ssimLoss(a, b)); }); clearGrads([a, b]); },
      dispose: () => { a.dispose(); b.dispose(); },
    },
  ];
}

function adainCases(size: number): Case[] {
  const elements = CHANNELS * size * size;
  const x = random([1, CHANNELS, size, size], 7, true);
  const scale = random([1, CHANNELS], 8, true);
  const bias = random([1, CHANNELS], 9, true);
  const dy = random([1, CHANNELS, size, size], 10);
  const label = `AdaIN [1, ${CHANNELS}, ${size}, ${size}]`;
  return [
    { name: `${label} forward`, work: { unit: 'GB/s', bytes: 8 * elements }, ceiling: 'copy', step: () => { tidy(() => { ops.adain(x, scale, bias); }); }, dispose: () => {} },
    {
      name: `${label} forward + backward`, work: { unit: 'GB/s', bytes: 20 * elements }, ceiling: 'copy',
      step: () => { tidy(() => { backward(ops.adain(x, scale, bias), dy); }); clearGrads([x, scale, bias]); },
      dispose: () => { [x, scale, bias, dy].forEach((t) => t.dispose()); },
    },
  ];
}

/** The SIREN 5×256's parameter shapes: W [out, in] and b [out] per layer. */
const SIREN_SHAPES = [[256, 2], [256], [256, 256], [256], [256, 256], [256], [256, 256], [256], [1, 256], [1]];

function adamCase(): Case {
  const params = SIREN_SHAPES.map((shape, k) => random(shape, 20 + k, true));
  params.forEach((p, k) => { p.grad = random(p.shape as number[], 40 + k); });
  const count = params.reduce((n, p) => n + p.size, 0);
  const adam = new optim.Adam(params, { lr: 1e-3 });
  return {
    name: `Adam step, ${count.toLocaleString('en')} parameters (SIREN 5×256)`, work: { unit: 'GB/s', bytes: 28 * count }, ceiling: 'copy',
    step: () => adam.step(),
    dispose: () => { adam.dispose(); params.forEach((p) => { p.grad?.dispose(); p.dispose(); }); },
  };
}

export const opsSuite: Suite = {
  name: SUITE,
  description: 'conv3×3 (64 ch) forward/dX/dW, Sobel, SSIM, AdaIN and Adam (200 k parameters) against the roofline',
  async run(ctx) {
    const rt = await ctx.runtime();
    const [conv, sobel, ssim, adain] = ctx.quick ? [32, 256, 64, 32] : [128, 1024, 256, 128];
    const cases = [...convCases(conv), sobelCase(sobel), ...ssimCases(ssim), ...adainCases(adain), adamCase()];
    const results: Result[] = [];
    try {
      for (const c of cases) {
        ctx.log(`ops: ${c.name}`);
        const timing = await measure(rt, ctx.host, () => { c.step(); rt.flush(); },
          { warmup: 1, runs: ctx.quick ? 3 : 5, targetMs: ctx.quick ? 150 : 500 });
        const ceiling = c.ceiling === 'matmul' ? ctx.ceilings.matmulGflops : ctx.ceilings.copyGBs;
        results.push(toResult(timing, { suite: SUITE, name: c.name, work: c.work, ceiling }));
      }
    } finally {
      cases.forEach((c) => c.dispose());
    }
    return results;
  },
};
