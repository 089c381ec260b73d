/**
 * 2-D convolution and transposed convolution, NCHW, float64, PyTorch semantics (zero padding p on
 * all four sides, stride s on both axes, no dilation; G = groups).
 *
 * conv2d: x [N, Cin, H, W], w [Cout, Cin/G, KH, KW], optional b [Cout] -> [N, Cout, Ho, Wo]
 *   out[n, co, oy, ox] = b[co] + Σ_{c', ky, kx} x[n, g·Cin/G + c', oy·s − p + ky, ox·s − p + kx] · w[co, c', ky, kx]
 *   with g = ⌊co / (Cout/G)⌋ and Ho = ⌊(H + 2p − KH) / s⌋ + 1 (likewise Wo). Cross-correlation:
 *   the kernel is not flipped.
 * convTranspose2d: x [N, Cin, H, W], w [Cin, Cout/G, KH, KW], optional b [Cout] -> [N, Cout, Ho, Wo]
 *   Ho = (H − 1)·s − 2p + KH + outputPadding. Each input pixel scatters
 *   x[n, ci, iy, ix] · w[ci, c', ky, kx] into out[n, g·Cout/G + c', iy·s − p + ky, ix·s − p + kx],
 *   g = ⌊ci / (Cin/G)⌋, dropping taps that land outside. Without bias it is exactly the adjoint of
 *   conv2d in x (same w, s, p, G); outputPadding only adds rows/columns no tap reaches.
 *
 * Both ops are the same bipartite map between a "small" tensor (conv2d's output, convTranspose2d's
 * input) and a "large" one (the other side), so one tap visitor serves both forward passes and all
 * four backward products: a product through a tap in one direction is a scatter in the other.
 */
import type { CpuTensor, RefOp } from './tensor.ts';
import { size } from './tensor.ts';

export interface Conv2dParams { stride: number; padding: number; groups: number }
export interface ConvTranspose2dParams { stride: number; padding: number; groups: number; outputPadding?: number }

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * Small channel a (of A) is in group ⌊a / (A/G)⌋ and connects to large channels group·Bg + b',
 * b' < Bg, through w[a, b', ky, kx]; small pixel (sy, sx) reads large pixel (sy·s − p + ky, sx·s − p + kx).
 */
interface TapGeometry {
  N: number;
  A: number; smallH: number; smallW: number;
  B: number; Bg: number; largeH: number; largeW: number;
  KH: number; KW: number;
  stride: number; padding: number; groups: number;
}

/** visit(small flat index, large flat index, weight flat index) for every tap inside the large tensor. */
function forEachTap(geo: TapGeometry, visit: (small: number, large: number, weight: number) => void): void {
  const { N, A, smallH, smallW, B, Bg, largeH, largeW, KH, KW, stride, padding, groups } = geo;
  const Ag = A / groups;
  for (let n = 0; n < N; n++) {
    for (let a = 0; a < A; a++) {
      const firstLarge = Math.floor(a / Ag) * Bg;
      for (let sy = 0; sy < smallH; sy++) {
        for (let sx = 0; sx < smallW; sx++) {
          const small = ((n * A + a) * smallH + sy) * smallW + sx;
          for (let b = 0; b < Bg; b++) {
            const largePlane = (n * B + firstLarge + b) * largeH;
            for (let ky = 0; ky < KH; ky++) {
              const ly = sy * stride - padding + ky;
              if (ly < 0 || ly >= largeH) continue; // zero padding (conv) / cropped tap (convT)
              for (let kx = 0; kx < KW; kx++) {
                const lx = sx * stride - padding + kx;
                if (lx < 0 || lx >= largeW) continue;
                visit(small, (largePlane + ly) * largeW + lx, ((a * Bg + b) * KH + ky) * KW + kx);
              }
            }
          }
        }
      }
    }
  }
}

