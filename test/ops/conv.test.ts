// Convolutions (shaders/conv2d.wgsl direct and adjoint, conv_transpose2d.wgsl, im2col.wgsl +
// matmul for weight gradients) and pad2d (pad.wgsl, pad_backward.wgsl) against the float64
// references, on odd sizes, every stride/padding/groups combination the models use, and the
// LDFusion/encoder–decoder transposed-convolution shapes.
import { test } from 'uvu';
import { init, ops, shutdown } from '../../src/index.ts';
import * as ref from '../../src/reference/conv.ts';
import { pad as refPad } from '../../src/reference/shape.ts';
import { mulberry32, randomTensor } from '../../src/reference/tensor.ts';
import { checkOp } from './gpu-check.ts';

await init({ quiet: true });
test.after(() => shutdown());

// Sums over up to Cin·K² products: allow for float32 accumulation.
const CONV_TOL = { rtol: 2e-4, atol: 2e-5 };

interface ConvCase { x: number[]; w: number[]; stride: number; padding: number; groups: number; bias: boolean; outputPadding?: number }

const CONV_CASES: ConvCase[] = [
  { x: [1, 1, 1, 1], w: [1, 1, 1, 1], stride: 1, padding: 0, groups: 1, bias: true },
  { x: [2, 3, 7, 9], w: [5, 3, 3, 3], stride: 1, padding: 1, groups: 1, bias: true }, // odd channels: 1-channel blocks
  { x: [1, 1, 7, 7], w: [8, 1, 3, 3], stride: 1, padding: 0, groups: 1, bias: true }, // DIDFuse's first layer (after reflect pad)
  { x: [2, 16, 9, 13], w: [16, 16, 3, 3], stride: 1, padding: 1, groups: 1, bias: false }, // 8-channel blocks
  { x: [1, 4, 9, 11], w: [8, 2, 4, 4], stride: 2, padding: 1, groups: 2, bias: true }, // LDFusion's downsampling, grouped
  { x: [1, 6, 5, 5], w: [6, 1, 3, 3], stride: 1, padding: 0, groups: 6, bias: false }, // depthwise
  { x: [1, 2, 11, 10], w: [3, 2, 7, 7], stride: 1, padding: 3, groups: 1, bias: true }, // 7×7
  { x: [1, 3, 33, 1], w: [2, 3, 11, 1], stride: 1, padding: 5, groups: 1, bias: false }, // SSIM's vertical pass shape
  { x: [1, 8, 6, 7], w: [4, 8, 1, 1], stride: 1, padding: 0, groups: 1, bias: true }, // 1×1 fusion conv
  { x: [1, 3, 8, 9], w: [4, 3, 3, 3], stride: 2, padding: 2, groups: 1, bias: true }, // stride 2 with wide padding
];

test('conv2d: forward and gradients of x, w, b', async () => {
  const rng = mulberry32(11);
  for (const c of CONV_CASES) {
    const inputs = [randomTensor(c.x, rng), randomTensor(c.w, rng), ...(c.bias ? [randomTensor([c.w[0]], rng)] : [])];
    const options = { stride: c.stride, padding: c.padding, groups: c.groups };
    await checkOp({
      label: `conv2d s${c.stride} p${c.padding} g${c.groups}`, inputs, ref: ref.conv2d, params: options,
      gpu: ([x, w, b]) => ops.conv2d(x, w, b ?? null, options), forwardTol: CONV_TOL, gradTol: CONV_TOL,
    });
  }
});

const TRANSPOSED_CASES: ConvCase[] = [
  { x: [1, 2, 1, 1], w: [2, 3, 3, 3], stride: 1, padding: 0, groups: 1, bias: true },
  { x: [2, 4, 5, 7], w: [4, 3, 3, 3], stride: 1, padding: 1, groups: 1, bias: true }, // stride 1: the adjoint conv2d path
  { x: [1, 8, 3, 5], w: [8, 2, 4, 4], stride: 2, padding: 1, groups: 4, bias: false }, // encoder–decoder: exact ×2, grouped
  { x: [1, 6, 3, 4], w: [6, 4, 5, 5], stride: 2, padding: 0, groups: 1, bias: true }, // LDFusion: 2n + 3
  { x: [1, 3, 4, 3], w: [3, 2, 3, 3], stride: 2, padding: 1, groups: 1, bias: true, outputPadding: 1 },
  { x: [1, 2, 5, 5], w: [2, 2, 3, 3], stride: 1, padding: 3, groups: 1, bias: false }, // p > K − 1 at stride 1: one phase, cropping (negative padding)
  { x: [1, 2, 3, 4], w: [2, 3, 1, 1], stride: 2, padding: 0, groups: 1, bias: true }, // s > K: phases without taps, gather form
  { x: [1, 3, 6, 7], w: [3, 2, 5, 5], stride: 3, padding: 2, groups: 1, bias: true, outputPadding: 2 }, // stride 3: nine phases of 2×2/2×1/1×2/1×1 taps
  { x: [1, 2, 4, 5], w: [2, 3, 2, 2], stride: 3, padding: 0, groups: 1, bias: true, outputPadding: 2 }, // gather form, s > K: the last row and column take taps past x's edge
  { x: [1, 3, 5, 4], w: [3, 2, 5, 2], stride: 3, padding: 1, groups: 1, bias: false }, // gather form, KW < s ≤ KH: rows of two taps
];

