/**
 * Pooling on x [N, C, H, W], float64.
 *   avgPool2d, maxPool2d: 2×2 windows, stride 2 -> [N, C, ⌊H/2⌋, ⌊W/2⌋]; like PyTorch (floor mode,
 *     no padding) an odd last row or column is dropped, and an output of size 0 is an error.
 *     avg: mean of the 4 window values; backward spreads g/4 over the window.
 *     max: backward routes g to one element, the first maximum in row-major window order
 *     (top-left, top-right, bottom-left, bottom-right), so ties never split the gradient.
 *   globalAvgPool: mean over H×W -> [N, C, 1, 1]; backward spreads g/(H·W).
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { expectInputs } from './tensor.ts';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function nchw(name: string, inputs: CpuTensor[]): [CpuTensor, number, number, number, number] {
  expectInputs(name, inputs, 1);
  const [x] = inputs;
  if (x.shape.length !== 4) throw new Error(`${name}: x must be [N, C, H, W], got ${fmt(x.shape)}`);
  const [N, C, H, W] = x.shape;
  return [x, N, C, H, W];
}

/** Output shape, and for each output element the 4 flat input indices of its window in row-major order. */
function windows(name: string, inputs: CpuTensor[]): { x: CpuTensor; shape: number[]; taps: Int32Array[] } {
  const [x, N, C, H, W] = nchw(name, inputs);
  const Ho = Math.floor(H / 2);
  const Wo = Math.floor(W / 2);
  if (Ho < 1 || Wo < 1) throw new Error(`${name}: 2×2 pooling needs H, W ≥ 2, got ${fmt(x.shape)}`);
  const taps: Int32Array[] = [];
  for (let plane = 0; plane < N * C; plane++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const topLeft = (plane * H + 2 * oy) * W + 2 * ox;
        taps.push(Int32Array.of(topLeft, topLeft + 1, topLeft + W, topLeft + W + 1));
      }
    }
  }
  return { x, shape: [N, C, Ho, Wo], taps };
}

export const avgPool2d: RefOp<void> = {
  name: 'avgPool2d',
  forward(inputs) {
    const { x, shape, taps } = windows('avgPool2d', inputs);
    return { shape, data: Float64Array.from(taps, (t) => (x.data[t[0]] + x.data[t[1]] + x.data[t[2]] + x.data[t[3]]) / 4) };
  },
  backward(inputs, _params, g) {
    const { x, taps } = windows('avgPool2d', inputs);
    const gx = new Float64Array(x.data.length);
    taps.forEach((t, o) => t.forEach((i) => (gx[i] += g.data[o] / 4)));
    return [{ shape: [...x.shape], data: gx }];
  },
};

/** Flat index of the first maximum in the window (strict > keeps the earliest tie). */
function argmax(x: Float64Array, taps: Int32Array): number {
  let best = taps[0];
  for (let k = 1; k < taps.length; k++) if (x[taps[k]] > x[best]) best = taps[k];
  return best;
}

export const maxPool2d: RefOp<void> = {
  name: 'maxPool2d',
  forward(inputs) {
    const { x, shape, taps } = windows('maxPool2d', inputs);
    return { shape, data: Float64Array.from(taps, (t) => x.data[argmax(x.data, t)]) };
  },
  backward(inputs, _params, g) {
    const { x, taps } = windows('maxPool2d', inputs);
    const gx = new Float64Array(x.data.length);
    taps.forEach((t, o) => (gx[argmax(x.data, t)] += g.data[o]));
    return [{ shape: [...x.shape], data: gx }];
  },
};

export const globalAvgPool: RefOp<void> = {
  name: 'globalAvgPool',
  forward(inputs) {
    const [x, N, C, H, W] = nchw('globalAvgPool', inputs);
    if (H * W === 0) throw new Error(`globalAvgPool: empty image ${fmt(x.shape)}`);
    const out = new Float64Array(N * C);
    for (let i = 0; i < x.data.length; i++) out[Math.floor(i / (H * W))] += x.data[i];
    return { shape: [N, C, 1, 1], data: out.map((s) => s / (H * W)) };
  },
  backward(inputs, _params, g) {
    const [x, , , H, W] = nchw('globalAvgPool', inputs);
    return [{ shape: [...x.shape], data: x.data.map((_, i) => g.data[Math.floor(i / (H * W))] / (H * W)) }];
  },
};
