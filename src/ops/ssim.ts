/**
 * SSIM loss as DIDFuse trains with it (kornia ≤ 0.4 `SSIM(11, reduction='mean')`): the five local
 * statistics μa, μb, E[a²], E[b²], E[ab] are stacked as channels (one kernel,
 * shaders/ssim_moments.wgsl) and blurred in one pass by a separable Gaussian (depthwise conv2d
 * down, then across) on a reflect-padded image, so one pair of convolutions serves all five; one
 * more kernel takes the blurred maps to each pixel's term (shaders/ssim_map.wgsl), and the loss is
 * their mean.
 *   map  = (2μaμb + C1)(2σab + C2) / ((μa² + μb² + C1)(σa² + σb² + C2)),  σ² = E[x²] − μ²
 *   loss = mean(clamp(1 − map, 0, 1)) / 2          (so "5·SSIM loss" is 2.5·(1 − SSIM))
 * C1 = 0.01², C2 = 0.03² for images in [0, 1]. The two kernels have hand-written backward kernels
 * beside them: composed from primitives (concat, squares, slices, some twenty element-wise ops),
 * one loss took 39 dispatches forward and 61 back; it now takes 7 and 7.
 * Float64 reference: src/reference/ssim.ts.
 */
import type { Kernel } from '../gpu/kernel.ts';
import { Params } from '../gpu/params.ts';
import { record } from '../tensor/autograd.ts';
import { runtime } from '../tensor/context.ts';
import { tensor } from '../tensor/create.ts';
import { Tensor, assertSameShape, shapeString } from '../tensor/tensor.ts';
import { conv2d } from './conv.ts';
import { pad2d } from './pad.ts';
import { mean } from './reduce.ts';

export interface SsimOptions {
  windowSize?: number;
  sigma?: number;
}

const MOMENTS: Kernel = { name: 'ssim.moments', file: 'ssim_moments.wgsl', inputs: 2, outputs: 1, uniform: true };
const MOMENTS_BACKWARD: Kernel = { name: 'ssim.moments_backward', file: 'ssim_moments_backward.wgsl', inputs: 3, outputs: 2, uniform: true };
const MAP: Kernel = { name: 'ssim.map', file: 'ssim_map.wgsl', inputs: 1, outputs: 1, uniform: true };
const MAP_BACKWARD: Kernel = { name: 'ssim.map_backward', file: 'ssim_map_backward.wgsl', inputs: 2, outputs: 1, uniform: true };

/** kornia's get_gaussian_kernel: exp(−d²/2σ²) at d = i − ⌊size/2⌋, normalised to sum 1. */
export function gaussianWindow(size: number, sigma: number): Float32Array {
  const values = Array.from({ length: size }, (_, i) => Math.exp(-((i - Math.floor(size / 2)) ** 2) / (2 * sigma * sigma)));
  const total = values.reduce((a, b) => a + b, 0);
  return Float32Array.from(values, (v) => v / total);
}

/** Gaussian blur of every channel of x [N, C, H, W] with a reflect border, same size out. */
function gaussianBlur(x: Tensor, size: number, sigma: number): Tensor {
  const C = x.shape[1];
  const window = gaussianWindow(size, sigma);
  const taps = new Float32Array(C * size);
  for (let c = 0; c < C; c++) taps.set(window, c * size);
  const half = Math.floor(size / 2);
  const padded = pad2d(x, [half, size - 1 - half, half, size - 1 - half], 'reflect');
  const down = conv2d(padded, tensor(taps, [C, 1, size, 1], { constant: true }), null, { groups: C });
  return conv2d(down, tensor(taps, [C, 1, 1, size], { constant: true }), null, { groups: C });
}

/** The params of the SSIM kernels: elements of a [N, C, H, W], and of one of its samples. */
const sizes = (a: Tensor): Params => new Params().u32(a.size).u32(a.size / a.shape[0]);

/** [a, b, a², b², a·b] stacked as channels, [N, 5·C, H, W]: the maps one blur serves. */
function stackedMoments(a: Tensor, b: Tensor): Tensor {
  const [N, C, H, W] = a.shape;
  const rt = runtime();
  const stacked = Tensor.empty([N, 5 * C, H, W], 'ssim.moments');
  rt.dispatch(MOMENTS, { inputs: [a, b], outputs: [stacked], params: sizes(a), workgroups: rt.grid1d(a.size, 256) });
  return record(stacked, 'ssimMoments', [a, b], (g) => {
    const [da, db] = [Tensor.empty(a.shape, 'ssim.da'), Tensor.empty(b.shape, 'ssim.db')];
    rt.dispatch(MOMENTS_BACKWARD, { inputs: [g, a, b], outputs: [da, db], params: sizes(a), workgroups: rt.grid1d(a.size, 256) });
    return [da, db];
  });
}

/** Each pixel's clamp(1 − SSIM, 0, 1)/2 [N, C, H, W] from the blurred stack [N, 5·C, H, W]. */
function halfDissimilarity(blurred: Tensor, shape: readonly number[]): Tensor {
  const rt = runtime();
  const out = Tensor.empty(shape, 'ssim.map');
  rt.dispatch(MAP, { inputs: [blurred], outputs: [out], params: sizes(out), workgroups: rt.grid1d(out.size, 256) });
  return record(out, 'ssimMap', [blurred], (g) => {
    const d = Tensor.empty(blurred.shape, 'ssim.d_blurred');
    rt.dispatch(MAP_BACKWARD, { inputs: [blurred, g], outputs: [d], params: sizes(out), workgroups: rt.grid1d(out.size, 256) });
    return [d];
  });
}

/** kornia's SSIM loss of a against b, both [N, C, H, W] in [0, 1]: a scalar. */
export function ssimLoss(a: Tensor, b: Tensor, options: SsimOptions = {}): Tensor {
  assertSameShape('ssimLoss', a.shape, b.shape);
  const { windowSize = 11, sigma = 1.5 } = options;
  if (a.rank !== 4) throw new Error(`ssimLoss needs [N, C, H, W] images, got ${shapeString(a.shape)}`);
  const [N, C, H, W] = a.shape;
  const half = Math.floor(windowSize / 2);
  if (H <= half || W <= half) throw new Error(`ssimLoss: images of ${H}×${W} are too small for an ${windowSize}×${windowSize} window`);
  if (N * C * H * W === 0) throw new Error(`ssimLoss: empty images ${shapeString(a.shape)}`);
  return mean(halfDissimilarity(gaussianBlur(stackedMoments(a, b), windowSize, sigma), a.shape));
}
