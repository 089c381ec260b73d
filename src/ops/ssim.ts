/**
 * SSIM loss as DIDFuse trains with it (kornia ≤ 0.4 `SSIM(11, reduction='mean')`), composed
 * from primitives: the five local statistics μa, μb, E[a²], E[b²], E[ab] are stacked as
 * channels and blurred in one pass by a separable Gaussian (depthwise conv2d down, then across)
 * on a reflect-padded image, so one pair of convolutions serves all five.
 *   map  = (2μaμb + C1)(2σab + C2) / ((μa² + μb² + C1)(σa² + σb² + C2)),  σ² = E[x²] − μ²
 *   loss = mean(clamp(1 − map, 0, 1)) / 2          (so "5·SSIM loss" is 2.5·(1 − SSIM))
 * C1 = 0.01², C2 = 0.03² for images in [0, 1]. Float64 reference: src/reference/ssim.ts.
 */
import { tensor } from '../tensor/create.ts';
import { assertSameShape, shapeString, type Tensor } from '../tensor/tensor.ts';
import { add, div, mul, sub } from './binary.ts';
import { conv2d } from './conv.ts';
import { pad2d } from './pad.ts';
import { mean } from './reduce.ts';
import { concat, slice } from './shape.ts';
import { addScalar, clamp, mulScalar, square } from './unary.ts';

export interface SsimOptions {
  windowSize?: number;
  sigma?: number;
}

const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

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

/** kornia's SSIM loss of a against b, both [N, C, H, W] in [0, 1]: a scalar. */
export function ssimLoss(a: Tensor, b: Tensor, options: SsimOptions = {}): Tensor {
  assertSameShape('ssimLoss', a.shape, b.shape);
  const { windowSize = 11, sigma = 1.5 } = options;
  if (a.rank !== 4) throw new Error(`ssimLoss needs [N, C, H, W] images, got ${shapeString(a.shape)}`);
  const [N, C, H, W] = a.shape;
  const half = Math.floor(windowSize / 2);
  if (H <= half || W <= half) throw new Error(`ssimLoss: images of ${H}×${W} are too small for an ${windowSize}×${windowSize} window`);
  const stats = gaussianBlur(concat([a, b, square(a), square(b), mul(a, b)], 1), windowSize, sigma);
  const part = (k: number) => slice(stats, [0, k * C, 0, 0], [N, (k + 1) * C, H, W]);
  const [muA, muB, meanA2, meanB2, meanAB] = [0, 1, 2, 3, 4].map(part);
  const muAB = mul(muA, muB);
  const muA2 = square(muA);
  const muB2 = square(muB);
  const covariance = sub(meanAB, muAB);
  const numerator = mul(addScalar(mulScalar(muAB, 2), C1), addScalar(mulScalar(covariance, 2), C2));
  const denominator = mul(
    addScalar(add(muA2, muB2), C1),
    addScalar(add(sub(meanA2, muA2), sub(meanB2, muB2)), C2),
  );
  const map = div(numerator, denominator);
  return mulScalar(mean(clamp(addScalar(mulScalar(map, -1), 1), 0, 1)), 0.5);
}