function checkParams(name: string, stride: number, padding: number, groups: number, outputPadding = 0): void {
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`${name}: stride ${stride} must be a positive integer`);
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`${name}: padding ${padding} must be a non-negative integer`);
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${name}: groups ${groups} must be a positive integer`);
  // PyTorch's rule (without dilation): otherwise the extra rows could be reached by a larger input.
  if (!Number.isInteger(outputPadding) || outputPadding < 0 || outputPadding >= stride) {
    throw new Error(`${name}: outputPadding ${outputPadding} must be an integer in [0, stride = ${stride})`);
  }
}

/** Split the inputs into x, w and the optional bias, checking ranks, count and bias length. */
function unpack(name: string, inputs: CpuTensor[], biasLength: (w: CpuTensor) => number): { x: CpuTensor; w: CpuTensor; b?: CpuTensor } {
  if (inputs.length !== 2 && inputs.length !== 3) throw new Error(`${name} takes 2 or 3 inputs (x, w[, b]), got ${inputs.length}`);
  const [x, w, b] = inputs;
  if (x.shape.length !== 4) throw new Error(`${name}: x must be [N, C, H, W], got ${fmt(x.shape)}`);
  if (w.shape.length !== 4) throw new Error(`${name}: weight must be rank 4, got ${fmt(w.shape)}`);
  if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== biasLength(w))) {
    throw new Error(`${name}: bias ${fmt(b.shape)} should be [Cout = ${biasLength(w)}]`);
  }
  return { x, w, b };
}

function conv2dGeometry(inputs: CpuTensor[], { stride, padding, groups }: Conv2dParams) {
  const name = 'conv2d';
  checkParams(name, stride, padding, groups);
  const { x, w, b } = unpack(name, inputs, (w) => w.shape[0]);
  const [N, Cin, H, W] = x.shape;
  const [Cout, CinG, KH, KW] = w.shape;
  if (Cin % groups !== 0) throw new Error(`${name}: input channels ${Cin} are not divisible by groups ${groups}`);
  if (Cout % groups !== 0) throw new Error(`${name}: output channels ${Cout} are not divisible by groups ${groups}`);
  if (CinG !== Cin / groups) throw new Error(`${name}: weight ${fmt(w.shape)} should be [Cout, Cin/groups = ${Cin / groups}, KH, KW]`);
  if (H + 2 * padding < KH || W + 2 * padding < KW) {
    throw new Error(`${name}: kernel ${KH}×${KW} is larger than the padded input ${H + 2 * padding}×${W + 2 * padding}; output would be empty`);
  }
  const Ho = Math.floor((H + 2 * padding - KH) / stride) + 1;
  const Wo = Math.floor((W + 2 * padding - KW) / stride) + 1;
  const geo: TapGeometry = { N, A: Cout, smallH: Ho, smallW: Wo, B: Cin, Bg: CinG, largeH: H, largeW: W, KH, KW, stride, padding, groups };
  return { x, w, b, geo, outShape: [N, Cout, Ho, Wo] };
}

function convTranspose2dGeometry(inputs: CpuTensor[], { stride, padding, groups, outputPadding = 0 }: ConvTranspose2dParams) {
  const name = 'convTranspose2d';
  checkParams(name, stride, padding, groups, outputPadding);
  const { x, w, b } = unpack(name, inputs, (w) => w.shape[1] * groups);
  const [N, Cin, H, W] = x.shape;
  const [wCin, CoutG, KH, KW] = w.shape;
  if (Cin % groups !== 0) throw new Error(`${name}: input channels ${Cin} are not divisible by groups ${groups}`);
  if (wCin !== Cin) throw new Error(`${name}: weight ${fmt(w.shape)} should be [Cin = ${Cin}, Cout/groups, KH, KW]`);
  const Ho = (H - 1) * stride - 2 * padding + KH + outputPadding;
  const Wo = (W - 1) * stride - 2 * padding + KW + outputPadding;
  if (Ho < 1 || Wo < 1) {
    throw new Error(`${name}: output would be ${Ho}×${Wo} (input ${H}×${W}, kernel ${KH}×${KW}, stride ${stride}, padding ${padding})`);
  }
  const Cout = CoutG * groups;
  const geo: TapGeometry = { N, A: Cin, smallH: H, smallW: W, B: Cout, Bg: CoutG, largeH: Ho, largeW: Wo, KH, KW, stride, padding, groups };
  return { x, w, b, geo, outShape: [N, Cout, Ho, Wo] };
}

/** out[n, c, :, :] += b[c] in place. */
function addBias(out: CpuTensor, b: CpuTensor | undefined): void {
  if (b === undefined) return;
  const [, C, H, W] = out.shape;
  for (let i = 0; i < out.data.length; i++) out.data[i] += b.data[Math.floor(i / (H * W)) % C];
}

/** d/db[c] = Σ over n, y, x of g[n, c, y, x]. */
function biasGradient(g: CpuTensor, b: CpuTensor): CpuTensor {
  const [, C, H, W] = g.shape;
  const data = new Float64Array(C);
  for (let i = 0; i < g.data.length; i++) data[Math.floor(i / (H * W)) % C] += g.data[i];
  return { shape: [...b.shape], data };
}

export const conv2d: RefOp<Conv2dParams> = {
  name: 'conv2d',
  forward(inputs, params) {
    const { x, w, b, geo, outShape } = conv2dGeometry(inputs, params);
    const out: CpuTensor = { shape: outShape, data: new Float64Array(size(outShape)) };
    forEachTap(geo, (o, i, k) => (out.data[o] += x.data[i] * w.data[k]));
    addBias(out, b);
    return out;
  },
  backward(inputs, params, g) {
    const { x, w, b, geo } = conv2dGeometry(inputs, params);
    const gx = new Float64Array(x.data.length);
    const gw = new Float64Array(w.data.length);
    forEachTap(geo, (o, i, k) => {
      gx[i] += g.data[o] * w.data[k];
      gw[k] += g.data[o] * x.data[i];
    });
    const grads: CpuTensor[] = [{ shape: [...x.shape], data: gx }, { shape: [...w.shape], data: gw }];
    if (b !== undefined) grads.push(biasGradient(g, b));
    return grads;
  },
};

export const convTranspose2d: RefOp<ConvTranspose2dParams> = {
  name: 'convTranspose2d',
  forward(inputs, params) {
    const { x, w, b, geo, outShape } = convTranspose2dGeometry(inputs, params);
    const out: CpuTensor = { shape: outShape, data: new Float64Array(size(outShape)) };
    forEachTap(geo, (i, o, k) => (out.data[o] += x.data[i] * w.data[k]));
    addBias(out, b);
    return out;
  },
  backward(inputs, params, g) {
    const { x, w, b, geo } = convTranspose2dGeometry(inputs, params);
    const gx = new Float64Array(x.data.length);
    const gw = new Float64Array(w.data.length);
    forEachTap(geo, (i, o, k) => {
      gx[i] += g.data[o] * w.data[k];
      gw[k] += g.data[o] * x.data[i];
    });
    const grads: CpuTensor[] = [{ shape: [...x.shape], data: gx }, { shape: [...w.shape], data: gw }];
    if (b !== undefined) grads.push(biasGradient(g, b));
    return grads;
  },
};