test('convTranspose2d: forward and gradients of x, w, b', async () => {
  const rng = mulberry32(12);
  for (const c of TRANSPOSED_CASES) {
    const cout = c.w[1] * c.groups;
    const inputs = [randomTensor(c.x, rng), randomTensor(c.w, rng), ...(c.bias ? [randomTensor([cout], rng)] : [])];
    const options = { stride: c.stride, padding: c.padding, groups: c.groups, outputPadding: c.outputPadding ?? 0 };
    await checkOp({
      label: `convTranspose2d s${c.stride} p${c.padding} g${c.groups}`, inputs, ref: ref.convTranspose2d, params: options,
      gpu: ([x, w, b]) => ops.convTranspose2d(x, w, b ?? null, options), forwardTol: CONV_TOL, gradTol: CONV_TOL,
    });
  }
});

test('conv2d: 64 channels at 33×35, batch 2 (the DIDFuse layer, ragged tiles)', async () => {
  const rng = mulberry32(13);
  const inputs = [randomTensor([2, 64, 33, 35], rng), randomTensor([64, 64, 3, 3], rng, -0.05, 0.05), randomTensor([64], rng)];
  await checkOp({
    label: 'conv2d 64→64', inputs, ref: ref.conv2d, params: { stride: 1, padding: 1, groups: 1 },
    gpu: ([x, w, b]) => ops.conv2d(x, w, b, { padding: 1 }), forwardTol: CONV_TOL, gradTol: { rtol: 1e-3, atol: 1e-3 },
    centralDifference: false,
  });
});

for (const mode of ['zero', 'reflect', 'replicate'] as const) {
  test(`pad2d ${mode}: forward and gradient`, async () => {
    const rng = mulberry32(mode.length);
    const cases: [number[], [number, number, number, number]][] = [
      [[1, 1, 2, 2], [1, 1, 1, 1]], [[2, 3, 7, 5], [1, 1, 1, 1]], [[1, 1, 9, 8], [3, 3, 3, 3]],
      [[1, 2, 6, 7], [5, 5, 5, 5]], [[1, 1, 4, 9], [0, 2, 3, 1]], [[1, 1, 1, 5], [0, 0, 2, 2]],
    ];
    for (const [shape, [top, bottom, left, right]] of cases) {
      if (mode === 'reflect' && (Math.max(top, bottom) >= shape[2] || Math.max(left, right) >= shape[3])) continue;
      await checkOp({
        label: `pad2d ${mode} [${top},${bottom},${left},${right}]`, inputs: [randomTensor(shape, rng)],
        ref: refPad, params: { pads: [[top, bottom], [left, right]], mode },
        gpu: ([x]) => ops.pad2d(x, [top, bottom, left, right], mode),
      });
    }
  });
}

test('concat and slice along channels of large tensors (the buffer-copy path)', async () => {
  const rng = mulberry32(21);
  const { concat, slice } = await import('../../src/reference/shape.ts');
  await checkOp({
    label: 'concat axis 1', inputs: [randomTensor([2, 3, 20, 60], rng), randomTensor([2, 5, 20, 60], rng)],
    ref: concat, params: { axis: 1 }, gpu: ([a, b]) => ops.concat([a, b], 1),
  });
  await checkOp({
    label: 'slice axis 1', inputs: [randomTensor([3, 6, 20, 60], rng)],
    ref: slice, params: { starts: [0, 2, 0, 0], ends: [3, 5, 20, 60] }, gpu: ([a]) => ops.slice(a, [0, 2, 0, 0], [3, 5, 20, 60]),
  });
});

test.run();
